import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { issues, lines, load, yaml } from './helpers';

test('enable_ipv4: false (or its driver option) with enable_ipv6 is an IPv6-only network; the key wins over the option', (t) => {
  const p = load(yaml`
    networks:
      a: {enable_ipv4: false, enable_ipv6: true}
      b: {enable_ipv6: true, driver_opts: {com.docker.network.enable_ipv4: "false"}}
      c: {enable_ipv4: true, enable_ipv6: true, driver_opts: {com.docker.network.enable_ipv4: "false"}}
      d: {}
  `);
  t.true(p.networks.a!.ipv6Only);
  t.true(p.networks.b!.ipv6Only);
  t.is(p.networks.c!.ipv6Only, undefined);
  t.is(p.networks.d!.ipv6Only, undefined);
});

test('an IPv6-only network: without IPv6, with an IPv4 subnet, host_binding_ipv4 or on a p2p network, errors at their lines', (t) => {
  const list = issues(t, yaml`
    networks:
      nov6:
        enable_ipv4: false
      v4subnet:
        enable_ipv4: false
        enable_ipv6: true
        driver_opts: {com.docker.network.bridge.host_binding_ipv4: 127.0.0.1}
        ipam:
          config:
            - subnet: "fd01::/64"
            - subnet: 10.9.0.0/24
      p2p:
        driver: p2p
        enable_ipv6: true
        enable_ipv4: false
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 networks.nov6.enable_ipv4: IPv4 or IPv6 must be enabled: enable_ipv4: false needs enable_ipv6: true (an IPv6-only network)',
    'compose.yaml:7:19 networks.v4subnet.driver_opts.com.docker.network.bridge.host_binding_ipv4: has no effect on an IPv6-only network (enable_ipv4: false): its ports are published on IPv6 addresses only',
    'compose.yaml:11:11 networks.v4subnet.ipam.config.1.subnet: IPv4 subnet 10.9.0.0/24 on an IPv6-only network (enable_ipv4: false): remove it, or let the network have IPv4',
    'compose.yaml:12:3 networks.p2p: a p2p network links exactly two containers; none attaches to it',
    'compose.yaml:15:5 networks.p2p.enable_ipv4: IPv6-only networks are not supported yet for driver: p2p',
  ]);
});

test('ipv4_address on an IPv6-only network is an error at its line', (t) => {
  const list = issues(t, yaml`
    services:
      a:
        image: x
        networks:
          v6:
            ipv4_address: 10.0.0.5
            ipv6_address: "fd02::5"
    networks:
      v6:
        enable_ipv4: false
        enable_ipv6: true
        ipam: {config: [{subnet: "fd02::/64"}]}
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:6:9 services.a.networks.v6.ipv4_address: 10.0.0.5 cannot be used: network "v6" is IPv6-only (enable_ipv4: false); give it an ipv6_address',
  ]);
});

test('config renders an IPv6-only network as enable_ipv4: false, and loading it again gives the same network', (t) => {
  const p = load(yaml`
    networks:
      a: {enable_ipv6: true, driver_opts: {com.docker.network.enable_ipv4: "false"}, ipam: {config: [{subnet: "fd03::/64"}]}}
  `);
  const text = renderConfig(p);
  t.regex(text, /enable_ipv4: false/);
  const again = load({ '/elsewhere/compose.yaml': text }, { cwd: '/elsewhere' });
  t.true(again.networks.a!.ipv6Only);
});
