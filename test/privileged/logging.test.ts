/**
 * `logging`: json-file/local rotate the container's log (max-size,
 * max-file) where the shim writes it, and `logs` reads across the rotated
 * files; `none` keeps nothing, and `logs` says so.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, logLines, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

test('max-size and max-file: the shim rotates container.log, keeps max-file files none past max-size, and logs reads them in order', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: lg
services:
  talk:
    # 400 lines of 50 bytes of text (~90 bytes a record): ~36 KiB, far past 3 files of 4 KiB.
    command: ["sh", "-c", "i=1; while [ $$i -le 400 ]; do printf 'line %03d %040d\\\\n' $$i 0; i=$$((i+1)); done; sleep 1000"]
    logging:
      driver: json-file
      options: {max-size: 4k, max-file: "3"}
`,
    );
    const planned = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.true(JSON.stringify(planned).includes('"logging":{"driver":"json-file","maxSize":4096,"maxFiles":3}'), 'plan --json shows the logging');
    await ok(host, dir, ['up', '-d']);
    const sd = stateDir('lg', 'lg-talk-1');
    await waitFor(host, `grep -q 'line 400' ${sd}/container.log`, 'the last line');
    const files = (await sh(host, `cd ${sd} && ls container.log*`)).split('\n').sort();
    t.deepEqual(files, ['container.log', 'container.log.1', 'container.log.2']);
    for (const f of files) t.true(Number(await sh(host, `stat -c %s ${sd}/${f}`)) <= 4096, `${f} within max-size`);
    const lines = await logLines(host, dir, 'talk');
    t.is(lines.at(-1), `line 400 ${'0'.repeat(40)}`);
    t.false(lines.includes(`line 001 ${'0'.repeat(40)}`), 'the oldest lines were rotated away');
    // What is kept is contiguous, oldest file first.
    const numbers = lines.map((l) => Number(l.slice(5, 8)));
    t.deepEqual(numbers, numbers.map((_, i) => numbers[0]! + i));
    t.true(numbers.length > 60, `${numbers.length} lines kept`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('driver none: no container.log, the output is still drained (the container never blocks), and logs says no log is kept', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: ln
services:
  quiet:
    # ~1.3 MB of output: far more than a pipe holds, so it only ends if the shim drains it.
    command: ["sh", "-c", "i=0; while [ $$i -lt 200000 ]; do echo $$i; i=$$((i+1)); done; exit 7"]
    logging:
      driver: none
  loud:
    command: ["sh", "-c", "echo hello; sleep 1000"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const sd = stateDir('ln', 'ln-quiet-1');
    await waitFor(host, `grep -q '"exitCode":7' ${sd}/exit.json`, 'the quiet one to finish its output and exit');
    t.is(await sh(host, `test -e ${sd}/container.log && echo yes || echo no`), 'no');
    const r = await tsc(host, dir, ['logs', 'quiet']);
    t.is(r.code, 1);
    t.regex(r.stderr, /ln-quiet-1: no log is kept \(logging driver "none"\)/);
    await waitFor(host, `grep -q hello ${stateDir('ln', 'ln-loud-1')}/container.log`, 'the loud one');
    const all = await tsc(host, dir, ['logs', '--no-prefix']);
    t.is(all.code, 0);
    t.is(all.stdout, 'hello\n');
    t.regex(all.stderr, /ln-quiet-1: no log is kept/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
