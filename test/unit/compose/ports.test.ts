import test from 'ava';
import { formatPort, parsePortString } from '../../../src/compose/ports';
import { issues, lines, load, yaml } from './helpers';

const ok = (s: string) => {
  const r = parsePortString(s);
  if (r.error) throw new Error(r.error);
  return r.port!;
};

test('short form: ports, ranges, host addresses (IPv6 bracketed or bare), protocols', (t) => {
  t.deepEqual(ok('80'), { target: { start: 80, end: 80 }, protocol: 'tcp', mode: 'ingress' });
  t.deepEqual(ok('3000-3005'), { target: { start: 3000, end: 3005 }, protocol: 'tcp', mode: 'ingress' });
  t.deepEqual(ok('8080:80'), { target: { start: 80, end: 80 }, published: { start: 8080, end: 8080 }, protocol: 'tcp', mode: 'ingress' });
  t.deepEqual(ok('9090-9091:8080-8081').published, { start: 9090, end: 9091 });
  t.deepEqual(ok('8000-9000:80').published, { start: 8000, end: 9000 }, 'one container port takes a port from the host range');
  t.deepEqual(ok('127.0.0.1:8001:8001').hostIp, '127.0.0.1');
  t.deepEqual(ok('127.0.0.1::80'), { target: { start: 80, end: 80 }, hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }, 'ephemeral host port');
  t.is(ok('[::1]:6001:6001').hostIp, '::1');
  t.is(ok('::1:6000:6000').hostIp, '::1');
  t.is(ok('[fd42:0:0::7]:53:53/udp').hostIp, 'fd42::7');
  t.is(ok('6060:6060/udp').protocol, 'udp');
  t.is(ok('53:53/UDP').protocol, 'udp');
  t.is(ok('0.0.0.0:80:80').hostIp, undefined, '0.0.0.0 means every address');
  t.is(ok('[::]:80:80').hostIp, '::', ':: means every IPv6 address');
  t.is(ok('0:80').published, undefined, 'host port 0: ephemeral');
});

test('short form errors say what is wrong', (t) => {
  t.regex(parsePortString('80/sctp').error!, /sctp is not supported yet/);
  t.regex(parsePortString('80/icmp').error!, /not a protocol/);
  t.regex(parsePortString('70000').error!, /not a container port/);
  t.regex(parsePortString('8080-8079:80').error!, /not a host port/);
  t.regex(parsePortString('9090-9092:8080-8081').error!, /different sizes/);
  t.regex(parsePortString('1.2.3:80:80').error!, /not an IP address/);
  t.regex(parsePortString('[::1]80').error!, /bracketed/);
  t.regex(parsePortString('a:b:c:d').error!, /not a container port/);
});

test('formatPort writes the short form back', (t) => {
  for (const s of ['80/tcp', '8080:80/tcp', '127.0.0.1:8081:80/udp', '[::1]:9000-9001:90-91/tcp', '127.0.0.1::80/tcp']) t.is(formatPort(ok(s)), s);
});

test('the loader reads both forms, drops duplicates from merged files, and checks the long form', (t) => {
  const p = load(yaml`
    services:
      web:
        ports:
          - 80
          - "8080:80"
          - target: 53
            published: "5353"
            host_ip: 127.0.0.1
            protocol: udp
            mode: host
            name: dns
          - "8080:80"
  `);
  t.deepEqual(
    p.services.web!.ports.map(formatPort),
    ['80/tcp', '8080:80/tcp', '127.0.0.1:5353:53/udp'],
  );
  t.is(p.services.web!.ports[2]!.name, 'dns');
  const list = issues(t, yaml`
    services:
      web:
        ports:
          - target: 80
            protocol: sctp
          - published: 80
          - target: 81
            mode: global
          - target: 82
            host_ip: nowhere
          - target: 83
            tls: true
      db:
        network_mode: none
        ports: ["5432:5432"]
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:5:9 services.web.ports.0.protocol: protocol sctp is not supported yet (tcp or udp)',
    'compose.yaml:6:9 services.web.ports.1: a port mapping needs a "target" (the container port)',
    'compose.yaml:8:9 services.web.ports.2.mode: "global" is not a port mode (host or ingress)',
    'compose.yaml:10:9 services.web.ports.3.host_ip: "nowhere" is not an IP address',
    'compose.yaml:12:9 services.web.ports.4.tls: unknown port key "tls"; extensions must start with "x-"',
    'compose.yaml:15:5 services.db.ports: ports cannot be published with network_mode "none" (the container has no network of its own)',
  ]);
});

test('network driver options: masquerade, icc, host_binding_ipv4', (t) => {
  const p = load(yaml`
    services:
      a:
        networks: [n]
    networks:
      n:
        driver_opts:
          com.docker.network.bridge.enable_ip_masquerade: "false"
          com.docker.network.bridge.enable_icc: "false"
          com.docker.network.bridge.host_binding_ipv4: 127.0.0.1
  `);
  t.like(p.networks.n, { ipMasquerade: false, icc: false, hostBindingIpv4: '127.0.0.1' });
  const list = issues(t, yaml`
    networks:
      n:
        driver_opts:
          com.docker.network.bridge.enable_icc: "nope"
          com.docker.network.bridge.host_binding_ipv4: "::1"
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:4:7 networks.n.driver_opts.com.docker.network.bridge.enable_icc: "nope" is not a boolean (use "true" or "false")',
    'compose.yaml:5:7 networks.n.driver_opts.com.docker.network.bridge.host_binding_ipv4: "::1" is not an IPv4 address',
  ]);
});
