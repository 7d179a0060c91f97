/** `tscompose convert`: the verb's output, warnings, exit codes, --json, -o and --strict. */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { main, type Io } from '../../../src/cli/main';
import { StateDir } from '../../../src/sys/state';

async function run(argv: string[], compose: string): Promise<{ code: number; out: string; err: string; written?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-convert-'));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
  let out = '';
  let err = '';
  const io: Io = { cwd: dir, env: {}, out: (t) => (out += t), err: (t) => (err += t), stdinIsTTY: false, state: new StateDir(path.join(dir, 'state')) };
  try {
    const code = await main(argv, io);
    const file = path.join(dir, 'lab.clab.yml');
    return { code, out, err, ...(fs.existsSync(file) ? { written: fs.readFileSync(file, 'utf8') } : {}) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CLEAN = `name: pair
services:
  a: { image: alpine }
  b: { image: alpine }
x-links:
  - { endpoints: ["a:eth1", "b:eth1"], ipv4: [10.5.0.0/31, 10.5.0.1/31] }
`;

const WITH_PORTS = `name: pair
services:
  a: { image: alpine, ports: ["8080:80"] }
  b: { image: alpine }
x-links:
  - { endpoints: ["a:eth1", "b:eth1"] }
`;

test('convert --format containerlab prints the topology; a clean lab has no warnings', async (t) => {
  const r = await run(['convert', '--format', 'containerlab'], CLEAN);
  t.is(r.code, 0, r.err);
  t.is(r.err, '');
  const doc = parseYaml(r.out) as { name: string; topology: { links: unknown[] } };
  t.is(doc.name, 'pair');
  t.deepEqual(doc.topology.links, [{ endpoints: ['a:eth1', 'b:eth1'], mtu: 1500 }]);
});

test('what does not map is listed on stderr with file:line; --strict makes it exit 3 and writes nothing', async (t) => {
  const r = await run(['convert', '--format', 'containerlab', '-o', 'lab.clab.yml'], WITH_PORTS);
  t.is(r.code, 0);
  t.regex(r.err, /not mapped: .*compose\.yaml:3:\d+ services\.a\.ports: /);
  t.truthy(r.written);
  const strict = await run(['convert', '--format', 'containerlab', '--strict', '-o', 'lab.clab.yml'], WITH_PORTS);
  t.is(strict.code, 3);
  t.regex(strict.err, /compose\.yaml:3:\d+ services\.a\.ports: does not map to containerlab \(--strict\)/);
  t.is(strict.written, undefined);
  t.is((await run(['convert', '--format', 'containerlab', '--strict'], CLEAN)).code, 0);
});

test('--json prints {file, warnings}', async (t) => {
  const r = await run(['convert', '--format', 'containerlab', '--json'], WITH_PORTS);
  t.is(r.code, 0);
  const j = JSON.parse(r.out) as { file: { name: string }; warnings: Array<{ kind: string; path: string; loc: { line: number } }> };
  t.is(j.file.name, 'pair');
  t.like(j.warnings.find((w) => w.path === 'services.a.ports'), { kind: 'unmapped', loc: { line: 3 } });
});

test('an unknown or missing format is a usage error naming the supported ones', async (t) => {
  for (const argv of [['convert', '--format', 'nomad'], ['convert']]) {
    const r = await run(argv, CLEAN);
    t.is(r.code, 2);
    t.regex(r.err, /supported: containerlab, kubernetes/);
  }
});
