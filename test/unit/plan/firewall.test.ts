import test from 'ava';
import { plan, resolve } from '../../../src/plan';
import { buildFirewall, firewallDrift, renderApply, renderDelete } from '../../../src/plan/firewall';
import type { ObservedFirewall } from '../../../src/plan/model';
import { observedAfter } from '../../helpers/fake';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';
import { parsePortString } from '../../../src/compose/ports';

const port = (s: string) => parsePortString(s).port!;

const lab = () =>
  project(
    'lab',
    [
      service('web', { networks: [attach('front', { ipv6Address: 'fd42:77::10' })], ports: [port('8080:80'), port('127.0.0.1:8081:80'), port('53:53/udp')] }),
      service('db', { networks: [attach('back')] }),
      service('quiet', { networks: [attach('calm')] }),
    ],
    [
      network('front', { enableIpv6: true, ipam: [{ subnet: '10.1.0.0/24', auxAddresses: {} }, { subnet: 'fd42:77::/64', auxAddresses: {} }] }),
      network('back', { internal: true, ipam: [{ subnet: '10.2.0.0/24', auxAddresses: {} }] }),
      network('calm', { icc: false, ipMasquerade: false, ipam: [{ subnet: '10.3.0.0/24', auxAddresses: {} }] }),
    ],
  );

test('rules for published ports, masquerade, hairpin, isolation, internal and enable_icc (snapshot)', (t) => {
  const d = resolve(lab(), emptyObserved());
  const model = buildFirewall(d);
  t.snapshot(renderApply(model, undefined, 'lab'));
  const inet = model.tables.find((x) => x.family === 'inet')!;
  const chain = (n: string) => inet.chains.find((c) => c.name === n)!.rules;
  // 127.0.0.1 ports: DNAT only for the host's own traffic, and guarded against other hosts (moby#41872).
  t.true(chain('nat-output').includes('ip daddr 127.0.0.1 tcp dport 8081 dnat ip to 10.1.0.2:80'));
  t.false(chain('published').some((r) => r.includes('8081')));
  t.true(chain('raw-prerouting').includes('iifname != "lo" ip daddr 127.0.0.1 tcp dport 8081 drop'));
  t.true(chain('nat-prerouting').every((r) => /daddr != (127\.0\.0\.0\/8|::1)/.test(r)), 'loopback destinations never take the prerouting DNAT');
  // Dual stack: the v6 address of web gets the v6 DNAT.
  t.true(chain('published').includes('meta nfproto ipv6 tcp dport 8080 dnat ip6 to [fd42:77::10]:80'));
  t.true(chain('published').includes('meta nfproto ipv4 udp dport 53 dnat ip to 10.1.0.2:53'));
  // Port 53 is published on every address: the project's own DNS queries (to the gateways) leave the chain first.
  t.deepEqual(chain('published').slice(0, 2), [
    'ip daddr { 10.1.0.1, 10.2.0.1, 10.3.0.1 } meta l4proto { tcp, udp } th dport 53 return',
    'ip6 daddr fd42:77::1 meta l4proto { tcp, udp } th dport 53 return',
  ]);
  // Masquerade for front (v4 and v6), none for calm (disabled) or back (internal).
  const post = chain('nat-postrouting').filter((r) => r.includes('oifname !='));
  t.deepEqual(post.map((r) => r.split(' ')[2]), ['10.1.0.0/24', 'fd42:77::/64']);
  // enable_icc false: in the bridge family, on the veths of calm.
  const bridge = model.tables.find((x) => x.family === 'bridge')!;
  t.is(bridge.chains[0]!.rules.length, 1);
  t.regex(bridge.chains[0]!.rules[0]!, /^iifname "tsc-v-\w+" meta protocol \{ ip, ip6 \} drop$/);
  // Internal networks: their drops come before any accept.
  const fwd = chain('forward');
  const back = d.networks.back!.bridge;
  t.is(fwd.indexOf(`iifname "${back}" oifname != "${back}" drop`), 0);
});

test('nothing to write without bridged networks; down deletes exactly what was observed', (t) => {
  const hostOnly = project('h', [service('a', { networkMode: { kind: 'host' }, networks: [] })], []);
  t.deepEqual(buildFirewall(resolve(hostOnly, emptyObserved())), { tables: [], passthrough: [] });
  const observed: ObservedFirewall = {
    available: true,
    tables: [{ family: 'inet', name: 'tscompose-lab', chains: { forward: 3 } }, { family: 'inet', name: 'tscompose-other', chains: {} }],
    drops: [],
    inserted: [{ family: 'ip', table: 'filter', chain: 'FORWARD', handle: 7, comment: 'tscompose:lab:abc' }],
  };
  t.is(renderDelete(observed, 'lab'), 'delete table inet tscompose-lab\ndelete rule ip filter FORWARD handle 7\n');
});

test("another table's dropping chain gets iptables-compatible accept rules, one bridge each", (t) => {
  const d = resolve(lab(), emptyObserved());
  const drops = [
    { family: 'ip', table: 'filter', chain: 'FORWARD', hook: 'forward' as const, why: 'policy drop' },
    { family: 'inet', table: 'firewalld', chain: 'filter_INPUT', hook: 'input' as const, why: 'ends with an unconditional reject' },
  ];
  const model = buildFirewall(d, { available: true, tables: [], drops, inserted: [] });
  const fwd = model.passthrough.filter((p) => p.chain === 'FORWARD').map((p) => p.rule);
  t.is(fwd.length, 6);
  t.true(fwd.every((r) => /^(iif|oif)name "tsc-b-\w+" accept$/.test(r)), 'no sets, nothing iptables-nft cannot read');
  const input = model.passthrough.filter((p) => p.chain === 'filter_INPUT').map((p) => p.rule);
  t.true(input.includes(`iifname "${d.networks.front!.bridge}" ip6 daddr fd42:77::1 udp dport 53 accept`));
  t.true(model.passthrough.every((p) => p.comment.startsWith('tscompose:lab:')));
  const script = renderApply(model, undefined, 'lab');
  t.regex(script, /^insert rule ip filter FORWARD iifname "tsc-b-\w+" accept comment "tscompose:lab:\w+"$/m);
});

test('drift: a flushed ruleset, a deleted rule, a changed file, stale and missing inserted rules', (t) => {
  const d = resolve(lab(), emptyObserved());
  const model = buildFirewall(d);
  const exact = observedAfter(d).firewall!;
  t.deepEqual(firewallDrift(model, exact), []);
  t.deepEqual(firewallDrift(model, { ...exact, tables: [] }), ['table inet tscompose-lab missing', 'table bridge tscompose-lab missing']);
  const oneLess = structuredClone(exact);
  oneLess.tables[0]!.chains.published! -= 1;
  t.deepEqual(firewallDrift(model, oneLess), ['1 rule(s) missing from table inet tscompose-lab']);
  const edited = lab();
  edited.services.web!.ports = [port('9090:80')];
  t.deepEqual(firewallDrift(buildFirewall(resolve(edited, emptyObserved())), exact).slice(0, 1), ['table inet tscompose-lab holds other rules (the file changed)']);
  const stale = { ...exact, inserted: [{ family: 'ip', table: 'filter', chain: 'FORWARD', handle: 9, comment: 'tscompose:lab:old' }] };
  t.deepEqual(firewallDrift(model, stale), ['1 rule(s) of ours in other tables not needed any more']);
  t.regex(renderApply(model, stale, 'lab'), /^delete rule ip filter FORWARD handle 9$/m);
});

test('the plan repairs a flushed ruleset with one firewall.apply, and says why', (t) => {
  const d = resolve(lab(), emptyObserved());
  const obs = observedAfter(d);
  obs.firewall = { available: true, tables: [], drops: [], inserted: [] };
  const acts = plan(resolve(lab(), obs), obs).waves.flat();
  t.deepEqual(acts.map((a) => `${a.kind}: ${a.reason}`), ['firewall.apply: drifted: table inet tscompose-lab missing; table bridge tscompose-lab missing']);
  obs.firewall = { available: false, tables: [], drops: [], inserted: [] };
  t.throws(() => plan(resolve(lab(), obs), obs), { message: /install the nftables package/ });
});
