import test from 'ava';
import { issues, lines, load, yaml } from './helpers';

test('macvlan: parent and mode are read; the mode defaults to bridge', (t) => {
  const p = load(yaml`
    networks:
      lan:
        driver: macvlan
        driver_opts: {parent: tsc-up0}
        ipam: {config: [{subnet: 192.168.50.0/24, gateway: 192.168.50.1}]}
      priv:
        driver: macvlan
        driver_opts: {parent: tsc-up0, macvlan_mode: private}
  `);
  t.deepEqual(p.networks.lan!.lowerLink, { kind: 'macvlan', parent: 'tsc-up0', mode: 'bridge' });
  t.deepEqual(p.networks.priv!.lowerLink, { kind: 'macvlan', parent: 'tsc-up0', mode: 'private' });
});

test('ipvlan: mode and flag, with defaults l2 and bridge', (t) => {
  const p = load(yaml`
    networks:
      a: {driver: ipvlan, driver_opts: {parent: eth1}}
      b: {driver: ipvlan, driver_opts: {parent: eth1, ipvlan_mode: l3, ipvlan_flag: private}}
  `);
  t.deepEqual(p.networks.a!.lowerLink, { kind: 'ipvlan', parent: 'eth1', mode: 'l2', flag: 'bridge' });
  t.deepEqual(p.networks.b!.lowerLink, { kind: 'ipvlan', parent: 'eth1', mode: 'l3', flag: 'private' });
});

test('macvlan and ipvlan options are checked at their lines', (t) => {
  const list = issues(t, yaml`
    networks:
      nopar:
        driver: macvlan
      badmode:
        driver: macvlan
        driver_opts: {parent: eth0, macvlan_mode: l2}
      badflag:
        driver: ipvlan
        driver_opts: {parent: eth0, ipvlan_flag: open}
      mixed:
        driver: macvlan
        driver_opts:
          parent: eth0
          ipvlan_mode: l3
          com.docker.network.bridge.name: br9
          vendor.x: y
      longparent:
        driver: macvlan
        driver_opts: {parent: a-name-far-too-long}
      v6:
        driver: macvlan
        enable_ipv6: true
        internal: true
        driver_opts: {parent: eth0}
      br:
        driver_opts: {parent: eth0, macvlan_mode: bridge}
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:6:33 networks.badmode.driver_opts.macvlan_mode: macvlan_mode "l2" is not one of bridge, vepa, private, passthru',
    'compose.yaml:9:33 networks.badflag.driver_opts.ipvlan_flag: ipvlan_flag "open" is not one of bridge, private, vepa',
    'compose.yaml:14:7 networks.mixed.driver_opts.ipvlan_mode: driver option ipvlan_mode is for driver: ipvlan, not macvlan',
    'compose.yaml:15:7 networks.mixed.driver_opts.com.docker.network.bridge.name: driver option com.docker.network.bridge.name is not supported for driver: macvlan',
    'compose.yaml:16:7 networks.mixed.driver_opts.vendor.x: driver option vendor.x is not supported for driver: macvlan',
    'compose.yaml:19:19 networks.longparent.driver_opts.parent: parent "a-name-far-too-long" is longer than 15 bytes (the Linux limit for interface names)',
    'compose.yaml:26:19 networks.br.driver_opts.parent: driver option parent is for driver: macvlan or ipvlan, not bridge',
    'compose.yaml:26:33 networks.br.driver_opts.macvlan_mode: driver option macvlan_mode is for driver: macvlan, not bridge',
  ]);
});

test('macvlan: enable_ipv6, as the key or the driver option, is accepted with its IPv6 subnet', (t) => {
  const p = load(yaml`
    networks:
      lan:
        driver: macvlan
        enable_ipv6: true
        driver_opts: {parent: eth0}
        ipam: {config: [{subnet: 192.168.50.0/24}, {subnet: "fd50::/64", gateway: "fd50::1"}]}
      opt:
        driver: macvlan
        driver_opts: {parent: eth0, com.docker.network.enable_ipv6: "true"}
  `);
  t.true(p.networks.lan!.enableIpv6);
  t.true(p.networks.opt!.enableIpv6);
  t.deepEqual(p.networks.lan!.lowerLink, { kind: 'macvlan', parent: 'eth0', mode: 'bridge' });
});

test('macvlan without parent: a dummy parent (named by the plan), as Docker; internal is accepted', (t) => {
  const p = load(yaml`
    networks:
      iso:
        driver: macvlan
        internal: true
  `);
  t.deepEqual(p.networks.iso!.lowerLink, { kind: 'macvlan', parent: '', mode: 'bridge', dummy: true });
  t.true(p.networks.iso!.internal);
});
