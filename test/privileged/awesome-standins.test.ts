/**
 * The multi-service stacks of docker/awesome-compose (../shared/corpus, read
 * at test time, never copied) brought up for real, with one stand-in image
 * from a test registry in place of every public image and every `build:`.
 *
 * The stand-in (busybox-static) ignores its arguments and runs `busybox httpd`
 * on every port in STANDIN_PORTS (the service's `expose` and the container
 * side of its `ports`, default 80), answering "standin SERVICE". Each file is
 * parsed (js-yaml, the project's YAML library), its images, builds,
 * healthcheck tests, bind-mount and secret/config sources replaced by things
 * the stand-in and a throwaway host can give, and everything about the
 * network (networks, ports, depends_on, aliases, static addresses,
 * container_name, hostname) left exactly as the file says. Then, per stack:
 * `config`, `up -d`, every service running, every service reaching every
 * service it shares a network with by name on each of its ports (busybox nc
 * inside, via `exec -T`), published TCP ports answering curl on the host's
 * loopback, services on no common network NOT reaching each other (by name
 * or by address), `down`, nothing left.
 *
 * One image name (`standin:v1`) serves every service: the files' names are
 * Docker Hub names, which must be rewritten to point at the loopback
 * registry anyway, so their repository part carries nothing; one name is
 * one push and one pull per host, and its layers are shared by every stack.
 */
import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dump as dumpYaml, load as loadYaml, CORE_SCHEMA, mergeTag } from 'js-yaml';
import { repoRoot, withHost, type Host } from '../helpers/host';
import { busyboxLayer, writeLayout } from '../helpers/oci-layout';
import { pushLayout, requireRegistryTools, startRegistry } from '../helpers/registry';
import { leftovers, ok, tsc } from '../helpers/containers';

const CORPUS = path.resolve(repoRoot, '..', 'shared', 'corpus', 'awesome-compose');

/** The stand-in's entrypoint: arguments ignored, one httpd per port, stops on TERM/INT (it is PID 1). */
const ENTRYPOINT = [
  '#!/bin/sh',
  'www=$(mktemp -d)',
  'echo "standin ${STANDIN_NAME:-unknown}" > "$www/index.html"',
  'pids=""',
  'for p in ${STANDIN_PORTS:-80}; do httpd -f -p "$p" -h "$www" & pids="$pids $!"; done',
  'trap \'kill $pids 2>/dev/null; exit 0\' TERM INT',
  'wait',
  '',
].join('\n');

/** An HTTP request to NAME PORT from inside a container: the reply's body, or nothing. */
const GET = (name: string, port: number) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${name} ${port}`;

interface Published {
  host: number;
  container: number;
}
interface ServiceInfo {
  ports: number[];
  published: Published[];
  networks: string[];
  addresses: Record<string, string>;
  /** It has a healthcheck (rewritten to ask the stand-in): it must become healthy. */
  healthcheck: boolean;
}
interface Stack {
  name: string;
  dir: string;
  services: Map<string, ServiceInfo>;
  notes: string[];
}

// ------------------------------------------------------------------ the transform

type Doc = Record<string, any>;

function portSpec(p: unknown): { container: number; host?: number; protocol: string } | undefined {
  if (typeof p === 'number') return { container: p, protocol: 'tcp' };
  if (typeof p === 'string') {
    const [spec, protocol = 'tcp'] = p.split('/');
    const parts = spec!.split(':');
    const container = Number(parts[parts.length - 1]);
    const host = parts.length > 1 ? Number(parts[parts.length - 2]) : undefined;
    return Number.isInteger(container) ? { container, ...(host && Number.isInteger(host) ? { host } : {}), protocol } : undefined;
  }
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    return { container: Number(o.target), ...(o.published ? { host: Number(o.published) } : {}), protocol: String(o.protocol ?? 'tcp') };
  }
  return undefined;
}

function setEnv(svc: Doc, key: string, value: string): void {
  if (Array.isArray(svc.environment)) {
    svc.environment = svc.environment.filter((e: string) => !String(e).startsWith(`${key}=`));
    svc.environment.push(`${key}=${value}`);
  } else {
    svc.environment = { ...(svc.environment ?? {}), [key]: value };
  }
}

/** Create a bind source: a file when the target looks like one (has an extension), else a directory. */
function makeSource(p: string, target: string): void {
  if (fs.existsSync(p)) return;
  if (!target.endsWith('/') && /\.[A-Za-z0-9]+$/.test(path.posix.basename(target))) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'standin\n');
  } else {
    fs.mkdirSync(p, { recursive: true });
  }
}

/** A bind source rewritten to exist in the project dir (absolute host paths get a stand-in beside the file). */
function bindSource(dir: string, source: string, target: string, notes: string[], svc: string): string {
  if (source.startsWith('/') || source.startsWith('~')) {
    const rel = `./standin-host/${source.replace(/^~?\/+/, '')}`;
    notes.push(`${svc}: host path ${source} → stand-in ${rel}`);
    makeSource(path.join(dir, rel), target);
    return rel;
  }
  makeSource(path.resolve(dir, source), target);
  return source;
}

function transformVolumes(dir: string, name: string, svc: Doc, notes: string[]): void {
  if (!Array.isArray(svc.volumes)) return;
  svc.volumes = svc.volumes.map((v: unknown) => {
    if (typeof v === 'string') {
      const parts = v.split(':');
      if (parts.length < 2 || !/^[./~]/.test(parts[0]!)) return v;
      parts[0] = bindSource(dir, parts[0]!, parts[1]!, notes, name);
      return parts.join(':');
    }
    const o = v as Doc;
    if (o.type === 'bind' && typeof o.source === 'string') return { ...o, source: bindSource(dir, o.source, String(o.target), notes, name) };
    return o;
  });
}

/** Parse the corpus file, rewrite it for the stand-in into `dir`, and say what each service should answer on. */
function transform(file: string, dir: string, image: string): Stack {
  const doc = loadYaml(readFileSync(path.join(CORPUS, file, composeName(file)), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Doc;
  const notes: string[] = [];
  const services = new Map<string, ServiceInfo>();
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, svc] of Object.entries(doc.services as Record<string, Doc>)) {
    delete svc.build;
    if (svc.entrypoint !== undefined) {
      notes.push(`${name}: entrypoint dropped (the stand-in's own runs)`);
      delete svc.entrypoint;
    }
    svc.image = image;
    const specs = [...(svc.ports ?? []).map(portSpec), ...(svc.expose ?? []).map(portSpec)].filter((p) => p !== undefined);
    const tcp = specs.filter((p) => p.protocol === 'tcp');
    const ports = [...new Set(tcp.map((p) => p.container))];
    if (!ports.length) ports.push(80);
    const published = tcp.filter((p) => p.host !== undefined).map((p) => ({ host: p.host!, container: p.container }));
    setEnv(svc, 'STANDIN_PORTS', ports.join(' '));
    setEnv(svc, 'STANDIN_NAME', name);
    if (svc.healthcheck?.test && !svc.healthcheck.disable) {
      svc.healthcheck.test = ['CMD-SHELL', `${GET('127.0.0.1', ports[0]!)} | grep -q 'standin ${name}'`];
    }
    transformVolumes(dir, name, svc, notes);
    const nets = svc.networks === undefined ? ['default'] : Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks);
    const addresses: Record<string, string> = {};
    if (svc.networks && !Array.isArray(svc.networks)) {
      for (const [n, a] of Object.entries(svc.networks as Record<string, Doc | null>)) if (a?.ipv4_address) addresses[n] = a.ipv4_address;
    }
    services.set(name, { ports, published, networks: nets, addresses, healthcheck: !!svc.healthcheck?.test && !svc.healthcheck.disable });
  }
  for (const kind of ['secrets', 'configs']) {
    for (const def of Object.values((doc[kind] ?? {}) as Record<string, Doc>)) {
      if (typeof def?.file === 'string') {
        const p = path.resolve(dir, def.file);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, 'standin-secret\n');
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'compose.yaml'), dumpYaml(doc, { lineWidth: -1 }));
  return { name: file, dir, services, notes };
}

function composeName(file: string): string {
  return readdirSync(path.join(CORPUS, file)).find((n) => /^compose\.ya?ml$/.test(n))!;
}

// ------------------------------------------------------------------ the checks

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry `probe` until it returns true (the stand-in's httpd starts a moment after the container runs). */
async function eventually(probe: () => Promise<boolean>, tries = 30): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return true;
    await sleep(500);
  }
  return false;
}

async function fromInside(host: Host, stack: Stack, from: string, script: string): Promise<string> {
  const r = await tsc(host, stack.dir, ['exec', '-T', from, 'sh', '-c', script], { timeoutMs: 60_000 });
  return r.stdout;
}

const shareNetwork = (a: ServiceInfo, b: ServiceInfo) => a.networks.some((n) => b.networks.includes(n));

async function bringUp(t: ExecutionContext, host: Host, stack: Stack): Promise<void> {
  const where = stack.name;
  for (const n of stack.notes) t.log(`${where}: ${n}`);
  await ok(host, stack.dir, ['config']);
  await ok(host, stack.dir, ['up', '-d'], { timeoutMs: 240_000 });
  const ps = JSON.parse((await ok(host, stack.dir, ['ps', '--json'])).stdout) as Array<{ service: string; state: string; networks: Array<{ network: string; address: string }> }>;
  for (const svc of stack.services.keys()) {
    const rows = ps.filter((r) => r.service === svc);
    t.true(rows.length > 0 && rows.every((r) => r.state === 'running'), `${where}: ${svc} is running (ps: ${JSON.stringify(rows.map((r) => r.state))})`);
  }
  const entries = [...stack.services];
  let reachedPairs = 0;
  let isolated = 0;
  let publishedOk = 0;
  for (const [from, a] of entries) {
    for (const [to, b] of entries) {
      if (from === to) continue;
      if (shareNetwork(a, b)) {
        for (const port of b.ports) {
          const reached = await eventually(async () => (await fromInside(host, stack, from, GET(to, port))).includes(`standin ${to}`));
          t.true(reached, `${where}: ${from} reaches ${to}:${port} by name`);
          reachedPairs++;
        }
        for (const [net, ip] of Object.entries(b.addresses)) {
          if (!a.networks.includes(net)) continue;
          const reached = await eventually(async () => (await fromInside(host, stack, from, GET(ip, b.ports[0]!))).includes(`standin ${to}`));
          t.true(reached, `${where}: ${from} reaches ${to} at its static address ${ip}`);
          reachedPairs++;
        }
      } else {
        // "nc ran" is printed after it, so an exec that failed cannot pass for isolation.
        const unreached = async (target: string, what: string) => {
          const got = await fromInside(host, stack, from, `${GET(target, port)}; echo nc ran`);
          t.true(got.includes('nc ran') && !got.includes('standin'), `${where}: ${from} does not reach ${to} ${what} (no common network): ${JSON.stringify(got)}`);
          isolated++;
        };
        const port = b.ports[0]!;
        await unreached(to, 'by name');
        for (const row of ps.filter((r) => r.service === to)) {
          for (const n of row.networks ?? []) await unreached(n.address.split('/')[0]!, `at ${n.address}:${port}`);
        }
      }
    }
  }
  for (const [svc, info] of stack.services) {
    for (const p of info.published) {
      const reached = await eventually(async () => (await host.run(['curl', '-s', '--max-time', '3', `http://127.0.0.1:${p.host}/`])).stdout.includes(`standin ${svc}`));
      t.true(reached, `${where}: ${svc}'s published ${p.host}→${p.container} answers on the host's loopback`);
      publishedOk++;
    }
  }
  const checked = [...stack.services].filter(([, i]) => i.healthcheck).map(([n]) => n);
  const healthy = await eventually(async () => {
    const rows = JSON.parse((await ok(host, stack.dir, ['ps', '--json'])).stdout) as Array<{ service: string; health: { status: string } | null }>;
    return checked.every((svc) => rows.some((r) => r.service === svc && r.health?.status === 'healthy'));
  }, 120);
  t.true(healthy, `${where}: ${checked.join(', ')} become healthy through the rewritten healthcheck`);
  t.log(`${where}: ${stack.services.size} services running (${checked.length} healthy by their healthcheck)`);
  t.log(`${where}: ${reachedPairs} service→port reached, ${isolated} unreachable as their networks say, ${publishedOk} published ports answered`);
  await ok(host, stack.dir, ['down'], { timeoutMs: 180_000 });
  t.deepEqual(await ours(host), [], `${where}: down leaves nothing`);
}

/** What tscompose left (the test's registry runs on). */
const ours = async (host: Host) => (await leftovers(host)).map((l) => l.replace(/ \d+ docker-registry/, '')).filter((l) => l !== 'processes:');

async function withStandin(t: ExecutionContext, fn: (host: Host, image: string) => Promise<void>): Promise<void> {
  requireRegistryTools();
  await withHost(t, async (host) => {
    // Not the default 5000: logstash publishes 5000, and tscompose (rightly) refuses to hide a bound socket.
    const registry = await startRegistry(host, { port: 5999 });
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [
      {
        layers: [busyboxLayer(['sh', 'httpd', 'nc', 'grep', 'printf', 'mktemp', 'echo', 'cat', 'sleep', 'kill']), {
            entries: [
              { name: 'standin.sh', content: ENTRYPOINT, mode: 0o755 },
              // The users the files name (`user: postgres` in nginx-golang-postgres): the stand-in runs as them.
              { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\npostgres:x:70:70::/tmp:/bin/sh\n' },
              { name: 'etc/group', content: 'root:x:0:\npostgres:x:70:\n' },
            ],
          }],
        config: { config: { Env: ['PATH=/bin'], Entrypoint: ['/bin/sh', '/standin.sh'], Cmd: [] } },
      },
    ]);
    await pushLayout(host, registry, layout, 'v1', 'standin');
    await fn(host, `${registry.name}/standin:v1`);
  });
}

// ------------------------------------------------------------------ the stacks

/** Multi-service files this test does not bring up, and why (logged, and checked to be all that is left out). */
const SKIPPED: Record<string, string> = {
  'wasmedge-kafka-mysql': 'needs the WasmEdge runtime (runtime: io.containerd.wasmedge.v1, platform: wasi/wasm)',
  'wasmedge-mysql-nginx': 'needs the WasmEdge runtime (runtime: io.containerd.wasmedge.v1, platform: wasi/wasm)',
};

const GROUPS: string[][] = [
  ['nginx-golang-mysql', 'nginx-flask-mongo', 'nginx-flask-mysql', 'nginx-golang', 'nginx-golang-postgres'],
  ['react-express-mongodb', 'react-express-mysql', 'react-java-mysql', 'react-rust-postgres'],
  ['nginx-nodejs-redis', 'wordpress-mysql', 'gitea-postgres', 'nextcloud-redis-mariadb', 'nextcloud-postgres'],
  ['prometheus-grafana', 'pihole-cloudflared-DoH', 'traefik-golang', 'spring-postgres', 'postgresql-pgadmin'],
  ['elasticsearch-logstash-kibana', 'nginx-aspnet-mysql', 'nginx-wsgi-flask', 'flask-redis', 'sparkjava-mysql', 'aspnet-mssql'],
];

test('every multi-service awesome-compose file is in a group below or skipped with a reason', (t) => {
  const multi = readdirSync(CORPUS)
    .filter((d) => fs.statSync(path.join(CORPUS, d)).isDirectory())
    .filter((d) => Object.keys((loadYaml(readFileSync(path.join(CORPUS, d, composeName(d)), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Doc).services).length > 1)
    .sort();
  t.true(multi.length >= 20, `the corpus is at ${CORPUS}`);
  for (const [f, why] of Object.entries(SKIPPED)) t.log(`skipped ${f}: ${why}`);
  t.deepEqual([...GROUPS.flat(), ...Object.keys(SKIPPED)].sort(), multi);
});

for (const group of GROUPS) {
  test(`awesome-compose with stand-ins: ${group.join(', ')} come up, reach each other as their networks say, publish, and go`, async (t) => {
    t.timeout(12 * 60_000);
    await withStandin(t, async (host, image) => {
      for (const file of group) {
        const stack = transform(file, path.join(host.dir, file), image);
        await bringUp(t, host, stack);
      }
    });
  });
}
