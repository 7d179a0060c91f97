import test from 'ava';
import { PlanError } from '../../../src/errors';
import { plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import type { Observed } from '../../../src/plan/model';
import { observedAfter } from '../../helpers/fake';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const PARENT = { name: 'tsc-up0', index: 7, kind: 'veth', up: true, addresses: [{ address: '192.168.50.2', prefixLen: 24 }] };
const withParent = (over: Partial<Observed> = {}) =>
  emptyObserved({
    hostLinks: [...emptyObserved().hostLinks, PARENT],
    hostRoutes: [{ dst: '192.168.50.0/24', dev: 'tsc-up0' }],
    ...over,
  });
const lan = (kind: 'macvlan' | 'ipvlan' = 'macvlan', mode = kind === 'macvlan' ? 'bridge' : 'l2') =>
  network('lan', {
    driver: kind,
    lowerLink: { kind, parent: 'tsc-up0', mode, ...(kind === 'ipvlan' ? { flag: 'bridge' } : {}) },
    ipam: [{ subnet: '192.168.50.0/24', gateway: '192.168.50.1', auxAddresses: {} }],
  });
const stack = (kind?: 'macvlan' | 'ipvlan', mode?: string) =>
  project('m', [service('a', { networks: [attach('lan', { ipv4Address: '192.168.50.10' })] }), service('b', { networks: [attach('lan')] })], [lan(kind, mode)]);

test('a macvlan network: no bridge, no firewall or DNS; each container gets a macvlan on the parent, static or allocated address', (t) => {
  const obs = withParent();
  const d = resolve(stack(), obs);
  t.false(d.networks.lan!.managed);
  const p = all(plan(d, obs));
  t.false(p.some((a) => a.kind === 'bridge.create' || a.kind === 'veth.create' || a.kind === 'dns.start'));
  const creates = p.filter((a): a is Extract<Action, { kind: 'lowerlink.create' }> => a.kind === 'lowerlink.create');
  t.deepEqual(
    creates.map((a) => [a.container, a.driver, a.parent, a.mode, a.ifname]),
    [
      ['m-a-1', 'macvlan', 'tsc-up0', 'bridge', 'eth0'],
      ['m-b-1', 'macvlan', 'tsc-up0', 'bridge', 'eth0'],
    ],
  );
  // The subnet is the parent's LAN (its route is no clash); the parent's own address and the gateway are never handed out.
  const addrs = p.flatMap((a) => (a.kind === 'addr.add' ? [`${a.container} ${a.address}/${a.prefixLen}`] : [])).sort();
  t.deepEqual(addrs, ['m-a-1 192.168.50.10/24', 'm-b-1 192.168.50.3/24']);
  t.deepEqual(d.containers['m-a-1']!.defaultRoute, { via: '192.168.50.1', ifname: 'eth0' });
});

test('macvlan: up twice changes nothing; a changed mode recreates the interface; a detached one is removed', (t) => {
  const obs = observedAfter(resolve(stack(), withParent()), withParent());
  t.deepEqual(plan(resolve(stack(), obs), obs).waves, []);
  const changed = all(plan(resolve(stack('macvlan', 'private'), obs), obs));
  t.deepEqual(changed.filter((a) => a.kind.startsWith('lowerlink.')).map((a) => `${a.kind} ${a.target}`).sort(), [
    'lowerlink.create eth0 of m-a-1',
    'lowerlink.create eth0 of m-b-1',
    'lowerlink.delete eth0 of m-a-1',
    'lowerlink.delete eth0 of m-b-1',
  ]);
  const detached = project('m', [service('a', { networks: [] }), service('b', { networks: [attach('lan')] })], [lan()]);
  const removed = all(plan(resolve(detached, obs), obs)).filter((a) => a.kind === 'lowerlink.delete');
  t.deepEqual(removed.map((a) => `${a.target}: ${a.reason}`), ['eth0 of m-a-1: not in the file any more']);
});

test('a parent that does not exist on the host is a plan error at driver_opts.parent', (t) => {
  const e = t.throws(() => resolve(stack(), emptyObserved()), { instanceOf: PlanError });
  t.is(e!.issues[0]!.path, 'networks.lan.driver_opts.parent');
  t.regex(e!.message, /parent tsc-up0 of macvlan network lan does not exist on this host/);
});

test('ipvlan on a kernel without it is a plan error; where it has it, an ipvlan interface without a MAC of its own', (t) => {
  const e = t.throws(() => resolve(stack('ipvlan'), withParent({ kernel: { ipvlan: false } })), { instanceOf: PlanError });
  t.regex(e!.message, /this kernel has no ipvlan driver/);
  const obs = withParent({ kernel: { ipvlan: true } });
  const creates = all(plan(resolve(stack('ipvlan'), obs), obs)).filter((a): a is Extract<Action, { kind: 'lowerlink.create' }> => a.kind === 'lowerlink.create');
  t.deepEqual(creates.map((a) => [a.driver, a.mode, a.flag, a.mac]), [
    ['ipvlan', 'l2', 'bridge', undefined],
    ['ipvlan', 'l2', 'bridge', undefined],
  ]);
});

test('ports cannot be published from a macvlan network', (t) => {
  const p = project('m', [service('a', { networks: [attach('lan')], ports: [{ target: 80, protocol: 'tcp', published: { start: 8080, end: 8080 } } as any] })], [lan()]);
  const e = t.throws(() => resolve(p, withParent()), { instanceOf: PlanError });
  t.regex(e!.message, /cannot be published: m-a-1 reaches the outside through macvlan network lan/);
});

test('a macvlan takes its parent\'s MTU; a larger one in the file is a plan error', (t) => {
  const obs = withParent({ hostLinks: [...emptyObserved().hostLinks, { ...PARENT, mtu: 1400 }] });
  t.is(resolve(stack(), obs).containers['m-a-1']!.interfaces[0]!.mtu, 1400);
  const big = stack();
  big.networks.lan!.mtu = 9000;
  const e = t.throws(() => resolve(big, obs), { instanceOf: PlanError });
  t.regex(e!.message, /MTU 9000 is above the MTU of parent tsc-up0 \(1400\)/);
});
