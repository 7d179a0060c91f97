import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { parseRate, parseTime } from '../../../src/compose/lab';
import { hasIssue, issues, lines, load, yaml } from './helpers';

const TWO_ROUTERS = yaml`
  name: lab
  services:
    r1:
      sysctls: { net.ipv4.ip_forward: 1 }
      x-routes:
        - { to: 10.0.2.0/24, via: 10.0.12.2 }
        - { to: default, via: "fd00:12::2" }
    r2: {}
    web:
      command: ["true"]
  x-links:
    - endpoints: ["r1:eth1", "r2:eth7"]
      ipv4: [10.0.12.1/30, 10.0.12.2/30]
      ipv6: ["fd00:12::1/64", "fd00:12::2/64"]
      mtu: 9000
      x-netem: { rate: 10mbit, limit: 50 }
`;

test('x-links become p2p networks attached to both services with their interface names and addresses', (t) => {
  const p = load(TWO_ROUTERS);
  const net = p.networks['r1:eth1--r2:eth7']!;
  t.is(net.driver, 'p2p');
  t.is(net.mtu, 9000);
  t.deepEqual(net.ipam.map((x) => x.subnet), ['10.0.12.0/30', 'fd00:12::/64']);
  t.deepEqual(net.netem, { rate: 10_000_000, limit: 50 });
  t.deepEqual(net.fromLink, { index: 0 });
  const r1 = p.services.r1!.networks;
  const r2 = p.services.r2!.networks;
  t.deepEqual(r1.map((a) => [a.network, a.interfaceName, a.ipv4Address, a.ipv6Address]), [['r1:eth1--r2:eth7', 'eth1', '10.0.12.1', 'fd00:12::1']]);
  t.deepEqual(r2.map((a) => [a.network, a.interfaceName, a.ipv4Address]), [['r1:eth1--r2:eth7', 'eth7', '10.0.12.2']]);
  // Lab nodes (no `networks` key) do not join `default`; web (no links) does.
  t.deepEqual(p.services.web!.networks.map((a) => a.network), ['default']);
  t.truthy(p.networks.default);
});

test('a project of lab nodes only has no default network', (t) => {
  const p = load('services:\n  a: {}\n  b: {}\nx-links:\n  - endpoints: ["a:e0", "b:e0"]\n');
  t.deepEqual(Object.keys(p.networks), ['a:e0--b:e0']);
  t.deepEqual(p.networks['a:e0--b:e0']!.ipam, []);
});

test('a service with both `networks` and links keeps its networks', (t) => {
  const p = load('services:\n  a:\n    networks: [default]\n  b: {}\nx-links:\n  - endpoints: ["a:e1", "b:e0"]\n');
  t.deepEqual(p.services.a!.networks.map((n) => n.network), ['a:e1--b:e0', 'default']);
});

test('x-routes: destinations, gateways, devices and metrics are normalized', (t) => {
  const p = load(TWO_ROUTERS);
  t.deepEqual(p.services.r1!.routes, [
    { to: '10.0.2.0/24', family: 4, via: '10.0.12.2', index: 0 },
    { to: 'default', family: 6, via: 'fd00:12::2', index: 1 },
  ]);
  const q = load('services:\n  a:\n    x-routes:\n      - { to: 10.9.9.9, dev: eth0, metric: 5 }\n      - { to: "fd00:9::/48", dev: eth0 }\n');
  t.deepEqual(q.services.a!.routes, [
    { to: '10.9.9.9/32', family: 4, dev: 'eth0', metric: 5, index: 0 },
    { to: 'fd00:9::/48', family: 6, dev: 'eth0', index: 1 },
  ]);
});

test('x-routes mistakes are reported at the key', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a:
          x-routes:
            - { to: 10.0.3.1/24, via: 10.0.0.1 }
            - { to: 10.0.4.0/24 }
            - { to: 10.0.5.0/24, via: "fd00::1" }
            - { via: 10.0.0.1 }
            - { to: nowhere, via: 10.0.0.1 }
            - { to: 10.0.6.0/24, via: 10.0.0.1, gateway: x }
            - { to: 10.0.6.0/24, via: 10.0.0.2 }
    `,
  );
  hasIssue(t, list, 'compose.yaml:4:11', 'services.a.x-routes.0.to', 'host bits are set; the network is 10.0.3.0/24');
  hasIssue(t, list, 'compose.yaml:5:9', 'services.a.x-routes.1', 'needs "via"');
  hasIssue(t, list, 'compose.yaml:6:28', 'services.a.x-routes.2.via', 'is IPv6 but the destination 10.0.5.0/24 is IPv4');
  hasIssue(t, list, 'compose.yaml:7:9', 'services.a.x-routes.3', 'needs "to"');
  hasIssue(t, list, 'compose.yaml:8:11', 'services.a.x-routes.4.to', 'nowhere is not a destination');
  hasIssue(t, list, 'compose.yaml:9:43', 'services.a.x-routes.5.gateway', 'unknown x-routes key "gateway"');
  hasIssue(t, list, 'compose.yaml:10:11', 'services.a.x-routes.6.to', 'already given by entry 5');
});

test('a p2p network links exactly two containers: file:line for one, three, or a replicated service', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: { networks: [one, three] }
        b: { networks: [three, pair] }
        c: { networks: [three] }
        d: { networks: [pair], scale: 2 }
      networks:
        one: { driver: p2p }
        three: { driver: p2p }
        pair: { driver: p2p }
    `,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:7:3 networks.one: a p2p network links exactly two containers; 1 attach to it (a)',
    'compose.yaml:8:3 networks.three: a p2p network links exactly two containers; 3 attach to it (a, b, c)',
    'compose.yaml:9:3 networks.pair: a p2p network links exactly two containers; 3 attach to it (b, d (replica 1), d (replica 2))',
  ]);
});

test('p2p networks have no gateway, no bridge name, and need room for two addresses', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: { networks: [l1, l2] }
        b: { networks: [l1, l2] }
      networks:
        l1:
          driver: p2p
          ipam: { config: [{ subnet: 10.0.0.0/30, gateway: 10.0.0.1 }] }
        l2:
          driver: p2p
          driver_opts: { com.docker.network.bridge.name: br9 }
          ipam: { config: [{ subnet: 10.0.1.1/32 }] }
    `,
  );
  hasIssue(t, list, 'compose.yaml:7:45', 'networks.l1.ipam.config.0.gateway', 'a p2p link has no gateway');
  hasIssue(t, list, 'compose.yaml:10:5', 'networks.l2.driver_opts', 'no bridge');
  hasIssue(t, list, 'compose.yaml:11:24', 'networks.l2.ipam.config.0.subnet', 'room for one address; a link needs two');
});

test('x-links mistakes point at the entry', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: {}
        b: { network_mode: none }
      x-links:
        - endpoints: ["a:eth1", "nope:eth1"]
        - endpoints: ["a:eth1"]
        - endpoints: ["a:eth2", "b:eth0"]
        - { endpoints: ["a:eth3", "a:eth4"] }
        - endpoints: ["a:eth5", "c:eth0"]
          ipv4: [10.0.0.1/30, 10.0.1.2/30]
        - endpoints: ["a:eth6", "a:bad/name"]
        - { endpoints: ["a:e7", "a:e8"], speed: 10 }
    `,
  );
  hasIssue(t, list, 'compose.yaml:5:27', 'x-links.0.endpoints.1', 'service "nope" is not defined');
  hasIssue(t, list, 'compose.yaml:6:5', 'x-links.1.endpoints', 'exactly two endpoints, not 1');
  hasIssue(t, list, 'compose.yaml:7:27', 'x-links.2.endpoints.1', 'network_mode none: it cannot have links');
  hasIssue(t, list, 'compose.yaml:8:7', 'x-links.3.endpoints', 'must be different services');
  hasIssue(t, list, 'compose.yaml:11:27', 'x-links.5.endpoints.1', 'must not contain "/"');
  hasIssue(t, list, 'compose.yaml:12:36', 'x-links.6.speed', 'unknown x-links key "speed"');
  t.true(lines(list).some((l) => l.includes('x-links.4.endpoints.1') && l.includes('"c" is not defined')));
});

test('x-links addresses: two ends in one subnet, or a subnet to allocate from', (t) => {
  const list = issues(
    t,
    yaml`
      services: { a: {}, b: {} }
      x-links:
        - { endpoints: ["a:e1", "b:e1"], ipv4: [10.0.0.1/30, 10.0.1.2/30] }
        - { endpoints: ["a:e2", "b:e2"], ipv4: [10.0.2.1/30, 10.0.2.1/30] }
        - { endpoints: ["a:e3", "b:e3"], ipv6: [10.0.3.1/30, 10.0.3.2/30] }
        - { endpoints: ["a:e4", "b:e4"], ipv4: 10.0.4.1/30 }
    `,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:3:56 x-links.0.ipv4.1: 10.0.1.2/30 is not in the same subnet as 10.0.0.1/30',
    'compose.yaml:4:56 x-links.1.ipv4.1: the two ends need different addresses',
    'compose.yaml:5:43 x-links.2.ipv6.0: 10.0.3.1/30 is not an IPv6 address with a prefix length (e.g. fd00:12::1/64)',
    'compose.yaml:6:36 x-links.3.ipv4: invalid subnet 10.0.4.1/30: host bits are set; the network is 10.0.4.0/30',
  ]);
  const p = load('services: { a: {}, b: {} }\nx-links:\n  - { endpoints: ["a:e1", "b:e1"], ipv4: 10.0.0.0/31 }\n');
  t.deepEqual(p.networks['a:e1--b:e1']!.ipam.map((x) => x.subnet), ['10.0.0.0/31']);
  t.is(p.services.a!.networks[0]!.ipv4Address, undefined);
});

test('x-netem: units, percentages, and what needs what', (t) => {
  t.is(parseRate('10mbit'), 10_000_000);
  t.is(parseRate('1.5Gbit'), 1_500_000_000);
  t.is(parseRate('100kbps'), 800_000); // bytes, as tc
  t.is(parseRate('10'), undefined);
  t.is(parseRate('fast'), undefined);
  t.is(parseTime('10ms'), 10_000);
  t.is(parseTime('1.5ms'), 1500);
  t.is(parseTime('2s'), 2_000_000);
  t.is(parseTime('10'), undefined);
  const p = load(
    yaml`
      services:
        a:
          networks:
            lan: { x-netem: { delay: 20ms, jitter: 5ms, loss: 1.5%, duplicate: 1, corrupt: "0.1%", reorder: 25%, x-mtu: 1400 }, x-mtu: 1400 }
      networks: { lan: {} }
    `.replace(', x-mtu: 1400 },', ' },'),
  );
  t.deepEqual(p.services.a!.networks[0]!.netem, { delayUs: 20_000, jitterUs: 5000, loss: 1.5, duplicate: 1, corrupt: 0.1, reorder: 25 });
  t.is(p.services.a!.networks[0]!.mtu, 1400);
  const list = issues(
    t,
    yaml`
      services:
        a:
          networks:
            lan: { x-netem: { rate: 10, jitter: 5ms, loss: 120%, reorder: 5% } }
      networks:
        lan: { x-netem: { rate: 1mbit } }
    `,
  );
  hasIssue(t, list, 'compose.yaml:4:25', 'services.a.networks.lan.x-netem.rate', 'write a number and a unit, such as 10mbit');
  hasIssue(t, list, 'compose.yaml:4:35', 'services.a.networks.lan.x-netem.jitter', 'jitter needs a delay');
  hasIssue(t, list, 'compose.yaml:4:48', 'services.a.networks.lan.x-netem.loss', 'percentage between 0 and 100');
  hasIssue(t, list, 'compose.yaml:4:60', 'services.a.networks.lan.x-netem.reorder', 'reorder needs a delay');
  hasIssue(t, list, 'compose.yaml:6:10', 'networks.lan.x-netem', 'applies to p2p networks only');
});

test('x-verify entries', (t) => {
  const p = load(TWO_ROUTERS + 'x-verify:\n  - { from: r1, to: r2 }\n  - { from: web, to: 10.0.12.2, port: 80, expect: blocked }\n');
  t.deepEqual(p.verify, [
    { from: 'r1', to: 'r2', expect: 'reach', index: 0 },
    { from: 'web', to: '10.0.12.2', port: 80, expect: 'blocked', index: 1 },
  ]);
  const list = issues(t, 'services: { a: {} }\nx-verify:\n  - { from: a, expect: maybe }\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 x-verify.0: an expectation needs "from" (a service) and "to" (a service or an address)',
    'compose.yaml:3:16 x-verify.0.expect: "maybe" is not an expectation (use reach or blocked)',
  ]);
});

test('config writes links back as x-links: the output loads into the same project', (t) => {
  const p = load(TWO_ROUTERS);
  const again = load(renderConfig(p));
  t.deepEqual(again.networks, p.networks);
  t.deepEqual(again.services, p.services);
  t.deepEqual(again.verify, p.verify);
  t.notRegex(renderConfig(p), /r1:eth1--r2:eth7/);
});
