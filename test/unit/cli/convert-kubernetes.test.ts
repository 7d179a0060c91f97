/** `tscompose convert --format kubernetes`: the stream, -o DIR, --kustomize, --publish-as, --strict (exit 3, nothing written). */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load as parseYaml, loadAll } from 'js-yaml';
import { main, type Io } from '../../../src/cli/main';
import { StateDir } from '../../../src/sys/state';

interface Run {
  code: number;
  out: string;
  err: string;
  /** What -o wrote: file name → text (absent: no directory). */
  dir?: Record<string, string>;
}

async function run(argv: string[], compose: string): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-convert-k8s-'));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
  let out = '';
  let err = '';
  const io: Io = { cwd: dir, env: {}, out: (t) => (out += t), err: (t) => (err += t), stdinIsTTY: false, state: new StateDir(path.join(dir, 'state')) };
  try {
    const code = await main(argv, io);
    const outDir = path.join(dir, 'k8s');
    const written = fs.existsSync(outDir) ? Object.fromEntries(fs.readdirSync(outDir).map((f) => [f, fs.readFileSync(path.join(outDir, f), 'utf8')])) : undefined;
    return { code, out, err, ...(written ? { dir: written } : {}) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CLEAN = `name: app
services:
  web: { image: nginx, ports: ["8080:80", "30080:81"], restart: always }
  db: { image: postgres, restart: always }
`;

const LAB = `name: app
services:
  web: { image: nginx, restart: always, networks: { lan: { ipv4_address: 10.1.0.5 } } }
networks:
  lan: { ipam: { config: [{ subnet: 10.1.0.0/24 }] } }
`;

type Obj = { kind: string; metadata: { name: string }; spec?: any };

test('the YAML stream on stdout: namespace first, a clean file has no warnings', async (t) => {
  const r = await run(['convert', '--format', 'kubernetes'], CLEAN);
  t.is(r.code, 0, r.err);
  t.is(r.err, '');
  const docs = loadAll(r.out) as Obj[];
  t.deepEqual(docs[0], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'app.kubernetes.io/part-of': 'app', 'app.kubernetes.io/managed-by': 'tscompose' } } });
  const pub = docs.find((d) => d.metadata.name === 'web-published')!;
  t.is(pub.spec.type, 'LoadBalancer');
  t.deepEqual(pub.spec.ports.map((p: any) => [p.port, p.targetPort]), [[8080, 80], [30080, 81]]);
});

test('--publish-as NodePort keeps host ports in the NodePort range and says so for the others', async (t) => {
  const r = await run(['convert', '--format', 'kubernetes', '--publish-as', 'NodePort'], CLEAN);
  t.is(r.code, 0, r.err);
  const pub = (loadAll(r.out) as Obj[]).find((d) => d.metadata.name === 'web-published')!;
  t.is(pub.spec.type, 'NodePort');
  t.deepEqual(pub.spec.ports.map((p: any) => p.nodePort), [undefined, 30080]);
  t.regex(r.err, /note: .*compose\.yaml:3:\d+ services\.web\.ports\.0: host port 8080 is outside the NodePort range/);
  const bad = await run(['convert', '--format', 'kubernetes', '--publish-as', 'ClusterIP'], CLEAN);
  t.is(bad.code, 2);
  t.regex(bad.err, /--publish-as takes LoadBalancer or NodePort/);
});

test('-o DIR writes one file per object; --kustomize adds kustomization.yaml and needs -o', async (t) => {
  const r = await run(['convert', '--format', 'kubernetes', '-o', 'k8s'], CLEAN);
  t.is(r.code, 0, r.err);
  t.is(r.out, '');
  t.truthy(r.dir);
  t.false('kustomization.yaml' in r.dir!);
  t.true(Object.keys(r.dir!).some((f) => /^\d+-deployment-web\.yaml$/.test(f)));
  const k = await run(['convert', '--format', 'kubernetes', '-o', 'k8s', '--kustomize'], CLEAN);
  const kust = parseYaml(k.dir!['kustomization.yaml']!) as { resources: string[] };
  t.is(kust.resources.length, Object.keys(k.dir!).length - 1);
  const clab = await run(['convert', '--format', 'containerlab', '--kustomize'], CLEAN);
  t.is(clab.code, 2);
  t.regex(clab.err, /--kustomize is for --format kubernetes/);
  const no = await run(['convert', '--format', 'kubernetes', '--kustomize'], CLEAN);
  t.is(no.code, 2);
  t.regex(no.err, /-o DIR/);
});

test('what does not map is on stderr with file:line; --strict exits 3 and writes nothing', async (t) => {
  const r = await run(['convert', '--format', 'kubernetes', '-o', 'k8s'], LAB);
  t.is(r.code, 0);
  t.regex(r.err, /not mapped: .*compose\.yaml:3:\d+ services\.web\.networks\.lan\.ipv4_address: /);
  t.regex(r.err, /not mapped: .*compose\.yaml:5:\d+ networks\.lan\.ipam: /);
  const strict = await run(['convert', '--format', 'kubernetes', '--strict', '-o', 'k8s'], LAB);
  t.is(strict.code, 3);
  t.regex(strict.err, /compose\.yaml:3:\d+ services\.web\.networks\.lan\.ipv4_address: does not map to kubernetes \(--strict\)/);
  t.is(strict.dir, undefined);
  t.is(strict.out, '');
  t.is((await run(['convert', '--format', 'kubernetes', '--strict'], CLEAN)).code, 0);
});

test('--json prints {objects, warnings}', async (t) => {
  const r = await run(['convert', '--format', 'kubernetes', '--json'], LAB);
  t.is(r.code, 0);
  const j = JSON.parse(r.out) as { objects: Obj[]; warnings: Array<{ path: string; loc: { line: number } }> };
  t.is(j.objects[0]!.kind, 'Namespace');
  t.like(j.warnings.find((w) => w.path === 'networks.lan.ipam'), { loc: { line: 5 } });
});
