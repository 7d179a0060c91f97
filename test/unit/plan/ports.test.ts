import test from 'ava';
import { PlanError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { journalAfter } from '../../../src/plan/journal';
import { parsePortString } from '../../../src/spec/ports';
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
