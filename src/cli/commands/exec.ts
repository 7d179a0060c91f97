import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { UsageError } from '../../errors';
import { lookupUser } from '../../plan/users';
import { execSettings } from '../../plan/exec-settings';
import { hostCgroups } from '../../sys/cgroup';
import { readFileInRoot, shimPath } from '../../sys/native';
import { execArgs, isAlive, readProcessRef } from '../../sys/shim';
import { flag, str, strs, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { projectNameFor, type Cli } from '../context';

const execOptions: OptionSpec[] = [
  { name: 'no-TTY', short: 'T', type: 'boolean', description: 'Do not allocate a terminal (default: one when stdin is a terminal)' },
  { name: 'index', type: 'string', arg: 'N', description: 'Which replica of the service (default 1)' },
  { name: 'user', short: 'u', type: 'string', arg: 'USER[:GROUP]', description: 'Run as this user (a name from the container\'s /etc/passwd, or UID[:GID])' },
  { name: 'workdir', short: 'w', type: 'string', arg: 'DIR', description: 'Working directory inside the container' },
  { name: 'env', short: 'e', type: 'string', multiple: true, arg: 'KEY=VALUE', description: 'Set an environment variable' },
];

/**
 * Run a command inside a running container. The shim joins the container's
 * namespaces (never this Node process); stdio and the exit code pass through.
 */
async function exec(cli: Cli, args: Parsed): Promise<number> {
  const [service, ...command] = args.positionals;
  if (!service || !command.length) throw new UsageError('usage: tscompose exec [-T] SERVICE COMMAND [ARGS...]');
  const { name } = projectNameFor(cli);
  const journal = cli.state.readState(name);
  const index = Number(str(args, 'index') ?? '1');
  const entry = Object.entries(journal?.containers ?? {}).find(([, c]) => c.service === service && c.index === index);
  if (!entry) throw new UsageError(`service ${service} has no container ${index} in project ${name}: run tscompose up first`);
  const [container, state] = entry;
  const init = readProcessRef(path.join(cli.state.containerDir(name, container), 'init.pid'));
  if (!init || !isAlive(init)) throw new UsageError(`container ${container} is not running`);

  const base = execSettings(state.launch, state.netnsPlacement);
  const env = base.env;
  for (const kv of strs(args, 'env')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants KEY=VALUE, not ${JSON.stringify(kv)}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let user = state.launch.user;
  const u = str(args, 'user');
  if (u !== undefined) {
    // Names are looked up in the container's own /etc/passwd (inside its root: its symlinks cannot point us at the host's).
    const root = `/proc/${init.pid}/root`;
    // The container owns these files: one that is not a regular file (a FIFO would block us) is refused.
    const read = (file: string) => {
      try {
        return readFileInRoot(root, file) ?? '';
      } catch (e: any) {
        throw new UsageError(`--user ${u}: ${e?.message ?? e} (container ${container})`);
      }
    };
    // Only what the lookup needs: UID:GID needs neither file, a group name the group file.
    const needsPasswd = !/^\d+:\d+$/.test(u);
    const needsGroup = /:.*\D/.test(u);
    const found = lookupUser(u, needsPasswd ? read('etc/passwd') : '', needsGroup ? read('etc/group') : '');
    if ('error' in found) throw new UsageError(`--user ${u}: ${found.error} of container ${container}`);
    user = found;
  }
  const cwd = str(args, 'workdir') ?? base.cwd;
  const tty = cli.stdinIsTTY && !flag(args, 'no-TTY');
  // As docker exec: the container's limits and privileges (plan/exec-settings.ts); the user, directory and environment as asked.
  const { cgroup, ...rest } = base;
  const shimArgv = execArgs({
    ...rest,
    pid: init.pid,
    argv: command,
    ...(cwd ? { cwd } : {}),
    ...(user ? { user } : {}),
    tty,
    ...(cgroup !== undefined ? { cgroups: hostCgroups().joinDirs({ parent: '', path: cgroup }) } : {}),
  });
  return await runShim(shimArgv, tty);
}

/**
 * With --tty the shim gets our terminal and relays it through a pty of its
 * own; otherwise the command must not get our terminal either (TIOCSTI
 * would type into it, CVE-2016-10124 class): a terminal on fd 0, 1 or 2
 * is replaced by a pipe, other stdio is passed as is.
 */
export async function runShim(shimArgv: string[], tty: boolean): Promise<number> {
  const stdio = [0, 1, 2].map((fd) => (!tty && isatty(fd) ? 'pipe' : 'inherit'));
  const child = spawn(shimPath, shimArgv, { stdio: stdio as ('pipe' | 'inherit')[] });
  // EPIPE once the command exits without reading all of it: not an error of ours.
  child.stdin?.on('error', () => {});
  if (child.stdin) process.stdin.pipe(child.stdin);
  child.stdout?.pipe(process.stdout, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  // The terminal's Ctrl-C reaches the command through the shared process group (or the pty); do not die of it here.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      // 'close': after the command's output was copied.
      child.on('close', (code, sig) => resolve(code ?? 128 + (sig ? osConstants.signals[sig] : 0)));
    });
  } finally {
    process.off('SIGINT', ignore);
    if (child.stdin) {
      process.stdin.unpipe(child.stdin);
      process.stdin.pause();
    }
  }
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Run a command in a running container.',
  usage: 'SERVICE COMMAND [ARGS...]',
  options: execOptions,
  stopAtPositional: true,
  run: exec,
};
