/**
 * `run [--rm] [-e K=V] [--entrypoint CMD] [--no-deps] [-T] [--name N]
 * SERVICE [CMD...]`: a one-off container with the service's configuration
 * (plan/one-off.ts), its dependencies started first (as `up` starts them),
 * and the command attached to this terminal, its exit code ours.
 *
 * How: the one-off container is created as `up` creates any container, with
 * the pause process as its main process (it holds the namespaces); the
 * command then runs in it as `exec` runs one (the shim joins its
 * namespaces, cgroup and security settings, relays a pty or stdio). When
 * it ends, the container is stopped, its exit status recorded as the
 * command's, and with --rm removed.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { execute } from '../../apply/execute';
import { Session } from '../../apply/session';
import { stopContainers } from '../../apply/stop';
import { checkFileSources } from '../../apply/file-sources';
import { UsageError } from '../../errors';
import { shlexSplit } from '../../compose/shlex';
import type { Project } from '../../compose/types';
import { plan, resolve } from '../../plan';
import { countActions } from '../../plan/actions';
import { cgroupParents } from '../../plan/cgroups';
import { execSettings } from '../../plan/exec-settings';
import { journalAfter, journalBefore } from '../../plan/journal';
import { oneOffService } from '../../plan/one-off';
import { removalPlan } from '../../plan/remove';
import { hostCgroups } from '../../sys/cgroup';
import { recordExitCode } from '../../sys/container-files';
import { ensureNetnsDir } from '../../sys/netns';
import { execArgs, readProcessRef } from '../../sys/shim';
import { flag, str, strs, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';
import { imagesFirst } from '../images-first';
import { runShim } from './exec';
import { usesStorageQuota } from '../../plan/storage-quota';

const options: OptionSpec[] = [
  { name: 'rm', type: 'boolean', description: 'Remove the container once the command exits' },
  { name: 'env', short: 'e', type: 'string', multiple: true, arg: 'KEY=VALUE', description: 'Set an environment variable' },
  { name: 'entrypoint', type: 'string', arg: 'CMD', description: 'Override the entrypoint (split like a shell word list; drops the service\'s command)' },
  { name: 'no-deps', type: 'boolean', description: 'Do not start the services it depends on' },
  { name: 'no-TTY', short: 'T', type: 'boolean', description: 'Do not allocate a terminal (default: one when stdin is a terminal)' },
  { name: 'name', type: 'string', arg: 'NAME', description: 'The container\'s name (default <project>-<service>-run-<id>)' },
];

function envOf(list: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants KEY=VALUE, not ${JSON.stringify(kv)}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/** Creates and starts the one-off (and its dependencies); returns its container name and the argv to run in it. */
async function createOneOff(cli: Cli, project: Project, args: Parsed, service: string, command: string[]): Promise<{ container: string; argv: string[] }> {
  const entrypoint = str(args, 'entrypoint');
  const svc = oneOffService(project, service, {
    id: randomBytes(6).toString('hex'),
    ...(command.length ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint: shlexSplit(entrypoint) } : {}),
    env: envOf(strs(args, 'env')),
    noDeps: flag(args, 'no-deps'),
    ...(str(args, 'name') ? { name: str(args, 'name')! } : {}),
  });
  project.services[svc.name] = svc;
  checkFileSources(project, [svc.name]);
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  try {
    const images = await imagesFirst(cli, project, [svc.name], session.emit, true);
    session.lockProject();
    const meta = () => ({ workingDir: project.workingDir, files: project.files, now: new Date().toISOString() });
    // Allocation (its address) reads other projects' journals: the global lock until ours names it.
    const global = cli.state.lockGlobal();
    let p, desired, observed, container, argv;
    try {
      observed = await session.observe({ images, cgroupParents: cgroupParents(project, undefined), layerFs: usesStorageQuota(project) });
      desired = resolve(project, observed, { services: [svc.name] });
      const c = desired.containers[svc.containerName!];
      if (!c) throw new UsageError(`no container for ${service}`);
      if (observed.state?.containers[c.name]) throw new UsageError(`a container named ${c.name} exists already`);
      if (!c.launch.argv.length) throw new UsageError(`service ${service} has no command: give one (tscompose run ${service} CMD...)`);
      container = c.name;
      argv = c.launch.argv;
      c.oneOff = true;
      // The pause process holds the namespaces; the command runs in them as `exec` runs one (no healthcheck for a one-off).
      const { healthcheck: _h, ...launch } = c.launch;
      c.launch = { ...launch, argv: [] };
      p = plan(desired, observed, {});
      cli.state.writeState(journalBefore(observed.state, desired, meta()));
    } finally {
      global.release();
    }
    if (countActions(p)) {
      ensureNetnsDir();
      await execute(p, session.env());
    }
    cli.state.writeState(journalAfter(observed.state, desired, meta()));
    return { container, argv };
  } finally {
    session.close();
  }
}

async function run(cli: Cli, args: Parsed): Promise<number> {
  const [service, ...command] = args.positionals;
  if (!service) throw new UsageError('usage: tscompose run [--rm] [-e K=V] [--entrypoint CMD] [--no-deps] [-T] [--name NAME] SERVICE [CMD...]');
  const project = loadComposeProject(cli, [service]);
  checkServices(project, [service]);
  const { container, argv } = await createOneOff(cli, project, args, service, command);
  let code = 125;
  try {
    const state = cli.state.readState(project.name)!.containers[container]!;
    const init = readProcessRef(path.join(cli.state.containerDir(project.name, container), 'init.pid'));
    if (!init) throw new UsageError(`container ${container} did not start`);
    const { cgroup, ...rest } = execSettings(state.launch, state.netnsPlacement);
    const tty = cli.stdinIsTTY && !flag(args, 'no-TTY');
    const cgroups = cgroup !== undefined ? { cgroups: hostCgroups().joinDirs({ parent: '', path: cgroup }) } : {};
    code = await runShim(execArgs({ ...rest, pid: init.pid, argv, tty, ...cgroups }), tty);
  } finally {
    await finish(cli, project.name, container, code, flag(args, 'rm'));
  }
  return code;
}

/** The command has exited: stop the container (its pause process) and record the command's code; --rm removes it. */
async function finish(cli: Cli, project: string, container: string, code: number, remove: boolean): Promise<void> {
  const session = new Session(project, cli.state, () => {});
  try {
    session.lockProject();
    const state = cli.state.readState(project)!;
    const c = state.containers[container]!;
    if (remove) {
      await execute(removalPlan(state, [container]), session.env(), { continueOnError: true });
      const after = cli.state.readState(project) ?? state;
      delete after.containers[container];
      cli.state.writeState({ ...after, updatedAt: new Date().toISOString() });
      return;
    }
    await stopContainers(session, [{ name: container, service: c.service }], 0);
    recordExitCode(cli.state.containerDir(project, container), code);
  } finally {
    session.close();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a one-off command in a new container of a service.',
  usage: 'SERVICE [COMMAND [ARGS...]]',
  options,
  stopAtPositional: true,
  run,
};

