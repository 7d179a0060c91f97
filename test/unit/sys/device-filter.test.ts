import test from 'ava';
import { encodeDeviceRules } from '../../../src/sys/cgroup/device-filter';
import { DEFAULT_DEVICE_RULES } from '../../../src/plan/devices';

test('device rules as the eBPF program reads them: linux/bpf.h type and access bits, -1 for a and *', (t) => {
  t.deepEqual([...encodeDeviceRules(['c 1:3 rwm', 'b 8:* r', 'a *:* m', 'c *:5 w'])], [2, 1, 3, 7, 1, 8, -1, 2, -1, -1, -1, 1, 2, -1, 5, 4]);
  t.is(encodeDeviceRules(DEFAULT_DEVICE_RULES).length, DEFAULT_DEVICE_RULES.length * 4);
  t.throws(() => encodeDeviceRules(['c 1:3 x']), { message: /not a device cgroup rule: "c 1:3 x"/ });
});
