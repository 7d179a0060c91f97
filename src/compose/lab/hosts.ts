/**
 * One lab across several machines:
 *
 *   x-hosts:  {NAME: {address: A, mtu: 1500}}   top level: the machines and their underlay addresses
 *   x-host:   NAME                              on a service: the machine it runs on
 *   x-vxlan:  {port: 4789, vni: BASE, links: {NETWORK: {vni: N}}}   top level, optional
 *
 * Read into `Project.hosts` and `ServiceSpec.host`; plan/multihost.ts decides
 * the tunnels. Every problem points at its key's file:line.
 */
import { parseIP } from '../../net/ip';
import type { Field, Reader } from '../read';
import type { YMap } from '../tree';
import type { HostsSpec } from '../types';
import { entryField, keyTable, mapAt, type Model } from './common';

const HOST_KEYS = keyTable('x-hosts entry key', ['address', 'mtu']);
const VXLAN_KEYS = keyTable('x-vxlan key', ['port', 'vni', 'links']);
const LINK_KEYS = keyTable('x-vxlan.links entry key', ['vni']);
const MAX_VNI = 0xffffff;

export function parseHosts(root: YMap, model: Model, r: Reader): HostsSpec | undefined {
  const hf = entryField(root, '', 'x-hosts');
  const vf = entryField(root, '', 'x-vxlan');
  const services = mapAt(root, 'services');
  const placed: Array<{ svc: string; f: Field }> = [];
  for (const name of Object.keys(model.services)) {
    const sf = entryField(services, 'services', name);
    const xf = sf && sf.node.kind === 'map' ? entryField(sf.node, sf.path, 'x-host') : undefined;
    if (xf) placed.push({ svc: name, f: xf });
  }
  if (!hf) {
    for (const p of placed) r.error(p.f, 'x-host names a machine of the top-level x-hosts, and this file has none');
    if (vf) r.error(vf, 'x-vxlan configures the tunnels between the machines of x-hosts, and this file has none');
    return undefined;
  }
  const spec: HostsSpec = { hosts: {}, port: 4789, linkVni: {} };
  const hosts = r.map(hf);
  for (const e of hosts?.entries.values() ?? []) {
    const f: Field = { path: `x-hosts.${e.key}`, loc: e.keyLoc, node: e.value };
    const m = r.map(f);
    if (!m) continue;
    const keys = r.keys(m, f.path, HOST_KEYS);
    const af = keys.get('address');
    if (!af) {
      r.error(f, `host ${e.key} needs an address (its underlay address, where the other hosts send its tunnels)`);
      continue;
    }
    const text = r.string(af);
    const ip = text !== undefined ? parseIP(text) : undefined;
    if (text !== undefined && !ip) r.error(af, `"${text}" is not an IPv4 or IPv6 address`);
    const mf = keys.get('mtu');
    const mtu = mf ? r.int(mf, { min: 1280, max: 65535 }) : 1500;
    if (ip && mtu !== undefined) spec.hosts[e.key] = { address: text!, family: ip.family, mtu };
  }
  const names = Object.keys(spec.hosts);
  for (const p of placed) {
    const host = r.string(p.f);
    if (host === undefined) continue;
    if (!hosts?.entries.has(host)) r.error(p.f, `unknown host "${host}" (x-hosts has ${names.join(', ') || 'none'})`);
    else model.services[p.svc]!.host = host;
  }
  for (const [name, svc] of Object.entries(model.services)) {
    if (placed.some((p) => p.svc === name)) continue;
    const sf = entryField(services, 'services', name);
    if (sf) r.error(sf, `with x-hosts, every service says which machine it runs on: add x-host (one of ${names.join(', ')})`);
    void svc;
  }
  // A shared namespace is on one machine: both services must be on it.
  for (const p of placed) {
    const svc = model.services[p.svc]!;
    const other = svc.networkMode.kind === 'service' ? model.services[svc.networkMode.service] : undefined;
    if (other?.host && svc.host && other.host !== svc.host) r.error(p.f, `network_mode service:${other.name} shares ${other.name}'s namespace, which is on ${other.host}`);
  }
  const families = new Set(Object.values(spec.hosts).map((h) => h.family));
  if (families.size > 1 && hosts) r.error(hf, 'x-hosts mixes IPv4 and IPv6 addresses: a tunnel needs both ends in one family');
  if (vf) parseVxlan(vf, model, r, spec);
  return spec;
}

function parseVxlan(vf: Field, model: Model, r: Reader, spec: HostsSpec): void {
  const m = r.map(vf);
  if (!m) return;
  const keys = r.keys(m, vf.path, VXLAN_KEYS);
  const pf = keys.get('port');
  const port = pf ? r.int(pf, { min: 1, max: 65535 }) : undefined;
  if (port !== undefined) spec.port = port;
  const nf = keys.get('vni');
  const base = nf ? r.int(nf, { min: 1, max: MAX_VNI }) : undefined;
  if (base !== undefined) spec.vniBase = base;
  const lf = keys.get('links');
  const links = lf ? r.map(lf) : undefined;
  for (const e of links?.entries.values() ?? []) {
    const f: Field = { path: `${lf!.path}.${e.key}`, loc: e.keyLoc, node: e.value };
    if (!model.networks[e.key]) {
      r.error(f, `no network or x-links entry "${e.key}" (links are named as under networks:, x-links as A:IF--B:IF)`);
      continue;
    }
    const lm = r.map(f);
    if (!lm) continue;
    const vni = r.keys(lm, f.path, LINK_KEYS).get('vni');
    const v = vni ? r.int(vni, { min: 1, max: MAX_VNI }) : undefined;
    if (v !== undefined) spec.linkVni[e.key] = v;
  }
}
