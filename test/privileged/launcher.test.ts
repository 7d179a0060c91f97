/**
 * The streaming launcher: one `tsc-shim launch` starts each container as
 * soon as its record arrives, so a result comes back while stdin is still
 * open (the next record may depend on it).
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { Launcher, type ContainerLaunch } from '../../src/sys/shim';
import { shimPath } from '../../src/sys/native';
import { sh } from '../helpers/containers';

test('Launcher: each start resolves before the next record is written; one launcher process for all', async (t) => {
  await withHost(t, async (host) => {
    // The launcher runs in the host: tsc-shim launch under nsenter (Launcher spawns the shim path directly).
    await sh(host, 'mkdir -m 0700 /run/tscompose/l1 /run/tscompose/l2 /run/tscompose/l3');
    const launch = (name: string, argv: string[]): ContainerLaunch => ({
      name,
      stateDir: `/run/tscompose/${name}`,
      namespaces: ['mount', 'pid'],
      binds: [],
      env: { PATH: '/usr/bin:/bin' },
      sysctls: {},
      argv,
    });
    const launcher = new Launcher({ command: [...host.enter(), shimPath, 'launch'] });
    const first = await launcher.start(launch('l1', ['sleep', 'infinity']));
    t.true(first.ok, JSON.stringify(first));
    const second = await launcher.start(launch('l2', ['tsc-no-such-command']));
    t.false(second.ok);
    if (!second.ok) t.is(second.code, 'ENOENT');
    const third = await launcher.start(launch('l3', []));
    t.true(third.ok);
    if (first.ok && third.ok) {
      t.is(await sh(host, `cat /proc/${first.pid}/cmdline | tr '\\0' ' '`), 'sleep infinity');
      // Both shims were forked by the same, still running, launcher.
      const parent = (pid: number) => sh(host, `awk '{print $4}' /proc/${pid}/stat`);
      const launcherPid = await parent(first.shimPid);
      t.is(await parent(third.shimPid), launcherPid);
      t.regex(await sh(host, `tr '\\0' ' ' < /proc/${launcherPid}/cmdline`), /tsc-shim launch/);
    }
    await launcher.close();
    await t.throwsAsync(launcher.start(launch('l1', [])), { message: /after close/ });
  });
});

test('launch: shims see no /run/netns mount even when it is stacked (ip netns add bind-mounts it onto itself), and still join their netns', async (t) => {
  await withHost(t, async (host) => {
    const ns = `${host.tag}stk`;
    // What iproute2 does on a host where `ip netns add` ran before, twice over.
    await sh(host, `mount --bind /run/netns /run/netns && mount --bind /run/netns /run/netns && ip netns add ${ns} && mkdir -m 0700 /run/tscompose/s1`);
    t.true(Number(await sh(host, 'grep -c " /run/netns " /proc/self/mountinfo')) >= 3, 'the host has the stacked mounts');
    // Under bash, so that the launcher's parent (whose root it reaches the netns through) is inside the host.
    const launcher = new Launcher({ command: [...host.enter(), 'bash', '-c', `${shimPath} launch; exit $?`] });
    const r = await launcher.start({
      name: 's1',
      stateDir: '/run/tscompose/s1',
      netnsPath: `/run/netns/${ns}`,
      namespaces: ['mount'],
      binds: [],
      env: {},
      sysctls: {},
      argv: [],
    });
    await launcher.close();
    t.true(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    t.is(await sh(host, `grep -c " /run/netns" /proc/${r.shimPid}/mountinfo || true`), '0', 'no mount at or under /run/netns in the shim');
    t.is(await sh(host, `ip netns identify ${r.pid}`), ns);
  });
});
