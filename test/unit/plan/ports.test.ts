import test from 'ava';
import { PlanError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { journalAfter } from '../../../src/plan/journal';
import { parsePortString } from '../../../src/compose/ports';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const port = (s: string) => parsePortString(s).port!;
const summary = (d: ReturnType<typeof resolve>) =>
  (d.ports ?? []).map((p) => `${p.container} ${p.protocol} ${p.hostIp ?? (p.family === 4 ? '*' : '[*]')}:${p.hostPort} -> ${p.address}:${p.port}`);

test('ranges expand to one mapping per port; replicas take successive ports of a host range', (t) => {
  const p = project('app', [service('web', { scale: 2, ports: [port('8000-8001:80')] }), service('api', { ports: [port('9000-9001:90-91')] })]);
  t.deepEqual(summary(resolve(p, emptyObserved())), [
    'app-api-1 tcp *:9000 -> 172.18.0.2:90',
    'app-api-1 tcp *:9001 -> 172.18.0.2:91',
    'app-web-1 tcp *:8000 -> 172.18.0.3:80',
    'app-web-2 tcp *:8001 -> 172.18.0.4:80',
  ]);
});

test('conflicting published ports are plan errors that name the key; protocols and distinct addresses do not conflict', (t) => {
  const clash = project('app', [service('a', { ports: [port('8080:80')] }), service('b', { ports: [port('127.0.0.1:8080:80')] })]);
  const e = t.throws(() => resolve(clash, emptyObserved()), { instanceOf: PlanError });
  t.is(e!.message, 'services.b.ports.0: host port 127.0.0.1:8080/tcp is already published by app-a-1');
  const replicas = project('app', [service('a', { scale: 2, ports: [port('8080:80')] })]);
  t.throws(() => resolve(replicas, emptyObserved()), { message: /already published by app-a-1 \(replicas need a host port range/ });
  const fine = project('app', [
    service('a', { ports: [port('8080:80'), port('8080:80/udp')] }),
    service('b', { ports: [port('127.0.0.1:9000:80'), port('127.0.0.2:9000:80')] }),
  ]);
  t.is(summary(resolve(fine, emptyObserved())).length, 4);
  const other = project('app', [service('a', { ports: [port('5432:5432')] })]);
  t.throws(() => resolve(other, emptyObserved({ otherProjects: [{ project: 'db', subnets: [], addresses: [], ports: ['tcp 0.0.0.0 5432 5432'] }] })), {
    message: /0\.0\.0\.0:5432\/tcp is already published by project db/,
  });
});

test('ephemeral host ports are chosen once and kept by the journal', (t) => {
  const p = project('app', [service('b', { ports: [port('80')] })]);
  const first = resolve(p, emptyObserved());
  t.deepEqual(summary(first), ['app-b-1 tcp *:49153 -> 172.18.0.2:80']);
  // Later a service that sorts first asks for an ephemeral port too: b keeps its own.
  const later = project('app', [service('a', { ports: [port('80')] }), service('b', { ports: [port('80')] })]);
  const state = journalAfter(undefined, first, { now: '2026-01-01T00:00:00Z' });
  t.deepEqual(state.containers['app-b-1']!.ports, ['tcp 0.0.0.0 49153 80']);
  t.deepEqual(summary(resolve(later, emptyObserved({ state }))).sort(), ['app-a-1 tcp *:49154 -> 172.18.0.3:80', 'app-b-1 tcp *:49153 -> 172.18.0.2:80']);
});

test('host_binding_ipv4, dual stack, and what cannot be published', (t) => {
  const bound = project('app', [service('a', { ports: [port('80:80'), port('0.0.0.0:81:81')] })], [
    network('default', { hostBindingIpv4: '127.0.0.1' }),
  ]);
  t.deepEqual(summary(resolve(bound, emptyObserved())), ['app-a-1 tcp 127.0.0.1:80 -> 172.18.0.2:80', 'app-a-1 tcp 127.0.0.1:81 -> 172.18.0.2:81']);
  const v6 = project('app', [service('a', { ports: [port('80:80'), port('[::]:82:82')] })], [network('default', { enableIpv6: true, ipam: [{ subnet: 'fd42:9::/64', auxAddresses: {} }] })]);
  t.deepEqual(summary(resolve(v6, emptyObserved())), [
    'app-a-1 tcp *:80 -> 172.18.0.2:80',
    'app-a-1 tcp [*]:80 -> fd42:9::2:80',
    'app-a-1 tcp [*]:82 -> fd42:9::2:82',
  ]);
  const internal = project('app', [service('a', { networks: [attach('n')], ports: [port('80:80')] })], [network('n', { internal: true })]);
  t.throws(() => resolve(internal, emptyObserved()), { message: /cannot be published: app-a-1 is only on internal networks/ });
  t.throws(() => resolve(project('app', [service('a', { ports: [port('[::1]:80:80')] })]), emptyObserved()), { message: /IPv6 but network default has no IPv6/ });
  t.throws(() => resolve(v6.services.a ? { ...v6, services: { a: { ...v6.services.a, ports: [port('[::1]:80:80')] } } } : v6, emptyObserved()), {
    message: /\[::1\] needs a userland proxy/,
  });
});

test('a port a socket of the host holds is refused, by address overlap; ranges and ephemeral choices skip it', (t) => {
  const sock = (protocol: 'tcp' | 'udp', family: 4 | 6, port: number, ip?: string) => ({ protocol, family, port, inode: port, ...(ip ? { ip } : {}) });
  const host = emptyObserved({ hostSockets: [sock('tcp', 4, 8080, '127.0.0.1'), sock('udp', 4, 5353), sock('tcp', 6, 9000), sock('tcp', 4, 49153)] });
  // 0.0.0.0 covers 127.0.0.1: the DNAT would take what the host's own clients send to 127.0.0.1:8080.
  const e = t.throws(() => resolve(project('app', [service('web', { ports: [port('8080:80')] })]), host), { instanceOf: PlanError });
  t.is(
    e!.message,
    'services.web.ports.0: host port 0.0.0.0:8080/tcp is in use on the host: a socket is bound to 127.0.0.1:8080 (publishing the port would hide it from its owner; `ss -tulpn` names the process)',
  );
  t.throws(() => resolve(project('app', [service('dns', { ports: [port('5353:53/udp')] })]), host), { message: /5353\/udp is in use on the host: a socket is bound to 0\.0\.0\.0:5353/ });
  // A wildcard IPv6 listener takes IPv4 too.
  t.throws(() => resolve(project('app', [service('api', { ports: [port('9000:90')] })]), host), { message: /0\.0\.0\.0:9000\/tcp is in use on the host: a socket is bound to \[::\]:9000/ });
  // Another address, another protocol: no conflict.
  const fine = project('app', [service('web', { ports: [port('127.0.0.2:8080:80'), port('8080:80/udp'), port('5353:53')] })]);
  t.deepEqual(summary(resolve(fine, host)), ['app-web-1 tcp 127.0.0.2:8080 -> 172.18.0.2:80', 'app-web-1 udp *:8080 -> 172.18.0.2:80', 'app-web-1 tcp *:5353 -> 172.18.0.2:53']);
  // A range and the ephemeral range pass over held ports.
  const skip = project('app', [service('a', { ports: [port('8079-8081:80'), port('81')] }), service('b', { scale: 2, ports: [port('8080-8083:82')] })]);
  const held = emptyObserved({ hostSockets: [sock('tcp', 4, 8079), sock('tcp', 4, 8080), sock('tcp', 4, 49153)] });
  t.deepEqual(summary(resolve(skip, held)), ['app-a-1 tcp *:8081 -> 172.18.0.2:80', 'app-a-1 tcp *:49154 -> 172.18.0.2:81', 'app-b-1 tcp *:8082 -> 172.18.0.3:82', 'app-b-2 tcp *:8083 -> 172.18.0.4:82']);
});
