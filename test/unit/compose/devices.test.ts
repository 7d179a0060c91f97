import test from 'ava';
import { parseDeviceRule } from '../../../src/compose/devices';
import { issues, lines, load } from './helpers';

test('devices: short HOST[:CONTAINER][:PERMISSIONS] (HOST:PERMS when the second part is an access) and the long form', (t) => {
  const p = load(
    'services:\n  a:\n    devices:\n      - /dev/net/tun\n      - /dev/sdb:/dev/xvdb:r\n      - /dev/fuse:rw\n      - source: /dev/kvm\n        target: /dev/vm\n        permissions: rw\n      - {source: /dev/snd/seq}\n',
  );
  t.deepEqual(p.services.a!.devices, [
    { source: '/dev/net/tun', target: '/dev/net/tun', permissions: 'rwm' },
    { source: '/dev/sdb', target: '/dev/xvdb', permissions: 'r' },
    { source: '/dev/fuse', target: '/dev/fuse', permissions: 'rw' },
    { source: '/dev/kvm', target: '/dev/vm', permissions: 'rw' },
    { source: '/dev/snd/seq', target: '/dev/snd/seq', permissions: 'rwm' },
  ]);
});

test('device_cgroup_rules: canonical (access in rwm order, numbers without leading zeros), each bad rule at its item', (t) => {
  const p = load("services:\n  a:\n    device_cgroup_rules: ['c 1:3 mr', 'a *:* rwm', 'b 008:* w']\n");
  t.deepEqual(p.services.a!.deviceCgroupRules, ['c 1:3 rm', 'a *:* rwm', 'b 8:* w']);
  t.is(parseDeviceRule('c 1:3 rr').constructor, Object);
  const list = issues(t, "services:\n  a:\n    device_cgroup_rules: ['x 1:3 rwm', 'c 1 rwm', 'c 1:3 rwx']\n    devices: [dev/sda, '/dev/sda:/x:rwz', {source: /dev/a, mode: r}, '/a:/b:r:c']\n");
  t.deepEqual(lines(list), [
    'compose.yaml:3:27 services.a.device_cgroup_rules.0: "x 1:3 rwm" is not a device cgroup rule: TYPE MAJOR:MINOR ACCESS, TYPE one of a, b, c; MAJOR and MINOR a number or *; ACCESS any of r, w, m (e.g. "c 1:3 rwm", "b 8:* r")',
    'compose.yaml:3:40 services.a.device_cgroup_rules.1: "c 1 rwm" is not a device cgroup rule: TYPE MAJOR:MINOR ACCESS, TYPE one of a, b, c; MAJOR and MINOR a number or *; ACCESS any of r, w, m (e.g. "c 1:3 rwm", "b 8:* r")',
    'compose.yaml:3:51 services.a.device_cgroup_rules.2: "c 1:3 rwx" is not a device cgroup rule: TYPE MAJOR:MINOR ACCESS, TYPE one of a, b, c; MAJOR and MINOR a number or *; ACCESS any of r, w, m (e.g. "c 1:3 rwm", "b 8:* r")',
    'compose.yaml:4:15 services.a.devices.0: device "dev/sda" must be an absolute path on the host (e.g. /dev/net/tun)',
    'compose.yaml:4:24 services.a.devices.1: "rwz" is not a device access: any of r, w, m (e.g. rwm, r)',
    'compose.yaml:4:43 services.a.devices.2: unknown device key "mode" (source, target, permissions)',
    'compose.yaml:4:70 services.a.devices.3: "/a:/b:r:c" is not a device: HOST[:CONTAINER][:PERMISSIONS] (e.g. /dev/net/tun, /dev/sdb:/dev/xvdb:r)',
  ]);
});
