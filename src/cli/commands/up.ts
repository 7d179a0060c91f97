import { usesDummyParent, usesIpvlan } from '../../plan/resolve/lower-links';
import { removesSharedBridge } from '../../plan/shared-bridge';
import { devicePaths } from '../../plan/devices';
import { usesStorageQuota } from '../../plan/storage-quota';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execute } from '../../apply/execute';
import { Session } from '../../apply/session';
import { stopContainers } from '../../apply/stop';
import { waitUntilUp } from '../../apply/wait';
import { checkFileSources } from '../../apply/file-sources';
import { ExitCode, UsageError } from '../../errors';
import { observeContainer } from '../../observe/containers';
import type { ObservedContainer } from '../../plan/model';
import { renderConfig, type Project } from '../../compose';
import { BootRecords } from '../../sys/boot-records';
import { followLogs } from '../../sys/logs';
import { plan, resolve } from '../../plan';
import { countActions } from '../../plan/actions';
import { cgroupParents } from '../../plan/cgroups';
import { journalAfter, journalBefore } from '../../plan/journal';
import { withoutStarts } from '../../plan/remove';
import { ensureNetnsDir } from '../../sys/netns';
import { flag, optionalSeconds, str, strs, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';
import { renderPlan, renderWarnings, planJson } from '../render';
import { usesNetem } from '../../compose/lab';
import { lineWriter } from './logs';
import { imagesFirst } from '../images-first';
import { hostFor, hostOption } from '../hosts';

const upOptions: OptionSpec[] = [
  { name: 'detach', short: 'd', type: 'boolean', description: 'Run containers in the background (default: stay attached to their output; Ctrl-C stops them)' },
  { name: 'dry-run', type: 'boolean', description: 'Show the plan and change nothing' },
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'Grace period when a container must be stopped (default 10)' },
  { name: 'json', type: 'boolean', description: 'Print the result (or the plan, with --dry-run) as JSON on stdout' },
  { name: 'wait', type: 'boolean', description: 'Wait until every container runs and is healthy (implies -d)' },
  { name: 'wait-timeout', type: 'string', arg: 'SECONDS', description: 'With --wait: give up after this long (default: no limit)' },
  { name: 'build', type: 'boolean', description: 'Build the images of services with a build section first, even if they exist' },
  { name: 'no-build', type: 'boolean', description: 'Build nothing, even a missing image' },
  { name: 'scale', type: 'string', multiple: true, arg: 'SERVICE=N', description: 'Run N replicas of SERVICE (over scale/deploy.replicas; N=0 removes them); repeatable' },
  { name: 'no-start', type: 'boolean', description: 'Create the containers (namespaces, interfaces, cgroups, files) but start none (as `create`)' },
  hostOption,
];

async function up(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli, args.positionals, scaleOption(strs(args, 'scale')));
  checkServices(project, args.positionals);
  const host = hostFor(project, args);
  const stopTimeoutSec = optionalSeconds(str(args, 'timeout'), '--timeout');
  const json = flag(args, 'json');
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  const startedAt = performance.now();
  try {
    const rootfsDirs = Object.values(project.services).flatMap((s) => (s.rootfs ? [s.rootfs] : []));
    // Images first (pull_policy), outside the project lock; a dry run pulls nothing.
    if (flag(args, 'build') && flag(args, 'no-build')) throw new UsageError('up: --build and --no-build contradict each other');
    if (flag(args, 'no-start') && flag(args, 'wait')) throw new UsageError('up: --no-start and --wait contradict each other');
    const build = flag(args, 'build') ? 'always' : flag(args, 'no-build') ? 'never' : undefined;
    checkFileSources(project, args.positionals);
    const images = await imagesFirst(cli, project, args.positionals, session.emit, !flag(args, 'dry-run'), build);
    if (flag(args, 'dry-run')) {
      const observed = await session.observe({ rootfsDirs, devicePaths: devicePaths(project), layerFs: usesStorageQuota(project), images, cgroupParents: cgroupParents(project, undefined), probeNetem: usesNetem(project), probeIpvlan: usesIpvlan(project), probeDummy: usesDummyParent(project) });
      const full = plan(resolve(project, observed, { services: args.positionals, host }), observed, stopOpts(stopTimeoutSec));
      const p = flag(args, 'no-start') ? withoutStarts(full) : full;
      cli.out(json ? planJson(p) : renderPlan(p));
      return 0;
    }
    session.lockProject();
    // Read under the lock: a run that just finished may have made the project.
    const isNew = !cli.state.readState(project.name);
    // Allocation reads other projects' journals: hold the global lock until ours names our subnets.
    const global = cli.state.lockGlobal();
    let p;
    let desired;
    let observed;
    try {
      const phase = (name: string) => session.emit({ type: 'phase', name, ms: performance.now() });
      phase('project loaded');
      observed = await session.observe({ rootfsDirs, devicePaths: devicePaths(project), layerFs: usesStorageQuota(project), images, cgroupParents: cgroupParents(project, undefined), probeNetem: usesNetem(project), probeIpvlan: usesIpvlan(project), probeDummy: usesDummyParent(project) });
      phase('machine observed');
      desired = resolve(project, observed, { services: args.positionals, host });
      p = plan(desired, observed, stopOpts(stopTimeoutSec));
      if (flag(args, 'no-start')) p = withoutStarts(p);
      cli.err(renderWarnings(p));
      phase('planned');
      const meta = { workingDir: project.workingDir, files: project.files, now: new Date().toISOString() };
      if (countActions(p)) cli.state.writeState(journalBefore(observed.state, desired, meta));
    } catch (e) {
      // Refused before anything was made: leave no trace of a project that never existed.
      if (isNew) cli.state.removeProject(project.name);
      throw e;
    } finally {
      // Removing the machine's default bridge (we were its last user) stays under the lock until done: another project's up may want it.
      if (!p || !removesSharedBridge(p)) global.release();
    }
    const selected = Object.values(desired.containers).filter((c) => !desired.only || desired.only.includes(c.name));
    const logFile = (c: string) => path.join(cli.state.containerDir(project.name, c), 'container.log');
    // Attached: show output from this start on, as Docker Compose does.
    const offsets = new Map(selected.map((c) => [c.name, fileSize(logFile(c.name))]));
    if (countActions(p)) {
      ensureNetnsDir();
      await execute(p, session.env()).finally(() => global.release());
      session.emit({ type: 'phase', name: 'applied', ms: performance.now() });
    }
    cli.state.writeState(
      journalAfter(observed.state, desired, { workingDir: project.workingDir, files: project.files, now: new Date().toISOString(), ...(p.keptNetworks ? { kept: p.keptNetworks } : {}) }),
    );
    recordForBoot(project);
    const started = new Set(p.waves.flat().flatMap((a) => (a.kind === 'container.start' ? [a.container] : [])));
    const untouched = Object.keys(desired.containers).filter((c) => (!desired.only || desired.only.includes(c)) && !started.has(c));
    if (!json) for (const c of untouched) cli.err(` ✔ Container ${c}  ${flag(args, 'no-start') ? 'Created' : 'Running'}\n`);
    if (json) {
      cli.out(
        JSON.stringify(
          {
            project: project.name,
            actions: countActions(p),
            durationMs: Math.round(performance.now() - startedAt),
            containers: Object.keys(desired.containers).sort(),
            networks: Object.values(desired.networks).map((n) => ({ name: n.key, bridge: n.bridge, subnet: n.subnet ?? n.ipv6?.subnet, gateway: n.gateway ?? n.ipv6?.gateway })),
          },
          null,
          2,
        ) + '\n',
      );
    }
    if (flag(args, 'wait')) {
      const limit = optionalSeconds(str(args, 'wait-timeout'), '--wait-timeout');
      await waitUntilUp(cli.state, project.name, selected.map((c) => c.name), limit === undefined ? Infinity : limit * 1000);
      if (!json) cli.err(` ✔ ${selected.length} container(s) running${selected.some((c) => c.launch.healthcheck) ? ' and healthy' : ''}
`);
    }
    if (flag(args, 'detach') || flag(args, 'wait') || flag(args, 'no-start') || json) return 0;
    // `attach: false` services run, but their output is not followed (as Compose); all of them: nothing to show, wait for every one.
    const shown = selected.filter((c) => project.services[c.service]?.attach !== false);
    return await attach(cli, session, shown.length ? shown : selected, offsets, logFile, stopTimeoutSec, !shown.length);
  } finally {
    session.close();
  }
}

/** `--scale web=3 --scale db=0` → {web: 3, db: 0}. */
export function scaleOption(list: string[]): Record<string, number> | undefined {
  if (!list.length) return undefined;
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m || !Number.isSafeInteger(Number(m[2]))) throw new UsageError(`--scale wants SERVICE=N (N a whole number, e.g. web=3), not ${JSON.stringify(s)}`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Print the containers' output until they have all exited, or until Ctrl-C,
 * which stops them (a second Ctrl-C leaves them running and returns).
 */
async function attach(
  cli: Cli,
  session: Session,
  containers: Array<{ name: string; service: string }>,
  offsets: Map<string, number>,
  logFile: (c: string) => string,
  stopTimeoutSec: number | undefined,
  silent = false,
): Promise<number> {
  const lines = lineWriter(
    cli,
    containers.map((c) => c.name),
    { prefix: true, timestamps: false },
  );
  const write: typeof lines = silent ? () => {} : lines;
  let interrupted = 0;
  const onSigint = () => {
    interrupted++;
    if (interrupted === 1) cli.err('Gracefully stopping... (press Ctrl+C again to force)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    let lastCheck = 0;
    let allExited = false;
    await followLogs(
      containers.map((c) => ({ key: c.name, file: logFile(c.name), offset: offsets.get(c.name) ?? 0 })),
      write,
      () => {
        if (interrupted) return true;
        if (Date.now() - lastCheck > 500) {
          lastCheck = Date.now();
          allExited = containers.every((c) => !isUp(observeContainer(session.state.containerDir(session.project, c.name), c.name)));
        }
        return allExited;
      },
    );
    if (!interrupted) return 0;
    // A second Ctrl-C stops waiting: the containers are left as they are.
    let forced: () => void = () => {};
    const force = new Promise<void>((resolve) => (forced = () => interrupted > 1 && resolve()));
    process.on('SIGINT', forced);
    try {
      const running = containers.filter((c) => isUp(observeContainer(session.state.containerDir(session.project, c.name), c.name)));
      await Promise.race([stopContainers(session, running, stopTimeoutSec), force]);
    } finally {
      process.off('SIGINT', forced);
    }
    return ExitCode.interrupted;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// `run` containers are not in the file: up leaves them (down removes them).
const stopOpts = (sec: number | undefined) => ({ keepOneOffs: true, ...(sec === undefined ? {} : { stopTimeoutSec: sec }) });

export const upCommand: Command = {
  name: 'up',
  summary: 'Create and start the project (converge the machine to the file).',
  usage: '[SERVICE...]',
  options: upOptions,
  run: up,
};

/** Running, or about to run again by its restart policy. */
const isUp = (o: ObservedContainer) => o.running || !!o.restarting;

/** What `tscompose boot` brings back after a reboot: projects with `always` or `unless-stopped` services. */
function recordForBoot(project: Project): void {
  const records = new BootRecords();
  const restarts = Object.values(project.services).some((s) => s.restart?.policy === 'always' || s.restart?.policy === 'unless-stopped');
  if (restarts) records.write(project.name, renderConfig(project), project.workingDir);
  else records.remove(project.name);
}
