/**
 * Helpers for the isolation tests: a project directory in a throwaway host,
 * the CLI, the container's processes by their state files, mount tables,
 * and a tiny root filesystem (dash and libc copied from the host) for
 * `x-rootfs`. Everything is read with files and external tools.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Host, RunOptions, RunResult } from './host';

export function writeProject(host: Host, compose: string, dirName = 'project'): string {
  const dir = path.join(host.dir, dirName);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
  return dir;
}

/** The CLI in the project directory (`opts`: env, timeout). */
export async function tsc(host: Host, dir: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return host.tscompose(args, { cwd: dir, ...opts });
}

/** The CLI, which must succeed. */
export async function ok(host: Host, dir: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await tsc(host, dir, args, opts);
  if (r.code !== 0) throw new Error(`tscompose ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

/** A shell script in the host that must succeed; its trimmed stdout. */
export async function sh(host: Host, script: string): Promise<string> {
  const r = await host.sh(script);
  if (r.code !== 0) throw new Error(`${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll a shell condition in the host (no timing is asserted: only that it becomes true). */
export async function waitFor(host: Host, script: string, what: string, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if ((await host.sh(script)).code === 0) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function stateDir(project: string, container: string): string {
  return `/run/tscompose/${project}/containers/${container}`;
}

/** The pid (host's pid namespace) in init.pid or shim.pid. */
export async function pidOf(host: Host, project: string, container: string, file: 'init.pid' | 'shim.pid' = 'init.pid'): Promise<number> {
  return Number((await sh(host, `cut -d' ' -f1 ${stateDir(project, container)}/${file}`)).trim());
}

/** A field of /proc/PID/status ("CapEff", "NoNewPrivs", "Uid", ...). */
export async function status(host: Host, pid: number, key: string): Promise<string> {
  return sh(host, `awk -F'\\t' '$1 == "${key}:" {sub(/^[^\\t]*\\t/, ""); print}' /proc/${pid}/status`);
}

/** Mount points (field 5 of mountinfo) of the host, minus /run/netns entries (ip netns add makes them). */
export async function hostMountPoints(host: Host): Promise<string[]> {
  const text = await sh(host, 'cat /proc/self/mountinfo');
  return text
    .split('\n')
    .map((l) => l.split(' ')[4]!)
    .filter((m) => !m.startsWith('/run/netns/'))
    .sort();
}

/** The container's mount table as it sees it: [mount point, fs type, options (per mount and super)]. */
export async function containerMounts(host: Host, pid: number): Promise<Array<{ point: string; fstype: string; options: string }>> {
  const text = await sh(host, `cat /proc/${pid}/mountinfo`);
  return text.split('\n').map((l) => {
    const f = l.split(' ');
    const dash = f.indexOf('-');
    return { point: f[4]!, fstype: f[dash + 1]!, options: `${f[5]} ${f[dash + 3]}` };
  });
}

/** Everything tscompose could have left in a host: links, netns, state, processes, cgroups. */
export async function leftovers(host: Host): Promise<string[]> {
  const out: string[] = [];
  const links = (await host.ipJson(['link', 'show'])).map((l: any) => l.ifname).filter((n: string) => n !== 'lo');
  if (links.length) out.push(`links: ${links.join(' ')}`);
  const ns = await host.sh('ls -A /run/netns');
  if (ns.stdout.trim()) out.push(`netns: ${ns.stdout.trim()}`);
  const st = await host.sh('ls -A /run/tscompose | grep -v "^\\." || true');
  if (st.stdout.trim()) out.push(`state: ${st.stdout.trim()}`);
  // PID 1 is the holder's bash; the sleep is its child; ps itself and its bash.
  const ps = await host.sh('ps -e -o pid=,comm= | awk \'$1 != 1 && $2 != "ps" && $2 != "sleep" && $2 != "bash" && $2 != "awk"\'');
  if (ps.stdout.trim()) out.push(`processes: ${ps.stdout.trim().replace(/\s+/g, ' ')}`);
  const cgroups = host.cgroupLeftovers();
  if (cgroups.length) out.push(`cgroups: ${cgroups.join(' ')}`);
  return out;
}

/**
 * A minimal root filesystem in DIR: /bin/sh (the host's dash with libc and
 * the loader), and the given /etc/passwd and /etc/group. Enough to run
 * shell builtins inside it (read, echo, printf, test, cd).
 */
export function miniRootfs(dir: string, files: Record<string, string> = {}): string {
  const copy = (src: string, rel: string) => {
    const dst = path.join(dir, rel);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(fs.realpathSync(src), dst);
    fs.chmodSync(dst, 0o755);
  };
  copy('/bin/dash', 'bin/sh');
  copy('/lib/x86_64-linux-gnu/libc.so.6', 'lib/x86_64-linux-gnu/libc.so.6');
  copy('/lib64/ld-linux-x86-64.so.2', 'lib64/ld-linux-x86-64.so.2');
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

/** The non-empty lines of a service's log (no prefixes). */
export async function logLines(host: Host, dir: string, service: string): Promise<string[]> {
  const r = await ok(host, dir, ['logs', '--no-prefix', service]);
  return r.stdout.split('\n').filter(Boolean);
}
