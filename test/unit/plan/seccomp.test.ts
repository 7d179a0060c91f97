import test from 'ava';
import { parseSeccompProfile } from '../../../src/compose/seccomp-profile';
import { defaultSeccomp, seccompFor } from '../../../src/plan/seccomp';

const denied = (caps: string[]) => new Set(defaultSeccomp(caps).rules.filter((r) => r.action === 'errno:1' && !r.args).flatMap((r) => r.names));

test('the default filter refuses by capability, as Docker does', (t) => {
  const none = denied([]);
  for (const s of ['unshare', 'setns', 'mount', 'keyctl', 'bpf', 'init_module', 'reboot', 'clock_settime', 'io_uring_setup', 'ptrace'].filter((x) => x !== 'ptrace')) t.true(none.has(s), s);
  t.false(none.has('ptrace'), 'ptrace is allowed (kernel >= 4.8), as in Docker');
  const admin = denied(['SYS_ADMIN']);
  t.false(admin.has('mount'));
  t.false(admin.has('unshare'));
  t.true(admin.has('keyctl'), 'keyrings stay refused with any capability');
  t.false(denied(['CAP_SYS_TIME']).has('clock_settime'));
  const clone = defaultSeccomp([]).rules.filter((r) => r.names.includes('clone'));
  t.is(clone.length, 7, 'one rule per namespace flag');
  t.true(defaultSeccomp([]).rules.some((r) => r.names.includes('clone3') && r.action === 'errno:38'));
  t.false(defaultSeccomp(['SYS_ADMIN']).rules.some((r) => r.names.includes('clone')));
});

test('privileged and unconfined get no filter; a profile keeps the rules its capability conditions allow', (t) => {
  t.is(seccompFor(undefined, [], true), undefined);
  t.is(seccompFor('unconfined', [], false), undefined);
  const p = parseSeccompProfile(
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
        { names: ['arm_only'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
      ],
    }),
  );
  if (typeof p === 'string') return t.fail(p);
  const plain = seccompFor(p, [], false)!;
  t.is(plain.defaultAction, 'errno:1');
  t.deepEqual(plain.rules.map((r) => r.names[0]), ['read', 'ptrace', 'personality']);
  t.deepEqual(plain.rules[2]!.args, [{ index: 0, op: 'eq', value: 8 }]);
  t.deepEqual(seccompFor(p, ['SYS_ADMIN'], false)!.rules.map((r) => r.names[0]), ['read', 'mount', 'personality']);
});

test('a malformed profile says what is wrong', (t) => {
  t.regex(parseSeccompProfile('{') as string, /not JSON/);
  t.regex(parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"NOPE"}]}') as string, /syscalls\[0\]\.action: "NOPE" is not an action/);
  t.regex(parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":9,"value":1,"op":"SCMP_CMP_EQ"}]}]}') as string, /args\[0\]: needs index 0\.\.5/);
});
