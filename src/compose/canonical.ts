/**
 * Rewrites each file's short syntaxes into the long (mapping) syntax before
 * files are merged, so that `-f a.yaml -f b.yaml` merges `environment`,
 * `networks`, `depends_on`, … by key whichever form each file used, as
 * Compose does. Only keys we implement are rewritten; a value of the wrong
 * shape is reported here and dropped.
 *
 *   environment / sysctls / labels / annotations   [K=V, K] → {K: V, K: null}
 *   label_file                       "f"             → ["f"]
 *   networks (service)               [a, b]          → {a: null, b: null}
 *   depends_on                       [a]             → {a: {condition: service_started, required: true}}
 *   dns / dns_search                 "x"             → ["x"]
 *   extra_hosts                      ["h:ip", "h=ip"] / {h: ip} → {h: [ip, …]}
 *   build                            DIR → {context: DIR}; its args, labels, extra_hosts as above
 *   env_file                         "f" / ["f", {path}]        → [{path: f, required: true}, …]
 *   volumes, tmpfs                   see volumes.ts
 *
 * Nodes can be shared through YAML aliases, so nothing is modified in place.
 */
import type { Issues } from './issues';
import { childPath, describeNode, scalar } from './tree';
import type { YEntry, YMap, YNode, YScalar, YSeq } from './tree';
import { FORBIDDEN_KEYS } from './yaml';
import { canonicalTmpfs, canonicalVolumes } from './volumes';

type Rewrite = (node: YNode, path: string, issues: Issues) => YNode | undefined;

const SERVICE_REWRITES: ReadonlyMap<string, Rewrite> = new Map<string, Rewrite>([
  ['environment', (n, p, i) => listOrDict(n, p, i, 'null')],
  ['sysctls', (n, p, i) => listOrDict(n, p, i, 'required')],
  ['networks', serviceNetworks],
  ['depends_on', dependsOn],
  ['dns', (n, p, i) => stringOrList(n, p, i, true)],
  ['dns_search', (n, p, i) => stringOrList(n, p, i, true)],
  ['dns_opt', (n, p, i) => stringOrList(n, p, i, false)],
  ['extra_hosts', extraHosts],
  ['env_file', envFile],
  ['volumes', canonicalVolumes],
  ['tmpfs', canonicalTmpfs],
  ['labels', (n, p, i) => listOrDict(n, p, i, 'empty')],
  ['annotations', (n, p, i) => listOrDict(n, p, i, 'empty')],
  ['label_file', (n, p, i) => stringOrList(n, p, i, true)],
  ['build', canonicalBuild],
]);

const BUILD_REWRITES: ReadonlyMap<string, Rewrite> = new Map<string, Rewrite>([
  ['args', (n, p, i) => listOrDict(n, p, i, 'null')],
  ['labels', (n, p, i) => listOrDict(n, p, i, 'empty')],
  ['extra_hosts', extraHosts],
  ['tags', (n, p, i) => stringOrList(n, p, i, false)],
  ['ssh', (n, p, i) => stringOrList(n, p, i, false)],
]);

/** `build: DIR` is `build: {context: DIR}`; the list forms of its args and labels become mappings. */
function canonicalBuild(node: YNode, path: string, issues: Issues): YNode | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    return { kind: 'map', entries: new Map([['context', { key: 'context', keyLoc: node.loc, value: node }]]), loc: node.loc };
  }
  if (node.kind !== 'map') return bad(issues, path, node, 'a build context directory or a mapping');
  return rewriteKeys(node, path, issues, BUILD_REWRITES);
}

const NETWORK_REWRITES: ReadonlyMap<string, Rewrite> = new Map<string, Rewrite>([['labels', (n, p, i) => listOrDict(n, p, i, 'empty')]]);

export function canonicalize(root: YMap, issues: Issues): YMap {
  return rewriteChildren(root, '', (key, value, path) => {
    if (key === 'services' && value.kind === 'map') {
      return rewriteChildren(value, path, (_s, svc, svcPath) => (svc.kind === 'map' ? rewriteKeys(svc, svcPath, issues, SERVICE_REWRITES) : svc));
    }
    if (key === 'networks' && value.kind === 'map') {
      return rewriteChildren(value, path, (_n, net, netPath) => (net.kind === 'map' ? rewriteKeys(net, netPath, issues, NETWORK_REWRITES) : net));
    }
    return value;
  });
}

/** Maps every entry's value through `fn` (undefined drops the entry); copies the map only if something changed. */
function rewriteChildren(map: YMap, path: string, fn: (key: string, value: YNode, path: string) => YNode | undefined): YMap {
  let entries: Map<string, YEntry> | undefined;
  for (const [k, e] of map.entries) {
    const v = fn(k, e.value, childPath(path, k));
    if (v === e.value) continue;
    entries ??= new Map(map.entries);
    if (v === undefined) entries.delete(k);
    else entries.set(k, { ...e, value: v });
  }
  return entries ? { ...map, entries } : map;
}

function rewriteKeys(map: YMap, path: string, issues: Issues, rewrites: ReadonlyMap<string, Rewrite>): YMap {
  return rewriteChildren(map, path, (k, v, p) => {
    const rw = rewrites.get(k);
    // `!reset` values carry no content to rewrite; the merge removes them.
    if (!rw || v.tag === 'reset') return v;
    return rw(v, p, issues);
  });
}

function bad(issues: Issues, path: string, node: YNode, expected: string): undefined {
  issues.fatal(path, `must be ${expected}, not ${describeNode(node)}`, node.loc);
  return undefined;
}

/** A mapping without the entries `ok` rejects (each reported), so one bad value hides no other issue. */
function keepGood(map: YMap, path: string, issues: Issues, expected: string, ok: (v: YNode) => boolean): YMap {
  let entries: Map<string, YEntry> | undefined;
  for (const [k, e] of map.entries) {
    if (ok(e.value)) continue;
    bad(issues, childPath(path, k), e.value, expected);
    entries ??= new Map(map.entries);
    entries.delete(k);
  }
  return entries ? { ...map, entries } : map;
}

/** Builds a map node, rejecting duplicate and forbidden keys from list items. */
class MapBuilder {
  readonly entries = new Map<string, YEntry>();
  constructor(
    private readonly path: string,
    private readonly issues: Issues,
  ) {}
  set(key: string, keyLoc: YNode['loc'], value: YNode): void {
    if (FORBIDDEN_KEYS.has(key)) {
      this.issues.error(childPath(this.path, key), `the name "${key}" is not allowed`, keyLoc);
      return;
    }
    this.entries.set(key, { key, keyLoc, value });
  }
}

function uniqueStrings(seq: YSeq, path: string, issues: Issues): YScalar[] | undefined {
  const seen = new Set<string>();
  const out: YScalar[] = [];
  let ok = true;
  seq.items.forEach((it, i) => {
    if (it.kind !== 'scalar' || typeof it.value !== 'string') {
      issues.fatal(childPath(path, i), `must be a string, not ${describeNode(it)}`, it.loc);
      ok = false;
      return;
    }
    if (seen.has(it.value)) {
      issues.fatal(childPath(path, i), `duplicate entry "${it.value}"`, it.loc);
      ok = false;
      return;
    }
    seen.add(it.value);
    out.push(it);
  });
  return ok ? out : undefined;
}

/**
 * `{K: V}` or `[K=V]`. `bare` says what a list item without "=" means:
 * `null` (environment: inherit), `empty` (labels: ""), `required` (sysctls: error).
 */
function listOrDict(node: YNode, path: string, issues: Issues, bare: 'null' | 'empty' | 'required'): YNode | undefined {
  if (node.kind === 'map') return keepGood(node, path, issues, 'a string, number, boolean or null', (v) => v.kind === 'scalar');
  if (node.kind !== 'seq') return bad(issues, path, node, 'a mapping or a list of "KEY=VALUE" strings');
  const items = uniqueStrings(node, path, issues);
  if (!items) return undefined;
  const b = new MapBuilder(path, issues);
  for (const it of items) {
    const s = it.value as string;
    const eq = s.indexOf('=');
    if (eq < 0) {
      if (bare === 'required') {
        issues.fatal(childPath(path, s), `"${s}" must be KEY=VALUE`, it.loc);
        continue;
      }
      b.set(s, it.loc, scalar(bare === 'null' ? null : '', it.loc));
    } else b.set(s.slice(0, eq), it.loc, { kind: 'scalar', value: s.slice(eq + 1), loc: it.loc });
  }
  return { kind: 'map', entries: b.entries, loc: node.loc };
}

function stringOrList(node: YNode, path: string, issues: Issues, allowString: boolean): YNode | undefined {
  if (allowString && node.kind === 'scalar' && typeof node.value === 'string') return { kind: 'seq', items: [node], loc: node.loc };
  if (node.kind !== 'seq') return bad(issues, path, node, allowString ? 'a string or a list of strings' : 'a list of strings');
  return uniqueStrings(node, path, issues) ? node : undefined;
}

function serviceNetworks(node: YNode, path: string, issues: Issues): YNode | undefined {
  if (node.kind === 'map') return keepGood(node, path, issues, 'a mapping or null', (v) => v.kind === 'map' || (v.kind === 'scalar' && v.value === null));
  if (node.kind !== 'seq') return bad(issues, path, node, 'a list of network names or a mapping');
  const items = uniqueStrings(node, path, issues);
  if (!items) return undefined;
  const b = new MapBuilder(path, issues);
  for (const it of items) b.set(it.value as string, it.loc, scalar(null, it.loc));
  return { kind: 'map', entries: b.entries, loc: node.loc };
}

function dependsOn(node: YNode, path: string, issues: Issues): YNode | undefined {
  if (node.kind === 'map') return keepGood(node, path, issues, 'a mapping with a condition', (v) => v.kind === 'map');
  if (node.kind !== 'seq') return bad(issues, path, node, 'a list of service names or a mapping');
  const items = uniqueStrings(node, path, issues);
  if (!items) return undefined;
  const b = new MapBuilder(path, issues);
  for (const it of items) {
    const entries = new Map<string, YEntry>([
      ['condition', { key: 'condition', keyLoc: it.loc, value: scalar('service_started', it.loc) }],
      ['required', { key: 'required', keyLoc: it.loc, value: scalar(true, it.loc) }],
    ]);
    b.set(it.value as string, it.loc, { kind: 'map', entries, loc: it.loc });
  }
  return { kind: 'map', entries: b.entries, loc: node.loc };
}

/** Splits "host:ip" / "host=ip" (Compose: "=" first, else the first ":"), strips [brackets]. */
export function splitExtraHost(s: string): { host: string; ip: string } | undefined {
  const eq = s.indexOf('=');
  const at = eq >= 0 ? eq : s.indexOf(':');
  if (at <= 0) return undefined;
  return { host: s.slice(0, at), ip: unbracket(s.slice(at + 1)) };
}

export function unbracket(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

function extraHosts(node: YNode, path: string, issues: Issues): YNode | undefined {
  const b = new MapBuilder(path, issues);
  const add = (host: string, hostLoc: YNode['loc'], ip: YScalar) => {
    const prev = b.entries.get(host);
    const seq: YSeq = prev && prev.value.kind === 'seq' ? prev.value : { kind: 'seq', items: [], loc: hostLoc };
    if (!seq.items.some((x) => x.kind === 'scalar' && x.value === ip.value)) seq.items.push(ip);
    if (!prev) b.set(host, hostLoc, seq);
  };
  if (node.kind === 'map') {
    for (const [k, e] of node.entries) {
      const v = e.value;
      const ips = v.kind === 'seq' ? v.items : [v];
      for (const [i, ip] of ips.entries()) {
        if (ip.kind !== 'scalar' || typeof ip.value !== 'string') return bad(issues, v.kind === 'seq' ? childPath(childPath(path, k), i) : childPath(path, k), ip, 'an IP address string');
        add(k, e.keyLoc, { ...ip, value: unbracket(ip.value) });
      }
    }
    return { kind: 'map', entries: b.entries, loc: node.loc };
  }
  if (node.kind !== 'seq') return bad(issues, path, node, 'a list of "host:ip" strings or a mapping');
  const items = uniqueStrings(node, path, issues);
  if (!items) return undefined;
  for (const [i, it] of items.entries()) {
    const split = splitExtraHost(it.value as string);
    if (!split) {
      issues.fatal(childPath(path, i), `"${it.value}" must be "host:ip" or "host=ip"`, it.loc);
      continue;
    }
    add(split.host, it.loc, { kind: 'scalar', value: split.ip, loc: it.loc });
  }
  return { kind: 'map', entries: b.entries, loc: node.loc };
}

function envFile(node: YNode, path: string, issues: Issues): YNode | undefined {
  const long = (n: YScalar): YMap => ({
    kind: 'map',
    entries: new Map<string, YEntry>([
      ['path', { key: 'path', keyLoc: n.loc, value: n }],
      ['required', { key: 'required', keyLoc: n.loc, value: scalar(true, n.loc) }],
    ]),
    loc: n.loc,
  });
  if (node.kind === 'scalar' && typeof node.value === 'string') return { kind: 'seq', items: [long(node)], loc: node.loc };
  if (node.kind !== 'seq') return bad(issues, path, node, 'a path or a list of paths');
  const items: YNode[] = [];
  for (const [i, it] of node.items.entries()) {
    if (it.kind === 'scalar' && typeof it.value === 'string') items.push(long(it));
    else if (it.kind === 'map') items.push(it);
    else return bad(issues, childPath(path, i), it, 'a path or a mapping with "path"');
  }
  return { kind: 'seq', items, loc: node.loc };
}
