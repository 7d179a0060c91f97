/**
 * What observe() makes of a namespace it cannot read: only one that is
 * really gone is recreated (and its container restarted).
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, writeProject } from '../helpers/containers';

test('a /run/netns entry without a namespace behind it (setns: EINVAL) is stale: up recreates it', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: tscobs
services:
  s:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    // What a crash between "ip netns add" and its bind mount leaves: the file, no namespace.
    // Equivalent to: umount /run/netns/tsc.tscobs.s.1
    const r = await host.run(['umount', '/run/netns/tsc.tscobs.s.1']);
    t.is(r.code, 0, r.stderr);
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.like(plan.waves.flat().find((a: any) => a.kind === 'netns.create'), { target: 'tsc.tscobs.s.1', reason: 'stale /run/netns entry' });
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Container tscobs-s-1 {2}Stopped \(network namespace recreated\)/);
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
