/**
 * `post_start` and `pre_stop` hooks: each command run in the container as
 * `exec` runs one (the shim joins its namespaces, cgroup, capabilities,
 * seccomp filter; the Node process never does), with the hook's user,
 * directory, environment and, when `privileged`, every capability.
 * Docker Compose's rules: a failing post_start fails the start (the
 * container keeps running, as Compose leaves it); a failing pre_stop is
 * reported and the stop goes on.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { capabilityMask, CAPABILITIES } from '../linux/capabilities';
import { execSettings } from '../plan/exec-settings';
import type { LaunchHook, LaunchSettings, NetnsPlacement } from '../plan/model';
import { lookupUser } from '../plan/users';
import { readFileInRoot, shimPath } from '../sys/native';
import { execArgs, isAlive, readProcessRef } from '../sys/shim';
import type { ApplyEnv } from './env';

/** What a hook's output keeps for the error message. */
const OUTPUT_TAIL = 2048;

export interface HookTarget {
  name: string;
  dir: string;
  launch: LaunchSettings;
  placement: NetnsPlacement;
}

/** Runs one hook to its end; its exit code and the tail of its output (stdout and stderr). */
// Equivalent to: nsenter -t PID --all --setuid U --wd DIR env K=V… CMD…   (with the container's cgroup, caps and seccomp)
export async function runHook(h: LaunchHook, t: HookTarget, env: ApplyEnv): Promise<{ code: number; output: string }> {
  const init = readProcessRef(path.join(t.dir, 'init.pid'));
  if (!init || !isAlive(init)) return { code: -1, output: `${t.name} is not running` };
  const { cgroup, caps, noNewPrivs, ...base } = execSettings(t.launch, t.placement);
  let user = t.launch.user;
  if (h.user !== undefined) {
    // Looked up in the container's own files, resolved inside its root (its symlinks cannot point at the host's).
    const root = `/proc/${init.pid}/root`;
    const found = lookupUser(h.user, readFileInRoot(root, 'etc/passwd') ?? '', readFileInRoot(root, 'etc/group') ?? '');
    if ('error' in found) return { code: -1, output: `user ${h.user}: ${found.error}` };
    user = found;
  }
  const argv = execArgs({
    ...base,
    pid: init.pid,
    argv: h.argv,
    env: { ...base.env, ...h.env },
    ...(h.cwd ?? base.cwd ? { cwd: h.cwd ?? base.cwd! } : {}),
    ...(user ? { user } : {}),
    ...(h.privileged ? { caps: capabilityMask(CAPABILITIES) } : caps !== undefined ? { caps, ...(noNewPrivs ? { noNewPrivs } : {}) } : {}),
    ...(cgroup !== undefined ? { cgroups: env.cgroups().joinDirs({ parent: '', path: cgroup }) } : {}),
  });
  return new Promise((resolve, reject) => {
    const child = spawn(shimPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString('utf8')).slice(-OUTPUT_TAIL));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code: code ?? 128 + (sig ? 9 : 0), output: output.trim() }));
  });
}

/** post_start: every hook in order; the first failure is an error naming the hook, its code and output. */
export async function postStart(t: HookTarget, env: ApplyEnv): Promise<void> {
  for (const h of t.launch.hooks?.postStart ?? []) {
    const r = await runHook(h, t, env);
    if (r.code !== 0) throw new Error(`post_start hook ${JSON.stringify(h.argv.join(' '))} failed (exit ${r.code})${r.output ? `: ${r.output}` : ''}`);
    env.emit({ type: 'note', verbose: true, message: `${t.name}: post_start ${h.argv.join(' ')} done` });
  }
}

/** pre_stop: every hook in order; a failure is a warning, the stop goes on. */
export async function preStop(t: HookTarget, env: ApplyEnv): Promise<void> {
  for (const h of t.launch.hooks?.preStop ?? []) {
    const r = await runHook(h, t, env);
    if (r.code !== 0) env.emit({ type: 'note', message: `${t.name}: pre_stop hook ${JSON.stringify(h.argv.join(' '))} failed (exit ${r.code})${r.output ? `: ${r.output}` : ''}` });
  }
}
