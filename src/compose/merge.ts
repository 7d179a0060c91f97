/**
 * Merges `-f` files, later into earlier, with Docker Compose's rules
 * (compose-go `override`): mappings merge recursively, scalars are replaced,
 * lists are concatenated, and per key:
 *
 *   command, entrypoint, healthcheck.test        replaced
 *   environment, sysctls, labels (after canonical.ts they are mappings)
 *                                                merged by key; null counts as a value
 *   networks (service), depends_on               merged by key, recursively
 *   networks.<n>.aliases, dns, dns_search, dns_opt  concatenated without duplicates
 *   extra_hosts                                  merged by host, addresses unioned
 *   env_file                                     concatenated, unique by path
 *   networks.<n>.ipam.config                     merged by subnet
 *   volumes (service, long syntax after canonical.ts)  merged by target
 *   tmpfs, cap_add, cap_drop, device_cgroup_rules  concatenated without duplicates
 *
 * A null in a later file leaves the earlier value alone (as in Compose);
 * `!reset` removes a key and `!override` replaces instead of merging.
 * Values keep the location of the file that wrote them.
 */
import type { YEntry, YMap, YNode, YSeq } from './tree';

type Rule = 'replace' | 'byKey' | 'concatUnique' | 'hostUnion' | 'envFiles' | 'bySubnet' | 'byTarget' | 'default';

const RULES: ReadonlyArray<[string[], Rule]> = [
  [['services', '*', 'command'], 'replace'],
  [['services', '*', 'entrypoint'], 'replace'],
  [['services', '*', 'healthcheck', 'test'], 'replace'],
  [['services', '*', 'environment'], 'byKey'],
  [['services', '*', 'sysctls'], 'byKey'],
  [['services', '*', 'labels'], 'byKey'],
  [['services', '*', 'annotations'], 'byKey'],
  [['services', '*', 'deploy', 'labels'], 'byKey'],
  [['networks', '*', 'labels'], 'byKey'],
  [['networks', '*', 'driver_opts'], 'byKey'],
  [['services', '*', 'dns'], 'concatUnique'],
  [['services', '*', 'dns_search'], 'concatUnique'],
  [['services', '*', 'dns_opt'], 'concatUnique'],
  [['services', '*', 'networks', '*', 'aliases'], 'concatUnique'],
  [['services', '*', 'extra_hosts'], 'hostUnion'],
  [['services', '*', 'env_file'], 'envFiles'],
  [['networks', '*', 'ipam', 'config'], 'bySubnet'],
  [['services', '*', 'volumes'], 'byTarget'],
  [['services', '*', 'tmpfs'], 'concatUnique'],
  [['services', '*', 'cap_add'], 'concatUnique'],
  [['services', '*', 'cap_drop'], 'concatUnique'],
  [['services', '*', 'device_cgroup_rules'], 'concatUnique'],
  [['volumes', '*', 'labels'], 'byKey'],
];

function ruleFor(segs: readonly string[]): Rule {
  for (const [pattern, rule] of RULES) {
    if (pattern.length !== segs.length) continue;
    if (pattern.every((p, i) => p === '*' || p === segs[i])) return rule;
  }
  return 'default';
}

/** `over` merged into `base`; neither is modified. */
export function mergeMaps(base: YMap, over: YMap, segs: readonly string[] = []): YMap {
  const entries = new Map(base.entries);
  for (const [k, oe] of over.entries) {
    if (oe.value.tag === 'reset') {
      entries.delete(k);
      continue;
    }
    const be = entries.get(k);
    if (!be || oe.value.tag === 'override') {
      entries.set(k, oe);
      continue;
    }
    const value = mergeValues(be.value, oe.value, [...segs, k]);
    entries.set(k, value === oe.value ? oe : { ...be, value });
  }
  return { ...base, entries };
}

function mergeValues(base: YNode, over: YNode, segs: readonly string[]): YNode {
  if (over.kind === 'scalar' && over.value === null) return base;
  const rule = ruleFor(segs);
  if (rule === 'replace') return over;
  if (base.kind === 'map' && over.kind === 'map') {
    if (rule === 'byKey') {
      const entries = new Map(base.entries);
      for (const [k, e] of over.entries) {
        if (e.value.tag === 'reset') entries.delete(k);
        else entries.set(k, e);
      }
      return { ...base, entries };
    }
    if (rule === 'hostUnion') {
      const entries = new Map(base.entries);
      for (const [k, e] of over.entries) {
        const prev = entries.get(k);
        entries.set(k, prev && prev.value.kind === 'seq' && e.value.kind === 'seq' ? { ...prev, value: concatUnique(prev.value, e.value) } : e);
      }
      return { ...base, entries };
    }
    return mergeMaps(base, over, segs);
  }
  if (base.kind === 'seq' && over.kind === 'seq') {
    switch (rule) {
      case 'concatUnique':
        return concatUnique(base, over);
      case 'envFiles':
        return uniqueByKey(base, over, 'path');
      case 'bySubnet':
        return bySubnet(base, over, segs);
      case 'byTarget':
        return uniqueByKey(base, over, 'target');
      default:
        return { ...base, items: [...base.items, ...over.items] };
    }
  }
  return over;
}

function scalarKey(node: YNode): unknown {
  return node.kind === 'scalar' ? node.value : node;
}

function concatUnique(base: YSeq, over: YSeq): YSeq {
  const seen = new Set(base.items.map(scalarKey));
  const items = [...base.items];
  for (const it of over.items) {
    const k = scalarKey(it);
    if (seen.has(k)) continue;
    seen.add(k);
    items.push(it);
  }
  return { ...base, items };
}

function field(node: YNode, key: string): unknown {
  if (node.kind !== 'map') return undefined;
  const e = node.entries.get(key);
  return e && e.value.kind === 'scalar' ? e.value.value : undefined;
}

/** Later items replace earlier ones with the same `key` field, in place; new ones are appended. */
function uniqueByKey(base: YSeq, over: YSeq, key: string): YSeq {
  const items = [...base.items];
  for (const it of over.items) {
    const k = field(it, key);
    const at = k === undefined ? -1 : items.findIndex((b) => field(b, key) === k);
    if (at >= 0) items[at] = it;
    else items.push(it);
  }
  return { ...base, items };
}

function bySubnet(base: YSeq, over: YSeq, segs: readonly string[]): YSeq {
  const items = [...base.items];
  for (const it of over.items) {
    const subnet = field(it, 'subnet');
    const at = subnet === undefined ? -1 : items.findIndex((b) => field(b, 'subnet') === subnet);
    const prev = at >= 0 ? items[at] : undefined;
    if (prev && prev.kind === 'map' && it.kind === 'map') items[at] = mergeMaps(prev, it, [...segs, String(at)]);
    else items.push(it);
  }
  return { ...base, items };
}

/** Drops `!reset` entries left over (e.g. in the first file, where there is nothing to reset). */
export function dropResets(node: YMap): YMap {
  const walk = (n: YNode): YNode => {
    if (n.kind === 'scalar') return n;
    if (n.kind === 'seq') {
      let changed = false;
      const items = n.items.map((it) => {
        const r = walk(it);
        if (r !== it) changed = true;
        return r;
      });
      return changed ? { ...n, items } : n;
    }
    let entries: Map<string, YEntry> | undefined;
    for (const [k, e] of n.entries) {
      if (e.value.tag === 'reset') {
        entries ??= new Map(n.entries);
        entries.delete(k);
        continue;
      }
      const v = walk(e.value);
      if (v !== e.value) {
        entries ??= new Map(n.entries);
        entries.set(k, { ...e, value: v });
      }
    }
    return entries ? { ...n, entries } : n;
  };
  return walk(node) as YMap;
}
