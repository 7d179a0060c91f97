/**
 * `post_start` and `pre_stop` (compose-spec lifecycle hooks): each a list
 * of commands run in the container as `exec` runs one, after it started
 * and before it is stopped. Each entry: `command` (required; a string is
 * split like a shell word list), `user`, `privileged`, `working_dir`,
 * `environment` (a mapping, or a list of KEY=VALUE).
 */
import { environment, type EnvContext } from './environment';
import { HOOK_KEYS } from './keys';
import type { Field } from './read';
import { ShlexError, shlexSplit } from './shlex';
import { childPath } from './tree';
import type { HookSpec, ServiceSpec } from './types';

export function normalizeHooks(svc: ServiceSpec, keys: Map<string, Field>, ctx: EnvContext): void {
  const post = keys.get('post_start');
  const pre = keys.get('pre_stop');
  const postStart = post ? hookList(post, ctx) : undefined;
  const preStop = pre ? hookList(pre, ctx) : undefined;
  if (postStart?.length) svc.postStart = postStart;
  if (preStop?.length) svc.preStop = preStop;
}

function hookList(f: Field, ctx: EnvContext): HookSpec[] {
  const r = ctx.reader;
  const n = f.node;
  if (n.kind === 'scalar' && n.value === null) return [];
  if (n.kind !== 'seq') {
    r.error(f, 'must be a list of hooks ({command, user, privileged, working_dir, environment})');
    return [];
  }
  return n.items.flatMap((it, i) => {
    const h = hook({ path: childPath(f.path, i), loc: it.loc, node: it }, ctx);
    return h ? [h] : [];
  });
}

/** One hook mapping ({command, user, privileged, working_dir, environment}); also develop.watch's `exec`. */
export function hook(f: Field, ctx: EnvContext): HookSpec | undefined {
  const r = ctx.reader;
  const map = r.map(f);
  if (!map) return undefined;
  const keys = r.keys(map, f.path, HOOK_KEYS);
  const cf = keys.get('command');
  if (!cf) {
    r.error(f, 'a hook needs a command');
    return undefined;
  }
  const command = commandOf(cf, ctx);
  if (!command) return undefined;
  const out: HookSpec = { command, environment: {} };
  const uf = keys.get('user');
  if (uf) {
    const u = r.text(uf);
    if (u) out.user = u;
  }
  const pf = keys.get('privileged');
  if (pf && r.bool(pf)) out.privileged = true;
  const wf = keys.get('working_dir');
  if (wf) {
    const w = r.string(wf);
    if (w !== undefined && !w.startsWith('/')) r.error(wf, `"${w}" is not an absolute path`);
    else if (w) out.workingDir = w;
  }
  const ef = keys.get('environment');
  if (ef) out.environment = Object.fromEntries(ef.node.kind === 'seq' ? envList(ef, ctx) : environment(ef, ctx));
  return out;
}

function commandOf(f: Field, ctx: EnvContext): string[] | undefined {
  const r = ctx.reader;
  const n = f.node;
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    try {
      const argv = shlexSplit(n.value);
      if (argv.length) return argv;
      r.error(f, 'must not be empty');
      return undefined;
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
      r.error(f, `cannot split "${n.value}" into arguments: ${e.message}`);
      return undefined;
    }
  }
  const items = n.kind === 'seq' ? r.strings(f) : (r.error(f, 'must be a string or a list of strings'), undefined);
  if (items && !items.length) r.error(f, 'must not be empty');
  return items?.length ? items.map((i) => i.value) : undefined;
}

/** `- KEY=VALUE` entries (`KEY` alone: the value from the environment, dropped when unset). */
function envList(f: Field, ctx: EnvContext): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const { value, field } of ctx.reader.strings(f) ?? []) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (!key) {
      ctx.reader.error(field, `"${value}" is not KEY=VALUE`);
      continue;
    }
    const v = eq < 0 ? ctx.lookup(key) : value.slice(eq + 1);
    if (v !== undefined) out.push([key, v]);
  }
  return out;
}
