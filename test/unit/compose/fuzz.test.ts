/**
 * Property-based tests of the loader (fast-check): whatever the compose
 * file, the .env file and the environment say, `loadProject` returns a
 * project (which `config` can render) or throws a SpecError with issues —
 * never another exception, never a hang, and memory stays bounded. Three
 * generators: structured documents (compose keys, anchors, aliases, merge
 * keys, `${…}` forms, unicode), token soup (YAML punctuation that rarely
 * parses), and interpolation alone. 10,000 cases in all; FUZZ_SEED replays
 * a run, FUZZ_RUNS scales it.
 */
import test from 'ava';
import fc from 'fast-check';
import { SpecError } from '../../../src/errors';
import { loadProject, renderConfig } from '../../../src/compose';
import { substitute, TemplateError } from '../../../src/compose/interpolate';

const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const SCALE = Number(process.env.FUZZ_RUNS ?? 10_000) / 10_000;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** A load that takes longer is a hang (the largest legal input loads in well under a second). */
const HANG_MS = 2_000;

const TOP_KEYS = ['services', 'networks', 'volumes', 'name', 'version', 'x-links', 'x-verify', 'x-any', 'secrets', 'include'];
const NAMES = ['web', 'db', 'r1', 'r2', 'front', 'back', 'default', 'data', 'a-b', 'Ünï', '0'];
const KEYS = [
  'command', 'entrypoint', 'environment', 'env_file', 'networks', 'ports', 'volumes', 'depends_on', 'sysctls', 'dns',
  'extra_hosts', 'scale', 'deploy', 'resources', 'limits', 'reservations', 'cpus', 'memory', 'pids', 'mem_limit',
  'memswap_limit', 'cpu_quota', 'cpu_period', 'cpu_shares', 'cpuset', 'ulimits', 'nofile', 'soft', 'hard',
  'blkio_config', 'weight', 'ipam', 'config', 'subnet', 'gateway', 'ip_range', 'aux_addresses', 'driver',
  'driver_opts', 'internal', 'external', 'enable_ipv6', 'ipv4_address', 'ipv6_address', 'aliases', 'mac_address',
  'interface_name', 'x-routes', 'to', 'via', 'metric', 'x-netem', 'rate', 'delay', 'loss', 'x-mtu', 'endpoints',
  'ipv4', 'ipv6', 'mtu', 'from', 'expect', 'port', 'target', 'published', 'host_ip', 'protocol', 'mode', 'type',
  'source', 'read_only', 'bind', 'propagation', 'create_host_path', 'tmpfs', 'size', 'x-rootfs', 'user',
  'working_dir', 'network_mode', 'cap_add', 'cap_drop', 'privileged', 'init', 'stop_signal', 'stop_grace_period',
  'container_name', 'hostname', 'labels', 'image', 'build', 'condition', 'replicas', 'oom_score_adj',
  'cgroup_parent', 'healthcheck', '<<', '__proto__', 'constructor', '', ' ', '?',
];
const SCALARS = [
  '10.0.0.0/24', '10.0.0.1', 'fd10::/64', '172.18.0.0/33', '256.1.1.1', '80', '8080:80', '127.0.0.1:80:80/udp',
  '[::1]:80:80', '1000-1002:80-82', '80-', '512m', '1.5g', '6MiB', '-1', '0', '1e400', '0x10', '0o7', '.inf', '-.nan',
  '1.5', 'true', 'false', 'yes', 'on', '~', 'null', 'SIGTERM', 'SIGFOO', '10s', '1m30s', 'h', 'none', 'host',
  'service:web', 'service:', 'bridge', 'p2p', 'macvlan', 'default', 'r1:eth1', 'r1:', ':eth1', 'web:/data',
  './dir:/x:ro', '/abs:/y:rw,z', 'data:/d:nocopy', '/run:size=64m,mode=1777', 'net.ipv4.ip_forward',
  'kernel.shm', 'nofile=1024:2048', '0-1,5', '999999', '${VAR}', '${VAR:-def}', '${VAR-def}', '${VAR:?no var}',
  '${VAR?}', '${VAR:+alt}', '${VAR+${OTHER:-x}}', '$VAR', '$$', '$${VAR}', '${', '${}', '${:-x}', '${VAR:-${', '$',
  '${VAR:-a}b${OTHER}', '${VAR//x/y}', '${1}', '${Ü}', '\uFEFF', '\u202E', '😀', 'é', '\\', '"', "'",
];
const VARS = ['VAR', 'OTHER', 'PORT', 'MEM', 'Ü', '1', 'EMPTY'];

/** A YAML tree as data: serialized with random styles, anchors and aliases below. */
type Node = { s: string } | { m: Array<[string, Node]> } | { q: Node[] } | { alias: number } | { merge: number };

const anyText = fc.string({ unit: 'grapheme', maxLength: 12 });
const scalar: fc.Arbitrary<Node> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SCALARS) },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...SCALARS), { maxLength: 4 }).map((xs) => xs.join('')) },
).map((s) => ({ s }));
const key = (depth: number) =>
  depth === 0
    ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TOP_KEYS) }, { weight: 1, arbitrary: anyText })
    : depth === 1
      ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: anyText })
      : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...KEYS, ...NAMES) }, { weight: 1, arbitrary: anyText });

const tree: (depth: number) => fc.Arbitrary<Node> = (depth) =>
  depth >= 5
    ? scalar
    : fc.oneof(
        { weight: depth < 3 ? 1 : 4, arbitrary: scalar },
        { weight: 3, arbitrary: fc.array(fc.tuple(key(depth), tree(depth + 1)), { maxLength: 5 }).map((m) => ({ m })) },
        { weight: 1, arbitrary: fc.array(tree(depth + 1), { maxLength: 4 }).map((q) => ({ q })) },
        { weight: 1, arbitrary: fc.nat(5).map((alias) => ({ alias })) },
        { weight: 1, arbitrary: fc.nat(5).map((merge) => ({ merge })) },
      );

/** YAML text for a tree: block and flow styles, plain and quoted scalars, `&aN` anchors on some nodes. */
function emit(node: Node, indent: number, pick: () => number): string {
  const pad = ' '.repeat(indent);
  const anchor = () => (pick() < 0.05 ? `&a${Math.floor(pick() * 6)} ` : '');
  const inline = (n: Node): string => {
    if ('s' in n) {
      const r = pick();
      // Plain only where YAML allows it (flow indicators would end the scalar): the rest quoted.
      const plain = r < 0.55 && !/[,[\]{}#&*!|>'"%@`]|: |^[-?:\s]|\s$/.test(n.s);
      return anchor() + (plain ? n.s : r < 0.9 ? JSON.stringify(n.s) : `'${n.s.replace(/'/g, "''")}'`);
    }
    if ('alias' in n) return `*a${n.alias}`;
    if ('merge' in n) return `{ <<: *a${n.merge} }`;
    if ('q' in n) return `${anchor()}[${n.q.map(inline).join(', ')}]`;
    return `${anchor()}{${n.m.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
  };
  if ('m' in node && pick() < 0.85) {
    if (!node.m.length) return ' {}\n';
    const head = indent > 0 && pick() < 0.1 ? ` &a${Math.floor(pick() * 6)}` : '';
    return `${head}\n${node.m
      .map(([k, v]) => {
        const plainKey = /^[A-Za-z0-9_.<-][A-Za-z0-9_. <:-]*$/.test(k) && !k.endsWith(' ') && !k.includes(': ') && pick() < 0.8;
        const body = 'merge' in v ? ` *a${v.merge}\n` : emit(v, indent + 2, pick);
        return `${pad}${'merge' in v ? '<<' : plainKey ? k : JSON.stringify(k)}:${body}`;
      })
      .join('')}`;
  }
  if ('q' in node && pick() < 0.7) {
    if (!node.q.length) return ' []\n';
    return `\n${node.q.map((v) => `${pad}-${emit(v, indent + 2, pick).replace(/^\n/, '\n')}`).join('')}`;
  }
  return ` ${inline(node)}\n`;
}

/** Services and networks made mostly of keys they accept, so many documents get past validation. */
const SERVICE_KEYS = ['command', 'environment', 'networks', 'ports', 'volumes', 'depends_on', 'sysctls', 'dns', 'mem_limit', 'cpus', 'pids_limit', 'x-routes', 'ulimits', 'user', 'init', 'stop_signal', 'hostname', 'network_mode', 'cap_add', 'deploy', 'scale', 'x-any'];
/** A value each key accepts (often with interpolation), so the loader's later stages run too. */
const GOOD: Record<string, Node> = {
  command: { q: [{ s: 'sh' }, { s: '-c' }, { s: 'echo $${HOME} ${VAR:-x}' }] },
  environment: { m: [['A', { s: '${VAR:-1}' }], ['B', { s: 'é😀' }]] },
  networks: { q: [{ s: 'default' }] },
  ports: { q: [{ s: '${PORT:-8080}:80' }, { s: '127.0.0.1::53/udp' }] },
  volumes: { q: [{ s: '/cache' }, { s: '/tmp:/t:ro' }] },
  depends_on: { q: [] },
  sysctls: { m: [['net.ipv4.ip_forward', { s: '1' }]] },
  dns: { s: '10.0.0.53' },
  mem_limit: { s: '${MEM:-64m}' },
  cpus: { s: '0.5' },
  pids_limit: { s: '100' },
  'x-routes': { q: [] },
  ulimits: { m: [['nofile', { m: [['soft', { s: '1024' }], ['hard', { s: '2048' }]] }]] },
  user: { s: '1000:1000' },
  init: { s: 'true' },
  stop_signal: { s: 'SIGINT' },
  hostname: { s: 'h${VAR-}' },
  network_mode: { s: 'none' },
  cap_add: { q: [{ s: 'NET_ADMIN' }] },
  deploy: { m: [['resources', { m: [['limits', { m: [['memory', { s: '64m' }]] }]] }]] },
  scale: { s: '2' },
  'x-any': { m: [['<<', { m: [['k', { s: 'v' }]] }]] },
};
const plausible: fc.Arbitrary<Node> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.constantFrom('web', 'db', 'r1', 'a-b', 'Ünï'), fc.uniqueArray(fc.constantFrom(...SERVICE_KEYS).chain((k) => fc.tuple(fc.constant(k), fc.oneof({ weight: 3, arbitrary: fc.constant(GOOD[k]!) }, { weight: 1, arbitrary: tree(4) }))), { maxLength: 4, selector: ([k]) => k })), { minLength: 1, maxLength: 3, selector: ([k]) => k }),
    fc.uniqueArray(fc.tuple(fc.constantFrom('default', 'front', 'back'), fc.oneof(fc.constant<Node>({ m: [] }), fc.constant<Node>({ m: [['internal', { s: 'true' }]] }), tree(3))), { maxLength: 2, selector: ([k]) => k }),
  )
  .map(([services, networks]) => ({
    m: [
      ['services', { m: services.map(([n, keys]) => [n, { m: keys }] as [string, Node]) }],
      ...(networks.length ? [['networks', { m: networks }] as [string, Node]] : []),
    ],
  }));

const document = fc
  .tuple(
    fc.oneof(plausible, fc.uniqueArray(fc.tuple(key(0), tree(1)), { minLength: 1, maxLength: 5, selector: ([k]) => k }).map((m): Node => ({ m }))),
    fc.integer(),
  )
  .map(([root, seed]) => {
    // Style choices come from a generator seeded by fast-check, so a run replays.
    let x = seed | 0;
    const pick = () => {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      return ((x >>> 8) & 0xffff) / 0x10000;
    };
    return emit(root, 0, pick).replace(/^\n/, '');
  });

const environment = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...VARS), fc.oneof(fc.constantFrom('', 'x', '${VAR}', '$$', 'a b', 'é😀', '99999', '1g'), anyText), { maxKeys: 4 }),
    fc.option(fc.oneof(fc.constant('fuzz'), anyText), { freq: 8, nil: undefined }),
  )
  .map(([env, name]) => (name === undefined ? env : { ...env, COMPOSE_PROJECT_NAME: name }));

/** YAML punctuation, interpolation and unicode, stuck together. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'services:', 'networks:', 'web:', '\n', '\n  ', '\n    ', '  ', 'a: ', '- ', '&x ', '*x', '<<: ', '<<: *x', '? ',
        ': ', '[', ']', '{', '}', ', ', '"', "'", '#', '|', '>-', '!!str ', '!!map ', '!reset ', '!override ', '!!binary ',
        '%YAML 1.2\n', '---\n', '...\n', '\t', '\r\n', '\\', '${', '}', ':-', ':?', ':+', '$$', '$', '\u0000', '\uFEFF',
        '\u2028', '😀', '\uD800', 'é', '1e999', '0b1', '0o8', '.nan', 'ports: ["80"]', 'command: sh',
      ),
      anyText,
    ),
    { maxLength: 40 },
  )
  .map((xs) => xs.join(''));

/** Outcomes, logged so a generator that only ever makes parse errors shows. */
const outcomes = { loaded: 0, parseErrors: 0, otherSpecErrors: 0 };

/** Load `compose` (and optionally an override and a .env) in memory; check the outcome. */
function check(files: Record<string, string>, env: Record<string, string>): void {
  const reader = { readText: (p: string) => (Object.hasOwn(files, p) ? files[p] : undefined) };
  const started = performance.now();
  try {
    const project = loadProject({
      files: Object.keys(files).filter((f) => f.endsWith('.yaml')),
      cwd: '/proj',
      environment: env,
      reader,
    });
    renderConfig(project);
    outcomes.loaded++;
  } catch (e) {
    if (!(e instanceof SpecError)) throw new Error(`not a SpecError: ${(e as Error)?.stack ?? String(e)}`);
    if (!e.issues.length || e.issues.some((i) => typeof i.message !== 'string' || !i.message)) throw new Error(`a SpecError without a message: ${JSON.stringify(e.issues)}`);
    if (e.issues.some((i) => /YAML|yaml|alias|anchor|indent|parse/.test(i.message))) outcomes.parseErrors++;
    else outcomes.otherSpecErrors++;
  }
  const ms = performance.now() - started;
  if (ms > HANG_MS) throw new Error(`the load took ${Math.round(ms)} ms`);
}

const params = (numRuns: number) => ({ numRuns: runs(numRuns), ...(SEED === undefined ? {} : { seed: SEED }) });
let heapBefore = 0;
test.before(() => {
  heapBefore = process.memoryUsage().heapUsed;
});

test('structured documents with anchors, merge keys, interpolation and unicode load or fail with a SpecError', (t) => {
  t.timeout(10 * 60_000);
  fc.assert(
    fc.property(document, fc.option(document, { nil: undefined }), environment, fc.option(soup, { nil: undefined }), (main, override, env, dotenv) => {
      check(
        {
          '/proj/compose.yaml': main,
          ...(override === undefined ? {} : { '/proj/compose.override.yaml': override }),
          ...(dotenv === undefined ? {} : { '/proj/.env': dotenv }),
        },
        env,
      );
    }),
    params(5_000),
  );
  t.pass();
});

test('token soup loads or fails with a SpecError', (t) => {
  t.timeout(10 * 60_000);
  fc.assert(fc.property(soup, environment, (text, env) => check({ '/proj/compose.yaml': text }, env)), params(3_000));
  t.pass();
});

test('interpolation returns a string or throws a TemplateError', (t) => {
  t.timeout(10 * 60_000);
  const text = fc.array(fc.oneof(fc.constantFrom(...SCALARS, '${', '}', ':-', '-', ':?', '?', ':+', '+', '$', 'VAR', '_'), anyText), { maxLength: 12 }).map((xs) => xs.join(''));
  fc.assert(
    fc.property(text, environment, (s, env) => {
      try {
        const r = substitute(s, (n) => env[n]);
        if (typeof r.value !== 'string') throw new Error(`not a string: ${JSON.stringify(r)}`);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
      }
    }),
    params(2_000),
  );
  t.pass();
});

test.after('memory stays bounded', (t) => {
  const grown = process.memoryUsage().heapUsed - heapBefore;
  t.log(`outcomes: ${JSON.stringify(outcomes)}`);
  t.log(`heap grew by ${Math.round(grown / 2 ** 20)} MiB`);
  t.true(grown < 512 * 2 ** 20, `heap grew by ${grown} bytes`);
});

// Billion laughs and deep nesting are the inputs most likely to exhaust memory or the stack: each must fail cleanly.
test('alias bombs and deep nesting are refused with a SpecError', (t) => {
  const laughs = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`)];
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  for (const text of [`x-bomb:\n${laughs.map((l) => `  ${l}`).join('\n')}\nservices: {}\n`, `services:\n  web:\n    x-deep: ${deep}\n`]) {
    t.notThrows(() => check({ '/proj/compose.yaml': text }, {}));
    t.throws(() => loadProject({ files: [], cwd: '/proj', environment: {}, reader: { readText: (p) => (p === '/proj/compose.yaml' ? text : undefined) } }), { instanceOf: SpecError });
  }
});
