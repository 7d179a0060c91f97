/**
 * The tscompose command line. The only place that prints and the only place
 * that decides the exit status: one top-level catch turns the error family
 * into messages and codes.
 */
import { ExitCode, InternalError, TscError, UsageError } from '../errors';
import { StateDir } from '../sys/state';
import { globalOptions, helpFor, splitVerb, flag, type OptionSpec } from './args';
import type { Cli } from './context';

interface Command {
  run(cli: Cli, argv: string[]): Promise<number>;
  options: OptionSpec[];
}

interface Verb {
  usage: string;
  summary: string;
  /** Loaded on use: `--version` or `ps` should not pay for the planner and netlink. */
  load(): Command;
}

const verbs: Record<string, Verb> = {
  up: {
    usage: 'tscompose up [-d] [--dry-run] [SERVICE...]',
    summary: 'Create and start the project (converge the machine to the file).',
    load: () => {
      const c: typeof import('./commands/up') = require('./commands/up');
      return { run: c.up, options: c.upOptions };
    },
  },
  down: {
    usage: 'tscompose down [-t SECONDS] [-v]',
    summary: 'Stop and remove everything the project made.',
    load: () => {
      const c: typeof import('./commands/down') = require('./commands/down');
      return { run: c.down, options: c.downOptions };
    },
  },
  ps: {
    usage: 'tscompose ps [--json] [-a] [SERVICE...]',
    summary: 'List the project’s containers.',
    load: () => {
      const c: typeof import('./commands/ps') = require('./commands/ps');
      return { run: c.ps, options: c.psOptions };
    },
  },
  plan: {
    usage: 'tscompose plan [--json] [SERVICE...]',
    summary: 'Show what `up` would change, and why.',
    load: () => {
      const c: typeof import('./commands/plan') = require('./commands/plan');
      return { run: c.planCommand, options: c.planOptions };
    },
  },
  check: {
    usage: 'tscompose check [--json]',
    summary: 'Report drift between the file and the machine (changes nothing; exit 7 on drift).',
    load: () => {
      const c: typeof import('./commands/check') = require('./commands/check');
      return { run: c.check, options: c.checkOptions };
    },
  },
  config: {
    usage: 'tscompose config',
    summary: 'Print the normalized, interpolated compose file.',
    load: () => {
      const c: typeof import('./commands/config') = require('./commands/config');
      return { run: c.config, options: c.configOptions };
    },
  },
  logs: {
    usage: 'tscompose logs [-f] [-t] [--tail N] [SERVICE...]',
    summary: 'Show the output of the project’s containers.',
    load: () => {
      const c: typeof import('./commands/logs') = require('./commands/logs');
      return { run: c.logs, options: c.logsOptions };
    },
  },
  start: {
    usage: 'tscompose start [SERVICE...]',
    summary: 'Start the project’s stopped containers (keeping their files).',
    load: () => {
      const c: typeof import('./commands/lifecycle') = require('./commands/lifecycle');
      return { run: c.start, options: c.startOptions };
    },
  },
  stop: {
    usage: 'tscompose stop [-t SECONDS] [SERVICE...]',
    summary: 'Stop running containers without removing them.',
    load: () => {
      const c: typeof import('./commands/lifecycle') = require('./commands/lifecycle');
      return { run: c.stop, options: c.stopOptions };
    },
  },
  restart: {
    usage: 'tscompose restart [-t SECONDS] [SERVICE...]',
    summary: 'Stop and start containers again.',
    load: () => {
      const c: typeof import('./commands/lifecycle') = require('./commands/lifecycle');
      return { run: c.restart, options: c.restartOptions };
    },
  },
  kill: {
    usage: 'tscompose kill [-s SIGNAL] [SERVICE...]',
    summary: 'Send a signal (default SIGKILL) to running containers.',
    load: () => {
      const c: typeof import('./commands/lifecycle') = require('./commands/lifecycle');
      return { run: c.kill, options: c.killOptions };
    },
  },
  top: {
    usage: 'tscompose top [SERVICE...]',
    summary: 'Show the processes of running containers.',
    load: () => {
      const c: typeof import('./commands/top') = require('./commands/top');
      return { run: c.top, options: c.topOptions };
    },
  },
  stats: {
    usage: 'tscompose stats [--no-stream] [--json] [SERVICE...]',
    summary: 'Show the containers’ CPU, memory, network, block I/O and pids, live.',
    load: () => {
      const c: typeof import('./commands/stats') = require('./commands/stats');
      return { run: c.stats, options: c.statsOptions };
    },
  },
  graph: {
    usage: 'tscompose graph [--format dot|mermaid|svg|html]',
    summary: 'Draw the topology: services, bridges, p2p links, addresses.',
    load: () => {
      const c: typeof import('./commands/graph') = require('./commands/graph');
      return { run: c.graph, options: c.graphOptions };
    },
  },
  verify: {
    usage: 'tscompose verify [--json] [--trace FROM TO]',
    summary: 'Probe who reaches whom and compare with what the file implies.',
    load: () => {
      const c: typeof import('./commands/verify') = require('./commands/verify');
      return { run: c.verify, options: c.verifyOptions };
    },
  },
  pull: {
    usage: 'tscompose pull [--quiet] [--json] [--platform OS/ARCH] IMAGE...',
    summary: 'Fetch images from their registries into the image store.',
    load: () => {
      const c: typeof import('./commands/pull') = require('./commands/pull');
      return { run: c.pullCommand, options: c.pullOptions };
    },
  },
  images: {
    usage: 'tscompose images [--json] [-q]',
    summary: 'List the images in the store and the disk they use.',
    load: () => {
      const c: typeof import('./commands/images') = require('./commands/images');
      return { run: c.imagesCommand, options: c.imagesOptions };
    },
  },
  rmi: {
    usage: 'tscompose rmi IMAGE...',
    summary: 'Remove images (and the layers no other image uses).',
    load: () => {
      const c: typeof import('./commands/rmi') = require('./commands/rmi');
      return { run: c.rmiCommand, options: c.rmiOptions };
    },
  },
  login: {
    usage: 'tscompose login [-u USER] [-p PASSWORD | --password-stdin] [REGISTRY]',
    summary: 'Check and store registry credentials (in ~/.docker/config.json, as Docker does).',
    load: () => {
      const c: typeof import('./commands/login') = require('./commands/login');
      return { run: c.loginCommand, options: c.loginOptions };
    },
  },
  logout: {
    usage: 'tscompose logout [REGISTRY]',
    summary: 'Forget stored registry credentials.',
    load: () => {
      const c: typeof import('./commands/logout') = require('./commands/logout');
      return { run: c.logoutCommand, options: c.logoutOptions };
    },
  },
  exec: {
    usage: 'tscompose exec [-T] [-u USER] [-w DIR] [-e K=V] SERVICE COMMAND [ARGS...]',
    summary: 'Run a command in a running container.',
    load: () => {
      const c: typeof import('./commands/exec') = require('./commands/exec');
      return { run: c.exec, options: c.execOptions };
    },
  },
};

export const VERSION = '0.1.0';

function mainHelp(): string {
  const lines = [
    'Usage: tscompose [OPTIONS] COMMAND',
    '',
    'Compose files reconciled into bridges, veth pairs, namespaces and processes.',
    '',
    'Commands:',
    ...Object.entries(verbs).map(([n, v]) => `  ${n.padEnd(10)} ${v.summary}`),
    '',
    helpFor('', '', globalOptions).split('\n').slice(3).join('\n'),
    'Run `tscompose COMMAND --help` for a command’s options.',
  ];
  return lines.join('\n') + '\n';
}

/**
 * A reader that went away (`tscompose ps | head`) is not an error: stop
 * writing, as other Unix tools do when SIGPIPE ends them.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const cli: Cli = {
    global: { options: {}, positionals: [] },
    cwd: process.cwd(),
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdinIsTTY: !!process.stdin.isTTY,
    state: new StateDir(),
  };
  try {
    const { global, verb, rest } = splitVerb(argv);
    cli.global = global;
    if (flag(global, 'version')) {
      cli.out(`tscompose ${VERSION}\n`);
      return 0;
    }
    if (!verb || flag(global, 'help')) {
      cli.out(mainHelp());
      return verb || flag(global, 'help') ? 0 : ExitCode.usage;
    }
    const v = verbs[verb];
    if (!v) throw new UsageError(`unknown command ${JSON.stringify(verb)} (try: ${Object.keys(verbs).join(', ')})`);
    const command = v.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      cli.out(helpFor(v.usage, v.summary, command.options));
      return 0;
    }
    return await command.run(cli, rest);
  } catch (e) {
    return report(cli, e);
  }
}

function report(cli: Cli, e: unknown): number {
  const err = e instanceof TscError ? e : new InternalError(e instanceof Error ? (e.stack ?? e.message) : String(e), e);
  const wantsJson = process.argv.includes('--json');
  if (wantsJson) cli.out(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
  if (err instanceof InternalError) {
    cli.err(`tscompose: this is a bug, please report it:\n${err.message}\n`);
  } else {
    cli.err(`tscompose: ${err.message}\n`);
  }
  return err.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`tscompose: this is a bug, please report it:\n${String(e?.stack ?? e)}\n`);
      process.exitCode = ExitCode.internal;
    },
  );
}
