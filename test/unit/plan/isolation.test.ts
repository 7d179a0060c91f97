import test from 'ava';
import { PlanError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { capabilityMask } from '../../../src/linux/capabilities';
import { DEFAULT_CAPABILITIES, effectiveCapabilities, launchIsolation } from '../../../src/plan/isolation';
import { defaultSeccomp } from '../../../src/plan/seccomp';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved, project, service } from '../../helpers/project';
import { load as loadCompose } from '../compose/helpers';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const find = <K extends Action['kind']>(p: { waves: Action[][] }, kind: K, id?: string) =>
  all(p).find((a) => a.kind === kind && (!id || a.id === id)) as Extract<Action, { kind: K }> | undefined;

test('every container is fully isolated by default: the host\'s root, a fresh /tmp, Docker\'s capabilities, new pid and cgroup namespaces', (t) => {
  const d = resolve(project('app', [service('web')]), emptyObserved());
  const l = d.containers['app-web-1']!.launch;
  t.deepEqual(l.namespaces, ['mount', 'uts', 'ipc', 'pid', 'cgroup']);
  t.deepEqual(l.isolation, {
    rootfs: '/',
    readOnly: false,
    // The host's /root and /home, emptied (plan/host-secrets.ts), and a fresh /tmp.
    mounts: [
      { type: 'tmpfs', target: '/root', readOnly: false, mode: 0o700, exec: true, nodev: true, nosuid: true },
      { type: 'tmpfs', target: '/home', readOnly: false, mode: 0o755, exec: true, nodev: true, nosuid: true },
      { type: 'tmpfs', target: '/tmp', readOnly: false, mode: 0o1777, exec: true, nodev: true, nosuid: true },
    ],
    caps: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'NET_RAW', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP'],
    privileged: false,
    init: false,
    maskedPaths: [
      '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
      '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
      '/sys/devices/virtual/powercap', '/proc/interrupts', '/sys/devices/system/cpu/cpu*/thermal_throttle',
      // The host's secrets (plan/host-secrets.ts).
      '/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/ssh/*key*',
    ],
    readOnlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    maskStores: true,
    sysRw: false,
    allDevices: false,
    noNewPrivs: true,
    seccomp: defaultSeccomp(DEFAULT_CAPABILITIES),
  });
});

test('mounts: parents first, named volumes by their real name, no default /tmp over a mount of the file', (t) => {
  const p = project('app', [
    service('web', {
      mounts: [
        { type: 'bind', source: '/h/a/b', target: '/a/b', readOnly: false, propagation: 'rprivate', createHostPath: false, recursive: true },
        { type: 'volume', source: 'data', target: '/a', readOnly: true },
        { type: 'tmpfs', target: '/tmp', readOnly: false, size: 1024 },
        { type: 'volume', target: '/anon', readOnly: false },
      ],
    }),
  ]);
  p.volumes = { data: { name: 'data', external: false, labels: {}, extensions: {} } };
  const iso = launchIsolation(p.services.web!, { data: { key: 'data', name: 'app_data', external: false } });
  t.deepEqual(iso.mounts.map((m) => m.target), ['/a', '/tmp', '/anon', '/a/b']);
  t.deepEqual(iso.mounts[0], { type: 'volume', volume: 'app_data', target: '/a', readOnly: true, nodev: true, nosuid: false });
  t.is(iso.mounts[2]!.type, 'anonymous');
});

test('user: a name is looked up in x-rootfs\'s own passwd; a missing x-rootfs is a plan error', (t) => {
  const p = project('app', [service('web', { rootfs: '/srv/root', user: 'tscuser' })]);
  const obs = emptyObserved({ rootfsUsers: { '/srv/root': { passwd: 'tscuser:x:4242:4343::/:/bin/sh\n', group: '' } } });
  t.deepEqual(resolve(p, obs).containers['app-web-1']!.launch.user, { uid: 4242, gid: 4343 });
  t.throws(() => resolve(p, emptyObserved({ rootfsUsers: { '/srv/root': { passwd: '', group: '' } } })), { instanceOf: PlanError, message: /user tscuser not found/ });
  t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError, message: /\/srv\/root is not a directory/ });
});

test('named volumes: created before the containers that mount them, once; an external one must exist', (t) => {
  const p = project('app', [service('web', { mounts: [{ type: 'volume', source: 'data', target: '/d', readOnly: false }] })]);
  p.volumes = { data: { name: 'data', external: false, labels: {}, extensions: {} } };
  const obs = emptyObserved();
  const first = plan(resolve(p, obs), obs);
  const create = find(first, 'volume.create')!;
  t.is(create.volume, 'app_data');
  t.true(find(first, 'container.start')!.after.includes(create.id));
  const after = observedAfter(resolve(p, obs));
  t.deepEqual(after.state?.volumes, ['app_data'], 'journaled');
  t.deepEqual(plan(resolve(p, after), after).waves, [], 'nothing to do the second time');

  p.volumes = { data: { name: 'data', externalName: 'shared', external: true, labels: {}, extensions: {} } };
  t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError, message: /external volume shared not found/ });
  const withIt = emptyObserved({ volumes: ['shared'] });
  t.is(find(plan(resolve(p, withIt), withIt), 'volume.create'), undefined, 'never created');
});

test('down -v removes the named volumes after every container has stopped; plain down keeps them', (t) => {
  const p = project('app', [service('web', { mounts: [{ type: 'volume', source: 'data', target: '/d', readOnly: false }] })]);
  p.volumes = { data: { name: 'data', external: false, labels: {}, extensions: {} } };
  const up = observedAfter(resolve(p, emptyObserved()));
  t.is(find(plan(nothing('app'), up), 'volume.delete'), undefined);
  const down = plan(nothing('app'), up, { removeVolumes: ['app_data', 'not-there'] });
  const del = find(down, 'volume.delete')!;
  t.is(del.volume, 'app_data');
  t.true(del.after.includes('container.stop:app-web-1'));
  t.is(all(down).filter((a) => a.kind === 'volume.delete').length, 1, 'only volumes that exist');
});

test('stop settings: stop_signal and stop_grace_period per container, -t overrides the grace period', (t) => {
  const p = project('app', [service('web', { stopSignal: 'SIGUSR1', stopGracePeriodSec: 2.5 }), service('db')]);
  const up = observedAfter(resolve(p, emptyObserved()));
  const down = plan(nothing('app'), up);
  t.like(find(down, 'container.stop', 'container.stop:app-web-1'), { signal: 'SIGUSR1', timeoutSec: 2.5 });
  t.like(find(down, 'container.stop', 'container.stop:app-db-1'), { timeoutSec: 10 });
  t.is(find(down, 'container.stop', 'container.stop:app-db-1')!.signal, undefined);
  t.like(find(plan(nothing('app'), up, { stopTimeoutSec: 0 }), 'container.stop', 'container.stop:app-web-1'), { signal: 'SIGUSR1', timeoutSec: 0 });
});

test('a new or changed container starts from an empty writable layer; a restart of the same one keeps it', (t) => {
  const p = project('app', [service('web', { command: ['a'] })]);
  const fresh = plan(resolve(p, emptyObserved()), emptyObserved());
  t.true(find(fresh, 'container.start')!.freshRootfs);
  const up = observedAfter(resolve(p, emptyObserved()));
  const exited = { ...up, containers: { 'app-web-1': { ...up.containers['app-web-1']!, running: false, exit: { exitCode: 0, signal: null, finishedAt: 'x' } } } };
  const restart = find(plan(resolve(p, exited), exited), 'container.start')!;
  t.is(restart.reason, 'exited with code 0');
  t.is(restart.freshRootfs, undefined);
  p.services.web!.command = ['b'];
  t.true(find(plan(resolve(p, up), up), 'container.start')!.freshRootfs);
  p.services.web!.command = ['a'];
  p.services.web!.readOnly = true;
  t.regex(find(plan(resolve(p, up), up), 'container.stop')!.reason, /root filesystem, volumes or privileges/);
});

test('capabilities: Docker\'s rules for cap_add, cap_drop, ALL and privileged', (t) => {
  t.is(capabilityMask(DEFAULT_CAPABILITIES), '0xa80425fb');
  t.deepEqual([...effectiveCapabilities([], [], false)].sort(), [...DEFAULT_CAPABILITIES].sort());
  t.is(effectiveCapabilities([], [], false).length, 14);
  t.deepEqual(effectiveCapabilities(['NET_ADMIN'], ['ALL'], false), ['NET_ADMIN']);
  t.false(effectiveCapabilities(['NET_ADMIN'], ['CHOWN'], false).includes('CHOWN'));
  t.true(effectiveCapabilities(['NET_ADMIN'], ['CHOWN'], false).includes('NET_ADMIN'));
  t.deepEqual(effectiveCapabilities(['ALL'], ['SYS_ADMIN'], false).includes('SYS_ADMIN'), false);
  t.is(effectiveCapabilities(['ALL'], [], false).length, 41);
  t.is(effectiveCapabilities([], ['ALL'], true).length, 41, 'privileged has them all');
  t.is(capabilityMask(['NET_ADMIN']), '0x1000');
});

const bind = { type: 'bind' as const, source: '/h/data', target: '/data', readOnly: false, propagation: 'rprivate' as const, createHostPath: false, recursive: true };

test('policy: by default, Docker\'s masked and read-only paths, no_new_privs, nodev on every mount, /sys read-only and the /dev allowlist', (t) => {
  const iso = launchIsolation(service('web', { mounts: [bind, { type: 'tmpfs', target: '/run', readOnly: false }] }), {});
  t.true(iso.maskedPaths.includes('/proc/kcore'));
  t.true(iso.readOnlyPaths.includes('/proc/sys'));
  t.true(iso.noNewPrivs);
  t.false(iso.sysRw);
  t.false(iso.allDevices);
  t.deepEqual(iso.mounts.map((m) => [m.target, m.nodev, m.nosuid]), [['/data', true, false], ['/run', true, true], ['/tmp', true, true]]);
  t.like(iso.mounts[1], { type: 'tmpfs', mode: 0o1777, exec: true }, 'a tmpfs without a mode gets 1777');
});

test('policy: privileged opens everything Docker\'s does: no masks, /sys writable, every device, all capabilities, privileges may be gained', (t) => {
  const iso = launchIsolation(service('web', { privileged: true, capDrop: ['NET_RAW'], mounts: [bind] }), {});
  t.deepEqual(iso.maskedPaths, []);
  t.deepEqual(iso.readOnlyPaths, []);
  t.true(iso.sysRw);
  t.true(iso.allDevices);
  t.false(iso.noNewPrivs);
  t.is(iso.caps.length, 41, 'cap_drop does not apply');
  t.false(iso.mounts[0]!.nodev, 'binds keep their device nodes');
  t.like(iso.mounts[1], { target: '/tmp', nodev: true, nosuid: true }, 'a tmpfs stays nodev and nosuid');
});

test('policy: cap_add and cap_drop change only the capability set; read_only only the root; x-rootfs hides no stores', (t) => {
  const base = launchIsolation(service('web'), {});
  const caps = launchIsolation(service('web', { capAdd: ['NET_ADMIN'], capDrop: ['CHOWN', 'MKNOD'] }), {});
  t.true(caps.caps.includes('NET_ADMIN'));
  t.false(caps.caps.includes('CHOWN'));
  t.false(caps.caps.includes('MKNOD'));
  t.deepEqual({ ...caps, caps: base.caps }, base);
  const ro = launchIsolation(service('web', { readOnly: true }), {});
  t.deepEqual({ ...ro, readOnly: false }, base);
  t.false(ro.mounts[0]!.readOnly, '/tmp stays writable');
  t.true(base.maskStores, 'the host\'s root shows the state and volume stores');
  const own = launchIsolation(service('web', { rootfs: '/srv/root' }), {});
  t.false(own.maskStores);
  t.deepEqual({ ...own, rootfs: '/', maskStores: true }, base);
});

test('SELinux relabeling (:z) is a no-op without SELinux; where it is enabled a system directory is refused at the key', (t) => {
  const text = 'services:\n  web:\n    volumes:\n      - /srv:/srv:z\n';
  t.notThrows(() => resolve(loadCompose(text), emptyObserved()));
  t.is(resolve(loadCompose(text), emptyObserved({ kernel: { selinux: false } })).containers['proj-web-1']!.launch.isolation!.lsm, undefined);
  const e = t.throws(() => resolve(loadCompose(text), emptyObserved({ kernel: { selinux: true, selinuxEnforcing: true } })));
  t.is(e!.message, 'compose.yaml:3:5 services.web.volumes: :z would relabel /srv for SELinux: relabeling a system directory is not allowed (as Docker refuses it); bind a directory of its own');
});

test('security_opt no-new-privileges decides no_new_privs when written (default: set unless privileged)', (t) => {
  const nnp = (s: Parameters<typeof service>[1]) => launchIsolation(service('web', s), {}).noNewPrivs;
  t.true(nnp({}));
  t.false(nnp({ noNewPrivileges: false }));
  t.false(nnp({ privileged: true }));
  t.true(nnp({ privileged: true, noNewPrivileges: true }));
});
