/**
 * `convert --format containerlab`: every example and a few small labs
 * convert to a file containerlab's own JSON schema accepts (read from
 * ../shared at test time), one small lab converts exactly as pinned here,
 * and what does not map is listed with its file:line (an error with --strict).
 */
import test, { type ExecutionContext } from 'ava';
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dump, load as parseYaml } from 'js-yaml';
import { loadProject, type Project } from '../../../src/compose';
import { toContainerlab, type ClabResult } from '../../../src/convert/containerlab';
import { load, repoRoot, sharedDir, yaml } from '../compose/helpers';

function readSchema(t: ExecutionContext): { definitions: Record<string, { properties: { endpoints: { prefixItems: Array<{ pattern: string }> } } }> } {
  return JSON.parse(fs.readFileSync(path.join(sharedDir(t), 'containerlab-schema', 'clab.schema.json'), 'utf8'));
}

/**
 * What containerlab's schema says that ajv cannot check: it declares draft-07,
 * where the `prefixItems` giving the short link endpoints' "node:interface"
 * pattern is ignored. The patterns are read from the schema; endpoints must
 * also name nodes of the file (containerlab refuses a link to a missing node).
 */
function endpointProblems(t: ExecutionContext, doc: ClabResult['file']): string[] {
  const patterns = readSchema(t).definitions['link-config-short']!.properties.endpoints.prefixItems.map((p) => new RegExp(p.pattern, 'u'));
  const out: string[] = [];
  for (const link of doc.topology.links ?? []) {
    link.endpoints.forEach((ep, i) => {
      if (!patterns[i]!.test(ep)) out.push(`${ep} does not match ${patterns[i]}`);
      if (!Object.hasOwn(doc.topology.nodes, ep.split(':')[0]!)) out.push(`${ep}: no such node`);
    });
  }
  return out;
}

function validator(t: ExecutionContext) {
  // markdownDescription and the like are containerlab's own annotations: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(readSchema(t));
  /** Validates the file as containerlab reads it: the YAML text, parsed back. */
  return (result: ClabResult, what: string) => {
    const doc = parseYaml(dump(result.file, { lineWidth: -1, noRefs: true }));
    t.true(validate(doc), `${what}: ${ajv.errorsText(validate.errors)}`);
    t.deepEqual(endpointProblems(t, doc as ClabResult['file']), [], what);
  };
}

function loadExample(name: string): Project {
  const dir = path.join(repoRoot, 'compose-examples', name);
  return loadProject({ files: [], cwd: dir, environment: {}, reader: { readText: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined) } });
}

const examples = fs.readdirSync(path.join(repoRoot, 'compose-examples')).filter((d) => fs.existsSync(path.join(repoRoot, 'compose-examples', d, 'compose.yaml')));

const LINE_LAB = yaml`
  name: line
  services:
    r1:
      image: docker.io/library/alpine:3.20
      sysctls: { net.ipv4.ip_forward: 1 }
      environment: { ROLE: router }
      volumes: ["/srv/lab/r1:/etc/frr:ro"]
      x-routes: [{ to: 10.9.2.0/24, via: 10.9.0.1 }, { to: "fd09:2::/64", via: "fd09::1", metric: 20 }]
    r2:
      image: docker.io/library/alpine:3.20
      command: ["sh", "-c", "echo 'up'; sleep infinity"]
      x-routes: [{ to: default, via: 10.9.0.0, dev: eth1 }]
  x-links:
    - endpoints: ["r1:eth1", "r2:eth1"]
      ipv4: [10.9.0.0/31, 10.9.0.1/31]
      ipv6: ["fd09::/127", "fd09::1/127"]
      mtu: 9000
`;

test('every example converts to a file containerlab’s schema accepts', (t) => {
  const check = validator(t);
  t.true(examples.length >= 3);
  for (const name of examples) check(toContainerlab(loadExample(name)), name);
});

test('the schema checks can fail: unknown keys, an endpoint without an interface or node', (t) => {
  const validate = new Ajv({ strict: false }).compile(readSchema(t));
  const r = toContainerlab(load(LINE_LAB));
  t.true(validate(r.file));
  t.false(validate({ ...r.file, topology: { ...r.file.topology, nodes: { ...r.file.topology.nodes, r1: { kind: 'linux', mtu: 1500 } } } }));
  t.false(validate({ ...r.file, topology: { ...r.file.topology, links: [] } }), 'containerlab wants no links key rather than an empty one');
  const bad = { ...r.file, topology: { ...r.file.topology, links: [{ endpoints: ['r1', 'r3:eth1'] as [string, string] }] } };
  t.deepEqual(endpointProblems(t, bad), ['r1 does not match /^\\S+:\\S+$/u', 'r3:eth1: no such node']);
});

test('a file without links has no links key (containerlab wants at least one when the key is there)', (t) => {
  const r = toContainerlab(load('name: solo\nservices:\n  a: { image: alpine, network_mode: host }\n'));
  validator(t)(r, 'solo');
  t.false('links' in r.file.topology);
  t.is(r.file.topology.nodes['a']!['network-mode'], 'host');
});

test('a line lab converts exactly: nodes, links, exec', (t) => {
  const r = toContainerlab(load(LINE_LAB));
  validator(t)(r, 'line');
  t.deepEqual(r.file, {
    name: 'line',
    topology: {
      nodes: {
        r1: {
          kind: 'linux',
          image: 'docker.io/library/alpine:3.20',
          'network-mode': 'none',
          env: { ROLE: 'router' },
          binds: ['/srv/lab/r1:/etc/frr:ro'],
          sysctls: { 'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.default.disable_ipv6': '0', 'net.ipv4.ip_forward': '1' },
          exec: ['ip addr add 10.9.0.0/31 dev eth1', 'ip addr add fd09::/127 dev eth1', 'ip route add 10.9.2.0/24 via 10.9.0.1', 'ip -6 route add fd09:2::/64 via fd09::1 metric 20'],
        },
        r2: {
          kind: 'linux',
          image: 'docker.io/library/alpine:3.20',
          'network-mode': 'none',
          cmd: `sh -c 'echo '\\''up'\\''; sleep infinity'`,
          sysctls: { 'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.default.disable_ipv6': '0' },
          exec: ['ip addr add 10.9.0.1/31 dev eth1', 'ip addr add fd09::1/127 dev eth1', 'ip route add default via 10.9.0.0 dev eth1'],
        },
      },
      links: [{ endpoints: ['r1:eth1', 'r2:eth1'], mtu: 9000 }],
    },
  });
  t.deepEqual(r.warnings, []);
});

const UNMAPPED = yaml`
  name: odd
  services:
    web:
      image: nginx
      ports: ["8080:80"]
      networks: [lan]
      volumes: [data:/var/lib/data]
    r1:
      x-rootfs: /srv/rootfs
      networks:
        lan: { ipv4_address: 10.7.0.2, mac_address: "02:00:00:00:00:01" }
  networks:
    lan:
      internal: true
      ipam: { config: [{ subnet: 10.7.0.0/24 }] }
  volumes:
    data: {}
  x-links: []
  x-verify: [{ from: web, to: r1, expect: reach }]
`;

const where = (r: ClabResult) => r.warnings.map((w) => `${w.kind} ${w.loc ? `${path.basename(w.loc.file)}:${w.loc.line}` : '?'} ${w.path}`).sort();

test('what does not map is listed with file:line, and bridges become kind: bridge nodes', (t) => {
  const r = toContainerlab(load(UNMAPPED));
  validator(t)(r, 'odd');
  t.deepEqual(where(r), [
    'note compose.yaml:13 networks.lan',
    'unmapped compose.yaml:9 services.r1.x-rootfs',
    'unmapped compose.yaml:11 services.r1.networks.lan.mac_address',
    'unmapped compose.yaml:16 volumes',
    'unmapped compose.yaml:19 x-verify',
    'unmapped compose.yaml:5 services.web.ports',
    'unmapped compose.yaml:6 services.web.networks.lan',
    'unmapped compose.yaml:7 services.web.volumes',
  ].sort());
  t.is(r.file.topology.nodes['r1']!.image, 'SET-IMAGE-FOR-r1');
  t.is(r.file.topology.nodes['r1']!.cmd, 'sleep infinity', 'tscompose runs a pause process there');
  t.is(r.file.topology.nodes['r1']!.sysctls, undefined, 'IPv4 only: IPv6 left as the runtime has it');
  t.is(r.file.topology.nodes['web']!.cmd, undefined, "an image's own command runs");
  t.deepEqual(r.file.topology.nodes['odd-lan'], { kind: 'bridge' });
  t.deepEqual(r.file.topology.links, [
    { endpoints: ['r1:eth0', 'odd-lan:r1-eth0'] },
    { endpoints: ['web:eth0', 'odd-lan:web-eth0'] },
  ]);
  t.deepEqual(r.file.topology.nodes['r1']!.exec, ['ip addr add 10.7.0.2/24 dev eth0']);
  t.true(r.warnings.find((w) => w.path === 'services.r1.x-rootfs')!.message.includes('/srv/rootfs'));
});

test('shaping becomes a containerlab tools netem command in a warning at the x-netem key', (t) => {
  const r = toContainerlab(load(yaml`
    name: shaped
    services: { a: { image: alpine }, b: { image: alpine } }
    x-links:
      - endpoints: ["a:eth1", "b:eth1"]
        x-netem: { rate: 10mbit, delay: 20ms, loss: 1% }
  `));
  const w = r.warnings.filter((x) => x.path === 'x-links.0.x-netem');
  t.is(w.length, 2);
  t.is(w[0]!.loc?.line, 5);
  t.true(w[0]!.message.includes('containerlab tools netem set -n clab-shaped-a -i eth1 --delay 20ms --loss 1 --rate 10000'), w[0]!.message);
});

test('runtime keys containerlab shares are carried over; the rest of them is listed', (t) => {
  const r = toContainerlab(load(yaml`
    name: rt
    services:
      a:
        image: alpine
        command: ["sh", "-c", "echo $$HOME"]
        tmpfs: ["/run:size=1m,mode=755"]
        dns: [10.0.0.53]
        dns_search: [lab.example]
        mem_limit: 64m
        cpus: 0.5
        cpuset: "0"
        restart: on-failure:3
        deploy: { replicas: 2 }
  `));
  validator(t)(r, 'rt');
  t.like(r.file.topology.nodes['a'], {
    tmpfs: { '/run': `size=${1024 * 1024},mode=755` },
    dns: { servers: ['10.0.0.53'], search: ['lab.example'] },
    memory: String(64 * 1024 * 1024),
    cpu: 0.5,
    'cpu-set': '0',
    'restart-policy': 'on-failure',
  });
  t.deepEqual(where(r), [
    'note compose.yaml:3 networks.default',
    'note compose.yaml:5 services.a.command',
    'unmapped compose.yaml:12 services.a.restart',
    'unmapped compose.yaml:13 services.a.deploy.replicas',
    'unmapped compose.yaml:3 networks.default',
    'unmapped compose.yaml:3 services.a.networks.default',
  ].sort());
  t.is(r.file.topology.nodes['a']!.cmd, "sh -c 'echo $HOME'");
});

test('shaping of a bridge attachment is listed too, at the attachment’s x-netem', (t) => {
  const r = toContainerlab(load(yaml`
    name: lan
    services:
      a:
        image: alpine
        networks:
          lan: { ipv4_address: 10.8.0.2, x-netem: { delay: 5ms } }
    networks:
      lan: { internal: true, ipam: { config: [{ subnet: 10.8.0.0/24 }] } }
  `));
  validator(t)(r, 'lan');
  const w = r.warnings.filter((x) => x.path === 'services.a.networks.lan.x-netem');
  t.is(w.length, 1);
  t.is(w[0]!.loc?.line, 6);
  t.true(w[0]!.message.includes('containerlab tools netem set -n clab-lan-a -i eth0 --delay 5ms'), w[0]!.message);
});

test('a bridge named by its driver option is that bridge node; other driver options are listed', (t) => {
  const r = toContainerlab(load(yaml`
    name: named
    services:
      a: { image: alpine, networks: { lan: { ipv4_address: 10.6.0.2 } } }
    networks:
      lan:
        internal: true
        driver_opts:
          com.docker.network.bridge.name: br-lab
          com.docker.network.driver.mtu: 9000
          com.docker.network.bridge.enable_icc: "false"
        ipam: { config: [{ subnet: 10.6.0.0/24 }] }
  `));
  validator(t)(r, 'named');
  t.deepEqual(r.file.topology.nodes['br-lab'], { kind: 'bridge' });
  t.deepEqual(r.file.topology.nodes['a']!.exec, ['ip addr add 10.6.0.2/24 dev eth0', 'ip link set dev eth0 mtu 9000']);
  t.deepEqual(where(r), ['note compose.yaml:5 networks.lan', 'unmapped compose.yaml:10 networks.lan.driver_opts.com.docker.network.bridge.enable_icc'].sort());
});
