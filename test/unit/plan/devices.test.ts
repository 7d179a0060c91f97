import test from 'ava';
import { SpecError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { DEFAULT_DEVICE_RULES } from '../../../src/plan/devices';
import { emptyObserved, hostCgroupsObserved, project, service } from '../../helpers/project';

const host = (over: Parameters<typeof hostCgroupsObserved>[0] = {}) =>
  emptyObserved({
    cgroups: hostCgroupsObserved(over),
    hostDevices: { '/dev/sda': { type: 'b', major: 8, minor: 0 }, '/dev/net/tun': { type: 'c', major: 10, minor: 200 }, '/dev/gone': { error: 'no such device on this host' } },
  });

test('every unprivileged container gets Docker\'s device allowlist; privileged gets no device cgroup', (t) => {
  const d = resolve(project('app', [service('web'), service('root', { privileged: true })]), host());
  const web = d.containers['app-web-1']!.launch.isolation!;
  t.deepEqual(web.devices, [...DEFAULT_DEVICE_RULES]);
  t.deepEqual(DEFAULT_DEVICE_RULES.slice(0, 3), ['c *:* m', 'b *:* m', 'c 1:3 rwm']);
  t.is(web.rootDevNodes, undefined);
  t.true(web.mounts.every((m) => m.nodev));
  t.is(d.containers['app-root-1']!.launch.isolation!.devices, undefined);
  t.is(d.warnings, undefined);
});

test('devices: a bind of the host node with a rule of its numbers; device_cgroup_rules add rules and make the root and /tmp dev-capable', (t) => {
  const svc = service('web', {
    devices: [{ source: '/dev/sda', target: '/dev/xdisk', permissions: 'r' }],
    deviceCgroupRules: ['b 8:* r', 'c 1:3 rwm'],
  });
  const iso = resolve(project('app', [svc]), host()).containers['app-web-1']!.launch.isolation!;
  t.deepEqual(iso.devices, [...DEFAULT_DEVICE_RULES, 'b 8:0 r', 'b 8:* r']);
  t.true(iso.rootDevNodes);
  t.deepEqual(iso.mounts.find((m) => m.target === '/dev/xdisk'), {
    type: 'bind', source: '/dev/sda', target: '/dev/xdisk', readOnly: false, propagation: 'rprivate', recursive: false, createHostPath: false, nodev: false, nosuid: true,
  });
  t.false(iso.mounts.find((m) => m.target === '/tmp')!.nodev);
  // Without device_cgroup_rules a devices: entry opens only its own node.
  const only = resolve(project('app', [service('web', { devices: [{ source: '/dev/net/tun', target: '/dev/net/tun', permissions: 'rwm' }] })]), host());
  const iso2 = only.containers['app-web-1']!.launch.isolation!;
  t.is(iso2.rootDevNodes, undefined);
  t.true(iso2.mounts.find((m) => m.target === '/tmp')!.nodev);
});

test('a device missing on the host is an error at the service\'s devices key', (t) => {
  const e = t.throws(() => resolve(project('app', [service('web', { devices: [{ source: '/dev/gone', target: '/dev/gone', permissions: 'rwm' }] })]), host()));
  t.true(e instanceof SpecError);
  t.regex(e!.message, /services\.web\.devices: \/dev\/gone: no such device on this host/);
});

test('a host with no devices hierarchy and no cgroup device programs: one warning for the project, device_cgroup_rules discarded with a warning at the key, nodev kept', (t) => {
  const d = resolve(
    project('app', [service('web', { deviceCgroupRules: ['b 8:* r'] }), service('db')]),
    host({ layout: 'v2', devices: false }),
  );
  const web = d.containers['app-web-1']!.launch.isolation!;
  t.is(web.devices, undefined);
  t.is(web.rootDevNodes, undefined);
  t.true(web.mounts.every((m) => m.nodev));
  t.deepEqual(d.warnings!.map((w) => w.path), ['services.web', 'services.web.device_cgroup_rules']);
  t.regex(d.warnings![0]!.message, /neither a v1 devices hierarchy nor a kernel that loads cgroup device programs/);
  t.regex(d.warnings![1]!.message, /device_cgroup_rules discarded/);
});

test('cgroup v2 with cgroup device programs: the same allowlist as on v1, no warning', (t) => {
  const d = resolve(project('app', [service('web', { deviceCgroupRules: ['b 8:* r'] })]), host({ layout: 'v2', devices: true }));
  t.deepEqual(d.containers['app-web-1']!.launch.isolation!.devices, [...DEFAULT_DEVICE_RULES, 'b 8:* r']);
  t.is(d.warnings, undefined);
});
