/**
 * `watch [SERVICE...]`: `up` (unless --no-up), then act on file changes as
 * the services' `develop.watch` rules say (Docker Compose's `watch`):
 * sync files into the running containers, restart them, run a command,
 * or rebuild the image and recreate them. Changes are seen through inotify
 * (fs.watch, recursive; no polling) and acted on in batches once the files
 * have been quiet for a moment. Ctrl-C stops watching; the containers keep
 * running.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session } from '../../apply/session';
import { execInContainer, syncContainer } from '../../apply/watch';
import type { Project } from '../../compose';
import { UsageError } from '../../errors';
import { initialSyncs, watchSteps, type WatchChange, type WatchStep } from '../../plan/watch';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, runningInit } from '../containers';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';
import { upCommand } from './up';
import { restartCommand } from './lifecycle';

const options: OptionSpec[] = [
  { name: 'no-up', type: 'boolean', description: 'Do not run up first: watch the project as it runs' },
  { name: 'quiet', type: 'boolean', description: 'Print only problems, not each sync' },
];

/** How long the files must be quiet before a batch is acted on (an editor's save or a git checkout is many events). */
const QUIET_MS = 300;

/** Every file below `p` (p itself when it is not a directory); a path that is gone gives itself. */
function filesUnder(p: string): string[] {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return [p];
  return fs.readdirSync(p, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
}

async function runStep(cli: Cli, project: string, step: WatchStep, quiet: boolean): Promise<string[]> {
  const problems: string[] = [];
  if (step.rebuild) {
    cli.err(` ⟳ Rebuilding service "${step.service}" after changes were detected\n`);
    const code = await upCommand.run(cli, { options: { detach: true, build: true }, positionals: [step.service] });
    if (code !== 0) problems.push(`rebuild of ${step.service} exited ${code}`);
    return problems;
  }
  const { containers } = journalContainers(cli, [step.service]);
  const running = containers.filter((c) => runningInit(c));
  if (!running.length) return [`service ${step.service} has no running container: nothing synced`];
  const session = new Session(project, cli.state, progress(cli, project));
  try {
    for (const c of running) {
      const target = { name: c.name, dir: c.dir, launch: c.state.launch, placement: c.state.netnsPlacement };
      if (step.sync.length) {
        const r = syncContainer(step, target);
        problems.push(...r.failures.map((f) => `${c.name}: ${f}`));
        if (!quiet) cli.err(` ⟳ Synced service "${step.service}" (${c.name}): ${r.copied} copied, ${r.removed} removed\n`);
      }
      if (step.exec.length) problems.push(...(await execInContainer(step, target, session.env())).map((f) => `${c.name}: ${f}`));
    }
  } finally {
    session.close();
  }
  if (step.restart) {
    cli.err(` ⟳ Restarting service "${step.service}" after changes were detected\n`);
    const code = await restartCommand.run(cli, { options: {}, positionals: [step.service] });
    if (code !== 0) problems.push(`restart of ${step.service} exited ${code}`);
  }
  return problems;
}

/** Watches the rules' paths until SIGINT; each quiet batch of changes runs its steps, one batch at a time. */
async function watchLoop(cli: Cli, project: Project, services: string[], quiet: boolean): Promise<void> {
  const roots = [...new Set(services.flatMap((s) => project.services[s]!.develop!.watch.map((r) => r.path)))];
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let busy = Promise.resolve();
  const flush = () => {
    const paths = [...pending];
    pending.clear();
    busy = busy.then(async () => {
      const changes: WatchChange[] = paths.flatMap(filesUnder).map((p) => ({ path: p, exists: fs.existsSync(p) }));
      for (const step of watchSteps(project, services, changes)) {
        for (const p of await runStep(cli, project.name, step, quiet)) cli.err(` ! ${p}\n`);
      }
    });
  };
  const watchers = roots.map((root) => {
    if (!fs.existsSync(root)) throw new UsageError(`develop.watch: ${root} does not exist`);
    const dir = fs.statSync(root).isDirectory() ? root : path.dirname(root);
    return fs.watch(dir, { recursive: fs.statSync(root).isDirectory() }, (_event, name) => {
      const changed = name ? path.join(dir, name.toString()) : dir;
      if (dir !== root && changed !== root) return; // a watched file: only its own changes
      pending.add(changed);
      clearTimeout(timer);
      timer = setTimeout(flush, QUIET_MS);
    });
  });
  cli.err(` ⦿ Watch enabled for ${services.map((s) => `"${s}"`).join(', ')} (Ctrl-C stops watching; the containers keep running)\n`);
  await new Promise<void>((resolve) => process.on('SIGINT', () => resolve()));
  for (const w of watchers) w.close();
  clearTimeout(timer);
  await busy;
  cli.err(' ⦿ Watch stopped\n');
}

async function watch(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli, args.positionals);
  checkServices(project, args.positionals);
  const candidates = args.positionals.length ? args.positionals : Object.keys(project.services).sort();
  const services = candidates.filter((s) => project.services[s]?.develop?.watch.length);
  if (!services.length) throw new UsageError(`none of the services ${args.positionals.length ? 'named ' : ''}has develop.watch: nothing to watch`);
  if (!flag(args, 'no-up')) {
    const code = await upCommand.run(cli, { options: { detach: true }, positionals: args.positionals });
    if (code !== 0) return code;
  }
  const quiet = flag(args, 'quiet');
  const rules = services.flatMap((s) => project.services[s]!.develop!.watch).filter((r) => r.initialSync);
  for (const step of initialSyncs(project, services, rules.flatMap((r) => (fs.existsSync(r.path) ? filesUnder(r.path) : [])))) {
    for (const p of await runStep(cli, project.name, step, quiet)) cli.err(` ! ${p}\n`);
  }
  await watchLoop(cli, project, services, quiet);
  return 0;
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Run up, then sync, restart or rebuild services as their develop.watch rules say when files change.',
  usage: '[SERVICE...]',
  options,
  run: watch,
};
