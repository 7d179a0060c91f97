/**
 * `develop.watch` (compose-spec development section): rules that say what
 * `tscompose watch` does when files under a host path change —
 * `sync` (copy them to `target` in the container), `sync+restart`,
 * `sync+exec` (then run `exec`, a hook), `restart`, `rebuild` (build the
 * image again and recreate the container; needs `build:`).
 * `ignore`/`include`: .dockerignore patterns relative to `path`.
 */
import { posix } from 'node:path';
import type { WatchAction, WatchRule } from './develop-types';
import type { EnvContext } from './environment';
import { hook } from './hooks';
import { DEVELOP_KEYS, WATCH_KEYS } from './keys';
import type { Field } from './read';
import { childPath } from './tree';
import type { ServiceSpec } from './types';

const ACTIONS: readonly WatchAction[] = ['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec'];

export function normalizeDevelop(svc: ServiceSpec, keys: Map<string, Field>, ctx: EnvContext): void {
  const f = keys.get('develop');
  if (!f) return;
  const r = ctx.reader;
  const map = r.map(f, { nullable: true });
  if (!map) return;
  const wf = r.keys(map, f.path, DEVELOP_KEYS).get('watch');
  if (!wf) return;
  const n = wf.node;
  if (n.kind !== 'seq') {
    r.wrongType(wf, 'a list of watch rules ({path, action, target, ignore, include, exec, initial_sync})');
    return;
  }
  const watch = n.items.flatMap((it, i) => {
    const rule = watchRule({ path: childPath(wf.path, i), loc: it.loc, node: it }, svc, ctx);
    return rule ? [rule] : [];
  });
  if (watch.length) svc.develop = { watch };
}

function watchRule(f: Field, svc: ServiceSpec, ctx: EnvContext): WatchRule | undefined {
  const r = ctx.reader;
  const map = r.map(f);
  if (!map) return undefined;
  const keys = r.keys(map, f.path, WATCH_KEYS);
  const pf = keys.get('path');
  const af = keys.get('action');
  if (!pf || !af) {
    r.error(f, `a watch rule needs ${!pf ? 'a path' : 'an action'}`);
    return undefined;
  }
  const p = r.string(pf);
  const action = r.string(af);
  if (p === undefined || action === undefined) return undefined;
  if (!p) return void r.error(pf, 'must not be empty');
  if (!(ACTIONS as readonly string[]).includes(action)) return void r.error(af, `"${action}" is not a watch action (one of ${ACTIONS.join(', ')})`);
  const rule: WatchRule = { action: action as WatchAction, path: posix.resolve(ctx.projectDir, p), ignore: [], where: { path: f.path, loc: f.loc } };
  const tf = keys.get('target');
  if (tf) {
    const t = r.string(tf);
    if (t !== undefined && !t.startsWith('/')) r.error(tf, `"${t}" is not an absolute path in the container`);
    else if (t) rule.target = posix.normalize(t).replace(/(.)\/+$/, '$1');
  }
  const syncs = action.startsWith('sync');
  if (syncs && !rule.target && !tf) r.error(f, `action ${action} needs a target (the path in the container)`);
  if (!syncs && tf) r.error(tf, `only the sync actions use a target (this rule's action is ${action})`);
  for (const [key, into] of [['ignore', 'ignore'], ['include', 'include']] as const) {
    const lf = keys.get(key);
    if (!lf) continue;
    const items = lf.node.kind === 'scalar' && typeof lf.node.value === 'string' ? [lf.node.value] : (r.strings(lf) ?? []).map((x) => x.value);
    if (into === 'ignore') rule.ignore = items;
    else rule.include = items;
  }
  const ef = keys.get('exec');
  if (ef) {
    const h = hook(ef, ctx);
    if (h) rule.exec = h;
  }
  if (action === 'sync+exec' && !ef) r.error(f, 'action sync+exec needs exec (the command to run after a sync)');
  if (action !== 'sync+exec' && ef) r.error(ef, `only sync+exec runs a command (this rule's action is ${action})`);
  const isf = keys.get('initial_sync');
  if (isf && r.bool(isf)) {
    if (!syncs) r.error(isf, `initial_sync applies to the sync actions (this rule's action is ${action})`);
    else rule.initialSync = true;
  }
  if (action === 'rebuild' && !svc.build) r.error(af, 'action rebuild needs the service to have a build section (the image is built again)');
  return rule;
}
