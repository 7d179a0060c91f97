import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { commandTable } from '../../../src/cli/commands';
import { StateDir } from '../../../src/sys/state';

/** main with its output captured, in an empty directory with its own state root. */
async function run(argv: string[], compose?: string): Promise<{ code: number; out: string; err: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cli-'));
  if (compose !== undefined) fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
  let out = '';
  let err = '';
  const io: Io = {
    cwd: dir,
    env: {},
    out: (t) => (out += t),
    err: (t) => (err += t),
    stdinIsTTY: false,
    state: new StateDir(path.join(dir, 'state')),
  };
  try {
    return { code: await main(argv, io), out, err };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test.serial('an error is JSON on stdout when main’s argv asks for --json, whatever process.argv says', async (t) => {
  const argv = ['-f', '/nonexistent/tsc-compose.yaml', 'plan', '--json'];
  const asked = await run(argv);
  t.is(asked.code, 3);
  t.like(JSON.parse(asked.out), { error: { code: 'SPEC' } });
  t.regex(asked.err, /compose file \/nonexistent\/tsc-compose\.yaml not found/);

  // The process's own argv is not main's (bin passes its slice; tests call main directly).
  process.argv.push('--json');
  try {
    const notAsked = await run(argv.slice(0, -1));
    t.is(notAsked.code, 3);
    t.is(notAsked.out, '');
  } finally {
    process.argv.pop();
  }
  // After `--` or a verb's command, --json is not tscompose's.
  t.is((await run(['-p', 'tscnone', 'exec', 'web', 'ls', '--json'])).out, '');
});

test('an unparsable option still gives the JSON error the verb was asked for', async (t) => {
  const r = await run(['plan', '--json', '--nope']);
  t.is(r.code, 2);
  t.deepEqual(JSON.parse(r.out), { error: { code: 'USAGE', message: 'unknown option --nope' } });
});

test('every command of the table is loaded under its own name, and every command module’s commands are in the table', (t) => {
  const loaded = commandTable.map(([name, load]) => [name, load().name]);
  t.deepEqual(
    loaded.map(([, n]) => n),
    loaded.map(([name]) => name),
  );
  const dir = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'commands');
  const exported = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .flatMap((f) => Object.values(require(path.join(dir, f))).filter((v: any) => typeof v?.run === 'function' && typeof v?.name === 'string'))
    .map((c: any) => c.name)
    .sort();
  t.deepEqual(exported, loaded.map(([name]) => name!).sort());
});

test('--help lists every command with its summary; COMMAND --help every option of its spec', async (t) => {
  const top = await run(['--help']);
  t.is(top.code, 0);
  for (const [, load] of commandTable) t.true(top.out.includes(`  ${load().name.padEnd(7)}   ${load().summary}\n`), load().name);
  t.regex(top.out, /-f, --file FILE +Compose file/);

  for (const [name, load] of commandTable) {
    const c = load();
    const r = await run([name, '--help']);
    t.is(r.code, 0);
    t.true(r.out.startsWith(`Usage: tscompose [GLOBAL OPTIONS] ${name} [OPTIONS]${c.usage ? ` ${c.usage}` : ''}\n\n${c.summary}\n`), r.out);
    for (const o of c.options) t.regex(r.out, new RegExp(`${o.short ? `-${o.short}, ` : ' {4}'}--${o.name}\\b.* ${escape(o.description)}`), `${name} --${o.name}`);
    t.deepEqual(await run(['--help', name]), r, '`tscompose --help VERB` is the same');
  }
  t.is((await run([])).code, 2, 'no command: help, and a usage error');
});

test('--help after the command of exec is the command’s, not tscompose’s', async (t) => {
  const r = await run(['-p', 'tscnone', 'exec', 'web', 'ls', '--help']);
  t.is(r.out, '');
  t.is(r.code, 2);
  t.regex(r.err, /service web has no container 1 in project tscnone/);
});

test('an unknown command names the known ones', async (t) => {
  const r = await run(['nope']);
  t.is(r.code, 2);
  t.regex(r.err, /unknown command "nope" \(try: up, down, ps, .*exec, events, boot\)/);
});

test('verbs that work from the journal still refuse a service the file does not have', async (t) => {
  const compose = 'name: tscunit\nservices:\n  web:\n    command: [sleep, "1"]\n';
  for (const verb of ['ps', 'logs', 'stats', 'top', 'stop', 'kill']) {
    const r = await run([verb, 'web', 'nope'], compose);
    t.is(r.code, 2, verb);
    t.is(r.err, 'tscompose: no such service: nope\n', verb);
  }
  t.is((await run(['ps', 'web'], compose)).code, 0);
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
