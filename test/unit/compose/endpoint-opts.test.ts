import test from 'ava';
import { issues, lines, load, yaml } from './helpers';

test('an attachment\'s endpoint sysctls are read with IFNAME kept; the network-level enable_ipv6 driver option is enable_ipv6', (t) => {
  const p = load(yaml`
    services:
      r:
        networks:
          a:
            driver_opts:
              com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.forwarding=1, net.ipv6.conf.IFNAME.accept_ra=2"
    networks:
      a:
        driver_opts:
          com.docker.network.enable_ipv6: "true"
          com.docker.network.enable_ipv4: "true"
  `);
  t.deepEqual(p.services.r!.networks[0]!.endpointSysctls, { 'net.ipv4.conf.IFNAME.forwarding': '1', 'net.ipv6.conf.IFNAME.accept_ra': '2' });
  t.true(p.networks.a!.enableIpv6);
});

test('other attachment driver options, sysctls not of the interface, and an IPv6-only network without IPv6 are errors at their lines', (t) => {
  const list = issues(t, yaml`
    services:
      r:
        networks:
          a:
            driver_opts:
              com.docker.network.endpoint.macaddress: "02:00:00:00:00:01"
              com.docker.network.endpoint.sysctls: "net.ipv4.ip_forward=1,net.ipv4.conf.eth0.forwarding=1,junk"
    networks:
      a:
        driver_opts:
          com.docker.network.enable_ipv4: "false"
          com.docker.network.enable_ipv6: maybe
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:6:11 services.r.networks.a.driver_opts.com.docker.network.endpoint.macaddress: driver option com.docker.network.endpoint.macaddress is not supported yet on a network attachment (only com.docker.network.endpoint.sysctls)',
    'compose.yaml:7:11 services.r.networks.a.driver_opts.com.docker.network.endpoint.sysctls: "net.ipv4.ip_forward" is not a setting of this interface: use net.ipv4.conf.IFNAME.KEY, net.ipv6.conf.IFNAME.KEY or net.mpls.conf.IFNAME.KEY (IFNAME stands for the interface\'s name)',
    'compose.yaml:7:11 services.r.networks.a.driver_opts.com.docker.network.endpoint.sysctls: "net.ipv4.conf.eth0.forwarding" is not a setting of this interface: use net.ipv4.conf.IFNAME.KEY, net.ipv6.conf.IFNAME.KEY or net.mpls.conf.IFNAME.KEY (IFNAME stands for the interface\'s name)',
    'compose.yaml:7:11 services.r.networks.a.driver_opts.com.docker.network.endpoint.sysctls: "junk" is not KEY=VALUE',
    'compose.yaml:11:7 networks.a.driver_opts.com.docker.network.enable_ipv4: IPv4 or IPv6 must be enabled: com.docker.network.enable_ipv4: "false" needs enable_ipv6: true (an IPv6-only network)',
    'compose.yaml:12:7 networks.a.driver_opts.com.docker.network.enable_ipv6: "maybe" is not a boolean (use "true" or "false")',
  ]);
});

test('external_links: CONTAINER or CONTAINER:ALIAS', (t) => {
  const p = load('services:\n  a:\n    external_links: [other-db-1, "other-cache-1:cache"]\n');
  t.deepEqual(p.services.a!.externalLinks, [
    { container: 'other-db-1', alias: 'other-db-1' },
    { container: 'other-cache-1', alias: 'cache' },
  ]);
});
