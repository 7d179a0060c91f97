/**
 * `attach SERVICE`: the caller's terminal to a running container's output
 * and, when it has `stdin_open`, its input — through the shim's
 * attach.sock, never by handing the terminal over (the container only has
 * the shim's pty or pipe: issue 14 item 3). With `tty: true` the terminal
 * goes raw (Ctrl-C is a byte for the container) and its size follows ours.
 * The detach keys (default Ctrl-P Ctrl-Q) leave the container running; its
 * exit ends the attach with its exit code.
 */
import * as path from 'node:path';
import type { Socket } from 'node:net';
import { UsageError } from '../../errors';
import { connectAttach, inputFrames, sizeFrame } from '../../sys/attach';
import { isAlive, readExit, readProcessRef } from '../../sys/shim';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { projectNameFor, type Cli } from '../context';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from '../detach-keys';

const attachOptions: OptionSpec[] = [
  { name: 'detach-keys', type: 'string', arg: 'KEYS', description: `Keys that detach, leaving the container running (default ${DEFAULT_DETACH_KEYS})` },
  { name: 'no-stdin', type: 'boolean', description: 'Only show the output; send no input (Ctrl-C detaches)' },
  { name: 'index', type: 'string', arg: 'N', description: 'Which replica of the service (default 1)' },
];

async function attach(cli: Cli, args: Parsed): Promise<number> {
  const [service, ...extra] = args.positionals;
  if (!service || extra.length) throw new UsageError('usage: tscompose attach [--detach-keys KEYS] [--no-stdin] SERVICE');
  const keys = parseDetachKeys(str(args, 'detach-keys') ?? DEFAULT_DETACH_KEYS);
  const { name } = projectNameFor(cli);
  const index = Number(str(args, 'index') ?? '1');
  const entry = Object.entries(cli.state.readState(name)?.containers ?? {}).find(([, c]) => c.service === service && c.index === index);
  if (!entry) throw new UsageError(`service ${service} has no container ${index} in project ${name}: run tscompose up first`);
  const [container, state] = entry;
  const dir = cli.state.containerDir(name, container);
  const init = readProcessRef(path.join(dir, 'init.pid'));
  if (!init || !isAlive(init)) throw new UsageError(`container ${container} is not running`);
  let sock: Socket;
  try {
    sock = await connectAttach(dir);
  } catch (e: any) {
    throw new UsageError(`cannot attach to ${container}: ${e?.code ?? e?.message ?? e} (a container started before tscompose had attach must be recreated)`);
  }
  const tty = !!state.launch.isolation?.tty && process.stdin.isTTY === true && !flag(args, 'no-stdin');
  const detached = await relay(sock, { tty, input: !flag(args, 'no-stdin'), keys });
  if (detached) {
    cli.err(`\r\ndetached from ${container} (still running)\n`);
    return 0;
  }
  // The shim hangs up as the container exits, and writes exit.json just after.
  for (let i = 0; i < 200 && !readExit(dir); i++) await new Promise((r) => setTimeout(r, 25));
  const exit = readExit(dir);
  if (exit) return exit.exitCode;
  // Hung up on a running container: the shim serves a bounded number of clients (32) at once.
  if (isAlive(init)) throw new UsageError(`${container} is still running, but its shim closed the attach connection (too many clients attached?)`);
  return 0;
}

/** Until the container's output ends (it exited: false) or the detach keys are typed (true). */
function relay(sock: Socket, opts: { tty: boolean; input: boolean; keys: number[] }): Promise<boolean> {
  const stdin = process.stdin;
  const scanner = new DetachScanner(opts.keys);
  return new Promise((resolve) => {
    let over = false;
    const finish = (detached: boolean) => {
      if (over) return;
      over = true;
      if (opts.tty) stdin.setRawMode(false);
      stdin.off('data', onInput);
      stdin.pause();
      process.off('SIGINT', onSigint);
      process.stdout.off('resize', onResize);
      sock.destroy();
      resolve(detached);
    };
    const onInput = (chunk: Buffer) => {
      const { pass, detach } = scanner.feed(chunk);
      if (pass.length && opts.input) sock.write(inputFrames(pass));
      if (detach) finish(true);
    };
    const onResize = () => sock.write(sizeFrame(process.stdout.rows ?? 24, process.stdout.columns ?? 80));
    // Not raw (no tty, or --no-stdin): Ctrl-C reaches us as a signal, and detaches.
    const onSigint = () => finish(true);
    sock.on('data', (b: Buffer) => process.stdout.write(b));
    sock.on('end', () => finish(false));
    sock.on('error', () => finish(false));
    process.on('SIGINT', onSigint);
    if (opts.tty) {
      stdin.setRawMode(true);
      if (process.stdout.isTTY) {
        onResize();
        process.stdout.on('resize', onResize);
      }
    }
    if (opts.input) {
      stdin.on('data', onInput);
      stdin.resume();
    }
  });
}

export const attachCommand: Command = {
  name: 'attach',
  summary: 'Attach the terminal to a running container’s output and input (tty, stdin_open).',
  usage: 'SERVICE',
  options: attachOptions,
  run: attach,
};
