/**
 * A throwaway "host" for privileged tests: new net, mount and pid namespaces
 * held by a bash that reaps orphans (PID 1 there), with tmpfs over
 * /run/tscompose, /var/lib/tscompose (named volumes) and /run/netns so
 * nothing a test makes is visible on the real machine. Everything started inside dies when the holder is killed.
 *
 * Equivalent to:
 *   unshare --net --mount --pid --fork --mount-proc --propagation private \
 *     bash -c 'mount -t tmpfs ... /run/tscompose; ...; while :; do sleep 3600; done'
 * and every command run through `nsenter -t PID -n -m -p`.
 *
 * cgroups: each host gets its own directory in every cgroup hierarchy
 * (`tscompose-test-…`, the leak check looks for it), bind-mounted over the
 * hierarchy's root inside the host: tscompose there creates its cgroups in
 * it, parallel tests never meet, and `stop` removes it whatever was left.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { deviceFilterSupported } from '../../src/sys/cgroup/device-filter';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const cliPath = path.join(repoRoot, 'bin', 'tscompose');

export interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Run a program to completion, collecting its output (never throws on non-zero exit). */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    };
    const child = spawn(argv[0]!, argv.slice(1), spawnOpts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
    // The program may exit before reading its stdin: EPIPE is not a test failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

export class Host {
  /** Unique per host: use it in names so parallel tests never collide. */
  readonly tag: string;
  private constructor(
    readonly pid: number,
    readonly dir: string,
    private readonly holder: ReturnType<typeof spawn>,
    /** This host's cgroup roots: the real directory of each hierarchy's mount point inside the host. */
    readonly cgroupRoots: Map<string, string>,
  ) {
    this.tag = `tsc${pid.toString(36)}`;
  }

  static async start(opts: HostOptions = {}): Promise<Host> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-test-'));
    const cgroupRoots = makeCgroupRoots(`tscompose-test-${path.basename(dir).slice('tsc-test-'.length)}`);
    const script = [
      'set -e',
      'mount -t tmpfs -o mode=0755 tmpfs /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs -o mode=0755 tmpfs /run/netns; }',
      'mkdir -p /run/tscompose && mount -t tmpfs -o mode=0700 tmpfs /run/tscompose',
      ...[...cgroupRoots].map(([mountPoint, real]) => `mount --bind ${real} ${mountPoint}`),
      ...simulationScript(cgroupRoots),
      ...fakeModulesScript(dir, opts),
      'mkdir -p /var/lib/tscompose && mount -t tmpfs -o mode=0700 tmpfs /var/lib/tscompose',
      'ip link set lo up',
      // A new netns copies the machine's IPv4 settings (devconf_inherit_init_net=0): a machine
      // where Docker or a tscompose project set ip_forward must not change what tests see.
      'sysctl -qw net.ipv4.ip_forward=0',
      'echo ready',
      'while :; do sleep 3600; done',
    ].join('\n');
    const holder = spawn(
      'unshare',
      ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', script],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await new Promise<void>((resolve, reject) => {
      let err = '';
      holder.stderr!.on('data', (d) => (err += d));
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`host holder exited ${code}: ${err}`)));
    }).catch((e) => {
      removeCgroupRoots(cgroupRoots);
      throw e;
    });
    void ready;
    // The holder's PID 1 is bash, a child of unshare: find it.
    const pid = findChild(holder.pid!);
    return new Host(pid, dir, holder, cgroupRoots);
  }

  /** Every cgroup tscompose left in this host's hierarchies (the directories below each root). */
  cgroupLeftovers(): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        out.push(path.join(d, e.name));
        walk(path.join(d, e.name));
      }
    };
    for (const real of this.cgroupRoots.values()) if (fs.existsSync(real)) walk(real);
    return out;
  }

  /** The real path of a cgroup directory the host sees at `inside` (under a hierarchy's mount point). */
  cgroupPath(inside: string): string {
    for (const [mountPoint, real] of this.cgroupRoots) {
      if (inside === mountPoint || inside.startsWith(mountPoint + '/')) return real + inside.slice(mountPoint.length);
    }
    throw new Error(`${inside} is in no cgroup hierarchy of this host`);
  }

  /** argv prefix that runs a program inside this host (in `cwd`, since entering the mount namespace resets it). */
  enter(cwd?: string): string[] {
    return ['nsenter', '-t', String(this.pid), '-n', '-m', '-p', ...(cwd ? [`--wd=${cwd}`] : []), '--'];
  }

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run([...this.enter(opts.cwd), ...argv], opts);
  }

  sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.run(['bash', '-c', script], opts);
  }

  /** Run the tscompose CLI inside this host. */
  tscompose(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.run([process.execPath, cliPath, ...args], opts);
  }

  /** `ip -j ARGS` inside the host, parsed. */
  async ipJson(args: string[]): Promise<any> {
    const r = await this.run(['ip', '-j', ...args]);
    if (r.code !== 0) throw new Error(`ip -j ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  /** Kill the holder (and with it every process of the host's pid namespace). */
  async stop(): Promise<void> {
    // A frozen process never dies (its SIGKILL waits for a thaw): a test that failed while it had containers paused must not leave them.
    thawCgroupRoots(this.cgroupRoots);
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    this.holder.kill('SIGKILL');
    await new Promise((r) => (this.holder.exitCode !== null ? r(null) : this.holder.once('exit', r)));
    fs.rmSync(this.dir, { recursive: true, force: true });
    await removeCgroupRoots(this.cgroupRoots);
  }
}

/** cgroup mount points of this machine (v1 hierarchies and the cgroup2 one). */
function cgroupMountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2')
    .map((f) => f[1]!);
}

// ------------------------------------------------------------------ faked security modules

/** What one test's host pretends to have (per test, unlike TSC_TEST_SIMULATE). */
export interface HostOptions {
  /**
   * AppArmor "enabled" with these profiles loaded: the host sees
   * /sys/module/apparmor/parameters/enabled = Y and a
   * /sys/kernel/security/apparmor/profiles listing them ("NAME (enforce)").
   * The kernel itself still has no AppArmor: a profile write is refused.
   */
  apparmor?: string[];
  /** SELinux "enabled": /sys/fs/selinux/enforce reads this (1 enforcing, 0 permissive). */
  selinux?: '0' | '1';
}

/**
 * Shell lines that make the host's /sys say a module is there, by changing
 * what the host really sees (tscompose reads the real files):
 *   /sys/module: an overlay of the fake apparmor/ over the real sysfs directory;
 *   /sys/kernel/security: a tmpfs (securityfs is not mounted here) with apparmor/profiles;
 *   /sys/fs: an overlay with selinux/enforce, the cgroup mounts moved back on top of it.
 * Files under DIR (the host's own temporary directory).
 */
function fakeModulesScript(dir: string, opts: HostOptions): string[] {
  const lines: string[] = [];
  const fake = path.join(dir, 'fake-sys');
  if (opts.apparmor) {
    fs.mkdirSync(path.join(fake, 'module', 'apparmor', 'parameters'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'module', 'apparmor', 'parameters', 'enabled'), 'Y\n');
    lines.push(`mount -t overlay -o lowerdir=${fake}/module:/sys/module tsc-fake /sys/module`);
    const listing = opts.apparmor.map((p) => `${p} (enforce)\n`).join('');
    lines.push('mount -t tmpfs -o mode=0755 tsc-fake /sys/kernel/security', 'mkdir -p /sys/kernel/security/apparmor');
    lines.push(`printf %s ${shellQuote(listing)} > /sys/kernel/security/apparmor/profiles`);
  }
  if (opts.selinux) {
    fs.mkdirSync(path.join(fake, 'fs', 'selinux'), { recursive: true });
    fs.mkdirSync(path.join(fake, 'cgroup-save'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'fs', 'selinux', 'enforce'), `${opts.selinux}\n`);
    lines.push(
      `mount --rbind /sys/fs/cgroup ${fake}/cgroup-save`,
      `mount -t overlay -o lowerdir=${fake}/fs:/sys/fs tsc-fake /sys/fs`,
      `mount --move ${fake}/cgroup-save /sys/fs/cgroup`,
    );
  }
  return lines;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// ------------------------------------------------------------------ simulated hosts

/**
 * TSC_TEST_SIMULATE=no-blkio-weight,missing-controllers,stacked-netns,no-netem
 * makes every throwaway host look like a machine that lacks something, by
 * changing what the host really is (tscompose inside reads real files):
 *
 *   no-blkio-weight      no block I/O weight: the blkio hierarchy is not mounted in the host
 *                        (v2: io is not enabled for its cgroups)
 *   missing-controllers  a cgroup tree without the pids and cpuset controllers (v1: their
 *                        hierarchies are not mounted; v2: not enabled in cgroup.subtree_control)
 *   stacked-netns        /run/netns bind-mounted over itself twice (mounts stacked on one point)
 *   no-netem             no sch_netem. A module the kernel can load cannot be hidden from it
 *                        (the kernel runs modprobe in its own mount namespace): on such a
 *                        machine the tests that need netem to be missing are skipped
 */
export const SIMULATIONS = ['no-blkio-weight', 'missing-controllers', 'stacked-netns', 'no-netem'] as const;
export type Simulation = (typeof SIMULATIONS)[number];

export const simulated: ReadonlySet<Simulation> = (() => {
  const asked = (process.env.TSC_TEST_SIMULATE ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  const unknown = asked.filter((w) => !(SIMULATIONS as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`TSC_TEST_SIMULATE: unknown ${unknown.join(', ')} (known: ${SIMULATIONS.join(', ')})`);
  return new Set(asked as Simulation[]);
})();

/** v1 controller names (and their v2 twins) the simulations take away. */
function hiddenControllers(): Map<string, Simulation> {
  const out = new Map<string, Simulation>();
  if (simulated.has('no-blkio-weight')) for (const c of ['blkio', 'io']) out.set(c, 'no-blkio-weight');
  if (simulated.has('missing-controllers')) for (const c of ['pids', 'cpuset']) out.set(c, 'missing-controllers');
  return out;
}

/** Shell lines for the host's holder that shape it as the simulations ask. */
function simulationScript(cgroupRoots: Map<string, string>): string[] {
  const lines: string[] = [];
  const hidden = hiddenControllers();
  // v1: unmount the hierarchy (our bind mount, then the machine's mount under it) inside the host only.
  for (const [mountPoint, options] of v1Hierarchies()) {
    if (cgroupRoots.has(mountPoint) && options.some((o) => hidden.has(o))) lines.push(`umount ${mountPoint}`, `umount ${mountPoint}`);
  }
  if (simulated.has('stacked-netns')) lines.push('mount --bind /run/netns /run/netns', 'mount --bind /run/netns /run/netns');
  return lines;
}

/** Mount point → mount options of every v1 hierarchy of this machine. */
function v1Hierarchies(): Map<string, string[]> {
  return new Map(
    fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'cgroup')
      .map((f) => [f[1]!, f[3]!.split(',')]),
  );
}

/** The controllers the machine's cgroup2 root gives its children (empty on a hybrid host). */
function v2Controllers(): string[] {
  const mount = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2');
  if (!mount) return [];
  try {
    return fs.readFileSync(path.join(mount[1]!, 'cgroup.subtree_control'), 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

export type HostFeature =
  | 'cgroup:cpu'
  | 'cgroup:cpuset'
  | 'cgroup:memory'
  | 'cgroup:pids'
  | 'cgroup:blkio'
  | 'cgroup:devices'
  | 'netem'
  | 'no-netem'
  | 'tbf'
  | 'ipv6'
  | 'br_netfilter'
  | 'ipvlan'
  | 'no-ipvlan'
  | 'xfs-prjquota';

const V2_NAME: Record<string, string> = { blkio: 'io' };

/** Whether the kernel can make a root qdisc of this kind (asked in a throwaway network namespace). */
function hasQdisc(args: string[]): boolean {
  return spawnSync('unshare', ['--net', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', ...args], { stdio: 'ignore' }).status === 0;
}
const qdiscs = new Map<string, boolean>();
const qdisc = (kind: string, args: string[]) => {
  if (!qdiscs.has(kind)) qdiscs.set(kind, hasQdisc([kind, ...args]));
  return qdiscs.get(kind)!;
};

/** Why the throwaway hosts of this machine (as simulated) lack `feature`; undefined when they have it. */
export function lacking(feature: HostFeature): string | undefined {
  if (feature.startsWith('cgroup:')) {
    const c = feature.slice('cgroup:'.length);
    const by = hiddenControllers().get(c);
    if (by) return `no ${c} cgroup controller (simulated: ${by})`;
    const v1 = [...v1Hierarchies().values()].some((o) => o.includes(c));
    // cgroup v2 has no devices controller: the allowlist is an eBPF program there.
    if (c === 'devices') return v1 || deviceFilterSupported() ? undefined : 'neither a v1 devices cgroup hierarchy nor a kernel that loads cgroup device programs (CONFIG_CGROUP_BPF)';
    return v1 || v2Controllers().includes(V2_NAME[c] ?? c) ? undefined : `this machine has no ${c} cgroup controller (neither a v1 hierarchy nor enabled on cgroup2)`;
  }
  if (feature === 'netem') {
    if (simulated.has('no-netem')) return 'no sch_netem (simulated: no-netem)';
    return qdisc('netem', ['delay', '1ms']) ? undefined : 'this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)';
  }
  if (feature === 'ipv6') {
    const off = fs.existsSync('/proc/sys/net/ipv6/conf/default/disable_ipv6') && fs.readFileSync('/proc/sys/net/ipv6/conf/default/disable_ipv6', 'utf8').trim() === '1';
    return fs.existsSync('/proc/net/if_inet6') && !off ? undefined : 'IPv6 is disabled on this machine';
  }
  if (feature === 'br_netfilter') {
    const module = fs.existsSync('/proc/sys/net/bridge') || spawnSync('modprobe', ['-n', '-q', 'br_netfilter']).status === 0;
    const tools = spawnSync('sh', ['-c', 'command -v iptables && command -v ip6tables'], { stdio: 'ignore' }).status === 0;
    return module && tools ? undefined : `${module ? '' : 'no br_netfilter module'}${!module && !tools ? '; ' : ''}${tools ? '' : 'no iptables/ip6tables'}`;
  }
  if (feature === 'ipvlan' || feature === 'no-ipvlan') {
    // Asked in a throwaway namespace: an ipvlan on one end of a veth pair.
    const has = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link add p0 type veth peer name p1 && ip link add link p0 name p2 type ipvlan mode l2'], { stdio: 'ignore' }).status === 0;
    if (feature === 'ipvlan') return has ? undefined : 'this kernel has no ipvlan (CONFIG_IPVLAN)';
    return has ? 'this kernel has ipvlan' : undefined;
  }
  if (feature === 'xfs-prjquota') {
    // Asked in a throwaway mount namespace: a sparse xfs image mounted with prjquota (the loop device goes with the mount).
    const probe = "d=$(mktemp -d) && truncate -s 300M $d/img && mkfs.xfs -q $d/img && unshare -m sh -c \"mount -o loop,prjquota $d/img $d && umount $d\"; r=$?; rm -rf $d; exit $r";
    return spawnSync('sh', ['-c', probe], { stdio: 'ignore' }).status === 0 ? undefined : 'this kernel has no quota support (CONFIG_XFS_QUOTA)';
  }
  if (feature === 'no-netem') return qdisc('netem', ['delay', '1ms']) ? `this kernel has sch_netem${simulated.has('no-netem') ? ', which no-netem cannot hide from its module loader' : ''}` : undefined;
  return qdisc('tbf', ['rate', '1mbit', 'burst', '32kbit', 'latency', '400ms']) ? undefined : 'this kernel has no sch_tbf (CONFIG_NET_SCH_TBF)';
}

/**
 * `test` when the throwaway hosts have every feature; otherwise `test.skip`,
 * with the reason in the title (./scripts/test lists skipped tests and why).
 */
export function testNeeding(...features: HostFeature[]): (title: string, fn: (t: ExecutionContext) => Promise<void>) => void {
  const reasons = features.map(lacking).filter((r): r is string => r !== undefined);
  if (!reasons.length) return (title, fn) => test(title, fn);
  return (title, fn) => test.skip(`${title} [skipped: ${reasons.join('; ')}]`, fn);
}

/** A fresh directory `name` in every hierarchy, set up as a parent of our cgroups would be. */
function makeCgroupRoots(name: string): Map<string, string> {
  const roots = new Map<string, string>();
  try {
    for (const mountPoint of cgroupMountPoints()) {
      const real = path.join(mountPoint, name);
      fs.mkdirSync(real);
      roots.set(mountPoint, real);
      // v1 cpuset: a new cgroup has no CPUs until given some.
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        if (fs.existsSync(path.join(real, f))) fs.writeFileSync(path.join(real, f), fs.readFileSync(path.join(mountPoint, f), 'utf8').trim());
      }
      // cgroup2: let our cgroups use the controllers this machine delegates here.
      const controllers = path.join(real, 'cgroup.controllers');
      if (fs.existsSync(controllers)) {
        const hidden = hiddenControllers();
        for (const c of fs.readFileSync(controllers, 'utf8').split(/\s+/).filter((w) => w && !hidden.has(w))) {
          try {
            fs.writeFileSync(path.join(real, 'cgroup.subtree_control'), `+${c}`);
          } catch {
            /* not enabled: tests that need it say so */
          }
        }
      }
    }
  } catch (e) {
    void removeCgroupRoots(roots);
    throw e;
  }
  return roots;
}

/** Thaw every frozen cgroup below each root (v1 freezer.state, v2 cgroup.freeze). */
function thawCgroupRoots(roots: Map<string, string>): void {
  const walk = (d: string) => {
    for (const [file, value] of [['freezer.state', 'THAWED'], ['cgroup.freeze', '0']] as const) {
      try {
        fs.writeFileSync(path.join(d, file), value);
      } catch {
        /* not this hierarchy's file */
      }
    }
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const real of roots.values()) if (fs.existsSync(real)) walk(real);
}

/** rmdir of every cgroup below and including each root, deepest first; processes that are still dying get a few seconds. */
async function removeCgroupRoots(roots: Map<string, string>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (const real of roots.values()) {
    const dirs: string[] = [];
    const walk = (d: string) => {
      dirs.push(d);
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    if (!fs.existsSync(real)) continue;
    walk(real);
    for (const d of dirs.reverse()) {
      for (;;) {
        try {
          fs.rmdirSync(d);
          break;
        } catch (e: any) {
          if (e?.code === 'ENOENT') break;
          if (e?.code !== 'EBUSY' || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }
}

function findChild(parent: number): number {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('cat', [`/proc/${parent}/task/${parent}/children`], { encoding: 'utf8' });
    const kids = r.stdout.trim().split(/\s+/).filter(Boolean);
    if (kids.length) return Number(kids[0]);
  }
  throw new Error(`no child of ${parent}`);
}

/**
 * Run `fn` in a fresh throwaway host (privileged tests need root: without it
 * they fail, they never pass silently). The host is always stopped.
 */
export async function withHost(t: ExecutionContext, fn: (host: Host) => Promise<void>, opts: HostOptions = {}): Promise<void> {
  if (!isRoot()) {
    t.fail('privileged test: run as root');
    return;
  }
  const host = await Host.start(opts);
  try {
    await fn(host);
  } finally {
    await host.stop();
  }
}
