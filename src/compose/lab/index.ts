/**
 * The lab extensions, read from the merged tree (so every problem points at
 * file:line) into the normalized model:
 *
 *   x-links:   [{endpoints: ["r1:eth1", "r2:eth1"], ipv4: [...], ipv6: [...], mtu, x-netem}]
 *              → one `driver: p2p` network per entry, attached to both services
 *   x-netem    on a network, on an x-links entry, on a service's attachment
 *   x-mtu      on a service's attachment
 *   x-routes   on a service: [{to: CIDR|default, via, dev, metric}]
 *   x-verify   top level: [{from, to, port, expect: reach|blocked}]
 *   x-hosts, x-host, x-vxlan   one lab across machines (hosts.ts)
 *
 * then the checks p2p networks need. One module a key (netem.ts, routes.ts,
 * verify.ts, links.ts), p2p.ts for the checks; this one walks the tree.
 */
import type { Issues } from '../issues';
import { Reader } from '../read';
import type { YMap } from '../tree';
import type { HostsSpec, VerifySpec } from '../types';
import { parseHosts } from './hosts';
import { desugarLinks } from './links';
import { parseNetem } from './netem';
import { checkP2p } from './p2p';
import { entryField, mapAt, type Model, type Sources } from './common';
import { parseRoutes } from './routes';
import { parseVerify } from './verify';

export { needsNetem, parseRate, parseTime, usesNetem } from './netem';

export interface LabResult {
  verify: VerifySpec[];
  hosts?: HostsSpec;
}

export function applyLab(root: YMap, model: Model, sources: Sources, issues: Issues): LabResult {
  const r = new Reader(issues);
  const services = mapAt(root, 'services');
  const networks = mapAt(root, 'networks');

  for (const [name, net] of Object.entries(model.networks)) {
    const nf = entryField(networks, 'networks', name);
    const xf = nf && nf.node.kind === 'map' ? entryField(nf.node, nf.path, 'x-netem') : undefined;
    if (!xf) continue;
    if (net.driver !== 'p2p') {
      r.error(xf, 'x-netem on a network applies to p2p networks only; for a bridge, set x-netem on each service attachment');
      continue;
    }
    const netem = parseNetem(xf, r);
    if (netem) net.netem = netem;
  }

  for (const [name, svc] of Object.entries(model.services)) {
    const sf = entryField(services, 'services', name);
    if (!sf || sf.node.kind !== 'map') continue;
    const rf = entryField(sf.node, sf.path, 'x-routes');
    if (rf) svc.routes = parseRoutes(rf, r);
    const af = entryField(sf.node, sf.path, 'networks');
    if (af && af.node.kind === 'map') {
      for (const a of svc.networks) {
        const one = entryField(af.node, af.path, a.network);
        if (!one || one.node.kind !== 'map') continue;
        const mf = entryField(one.node, one.path, 'x-mtu');
        if (mf) {
          const v = r.int(mf, { min: 68, max: 65535 });
          if (v !== undefined) a.mtu = v;
        }
        const xf = entryField(one.node, one.path, 'x-netem');
        if (xf) {
          const netem = parseNetem(xf, r);
          if (netem) a.netem = netem;
        }
      }
    }
  }

  const lf = entryField(root, '', 'x-links');
  if (lf) desugarLinks(lf, r, model, services, sources);

  // The implicit `default` network goes when only lab nodes would have used it.
  if (model.networks.default && !networks?.entries.has('default')) {
    const used = Object.values(model.services).some((s) => s.networks.some((a) => a.network === 'default'));
    if (!used) {
      const rest = { ...model.networks };
      delete rest.default;
      model.networks = rest;
    }
  }

  checkP2p(model, sources, issues);
  const vf = entryField(root, '', 'x-verify');
  const hosts = parseHosts(root, model, r);
  return { verify: vf ? parseVerify(vf, r) : [], ...(hosts ? { hosts } : {}) };
}
