import test from 'ava';
import { ObserveError } from '../../../src/errors';
import { inspectNamespace } from '../../../src/observe';
import type { Rtnl } from '../../../src/sys/netlink/rtnl';

/** A system error as node:fs and the addon throw them. */
const sysError = (code: string, syscall: string) => Object.assign(new Error(`${code}: ${syscall}`), { code, syscall });
const failingOpen = (code: string, syscall: string) => () => {
  throw sysError(code, syscall);
};

test('a namespace whose file is gone, or holds no namespace, is stale', async (t) => {
  t.deepEqual(await inspectNamespace('tsc-ns-a', failingOpen('ENOENT', 'open')), { name: 'tsc-ns-a', links: [], routes: [], stale: true });
  t.true((await inspectNamespace('tsc-ns-a', failingOpen('EINVAL', 'setns'))).stale);
});

test('any other error opening a namespace aborts, naming the namespace and the errno', async (t) => {
  for (const [code, syscall] of [['EMFILE', 'open'], ['ENOMEM', 'setns'], ['EINVAL', 'socket'], ['EPERM', 'open']] as const) {
    const e = await t.throwsAsync(inspectNamespace('tsc-ns-b', failingOpen(code, syscall)), { instanceOf: ObserveError });
    t.regex(e!.message, new RegExp(`network namespace tsc-ns-b: ${syscall}: ${code}`));
  }
});

test('a failed dump inside a namespace aborts (never a stale namespace), and the socket is closed', async (t) => {
  let closed = 0;
  const rtnl = {
    links: async () => {
      throw sysError('ENOBUFS', 'recvmsg');
    },
    addresses: async () => [],
    routes: async () => [],
    qdiscs: async () => [],
    close: () => closed++,
  } as unknown as Rtnl;
  const e = await t.throwsAsync(inspectNamespace('tsc-ns-c', () => rtnl), { instanceOf: ObserveError });
  t.regex(e!.message, /tsc-ns-c: recvmsg: ENOBUFS/);
  t.is(closed, 1);
});
