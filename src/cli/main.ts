/**
 * The tscompose command line. The only place that prints and the only place
 * that decides the exit status: one top-level catch turns the error family
 * into messages and codes.
 */
import { ExitCode, InternalError, TscError, UsageError } from '../errors';
import { StateDir } from '../sys/state';
import { flag, parseOptions, splitVerb } from './args';
import type { Command } from './command';
import { commandNames, commandTable, loadCommand } from './commands';
import type { Cli } from './context';
import { commandHelp, helpOption, mainHelp } from './help';

export const VERSION = '0.1.0';

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

/** Where main reads and writes; the process's own unless a test gives its own. */
export type Io = Pick<Cli, 'cwd' | 'env' | 'out' | 'err' | 'stdinIsTTY' | 'state'>;

function processIo(): Io {
  quietOnClosedPipe();
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdinIsTTY: !!process.stdin.isTTY,
    state: new StateDir(),
  };
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const cli: Cli = { ...io, global: { options: {}, positionals: [] } };
  let json = false;
  try {
    const { global, verb, rest } = splitVerb(argv);
    cli.global = global;
    if (flag(global, 'version')) {
      cli.out(`tscompose ${VERSION}\n`);
      return 0;
    }
    if (!verb) {
      cli.out(mainHelp(commandTable.map(([, load]) => load())));
      return flag(global, 'help') ? 0 : ExitCode.usage;
    }
    const command = loadCommand(verb);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(verb)} (try: ${commandNames().join(', ')})`);
    if (flag(global, 'help')) {
      cli.out(commandHelp(command));
      return 0;
    }
    json = asksForJson(command, rest);
    const args = parseOptions(rest, [...command.options, helpOption], { stopAtPositional: !!command.stopAtPositional });
    if (flag(args, 'help')) {
      cli.out(commandHelp(command));
      return 0;
    }
    return await command.run(cli, args);
  } catch (e) {
    return report(cli, e, json);
  }
}

/**
 * Whether the verb's own `--json` is in its arguments (before `--`): then a
 * failure is JSON on stdout too, even one in parsing the rest of them.
 */
function asksForJson(command: Command, rest: string[]): boolean {
  if (!command.options.some((o) => o.name === 'json')) return false;
  const end = rest.indexOf('--');
  const own = end < 0 ? rest : rest.slice(0, end);
  // Options of `exec`-like verbs end at their first argument.
  const first = command.stopAtPositional ? own.findIndex((a) => !a.startsWith('-')) : -1;
  return (first < 0 ? own : own.slice(0, first)).includes('--json');
}

function report(cli: Cli, e: unknown, json: boolean): number {
  const err = e instanceof TscError ? e : new InternalError(e instanceof Error ? (e.stack ?? e.message) : String(e), e);
  if (json) cli.out(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
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
