import test from 'ava';
import { bridgeIfname, deterministicMac, netnsName, ownerAlias, parseOwnerAlias, vethIfname } from '../../../src/plan/names';

test('kernel names fit IFNAMSIZ and carry no user text', (t) => {
  const long = 'a-very-long-project-name-that-would-never-fit';
  const b = bridgeIfname(long, 'frontend-network-with-long-name');
  const v = vethIfname(long, `${long}-web-1`, 'frontend');
  t.true(b.length <= 15);
  t.true(v.length <= 15);
  t.regex(b, /^tsc-b-[0-9a-f]{9}$/);
  t.regex(v, /^tsc-v-[0-9a-f]{9}$/);
  t.false(b.includes('front'));
});

test('names are deterministic and distinct per object', (t) => {
  t.is(bridgeIfname('p', 'n'), bridgeIfname('p', 'n'));
  t.not(bridgeIfname('p', 'n'), bridgeIfname('q', 'n'));
  t.not(vethIfname('p', 'c', 'n1'), vethIfname('p', 'c', 'n2'));
});

test('MACs are locally administered unicast', (t) => {
  const mac = deterministicMac('p', 'c', 'n');
  t.regex(mac, /^02(:[0-9a-f]{2}){5}$/);
  t.is(mac, deterministicMac('p', 'c', 'n'));
});

test('ownership marks round-trip and netns names are readable', (t) => {
  t.deepEqual(parseOwnerAlias(ownerAlias('proj', 'veth:proj-web-1:front')), { project: 'proj', object: 'veth:proj-web-1:front' });
  t.is(parseOwnerAlias('something else'), undefined);
  t.is(netnsName('proj', 'web', 2), 'tsc.proj.web.2');
});
