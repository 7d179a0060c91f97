/**
 * The project's nftables rules, docker0-style but without its flaws, as data
 * and as one `nft -f` script that replaces them atomically. Pure.
 *
 * Tables (owned, named `tscompose-PROJECT`):
 *   inet   raw-prerouting  loopback guards (moby#41872: a port published on
 *                          127.0.0.1 is never reachable from another host)
 *          nat-prerouting  published ports, for traffic from elsewhere
 *          nat-output      published ports, for the host itself (127.0.0.1 too)
 *          published       the DNAT rules (one per host port), after
 *                          letting the project's DNS queries through
 *          nat-postrouting masquerade out of the host, hairpin, host→127.0.0.1
 *          forward         isolation between networks, internal networks,
 *                          enable_icc (with br_netfilter), no unsolicited
 *                          traffic into bridges except published ports
 *          input           internal networks reach only the DNS server
 *   bridge forward         enable_icc: false between ports of a bridge
 *                          (works with or without br_netfilter)
 *          neighbours      each port's own MAC and addresses only: no ARP/NDP
 *                          or IP source spoofing, no router advertisements
 *                          (firewall-neighbours.ts)
 *
 * A packet our chains accept is still dropped by another table's base chain
 * at the same hook (Docker's iptables FORWARD policy DROP, which with
 * br_netfilter also sees traffic between ports of our bridges; firewalld's
 * final reject). For each such chain we insert accept rules for our bridges
 * at its top — iptables-compatible rules (one interface each, no sets) so
 * iptables-nft can still read its tables — tagged `tscompose:PROJECT:ID`;
 * our own chains still police that traffic.
 */
import { neighbourChains } from './firewall-neighbours';
import { shortHash } from './names';
import type { Desired, DesiredNetwork, DesiredPort, ForeignDrop, ObservedFirewall } from './model';

export interface NftChain {
  name: string;
  /** Base chains: `type filter hook forward priority 0; policy accept;`. */
  base?: string;
  rules: string[];
}

export interface NftTable {
  family: 'inet' | 'bridge';
  name: string;
  chains: NftChain[];
}

export interface Passthrough {
  family: string;
  table: string;
  chain: string;
  rule: string;
  /** `tscompose:PROJECT:ID`. */
  comment: string;
  /** For the plan: which chain drops and why. */
  why: string;
}

export interface FirewallModel {
  tables: NftTable[];
  passthrough: Passthrough[];
}

export function tableName(project: string): string {
  return `tscompose-${project}`;
}

export function ruleTag(project: string): string {
  return `tscompose:${project}:`;
}

const q = (s: string) => `"${s}"`;
const set = (items: string[]) => (items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`);
const isLoopback = (ip: string | undefined) => !!ip && (ip.startsWith('127.') || ip === '::1');
const target = (p: DesiredPort) => (p.family === 4 ? `${p.address}:${p.port}` : `[${p.address}]:${p.port}`);

function dnatRule(p: DesiredPort): string {
  const match =
    p.hostIp === undefined ? `meta nfproto ${p.family === 4 ? 'ipv4' : 'ipv6'}` : `${p.family === 4 ? 'ip' : 'ip6'} daddr ${p.hostIp}`;
  return `${match} ${p.protocol} dport ${p.hostPort} dnat ${p.family === 4 ? 'ip' : 'ip6'} to ${target(p)}`;
}

/** Our networks: the bridges we manage (external bridges belong to someone else's policy). */
function managed(desired: Desired): DesiredNetwork[] {
  return Object.values(desired.networks)
    .filter((n) => n.managed)
    .sort((a, b) => (a.bridge < b.bridge ? -1 : a.bridge > b.bridge ? 1 : 0));
}

/** Bridges whose containers the host reaches through 127.0.0.1 (DNAT in output): they need route_localnet. */
export function localnetBridges(desired: Desired): string[] {
  const nets = new Set(managed(desired).map((n) => n.bridge));
  return [...new Set((desired.ports ?? []).filter((p) => p.family === 4 && nets.has(p.bridge)).map((p) => p.bridge))].sort();
}

/**
 * A port 53 published on addresses that include the gateways (a DNS server
 * among the services, say) would DNAT the containers' queries to the
 * project's own DNS server (and the host's, `dig @GATEWAY`) away from it:
 * those leave the published chain first. (Docker's embedded DNS lives at
 * 127.0.0.11 inside each container and never meets this.)
 */
function dnsExemptions(desired: Desired): string[] {
  const published53 = (desired.ports ?? []).some((p) => p.hostPort === 53 && !isLoopback(p.hostIp));
  const listen = desired.dns?.listen.map((l) => l.address) ?? [];
  if (!published53 || !listen.length) return [];
  const v4 = listen.filter((a) => !a.includes(':')).sort();
  const v6 = listen.filter((a) => a.includes(':')).sort();
  return [
    ...(v4.length ? [`ip daddr ${set(v4)} meta l4proto { tcp, udp } th dport 53 return`] : []),
    ...(v6.length ? [`ip6 daddr ${set(v6)} meta l4proto { tcp, udp } th dport 53 return`] : []),
  ];
}

export function buildFirewall(desired: Desired, observed?: ObservedFirewall): FirewallModel {
  const nets = managed(desired);
  if (!nets.length && !(desired.ports ?? []).length) return { tables: [], passthrough: [] };
  const name = tableName(desired.project);
  const ports = desired.ports ?? [];
  const bridges = nets.map((n) => q(n.bridge));
  const localnet = localnetBridges(desired);

  const raw: string[] = [];
  for (const p of ports.filter((x) => isLoopback(x.hostIp))) {
    raw.push(`iifname != "lo" ${p.family === 4 ? 'ip' : 'ip6'} daddr ${p.hostIp} ${p.protocol} dport ${p.hostPort} drop`);
  }
  // route_localnet lets these bridges route 127/8: never from the containers' side.
  for (const b of localnet) raw.push(`iifname ${q(b)} ip daddr 127.0.0.0/8 drop`);

  const published = ports.filter((p) => !isLoopback(p.hostIp)).map(dnatRule);
  if (published.length) published.unshift(...dnsExemptions(desired));
  const natPre: string[] = [];
  const natOut: string[] = ports.filter((p) => isLoopback(p.hostIp)).map(dnatRule);
  if (published.length) {
    natPre.push('ip daddr != 127.0.0.0/8 fib daddr type local jump published', 'ip6 daddr != ::1 fib daddr type local jump published');
    natOut.push('fib daddr type local jump published');
  }

  const post: string[] = [];
  for (const n of nets) {
    if (n.internal || !n.masquerade) continue;
    if (n.subnet) post.push(`ip saddr ${n.subnet} oifname != ${q(n.bridge)} masquerade`);
    if (n.ipv6) post.push(`ip6 saddr ${n.ipv6.subnet} oifname != ${q(n.bridge)} masquerade`);
  }
  const dnatBridges = new Set(ports.map((p) => p.bridge));
  for (const n of nets.filter((x) => dnatBridges.has(x.bridge))) {
    // Hairpin: a container reaching a published port of its own bridge must get the answer back through us.
    if (n.subnet) post.push(`oifname ${q(n.bridge)} ct status dnat ip saddr ${n.subnet} masquerade`);
    if (n.ipv6) post.push(`oifname ${q(n.bridge)} ct status dnat ip6 saddr ${n.ipv6.subnet} masquerade`);
  }
  for (const b of localnet) post.push(`oifname ${q(b)} ip saddr 127.0.0.0/8 masquerade`);

  const forward: string[] = [];
  if (nets.length) {
    // Internal networks first: not even published ports (through the gateway) lead out of them.
    for (const n of nets.filter((x) => x.internal)) {
      const b = q(n.bridge);
      forward.push(`iifname ${b} oifname != ${b} drop`, `oifname ${b} iifname != ${b} drop`);
    }
    forward.push(`oifname ${set(bridges)} ct state established,related accept`, `oifname ${set(bridges)} ct status dnat accept`);
    for (const n of nets) {
      const b = q(n.bridge);
      forward.push(`iifname ${b} oifname ${b} ${n.icc ? 'accept' : 'drop'}`);
      const others = nets.filter((o) => o !== n).map((o) => q(o.bridge));
      if (others.length) forward.push(`iifname ${b} oifname ${set(others)} drop`);
      if (!n.internal) forward.push(`iifname ${b} accept`);
    }
    forward.push(`oifname ${set(bridges)} drop`);
  }

  const input: string[] = [];
  for (const n of nets.filter((x) => x.internal)) {
    const b = q(n.bridge);
    input.push(`iifname ${b} ct state established,related accept`);
    for (const proto of ['udp', 'tcp']) {
      if (n.gateway) input.push(`iifname ${b} ip daddr ${n.gateway} ${proto} dport 53 accept`);
      if (n.ipv6) input.push(`iifname ${b} ip6 daddr ${n.ipv6.gateway} ${proto} dport 53 accept`);
    }
    input.push(`iifname ${b} meta l4proto { icmp, ipv6-icmp } accept`, `iifname ${b} drop`);
  }

  const chains: NftChain[] = [];
  const chain = (cname: string, base: string | undefined, rules: string[]) => {
    if (rules.length) chains.push({ name: cname, ...(base ? { base } : {}), rules });
  };
  chain('raw-prerouting', 'type filter hook prerouting priority -300; policy accept;', raw);
  chain('published', undefined, published);
  chain('nat-prerouting', 'type nat hook prerouting priority -100; policy accept;', natPre);
  chain('nat-output', 'type nat hook output priority -100; policy accept;', natOut);
  chain('nat-postrouting', 'type nat hook postrouting priority 100; policy accept;', post);
  chain('forward', 'type filter hook forward priority 0; policy accept;', forward);
  chain('input', 'type filter hook input priority 0; policy accept;', input);

  const tables: NftTable[] = [];
  if (chains.length) tables.push({ family: 'inet', name, chains });
  const isolated = nets
    .filter((n) => !n.icc)
    .flatMap((n) => Object.values(desired.containers).flatMap((c) => c.interfaces.filter((i) => i.network === n.key).map((i) => q(i.hostVeth))));
  const bridgeChains = neighbourChains(desired);
  if (isolated.length) {
    bridgeChains.unshift({ name: 'forward', base: 'type filter hook forward priority 0; policy accept;', rules: [`iifname ${set(isolated.sort())} meta protocol { ip, ip6 } drop`] });
  }
  if (bridgeChains.length) tables.push({ family: 'bridge', name, chains: bridgeChains });
  // The digest names a rule-less chain: comparing it and the rule counts tells drift without parsing rules back.
  const digest = shortHash(JSON.stringify(tables)).slice(0, 12);
  for (const t of tables) t.chains.push({ name: `digest-${digest}`, rules: [] });

  return { tables, passthrough: passthrough(desired.project, nets, observed?.drops ?? []) };
}

function passthrough(project: string, nets: DesiredNetwork[], drops: ForeignDrop[]): Passthrough[] {
  const out: Passthrough[] = [];
  for (const d of drops) {
    const v4 = d.family === 'ip' || d.family === 'inet';
    const v6 = d.family === 'ip6' || d.family === 'inet';
    const rules: string[] = [];
    for (const n of nets) {
      const b = q(n.bridge);
      if (d.hook === 'forward') rules.push(`iifname ${b} accept`, `oifname ${b} accept`);
      else {
        for (const proto of ['udp', 'tcp']) {
          if (v4 && n.gateway) rules.push(`iifname ${b} ip daddr ${n.gateway} ${proto} dport 53 accept`);
          if (v6 && n.ipv6) rules.push(`iifname ${b} ip6 daddr ${n.ipv6.gateway} ${proto} dport 53 accept`);
        }
      }
    }
    for (const rule of rules) {
      const id = shortHash(d.family, d.table, d.chain, rule).slice(0, 10);
      out.push({ family: d.family, table: d.table, chain: d.chain, rule, comment: `${ruleTag(project)}${id}`, why: d.why });
    }
  }
  return out;
}

function renderTable(t: NftTable): string {
  const lines = [`table ${t.family} ${t.name} {`];
  for (const c of t.chains) {
    lines.push(`\tchain ${c.name} {`);
    if (c.base) lines.push(`\t\t${c.base}`);
    for (const r of c.rules) lines.push(`\t\t${r}`);
    lines.push('\t}');
  }
  lines.push('}');
  return lines.join('\n');
}

const nftString = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * One script, one transaction: our tables replaced whole (created empty so
 * `delete` never fails, deleted, written anew), stale tables of ours and
 * stale inserted rules removed, missing inserted rules added.
 */
export function renderApply(model: FirewallModel, observed: ObservedFirewall | undefined, project: string): string {
  const lines: string[] = [];
  const name = tableName(project);
  for (const t of model.tables) {
    lines.push(`table ${t.family} ${t.name} {}`, `delete table ${t.family} ${t.name}`, renderTable(t));
  }
  for (const t of observed?.tables ?? []) {
    if (t.name === name && !model.tables.some((m) => m.family === t.family)) lines.push(`delete table ${t.family} ${t.name}`);
  }
  const wanted = new Set(model.passthrough.map((p) => `${p.family} ${p.table} ${p.chain} ${p.comment}`));
  const present = new Set<string>();
  for (const r of observed?.inserted ?? []) {
    const key = `${r.family} ${r.table} ${r.chain} ${r.comment}`;
    if (wanted.has(key) && !present.has(key)) present.add(key);
    else lines.push(`delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}`);
  }
  for (const p of model.passthrough) {
    if (present.has(`${p.family} ${p.table} ${p.chain} ${p.comment}`)) continue;
    lines.push(`insert rule ${p.family} ${p.table} ${p.chain} ${p.rule} comment ${nftString(p.comment)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Everything of ours: our tables and the rules we inserted elsewhere. */
export function renderDelete(observed: ObservedFirewall | undefined, project: string): string {
  const lines: string[] = [];
  for (const t of observed?.tables ?? []) if (t.name === tableName(project)) lines.push(`delete table ${t.family} ${t.name}`);
  for (const r of observed?.inserted ?? []) lines.push(`delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Why the machine differs from the model (empty: it does not). */
export function firewallDrift(model: FirewallModel, observed: ObservedFirewall | undefined): string[] {
  const reasons: string[] = [];
  const have = observed?.tables ?? [];
  for (const t of model.tables) {
    const o = have.find((x) => x.family === t.family && x.name === t.name);
    if (!o) {
      reasons.push(`table ${t.family} ${t.name} missing`);
      continue;
    }
    const digest = t.chains.find((c) => c.name.startsWith('digest-'))!.name;
    if (!(digest in o.chains)) {
      reasons.push(`table ${t.family} ${t.name} holds other rules (the file changed)`);
      continue;
    }
    const missing = t.chains.reduce((n, c) => n + Math.max(0, c.rules.length - (o.chains[c.name] ?? 0)), 0);
    const extra = Object.keys(o.chains).length !== t.chains.length || t.chains.some((c) => (o.chains[c.name] ?? 0) > c.rules.length);
    if (missing) reasons.push(`${missing} rule(s) missing from table ${t.family} ${t.name}`);
    else if (extra) reasons.push(`table ${t.family} ${t.name} has rules or chains we did not write`);
  }
  for (const o of have) {
    if (!model.tables.some((t) => t.family === o.family && t.name === o.name)) reasons.push(`table ${o.family} ${o.name} not needed any more`);
  }
  const inserted = new Set((observed?.inserted ?? []).map((r) => `${r.family} ${r.table} ${r.chain} ${r.comment}`));
  const missingPass = model.passthrough.filter((p) => !inserted.has(`${p.family} ${p.table} ${p.chain} ${p.comment}`));
  for (const chain of new Set(missingPass.map((p) => `${p.family} ${p.table} ${p.chain}`))) {
    const why = missingPass.find((p) => `${p.family} ${p.table} ${p.chain}` === chain)!.why;
    reasons.push(`table ${chain.split(' ').slice(0, 2).join(' ')} chain ${chain.split(' ')[2]} drops our traffic (${why}): accept rules for our bridges go at its top`);
  }
  const wanted = new Set(model.passthrough.map((p) => `${p.family} ${p.table} ${p.chain} ${p.comment}`));
  const stale = (observed?.inserted ?? []).filter((r) => !wanted.has(`${r.family} ${r.table} ${r.chain} ${r.comment}`));
  if (stale.length) reasons.push(`${stale.length} rule(s) of ours in other tables not needed any more`);
  return reasons;
}
