/**
 * The host-side part of the diff: kernel settings, nftables rules and the
 * DNS server, each compared with what observe/ read, with the reason the
 * plan shows. Pure; diff/index.ts wires the returned actions into the plan.
 */
import { PlanError } from '../errors';
import type { Action } from './actions';
import { buildFirewall, firewallDrift, renderApply, renderDelete, tableName } from './firewall';
import { sysctlBridge } from './kernel';
import type { Desired, DnsConfig, Observed } from './model';

export interface HostActions {
  actions: Action[];
  /** Ids every container start must follow (the DNS server must answer before containers ask). */
  beforeStarts: string[];
}

/**
 * `bridgeReady`: network key → id of the action that creates or repairs its
 * bridge this run; `bridgeCreated`: the bridges that do not exist yet.
 */
export function hostActions(desired: Desired, observed: Observed, bridgeReady: Map<string, string>, bridgeCreated: Set<string>): HostActions {
  const actions: Action[] = [];
  const beforeStarts: string[] = [];
  const bridgeIds = [...bridgeReady.values()].sort();
  const byBridge = new Map(Object.values(desired.networks).map((n) => [n.bridge, n.key]));

  for (const s of desired.sysctls ?? []) {
    const bridge = sysctlBridge(s.key);
    const network = bridge ? byBridge.get(bridge) : undefined;
    const fresh = !!bridge && bridgeCreated.has(bridge);
    const current = fresh ? undefined : observed.sysctls?.[s.key];
    if (current === s.value) continue;
    const ready = network ? bridgeReady.get(network) : undefined;
    actions.push({
      kind: 'sysctl.set',
      id: `sysctl.set:${s.key}`,
      target: s.key,
      reason: `${fresh ? 'new bridge' : current === undefined ? 'not set' : `${current} → ${s.value}`}: ${s.why}`,
      after: ready ? [ready] : [],
      key: s.key,
      value: s.value,
    });
  }

  const model = buildFirewall(desired, observed.firewall);
  const name = tableName(desired.project);
  const needed = model.tables.length > 0 || model.passthrough.length > 0;
  if (needed) {
    if (observed.firewall && !observed.firewall.available) {
      throw new PlanError({ path: 'networks', message: 'nftables is needed for NAT, published ports and isolation: install the nftables package (the nft program)' });
    }
    const reasons = firewallDrift(model, observed.firewall);
    if (reasons.length) {
      const have = new Set((observed.firewall?.inserted ?? []).map((r) => `${r.family} ${r.table} ${r.chain} ${r.comment}`));
      const notes = [
        ...new Set(
          model.passthrough
            .filter((p) => !have.has(`${p.family} ${p.table} ${p.chain} ${p.comment}`))
            .map((p) => `table ${p.family} ${p.table} chain ${p.chain} drops traffic we accept (${p.why}): inserted accept rules for our bridges at its top, tagged ${p.comment.replace(/[^:]+$/, '…')}`),
        ),
      ];
      const fresh = !observed.firewall?.tables.length && !observed.firewall?.inserted.length;
      actions.push({
        kind: 'firewall.apply',
        id: 'firewall.apply',
        target: name,
        // A first apply is "missing"; what it does to other tables is said either way.
        reason: fresh && !observed.state ? ['missing', ...reasons.filter((r) => r.includes('drops our traffic'))].join('; ') : `drifted: ${reasons.join('; ')}`,
        after: [],
        script: renderApply(model, observed.firewall, desired.project),
        notes,
      });
    }
  } else {
    const script = renderDelete(observed.firewall, desired.project);
    if (script) {
      actions.push({ kind: 'firewall.delete', id: 'firewall.delete', target: name, reason: 'no network needs rules any more', after: [], script });
    }
  }

  const dns = desired.dns;
  const obs = observed.dns;
  if (dns) {
    const text = JSON.stringify(dns);
    if (!obs?.running || obs.ready === false) {
      const id = 'dns.start';
      // A server that is alive but not answering was left by a killed `up` (still waiting for
      // addresses, or mid-reload): it is replaced, or it would give up and exit after this run.
      const reason = !obs?.config ? 'missing' : obs.running ? 'not answering' : 'not running';
      // Not after the bridges: the server (a Node process, ~0.1 s to boot) starts at once, beside the
      // namespace work, and binds each gateway as soon as its address exists (it waits for them).
      actions.push({ kind: 'dns.start', id, target: `${desired.project} DNS`, reason, after: [], config: dns });
      beforeStarts.push(id);
    } else if (obs.config !== text && needsBind(obs.config, dns)) {
      // The running server is nobody (dns/main.ts): it cannot bind port 53 on a new address.
      const id = 'dns.start';
      actions.push({ kind: 'dns.start', id, target: `${desired.project} DNS`, reason: 'new addresses to answer on (an unprivileged server cannot bind them): restarted', after: [], config: dns });
      beforeStarts.push(id);
    } else if (obs.config !== text) {
      const id = 'dns.reload';
      actions.push({ kind: 'dns.reload', id, target: `${desired.project} DNS`, reason: 'names or networks changed', after: bridgeIds, config: dns });
      beforeStarts.push(id);
    }
  } else if (obs?.running || obs?.config !== undefined) {
    actions.push({ kind: 'dns.stop', id: 'dns.stop', target: `${desired.project} DNS`, reason: 'no container on a bridge any more', after: [] });
  }
  return { actions, beforeStarts };
}

/** Whether `next` listens on an address (or an address for a network) the running configuration does not. */
function needsBind(running: string | undefined, next: DnsConfig): boolean {
  let listen: DnsConfig['listen'];
  try {
    listen = (JSON.parse(running ?? '') as DnsConfig).listen ?? [];
  } catch {
    return true;
  }
  const have = new Set(listen.map((l) => `${l.network} ${l.address}`));
  return next.listen.some((l) => !have.has(`${l.network} ${l.address}`));
}
