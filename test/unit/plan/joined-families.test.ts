/**
 * Joining another tscompose project's dual-stack or IPv6-only network: the
 * joiner takes the owner's families from its journal (OtherProject), gets
 * IPv6 addresses there that never collide with the owner's, an IPv6
 * default route as on its own networks, and no IPv4 on an IPv6-only one.
 */
import test from 'ava';
import { PlanError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import { journalAfter } from '../../../src/plan/journal';
import type { Observed, OtherProject, ProjectState } from '../../../src/plan/model';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

/** What observe/ makes of the owner's journal (observe/index.ts otherProjects). */
function asOther(s: ProjectState): OtherProject {
  const bridges = new Map(Object.entries(s.networks).map(([k, n]) => [k, n.bridge]));
  const of = (v6: boolean) =>
    Object.entries(s.containers).flatMap(([container, c]) =>
      c.interfaces.flatMap((i) => {
        const address = v6 ? i.address6 : i.address;
        return address ? [{ bridge: bridges.get(i.network)!, address, container }] : [];
      }),
    );
  return {
    project: s.project,
    subnets: [],
    addresses: of(false),
    addresses6: of(true),
    networks: Object.values(s.networks).map((n) => ({ name: n.name!, bridge: n.bridge, subnet: n.subnet, gateway: n.gateway, subnet6: n.subnet6, gateway6: n.gateway6 })),
  };
}

function ownerUp(net: Parameters<typeof network>[1]): { observed: Observed; bridge: string; state: ProjectState } {
  const owner = project('pa', [service('api', { networks: [attach('front')] })], [network('front', net)]);
  const d = resolve(owner, emptyObserved());
  const n = d.networks.front!;
  const addresses = [...(n.gateway ? [{ address: n.gateway, prefixLen: n.prefixLen! }] : []), ...(n.ipv6 ? [{ address: n.ipv6.gateway, prefixLen: 64 }] : [])];
  const link = { name: n.bridge, index: 9, kind: 'bridge', alias: n.alias, up: true, addresses };
  const state = journalAfter(undefined, d, { now: 'x' });
  const observed = emptyObserved({ hostLinks: [...emptyObserved().hostLinks, link], otherProjects: [asOther(state)] });
  return { observed, bridge: n.bridge, state };
}

const joiner = (over: Parameters<typeof attach>[1] = {}) =>
  project('pb', [service('web', { networks: [attach('ext', over)] }), service('db', { networks: [attach('ext')] })], [network('ext', { external: true, externalName: 'pa_front' })]);

const DUAL = { enableIpv6: true, ipam: [{ subnet: 'fd42::/64', auxAddresses: {} }] };
const V6ONLY = { enableIpv6: true, ipv6Only: true as const, ipam: [{ subnet: 'fd43::/64', auxAddresses: {} }] };

test('a joined dual-stack network: the owner\'s IPv6 subnet and gateway, an IPv6 address next to the owner\'s, an IPv6 default route', (t) => {
  const { observed, bridge } = ownerUp(DUAL);
  const d = resolve(joiner(), observed);
  t.like(d.networks.ext, { bridge, managed: false, joined: 'pa', ipv6: { subnet: 'fd42::/64', prefixLen: 64, gateway: 'fd42::1' } });
  t.truthy(d.networks.ext!.subnet, 'IPv4 too');
  const web = d.containers['pb-web-1']!;
  // The owner's api holds fd42::2.
  t.like(web.interfaces[0], { address6: 'fd42::4', prefixLen6: 64, gateway6: 'fd42::1' });
  t.truthy(web.interfaces[0]!.address);
  t.is(d.containers['pb-db-1']!.interfaces[0]!.address6, 'fd42::3');
  t.deepEqual(web.defaultRoute6, { via: 'fd42::1', ifname: 'eth0' });
  // The joiner's journal keeps it, so the next up keeps the same address.
  const again = resolve(joiner(), { ...observed, state: journalAfter(undefined, d, { now: 'x' }) });
  t.is(again.containers['pb-web-1']!.interfaces[0]!.address6, 'fd42::4');
});

test('a joined IPv6-only network: no IPv4 subnet, address or IPv4 default route; IPv6 as on a dual-stack one', (t) => {
  const { observed } = ownerUp(V6ONLY);
  const d = resolve(joiner(), observed);
  t.is(d.networks.ext!.subnet, undefined);
  t.is(d.networks.ext!.gateway, undefined);
  t.like(d.networks.ext!.ipv6, { subnet: 'fd43::/64', gateway: 'fd43::1' });
  const web = d.containers['pb-web-1']!;
  t.is(web.interfaces[0]!.address, undefined);
  t.is(web.interfaces[0]!.address6, 'fd43::4');
  t.is(web.defaultRoute, undefined);
  t.deepEqual(web.defaultRoute6, { via: 'fd43::1', ifname: 'eth0' });
});

test('a static ipv4_address on a joined IPv6-only network is a clear error; a static ipv6_address is taken', (t) => {
  const { observed } = ownerUp(V6ONLY);
  const e = t.throws(() => resolve(joiner({ ipv4Address: '10.0.0.5' }), observed), { instanceOf: PlanError });
  t.regex(e!.message, /services\.web\.networks\.ext\.ipv4_address: network ext is project pa's IPv6-only network: it has no IPv4 address to give/);
  const d = resolve(joiner({ ipv6Address: 'fd43::99' }), observed);
  t.is(d.containers['pb-web-1']!.interfaces[0]!.address6, 'fd43::99');
  const clash = t.throws(() => resolve(joiner({ ipv6Address: 'fd43::1' }), observed), { instanceOf: PlanError });
  t.regex(clash!.message, /fd43::1 is the IPv6 gateway of network ext/);
});

test('a plain external Linux bridge (no project\'s) keeps today\'s behaviour: IPv4 from the bridge, no IPv6', (t) => {
  const link = { name: 'br-lan', index: 9, kind: 'bridge', up: true, addresses: [{ address: '10.9.0.1', prefixLen: 24 }, { address: 'fd44::1', prefixLen: 64 }] };
  const p = project('pb', [service('web', { networks: [attach('ext')] })], [network('ext', { external: true, externalName: 'br-lan' })]);
  const d = resolve(p, emptyObserved({ hostLinks: [...emptyObserved().hostLinks, link] }));
  t.like(d.networks.ext, { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
  t.is(d.networks.ext!.ipv6, undefined);
  t.is(d.containers['pb-web-1']!.interfaces[0]!.address6, undefined);
});

test('the owner\'s down keeps a network whose only other users are on it by IPv6', (t) => {
  const { observed, bridge, state } = ownerUp(V6ONLY);
  const d = resolve(joiner(), observed);
  const joinerOther = asOther(journalAfter(undefined, d, { now: 'x' }));
  t.deepEqual(joinerOther.addresses, []);
  const down = plan(nothing('pa'), emptyObserved({ hostLinks: observed.hostLinks, state, otherProjects: [joinerOther] }));
  t.false(down.waves.flat().some((a) => a.kind === 'bridge.delete' && a.target === bridge));
  t.regex(down.warnings?.[0]?.message ?? '', /is left in place: project pb is attached to it/);
});
