/**
 * Stops that don't wait for nothing: a container whose init can do nothing
 * with the stop signal (a `sleep` as PID 1 of its pid namespace, or a
 * command that ignores SIGTERM) is SIGKILLed at once, and `-v` says why; a
 * command with a SIGTERM handler, and `init: true` (our init forwards the
 * signal to a command that is not PID 1), get SIGTERM and exit by
 * themselves. Asserted on what happened (the exit and its signal, the -v
 * line), never on time.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, stateDir, waitFor, writeProject } from '../helpers/containers';

const COMPOSE = `name: stp
services:
  sleeper:
    command: ["sleep", "infinity"]
  deaf:
    command: ["sh", "-c", "trap '' TERM; exec sleep infinity"]
  trapper:
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"]
  inited:
    init: true
    command: ["sleep", "infinity"]
`;

test('stop: SIGKILL at once where SIGTERM can do nothing (said with -v); a trap or our init gets SIGTERM and the command exits by itself', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, COMPOSE);
    await ok(host, dir, ['up', '-d']);
    // The trap is set once the shell has printed "ready".
    await waitFor(host, `grep -q ready ${stateDir('stp', 'stp-trapper-1')}/container.log`, 'the trap to be set');
    const stop = await ok(host, dir, ['-v', 'stop']);
    const said = (c: string) => stop.stderr.split('\n').filter((l) => l.includes(`stp-${c}-1: SIGTERM can have no effect`));
    t.is(said('sleeper').length, 1, stop.stderr);
    t.regex(said('sleeper')[0]!, /PID 1 of its pid namespace and has no handler for the signal: the kernel drops it\): SIGKILL now, without the 10 s grace period/);
    t.regex(said('deaf')[0] ?? '', /\(it ignores the signal\): SIGKILL now/, stop.stderr);
    t.deepEqual([...said('trapper'), ...said('inited')], [], 'a handler, and our init (which blocks and forwards), keep the grace period');

    const rows = JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as Array<{ name: string; exitCode: number; status: string }>;
    const row = (c: string) => rows.find((r) => r.name === `stp-${c}-1`)!;
    t.is(row('sleeper').exitCode, 137);
    t.regex(row('sleeper').status, /by SIGKILL/);
    t.is(row('deaf').exitCode, 137);
    t.is(row('trapper').exitCode, 0, 'the trap ran and exited');
    t.regex((await ok(host, dir, ['logs', 'trapper'])).stdout, /got TERM/);
    t.is(row('inited').exitCode, 143, 'our init passed SIGTERM to sleep, which died of it');

    // Without -v nothing is said.
    await ok(host, dir, ['up', '-d']);
    const quiet = await ok(host, dir, ['down']);
    t.notRegex(quiet.stderr, /can have no effect/);
    t.deepEqual(await leftovers(host), []);
  });
});
