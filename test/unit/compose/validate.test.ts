import test from 'ava';
import { hasIssue, issues, lines, load, yaml } from './helpers';

const nets = yaml`
  networks:
    front:
      ipam:
        config:
          - subnet: 10.1.0.0/24
            gateway: 10.1.0.1
            aux_addresses: {router: 10.1.0.2}
          - subnet: fd00:1::/64
    nosubnet: {}
    ext: {external: true}
`;

test('static addresses: gateway, network, broadcast, aux, outside, wrong family, no subnet', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: {networks: {front: {ipv4_address: 10.1.0.1}}}
        b: {networks: {front: {ipv4_address: 10.1.0.0}}}
        c: {networks: {front: {ipv4_address: 10.1.0.255}}}
        d: {networks: {front: {ipv4_address: 10.1.0.2}}}
        e: {networks: {front: {ipv4_address: 10.2.0.5}}}
        f: {networks: {nosubnet: {ipv4_address: 10.3.0.5}}}
        g: {networks: {front: {ipv6_address: "fd00:2::5"}}}
        h: {networks: {ext: {ipv4_address: 192.168.99.5}}}
    ` + nets,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:2:26 services.a.networks.front.ipv4_address: 10.1.0.1 is the gateway of subnet 10.1.0.0/24',
    'compose.yaml:3:26 services.b.networks.front.ipv4_address: 10.1.0.0 is the network address of subnet 10.1.0.0/24',
    'compose.yaml:4:26 services.c.networks.front.ipv4_address: 10.1.0.255 is the broadcast address of subnet 10.1.0.0/24',
    'compose.yaml:5:26 services.d.networks.front.ipv4_address: 10.1.0.2 is reserved as aux address "router" of subnet 10.1.0.0/24',
    'compose.yaml:6:26 services.e.networks.front.ipv4_address: 10.2.0.5 is outside every subnet of network "front" (10.1.0.0/24)',
    'compose.yaml:7:29 services.f.networks.nosubnet.ipv4_address: 10.3.0.5 cannot be used: a user specified IP address is supported only when connecting to networks with user configured subnets (network "nosubnet" has no ipam subnet)',
    'compose.yaml:8:26 services.g.networks.front.ipv6_address: fd00:2::5 is outside every subnet of network "front" (fd00:1::/64)',
  ]);
});

test('static addresses on /31 and /32 have no network or broadcast address to avoid', (t) => {
  const p = load('services:\n  a: {networks: {p2p: {ipv4_address: 10.9.0.0}}}\n  b: {networks: {p2p: {ipv4_address: 10.9.0.1}}}\nnetworks:\n  p2p: {ipam: {config: [{subnet: 10.9.0.0/31}]}}\n');
  t.is(p.services.a!.networks[0]!.ipv4Address, '10.9.0.0');
});

test('duplicate static addresses and MACs on one network', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: {networks: {front: {ipv4_address: 10.1.0.5, mac_address: "02:00:00:00:00:01"}}}
        b: {networks: {front: {ipv4_address: 10.1.0.5, mac_address: "02:00:00:00:00:01"}}}
        c: {networks: {front: {ipv6_address: "fd00:1::5"}}}
        d: {networks: {front: {ipv6_address: "FD00:1:0::5"}}}
    ` + nets,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:3:26 services.b.networks.front.ipv4_address: 10.1.0.5 is already assigned to service "a" on network "front"',
    'compose.yaml:3:50 services.b.networks.front.mac_address: 02:00:00:00:00:01 is already used by service "a" on network "front"',
    'compose.yaml:5:26 services.d.networks.front.ipv6_address: fd00:1::5 is already assigned to service "c" on network "front"',
  ]);
});

test('networks a service lists must be declared (default is implicit)', (t) => {
  const list = issues(t, 'services:\n  a:\n    networks: [default, missing]\n');
  t.deepEqual(lines(list), ['compose.yaml:3:25 services.a.networks.missing: network "missing" is not declared in the top-level networks']);
});

test('depends_on: unknown services; optional ones are dropped with a warning', (t) => {
  const list = issues(t, 'services:\n  a:\n    depends_on: [ghost]\n');
  t.deepEqual(lines(list), ['compose.yaml:3:18 services.a.depends_on.ghost: depends on service "ghost", which is not defined']);
  const p = load('services:\n  a:\n    depends_on:\n      ghost: {condition: service_started, required: false}\n');
  t.deepEqual(p.services.a!.dependsOn, {});
  t.deepEqual(p.warnings?.map((w) => w.message), ['optional dependency "ghost" is not defined; ignored']);
});

test('dependency cycles are reported once, at the key that closes them', (t) => {
  const list = issues(t, 'services:\n  a: {depends_on: [b]}\n  b: {depends_on: [c]}\n  c: {depends_on: [a]}\n  d: {depends_on: [d]}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:20 services.c.depends_on.a: dependency cycle: a → b → c → a',
    'compose.yaml:5:20 services.d.depends_on.d: dependency cycle: d → d',
  ]);
});

test('network_mode service: unknown, self, and cycles through shared namespaces', (t) => {
  const list = issues(t, 'services:\n  a: {network_mode: "service:ghost"}\n  b: {network_mode: "service:b"}\n  c: {network_mode: "service:d"}\n  d: {network_mode: "service:c"}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:7 services.a.network_mode: service "ghost" is not defined',
    'compose.yaml:3:7 services.b.network_mode: a service cannot share its own network namespace',
    'compose.yaml:5:7 services.d.network_mode: dependency cycle: c → d → c',
  ]);
});

test('network_mode service: conflicts with keys that belong to the namespace owner', (t) => {
  const list = issues(t, 'services:\n  a: {}\n  b:\n    network_mode: service:a\n    hostname: b\n    dns: 1.1.1.1\n    extra_hosts: ["x:10.0.0.1"]\n');
  t.deepEqual(
    list.map((i) => `${i.loc?.line}:${i.loc?.col} ${i.path}`),
    ['5:5 services.b.hostname', '6:5 services.b.dns', '7:5 services.b.extra_hosts'],
  );
  t.regex(list[0]!.message, /^cannot be set with network_mode "service:a"/);
});

test('network_mode host with net.* sysctls is refused', (t) => {
  hasIssue(t, issues(t, 'services:\n  a:\n    network_mode: host\n    sysctls: {net.ipv4.ip_forward: 1}\n'), 'compose.yaml:4:5', 'services.a.sysctls', 'cannot be set with network_mode "host"');
});

test('replicas conflict with container_name and static addresses', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a:
          scale: 2
          container_name: fixed
          networks:
            front:
              ipv4_address: 10.1.0.9
              mac_address: "02:00:00:00:00:09"
    ` + nets,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:4:5 services.a.container_name: a fixed container_name cannot be used with 2 replicas (container names must be unique)',
    'compose.yaml:7:9 services.a.networks.front.ipv4_address: a fixed ipv4_address cannot be used with 2 replicas (each replica needs its own)',
    'compose.yaml:8:9 services.a.networks.front.mac_address: a fixed mac_address cannot be used with 2 replicas (each replica needs its own)',
  ]);
});

test('container names must be unique across services', (t) => {
  hasIssue(t, issues(t, 'services:\n  a: {container_name: same}\n  b: {container_name: same}\n'), 'compose.yaml:3:7', 'services.b.container_name', 'container name "same" is already used by service "a"');
});

test('every issue of a file is reported at once', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        web:
          build: { context: ., network: bridge }
          hostname: "bad host"
          networks:
            front: {ipv4_address: 10.1.0.300}
          depends_on: [nope]
      networks:
        front:
          ipam: {config: [{subnet: 10.1.0.0/33}]}
    `,
  );
  t.deepEqual(
    list.map((i) => i.path),
    ['services.web.build.network', 'services.web.hostname', 'services.web.networks.front.ipv4_address', 'services.web.depends_on.nope', 'networks.front.ipam.config.0.subnet'],
  );
});
