import test from 'ava';
import { hasIssue, issues, lines, load, yaml } from './helpers';

test('a full bridge network normalizes', (t) => {
  const p = load(yaml`
    networks:
      lab:
        name: lab-net
        driver: bridge
        driver_opts:
          com.docker.network.bridge.name: br-lab
          com.docker.network.driver.mtu: "9000"
          vendor.option: 1
        ipam:
          driver: default
          config:
            - subnet: 10.20.0.0/16
              ip_range: 10.20.5.0/24
              gateway: 10.20.0.1
              aux_addresses:
                router: 10.20.0.2
            - subnet: FD00:0:0:1::/64
        internal: true
        enable_ipv6: "true"
        attachable: true
        labels:
          - a=b
          - flag
        x-note: hi
  `);
  t.deepEqual(p.networks.lab, {
    name: 'lab',
    driver: 'bridge',
    external: false,
    externalName: 'lab-net',
    bridgeName: 'br-lab',
    mtu: 9000,
    internal: true,
    enableIpv6: true,
    ipMasquerade: true,
    icc: true,
    driverOpts: { 'com.docker.network.bridge.name': 'br-lab', 'com.docker.network.driver.mtu': '9000', 'vendor.option': '1' },
    labels: { a: 'b', flag: '' },
    ipam: [
      { subnet: '10.20.0.0/16', ipRange: '10.20.5.0/24', gateway: '10.20.0.1', auxAddresses: { router: '10.20.0.2' } },
      { subnet: 'fd00:0:0:1::/64', auxAddresses: {} },
    ],
    extensions: { 'x-note': 'hi' },
  });
  t.deepEqual(Object.keys(p.services), []);
});

test('a null network is a default bridge; undeclared default is created only when used', (t) => {
  const p = load('networks:\n  a:\nservices:\n  web: {}\n');
  t.deepEqual(Object.keys(p.networks), ['a', 'default']);
  t.is(p.networks.a!.driver, 'bridge');
  t.deepEqual(p.networks.default!.ipam, []);
  t.deepEqual(Object.keys(load('networks:\n  a:\nservices:\n  web: {networks: [a]}\n').networks), ['a']);
});

test('the default network can be declared and configured', (t) => {
  const p = load('networks:\n  default:\n    ipam: {config: [{subnet: 172.30.0.0/24}]}\nservices:\n  web: {}\n');
  t.is(p.networks.default!.ipam[0]!.subnet, '172.30.0.0/24');
  t.deepEqual(p.services.web!.networks.map((a) => a.network), ['default']);
});

test('external networks: true, with a name, legacy external.name; other keys conflict', (t) => {
  const p = load('networks:\n  a: {external: true}\n  b: {external: true, name: real-b}\n  c:\n    external: {name: real-c}\n');
  t.true(p.networks.a!.external);
  t.is(p.networks.b!.externalName, 'real-b');
  t.is(p.networks.c!.externalName, 'real-c');
  t.deepEqual(p.warnings?.map((w) => w.path), ['networks.c.external.name']);
  const list = issues(t, 'networks:\n  a:\n    external: true\n    driver: bridge\n    ipam: {config: [{subnet: 10.0.0.0/24}]}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:5 networks.a.driver: conflicts with "external: true" (an existing network is used as it is)',
    'compose.yaml:5:5 networks.a.ipam: conflicts with "external: true" (an existing network is used as it is)',
  ]);
});

test('only the bridge, p2p, macvlan and ipvlan drivers and the default IPAM driver are supported', (t) => {
  const list = issues(t, 'networks:\n  a:\n    driver: overlay\n    ipam:\n      driver: dhcp\n      options: {x: y}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 networks.a.driver: the "overlay" network driver is not supported yet (only bridge, p2p, macvlan and ipvlan)',
    'compose.yaml:5:7 networks.a.ipam.driver: the "dhcp" IPAM driver is not supported yet (only default)',
    'compose.yaml:6:7 networks.a.ipam.options: options is not supported yet',
  ]);
});

test('docker driver options we do not implement are "not supported yet"; bridge name and MTU are checked', (t) => {
  const list = issues(t, yaml`
    networks:
      a:
        driver_opts:
          com.docker.network.bridge.inhibit_ipv4: "true"
          com.docker.network.bridge.name: this-name-is-too-long
          com.docker.network.driver.mtu: 67
      b:
        driver_opts:
          com.docker.network.driver.mtu: big
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:4:7 networks.a.driver_opts.com.docker.network.bridge.inhibit_ipv4: driver option com.docker.network.bridge.inhibit_ipv4 is not supported yet',
    'compose.yaml:5:7 networks.a.driver_opts.com.docker.network.bridge.name: bridge name "this-name-is-too-long" is longer than 15 bytes (the Linux limit for interface names)',
    'compose.yaml:6:7 networks.a.driver_opts.com.docker.network.driver.mtu: MTU 67 is out of range (68 to 65535)',
    'compose.yaml:9:7 networks.b.driver_opts.com.docker.network.driver.mtu: MTU "big" is not an integer',
  ]);
});

test('subnet errors: syntax and host bits (with the correct network)', (t) => {
  const list = issues(t, yaml`
    networks:
      a:
        ipam:
          config:
            - subnet: 10.0.0.0/33
            - subnet: 10.1.0.7/16
            - subnet: fd00::1/64
            - subnet: 10.2.0.0
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:5:11 networks.a.ipam.config.0.subnet: "10.0.0.0/33" is not a valid subnet in CIDR notation (e.g. 10.10.0.0/24 or fd00:1::/64)',
    'compose.yaml:6:11 networks.a.ipam.config.1.subnet: invalid subnet 10.1.0.7/16: host bits are set; the network is 10.1.0.0/16',
    'compose.yaml:7:11 networks.a.ipam.config.2.subnet: invalid subnet fd00::1/64: host bits are set; the network is fd00::/64',
    'compose.yaml:8:11 networks.a.ipam.config.3.subnet: "10.2.0.0" is not a valid subnet in CIDR notation (e.g. 10.10.0.0/24 or fd00:1::/64)',
  ]);
});

test('gateway, ip_range and aux addresses must lie inside their subnet', (t) => {
  const list = issues(t, yaml`
    networks:
      a:
        ipam:
          config:
            - subnet: 10.0.0.0/24
              gateway: 10.0.1.1
              ip_range: 10.0.0.128/24
              aux_addresses:
                host1: 10.9.9.9
                host2: nope
            - gateway: 10.5.0.1
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:6:11 networks.a.ipam.config.0.gateway: gateway 10.0.1.1 is not inside subnet 10.0.0.0/24',
    'compose.yaml:7:11 networks.a.ipam.config.0.ip_range: invalid ip_range 10.0.0.128/24: host bits are set; the range is 10.0.0.0/24',
    'compose.yaml:9:13 networks.a.ipam.config.0.aux_addresses.host1: aux address "host1" 10.9.9.9 is not inside subnet 10.0.0.0/24',
    'compose.yaml:10:13 networks.a.ipam.config.0.aux_addresses.host2: nope is not an IP address',
    'compose.yaml:11:11 networks.a.ipam.config.1.gateway: gateway needs a subnet in the same ipam config entry',
  ]);
  hasIssue(
    t,
    issues(t, 'networks:\n  a:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          ip_range: 10.0.0.0/16\n'),
    'compose.yaml:6:11',
    'networks.a.ipam.config.0.ip_range',
    'ip_range 10.0.0.0/16 is not inside subnet 10.0.0.0/24',
  );
});

test('overlapping subnets between networks (and within one) are errors at the later one', (t) => {
  const list = issues(t, yaml`
    networks:
      a:
        ipam: {config: [{subnet: 10.0.0.0/16}]}
      b:
        ipam: {config: [{subnet: 10.0.5.0/24}, {subnet: "fd00::/64"}]}
      c:
        ipam: {config: [{subnet: 10.1.0.0/24}, {subnet: 10.1.0.128/25}, {subnet: "fd00::8000/120"}]}
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:5:22 networks.b.ipam.config.0.subnet: subnet 10.0.5.0/24 overlaps subnet 10.0.0.0/16 of network "a"',
    'compose.yaml:7:45 networks.c.ipam.config.1.subnet: subnet 10.1.0.128/25 overlaps subnet 10.1.0.0/24 of another ipam config entry of the same network',
    'compose.yaml:7:70 networks.c.ipam.config.2.subnet: subnet fd00::8000/120 overlaps subnet fd00::/64 of network "b"',
  ]);
});

test('network names, types and unknown keys', (t) => {
  const list = issues(t, 'networks:\n  -bad: {}\n  ok:\n    internal: maybe\n    enable_ipv4: false\n    drivr: bridge\n    labels: 5\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:3 networks.-bad: network name "-bad" must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    'compose.yaml:4:5 networks.ok.internal: "maybe" is not a boolean (use true or false)',
    'compose.yaml:5:5 networks.ok.enable_ipv4: IPv4 or IPv6 must be enabled: enable_ipv4: false needs enable_ipv6: true (an IPv6-only network)',
    'compose.yaml:6:5 networks.ok.drivr: unknown network key "drivr" (did you mean "driver"?); extensions must start with "x-"',
    'compose.yaml:7:13 networks.ok.labels: must be a mapping or a list of "KEY=VALUE" strings, not a number',
  ]);
});

test('duplicate bridge names across networks are an error', (t) => {
  const list = issues(t, 'networks:\n  a:\n    driver_opts: {com.docker.network.bridge.name: br0}\n  b:\n    driver_opts: {com.docker.network.bridge.name: br0}\n');
  hasIssue(t, list, 'compose.yaml:5:19', 'networks.b.driver_opts.com.docker.network.bridge.name', 'bridge name "br0" is already used by network "a"');
});
