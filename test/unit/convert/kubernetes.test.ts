/**
 * `convert --format kubernetes`: every example, the fixtures and a few
 * awesome-compose stacks (read from ../shared at test time) convert as
 * pinned in test/golden/kubernetes (UPDATE_GOLDEN=1 rewrites them); every
 * object passes the Kubernetes OpenAPI schemas (kubernetes-models'
 * validators); the NetworkPolicies allow exactly the pairs `tscompose
 * verify` derives from the same file; what does not map is listed at its line.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load as parseYaml, loadAll } from 'js-yaml';
import { loadProject, type Project } from '../../../src/compose';
import { toKubernetes, type K8sObject, type KubernetesOptions } from '../../../src/convert/kubernetes';
import { yamlFiles, yamlStream } from '../../../src/convert/kubernetes/render';
import { resolve } from '../../../src/plan';
import { reachability, routingModel, HOST } from '../../../src/verify/routing';
import { emptyObserved } from '../../helpers/project';
import fc from 'fast-check';
import { noExpansion } from '../../../src/convert/kubernetes/container';
import { load, repoRoot, yaml } from '../compose/helpers';
import { objectProblems } from './k8s-check';
import { allowedPairs } from './netpol-eval';

interface Case {
  name: string;
  dir: string;
  file: string;
  env?: Record<string, string>;
}

const exampleDir = path.join(repoRoot, 'compose-examples');
const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'kubernetes');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus', 'awesome-compose');
const goldenDir = path.join(repoRoot, 'test', 'golden', 'kubernetes');
const CORPUS = ['nginx-golang-mysql', 'react-express-mysql', 'gitea-postgres', 'prometheus-grafana'];

const cases: Case[] = [
  ...fs.readdirSync(exampleDir).filter((d) => fs.existsSync(path.join(exampleDir, d, 'compose.yaml'))).map((d) => ({ name: d, dir: path.join(exampleDir, d), file: 'compose.yaml' })),
  { name: 'shop', dir: fixtureDir, file: 'shop.compose.yaml', env: { SHOP_DB_PASSWORD: 'not-a-real-password' } },
  { name: 'lab-bits', dir: fixtureDir, file: 'lab-bits.compose.yaml' },
  ...CORPUS.map((d) => ({ name: `awesome-compose-${d}`, dir: path.join(corpusDir, d), file: fs.existsSync(path.join(corpusDir, d, 'compose.yaml')) ? 'compose.yaml' : 'docker-compose.yml' })),
];

const readFile = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);

function loadCase(c: Case): Project {
  if (!fs.existsSync(c.dir)) throw new Error(`${c.dir} is missing (the awesome-compose corpus is read from ../shared at test time)`);
  return loadProject({ files: [path.join(c.dir, c.file)], cwd: c.dir, environment: c.env ?? {}, reader: { readText: readFile } });
}

const convert = (c: Case, opts: KubernetesOptions = {}) => toKubernetes(loadCase(c), { readFile, ...opts });

/** The output and the warning block, with the case's directory as <dir> (goldens do not depend on where the repo is). */
function goldenText(c: Case): string {
  const r = convert(c);
  const warnings = r.warnings.map((w) => `# ${w.kind === 'note' ? 'note' : 'not mapped'}: ${w.loc ? `${path.basename(w.loc.file)}:${w.loc.line}:${w.loc.col} ` : ''}${w.path}: ${w.message}\n`);
  return `${yamlStream(r.objects)}# ${r.warnings.length} warning(s)\n${warnings.join('')}`.split(c.dir).join('<dir>');
}

test('golden: every example, the fixtures and a few awesome-compose stacks convert as pinned', (t) => {
  t.true(cases.length >= 10);
  const update = process.env['UPDATE_GOLDEN'] === '1';
  if (update) fs.mkdirSync(goldenDir, { recursive: true });
  for (const c of cases) {
    const file = path.join(goldenDir, `${c.name}.yaml`);
    const text = goldenText(c);
    if (update) fs.writeFileSync(file, text);
    t.true(fs.existsSync(file), `${file} is missing: run the tests once with UPDATE_GOLDEN=1 and review it`);
    t.is(text, fs.readFileSync(file, 'utf8'), `${c.name} differs from ${path.relative(repoRoot, file)} (UPDATE_GOLDEN=1 to accept)`);
  }
});

test('every emitted object passes the Kubernetes OpenAPI schemas and the API server’s name rules', async (t) => {
  for (const c of cases) {
    for (const publishAs of ['LoadBalancer', 'NodePort'] as const) {
      const r = convert(c, { publishAs });
      // As kubectl reads them: the YAML text, parsed back.
      const objects = loadAll(yamlStream(r.objects)) as K8sObject[];
      t.deepEqual(await objectProblems(objects), [], `${c.name} (${publishAs})`);
    }
  }
});

test('a deliberately broken object is caught by the validation (the check can fail)', async (t) => {
  const r = convert(cases.find((c) => c.name === 'shop')!);
  const dep = structuredClone(r.objects.find((o) => o.kind === 'Deployment')!) as any;
  dep.spec.replicas = 'three';
  dep.spec.template.spec.containers[0].volumeMounts = [{ name: 'nope', mountPath: '/x' }];
  dep.spec.template.spec.containers[0].securityContext = { runAsUser: 1, readOnlyRootFS: true };
  const problems = await objectProblems([dep, { ...r.objects[0]!, metadata: { name: 'Bad_Name' } }]);
  t.true(problems.some((p) => /replicas must be integer/.test(p)), problems.join('\n'));
  t.true(problems.some((p) => /mount of missing volume nope/.test(p)));
  t.true(problems.some((p) => p.endsWith('.spec.template.spec.containers[0].securityContext.readOnlyRootFS: no such field')), problems.join('\n'));
  t.true(problems.some((p) => /Namespace\/Bad_Name: name/.test(p)));
});

/**
 * The pairs verify derives (routing model of the resolved plan: a reaches
 * some address of b, and back), for services NetworkPolicies can speak of:
 * own network namespace, no x-routes, no point-to-point links (multi-hop
 * routing through a lab does not map and is warned about).
 */
function verifyPairs(project: Project): { pairs: Set<string>; compared: string[] } {
  // Images do not change the network (and are not in a store here): planned without them.
  const services = Object.fromEntries(Object.entries(project.services).map(([k, s]) => [k, { ...s, image: undefined, build: undefined }]));
  const model = routingModel(resolve({ ...project, services } as Project, emptyObserved()), (c) => c.service);
  const p2p = (s: string) => project.services[s]!.networks.some((a) => project.networks[a.network]?.driver === 'p2p');
  const compared = Object.values(project.services)
    .filter((s) => s.networkMode.kind !== 'service' && s.networkMode.kind !== 'host' && !s.routes?.length && !p2p(s.name) && s.scale > 0)
    .map((s) => s.name);
  const pairs = new Set<string>();
  const nodes = [...model.nodes.values()].filter((n) => n.name !== HOST && compared.includes(n.label));
  for (const a of nodes) {
    for (const b of nodes) {
      if (a.label === b.label) continue;
      const reach = b.ifaces.some((i) => i.addresses.some((ad) => reachability(model, a.name, ad.family, ad.value).reach));
      if (reach) pairs.add(`${a.label} ${b.label}`);
    }
  }
  return { pairs, compared };
}

test('the NetworkPolicies allow exactly the service pairs tscompose verify derives', (t) => {
  let total = 0;
  for (const c of cases) {
    const project = loadCase(c);
    const { pairs, compared } = verifyPairs(project);
    const r = toKubernetes(project);
    const pods = new Map<string, Record<string, string>>();
    for (const o of r.objects) {
      const svc = Object.values(project.services).find((s) => o.kind === 'Deployment' && (o.metadata.labels ?? {})['tscompose.io/service'] === o.metadata.name && s.name.toLowerCase() === o.metadata.name);
      if (svc && compared.includes(svc.name)) pods.set(svc.name, (o as any).spec.template.metadata.labels);
    }
    t.is(pods.size, compared.length, `${c.name}: a pod for every compared service`);
    const allowed = allowedPairs(r.objects, pods);
    t.deepEqual([...allowed].sort(), [...pairs].sort(), c.name);
    total += pairs.size;
  }
  t.true(total >= 20, `only ${total} reachable pairs compared`);
});

test('the evaluator sees a missing or too wide policy (the round trip can fail)', (t) => {
  const c = cases.find((x) => x.name === 'two-tier')!;
  const project = loadCase(c);
  const r = toKubernetes(project);
  const pods = new Map<string, Record<string, string>>();
  for (const o of r.objects) if (o.kind === 'Deployment') pods.set(o.metadata.name, (o as any).spec.template.metadata.labels);
  const expected = [...verifyPairs(project).pairs].sort();
  t.deepEqual([...allowedPairs(r.objects, pods)].sort(), expected);
  // Without net-front, web reaches nobody and nobody reaches it: too narrow.
  t.notDeepEqual([...allowedPairs(r.objects.filter((o) => o.metadata.name !== 'net-front'), pods)].sort(), expected);
  // net-back taking ingress from anyone: web reaches db, which shares no network with it: too wide.
  const wide = r.objects.map((o) => (o.metadata.name === 'net-back' ? { ...o, spec: { ...(o as any).spec, ingress: [{}] } } : o));
  t.true(allowedPairs(wide, pods).has('web db'));
  t.false(expected.includes('web db'));
});

test('internal networks: egress only to the network and the cluster DNS; a pod also on another network keeps its way out', (t) => {
  const r = convert(cases.find((c) => c.name === 'shop')!);
  const back = r.objects.find((o) => o.metadata.name === 'net-back')! as any;
  t.deepEqual(back.spec.policyTypes, ['Ingress', 'Egress']);
  t.deepEqual(back.spec.egress[0], { to: [{ podSelector: { matchLabels: { 'tscompose.io/net-back': 'true' } } }] });
  t.deepEqual(back.spec.egress[1].ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  const front = r.objects.find((o) => o.metadata.name === 'net-front')! as any;
  t.deepEqual(front.spec.egress, [{}]);
});

test('depends_on: service_healthy waits on the readiness of the dependency, service_started on its port', (t) => {
  const r = convert(cases.find((c) => c.name === 'shop')!);
  const api = r.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')! as any;
  const init = api.spec.template.spec.initContainers.map((i: any) => [i.name, i.command[2]]);
  t.deepEqual(init, [
    ['wait-for-cache', 'until nc -z -w 2 cache 6379; do echo waiting for cache:6379; sleep 2; done'],
    // db has no port: its Service is headless, and its name resolves only once a pod is ready.
    ['wait-for-db', 'until nslookup db >/dev/null 2>&1 || nslookup db.shop.svc.cluster.local >/dev/null 2>&1; do echo waiting for db; sleep 2; done'],
  ]);
  const db = r.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'db')! as any;
  t.is(db.spec.clusterIP, 'None');
  const dbDep = r.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'db')! as any;
  t.truthy(dbDep.spec.template.spec.containers[0].readinessProbe);
});

test('what does not map is listed with its file:line, nothing left out', (t) => {
  const r = convert(cases.find((c) => c.name === 'lab-bits')!);
  const listed = r.warnings.filter((w) => w.kind === 'unmapped').map((w) => `${w.loc?.line}:${w.path}`);
  for (const want of [
    '11:services.router.networks.lan.ipv4_address',
    '12:services.router.networks.lan.mac_address',
    '13:services.router.networks.lan.x-netem',
    '14:services.router.sysctls.net.ipv4.ip_forward',
    '15:services.router.x-routes',
    '16:services.router.devices',
    '21:services.sniffer.network_mode',
    '22:services.sniffer.volumes',
    '35:networks.lan.ipam',
    '38:x-links',
  ]) t.true(listed.includes(want), `${want} not in\n${listed.join('\n')}`);
  t.true(r.warnings.every((w) => w.loc && w.loc.file.endsWith('lab-bits.compose.yaml')), 'every warning has a location');
  const monitor = r.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'monitor')! as any;
  t.like(monitor.spec.template.spec, { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' });
});

test('-o DIR and --kustomize: one file per object, numbered; kustomization.yaml lists them all', async (t) => {
  const r = convert(cases.find((c) => c.name === 'shop')!);
  const files = yamlFiles(r.objects, r.namespace, true);
  const k = parseYaml(files.get('kustomization.yaml')!) as { kind: string; namespace: string; resources: string[] };
  t.is(k.kind, 'Kustomization');
  t.is(k.namespace, 'shop');
  t.deepEqual(k.resources, [...files.keys()].filter((f) => f !== 'kustomization.yaml'));
  t.is(k.resources.length, r.objects.length);
  t.regex(k.resources[0]!, /^0+-namespace-shop\.yaml$/);
  const parsed = k.resources.map((f) => parseYaml(files.get(f)!) as K8sObject);
  t.deepEqual(await objectProblems(parsed), []);
  t.false(yamlFiles(r.objects, r.namespace, false).has('kustomization.yaml'));
});

test('$(…) and $$ reach the process as Compose gives them: Kubernetes would expand them in command, args and env', (t) => {
  const project = load(yaml`
    name: dollars
    services:
      a:
        image: alpine
        entrypoint: ["sh", "-c"]
        command: ["echo $$(hostname) $$HOME costs $$$$5"]
        environment: { GREETING: "hi $$(USER)" }
  `);
  const dep = toKubernetes(project).objects.find((o) => o.kind === 'Deployment')! as any;
  const c = dep.spec.template.spec.containers[0];
  // Compose gives the process `echo $(hostname) $HOME costs $$5`; Kubernetes reads $$ as $ and $(X) as a variable.
  t.deepEqual(c.args, ['echo $$(hostname) $HOME costs $$$5']);
  t.is(expand(c.args[0]), 'echo $(hostname) $HOME costs $$5');
  t.deepEqual(c.env, [{ name: 'GREETING', value: 'hi $$(USER)' }]);
  t.deepEqual(c.command, ['sh', '-c']);
});

/**
 * Kubernetes' expansion of command, args and env (third_party/forked/golang/expansion):
 * `$$` is `$`, `$(NAME)` a variable (left as written when unset, as here), any other `$` itself.
 */
function expand(s: string, vars: Record<string, string> = { USER: 'root', hostname: 'pod-1' }): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) out += s[i];
    else if (s[i + 1] === '$') (out += '$'), i++;
    else if (s[i + 1] === '(') {
      const end = s.indexOf(')', i + 2);
      if (end < 0) (out += s.slice(i)), (i = s.length);
      else (out += vars[s.slice(i + 2, end)] ?? s.slice(i, end + 1)), (i = end);
    } else out += '$';
  }
  return out;
}

test('any word survives Kubernetes expansion once escaped', (t) => {
  t.is(expand('$(USER) $$(USER) $$ $x'), 'root $(USER) $ $x', 'the model of the expansion');
  fc.assert(fc.property(fc.stringMatching(/^[$()a-zA-Z ]{0,24}$/), (w) => expand(noExpansion(w)) === w));
  t.pass();
});
