/**
 * Oracle: the official compose-spec JSON schema (read from ../shared at test
 * time). For each small document below, ajv says what the schema thinks;
 * then: every document the schema rejects must be rejected by loadProject,
 * and every document it accepts must load, or get only "not supported yet"
 * issues, or (listed with the reason) a validation the schema cannot express.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Ajv from 'ajv';
import { dump } from 'js-yaml';
import { SpecError } from '../../../src/errors';
import type { SpecIssue } from '../../../src/errors';
import { load, sharedDir } from './helpers';

type Expect =
  | { schema: true; outcome: 'load' }
  | { schema: true; outcome: 'unsupported' }
  | { schema: true; outcome: 'invalid'; why: string }
  | { schema: false };

const ok = { schema: true, outcome: 'load' } as const;
const unsupported = { schema: true, outcome: 'unsupported' } as const;
const invalid = (why: string) => ({ schema: true, outcome: 'invalid', why }) as const;
const rejected = { schema: false } as const;

const svc = (s: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ services: { web: s }, ...extra });

const cases: Array<[string, Record<string, unknown>, Expect]> = [
  // Accepted by the schema, and by us.
  ['one empty service', svc({}), ok],
  ['networks only', { networks: { lab: null } }, ok],
  ['obsolete version string', { version: '3.8', ...svc({}) }, ok],
  ['top-level name and extensions', { name: 'demo', 'x-any': { a: [1] }, ...svc({ 'x-rootfs': '/r' }) }, ok],
  ['command forms', { services: { a: { command: 'echo hi' }, b: { command: ['echo', 'hi'] }, c: { command: null, entrypoint: '' } } }, ok],
  ['environment map with number, bool and null', svc({ environment: { A: 1, B: true, C: null, D: 'x' } }), ok],
  ['environment list', svc({ environment: ['A=1', 'B'] }), ok],
  ['env_file long form, optional and missing', svc({ env_file: [{ path: 'nope.env', required: false }] }), ok],
  ['networks list form', svc({ networks: ['a', 'b'] }, { networks: { a: {}, b: {} } }), ok],
  [
    'networks long form',
    svc(
      { networks: { a: { aliases: ['x'], ipv4_address: '10.0.0.5', ipv6_address: 'fd00::5', mac_address: '02:00:00:00:00:05', interface_name: 'eth5', priority: 1, gw_priority: 2, 'x-n': 1 }, b: null } },
      { networks: { a: { enable_ipv6: true, ipam: { config: [{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }] } }, b: {} } },
    ),
    ok,
  ],
  [
    'full bridge network',
    {
      networks: {
        n: {
          name: 'real',
          driver: 'bridge',
          driver_opts: { 'com.docker.network.bridge.name': 'br-n', 'com.docker.network.driver.mtu': 1400, other: 'x' },
          ipam: { driver: 'default', config: [{ subnet: '10.1.0.0/16', ip_range: '10.1.1.0/24', gateway: '10.1.0.1', aux_addresses: { r: '10.1.0.2' } }] },
          internal: 'true',
          enable_ipv6: false,
          attachable: true,
          labels: ['a=b'],
        },
      },
    },
    ok,
  ],
  ['external network with name', { networks: { e: { external: true, name: 'docker0net' } } }, ok],
  ['network_mode none', svc({ network_mode: 'none' }), ok],
  ['network_mode service', { services: { a: {}, b: { network_mode: 'service:a' } } }, ok],
  ['sysctls list and map', { services: { a: { sysctls: ['net.ipv4.ip_forward=1'] }, b: { sysctls: { 'net.core.somaxconn': 1024 } } } }, ok],
  ['dns as string and list', svc({ dns: '1.1.1.1', dns_search: ['lab.example'], dns_opt: ['ndots:2'] }), ok],
  ['extra_hosts map with a list', svc({ extra_hosts: { h: ['10.0.0.1', '10.0.0.2'], g: '::1' } }), ok],
  ['depends_on long form', { services: { a: {}, b: { depends_on: { a: { condition: 'service_healthy', required: false, restart: 'true' } } } } }, ok],
  ['scale and replicas as strings', { services: { a: { scale: '2' }, b: { deploy: { replicas: '0' } } } }, ok],
  ['ports short and long', svc({ ports: ['80', '8080:80', '127.0.0.1:53:53/udp', '[::1]:9000-9001:90-91', 8081, { target: 81, published: '8090-8099', host_ip: '0.0.0.0', protocol: 'udp', mode: 'host' }] }), ok],
  ['hostname, user, working_dir', svc({ hostname: 'h', domainname: 'd.example', user: '1000', working_dir: '/w', container_name: 'c1' }), ok],
  [
    'resource keys',
    svc({
      cpus: 1.5, cpu_shares: '512', cpuset: '0-1', mem_limit: '512m', mem_reservation: 134217728, memswap_limit: -1, pids_limit: '100',
      oom_score_adj: 100, blkio_config: { weight: '300' }, ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: '512' }, cgroup_parent: 'lab.slice',
    }),
    ok,
  ],
  ['image, pull_policy, platform', svc({ image: 'nginx:1.27', pull_policy: 'daily', platform: 'linux/amd64' }), ok],
  ['cpu quota and period', svc({ cpu_quota: '50000', cpu_period: 100000 }), ok],
  ['deploy resources', svc({ deploy: { resources: { limits: { cpus: '0.5', memory: '1g', pids: 10 }, reservations: { cpus: 0.25, memory: '64m' } } } }), ok],

  // Accepted by the schema; features we do not implement yet.
  ['build', svc({ build: { context: '.', args: ['A=1'], target: 't' } }), ok],
  ['runtime runc (ours does what it does)', svc({ runtime: 'runc' }), ok],
  ['another runtime', svc({ runtime: 'runsc' }), unsupported],
  ['expose', svc({ expose: ['80', 8080, '9000-9001/udp'] }), ok],
  ['service labels, annotations', svc({ labels: { a: 'b', n: 1, t: true, e: null }, annotations: ['k=v'] }), ok],
  ['label_file missing', svc({ label_file: 'nope.labels' }), invalid('files are not schema-checked')],
  ['duplicate expose', svc({ expose: ['80', '80'] }), rejected],
  ['expose as a string', svc({ expose: '80' }), rejected],
  ['label_file as a number', svc({ label_file: 5 }), rejected],
  ['healthcheck', svc({ healthcheck: { test: ['CMD', 'true'] } }), ok],
  ['restart', svc({ restart: 'on-failure:3' }), ok],
  ['shm_size', svc({ shm_size: '1g' }), ok],
  ['shm_size as bytes', svc({ shm_size: 67108864 }), ok],
  ['shm_size not a size', svc({ shm_size: 'lots' }), invalid('the schema takes any string')],
  ['shm_size as a list', svc({ shm_size: ['1g'] }), rejected],
  ['group_add names and numbers', svc({ group_add: ['audio', 44, '1000'] }), ok],
  ['group_add duplicated', svc({ group_add: ['audio', 'audio'] }), rejected],
  ['group_add as a string', svc({ group_add: 'audio' }), rejected],
  ['pid host', svc({ pid: 'host' }), ok],
  ['pid of another service', { services: { a: {}, b: { pid: 'service:a' } } }, ok],
  ['pid of a missing service', svc({ pid: 'service:nope' }), invalid('references are not schema-checked')],
  ['pid of a container outside the project', svc({ pid: 'container:x' }), invalid('modes are free strings')],
  ['pid null', svc({ pid: null }), ok],
  ['ipc modes', { services: { a: { ipc: 'shareable' }, b: { ipc: 'service:a' }, c: { ipc: 'host' }, d: { ipc: 'private' } } }, ok],
  ['ipc of a non-shareable service', { services: { a: {}, b: { ipc: 'service:a' } } }, invalid('Docker refuses a non-shareable donor')],
  ['ipc nonsense', svc({ ipc: 'public' }), invalid('modes are free strings')],
  ['uts host', svc({ uts: 'host' }), ok],
  ['uts host with a hostname', svc({ uts: 'host', hostname: 'x' }), invalid('Docker: conflicting options')],
  ['cgroup host and private', { services: { a: { cgroup: 'host' }, b: { cgroup: 'private' } } }, ok],
  ['cgroup nonsense', svc({ cgroup: 'shared' }), rejected],
  ['userns_mode host', svc({ userns_mode: 'host' }), ok],
  ['userns_mode remapped', svc({ userns_mode: 'private' }), invalid('there is no user namespace remapping')],
  ['mem_swappiness and oom_kill_disable', svc({ mem_swappiness: 10, oom_kill_disable: true, mem_limit: '64m' }), ok],
  ['mem_swappiness out of range', svc({ mem_swappiness: 101 }), invalid('the schema does not bound it')],
  ['cpu_percent and cpu_count', svc({ cpu_percent: 50, cpu_count: 2 }), ok],
  ['cpu_percent above 100', svc({ cpu_percent: 150 }), rejected],
  ['cpu_percent with cpus', svc({ cpu_percent: 50, cpus: 1 }), invalid('two CPU limits')],
  ['IPC sysctls', svc({ sysctls: { 'kernel.shmmax': 68719476736, 'fs.mqueue.msg_max': 20, 'net.core.somaxconn': 1024 } }), ok],
  ['IPC sysctls with ipc host', svc({ ipc: 'host', sysctls: ['kernel.sem=250 32000 32 128'] }), invalid('they would change the host')],
  ['a sysctl of no namespace', svc({ sysctls: { 'vm.swappiness': 10 } }), invalid('keys are free strings')],
  ['isolation default', svc({ isolation: 'default' }), ok],
  ['isolation hyperv', svc({ isolation: 'hyperv' }), invalid('Windows only')],
  ['storage_opt size', svc({ storage_opt: { size: '1G' } }), ok],
  ['storage_opt other option', svc({ storage_opt: { dm_basesize: '1G' } }), unsupported],
  ['device reservations', svc({ deploy: { resources: { reservations: { devices: [{ capabilities: ['gpu'] }] } } } }), unsupported],
  ['blkio device limits', svc({ blkio_config: { device_read_bps: [{ path: '/dev/sda', rate: '1mb' }] } }), unsupported],
  ['profiles', svc({ profiles: ['debug', 'x.y-z_1'] }), ok],
  ['security_opt no-new-privileges', svc({ security_opt: ['no-new-privileges:true'] }), ok],
  ['security_opt seccomp', svc({ security_opt: ['seccomp=unconfined'] }), ok],
  ['security_opt apparmor', svc({ security_opt: ['apparmor=unconfined'] }), ok],
  ['security_opt label', svc({ security_opt: ['label=type:svirt_apache_t', 'label:disable'] }), ok],
  ['security_opt systempaths', svc({ security_opt: ['systempaths=unconfined'] }), unsupported],
  ['security_opt as a string', svc({ security_opt: 'no-new-privileges' }), rejected],
  ['links', { services: { db: {}, web: { links: ['db', 'db:database'] } } }, ok],
  ['external_links', svc({ external_links: ['redis:cache'] }), ok],
  ['macvlan network', svc({ networks: ['lan'] }, { networks: { lan: { driver: 'macvlan', driver_opts: { parent: 'eth0', macvlan_mode: 'bridge' } } } }), ok],
  ['IPv6-only network', svc({ networks: { v6: { ipv6_address: 'fd07::5' } } }, { networks: { v6: { enable_ipv4: false, enable_ipv6: true, ipam: { config: [{ subnet: 'fd07::/64' }] } } } }), ok],
  ['IPv6-only network without IPv6', { networks: { v6: { enable_ipv4: false } } }, invalid('the schema does not tie enable_ipv4 to enable_ipv6')],
  ['macvlan with IPv6, internal, without parent', svc({ networks: ['lan'] }, { networks: { lan: { driver: 'macvlan', internal: true, enable_ipv6: true } } }), ok],
  ['ipvlan network', svc({ networks: ['lan'] }, { networks: { lan: { driver: 'ipvlan', driver_opts: { parent: 'eth0', ipvlan_mode: 'l2' } } } }), ok],
  ['network_mode bridge', svc({ network_mode: 'bridge' }), ok],
  ['endpoint sysctls', svc({ networks: { default: { driver_opts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.forwarding=1' } } } }), ok],
  ['other attachment driver options', svc({ networks: { default: { driver_opts: { 'com.docker.network.endpoint.macaddress': '02:00:00:00:00:01' } } } }), unsupported],
  ['profiles as a string', svc({ profiles: 'debug' }), rejected],
  ['top-level volumes', { volumes: { data: {}, ext: { external: true, name: 'other' }, lab: { driver: 'local', labels: ['a=b'] } }, ...svc({}) }, ok],
  [
    'volumes, short and long syntax, and tmpfs',
    svc(
      {
        volumes: ['./data:/data:ro', 'db:/var/lib/db', '/cache', { type: 'bind', source: '/srv', target: '/srv', bind: { propagation: 'rslave', create_host_path: true } }, { type: 'tmpfs', target: '/run', tmpfs: { size: 1048576, mode: 1777 } }, { type: 'volume', source: 'db', target: '/sub', volume: { subpath: 'x', nocopy: true } }],
        tmpfs: ['/scratch:size=64m,mode=1777', '/t2'],
      },
      { volumes: { db: {} } },
    ),
    ok,
  ],
  ['isolation keys', svc({ read_only: true, cap_add: ['NET_ADMIN', 'cap_sys_time'], cap_drop: ['ALL'], privileged: false, init: 'true', stop_signal: 'SIGUSR1', stop_grace_period: '1m30s' }), ok],
  ['tmpfs as a string', svc({ tmpfs: '/run' }), ok],
  ['volume driver options', { volumes: { v: { driver_opts: { type: 'nfs' } } }, ...svc({}) }, unsupported],
  ['image volume mount', svc({ volumes: [{ type: 'image', source: 'alpine', target: '/x' }] }), unsupported],
  ['top-level secrets and configs', { secrets: { s: { file: 'x' } }, configs: { c: { file: 'y' } } }, ok],
  ['secret driver', { secrets: { s: { file: 'x', driver: 'vault' } } }, unsupported],
  ['include of a missing file', { include: ['other.yaml'] }, invalid('the schema cannot know the file is missing')],
  ['logging with rotation', svc({ logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } }), ok],
  ['logging driver none', svc({ logging: { driver: 'none' } }), ok],
  ['logging driver syslog', svc({ logging: { driver: 'syslog' } }), invalid('tscompose keeps the log itself')],
  ['volumes_from', { services: { data: { volumes: ['/x'] }, web: { volumes_from: ['data', 'service:data:ro'] } } }, ok],
  ['tty and stdin_open', svc({ tty: true, stdin_open: true }), ok],
  ['volumes_from a container', svc({ volumes_from: ['container:abc'] }), unsupported],
  ['overlay driver', { networks: { n: { driver: 'overlay' } } }, unsupported],
  ['ipam options', { networks: { n: { ipam: { options: { a: 'b' } } } } }, unsupported],
  ['link_local_ips', svc({ networks: { n: { link_local_ips: ['169.254.0.5'] } } }, { networks: { n: {} } }), unsupported],
  ['container network mode', svc({ network_mode: 'container:abc' }), unsupported],
  ['unimplemented docker driver option', { networks: { n: { driver_opts: { 'com.docker.network.bridge.inhibit_ipv4': 'true' } } } }, unsupported],

  // Accepted by the schema, rejected by semantic checks it cannot express.
  ['bad IPv4 address', svc({ networks: { n: { ipv4_address: '10.0.0.300' } } }, { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24' }] } } } }), invalid('the schema has no IP format')],
  ['subnet with host bits', { networks: { n: { ipam: { config: [{ subnet: '10.0.0.1/24' }] } } } }, invalid('Docker rejects it ("invalid subnet")')],
  ['undefined dependency', svc({ depends_on: ['ghost'] }), invalid('references are not schema-checked')],
  ['sysctl of no namespace', svc({ sysctls: { 'kernel.hostname': 'x' } }), invalid('only net.* and the IPC sysctls are namespaced')],
  ['undeclared named volume', svc({ volumes: ['ghost:/data'] }), invalid('references are not schema-checked')],
  ['relative mount target', svc({ volumes: ['/a:data'] }), invalid('the schema does not check paths')],
  ['unknown capability', svc({ cap_add: ['NET_MAGIC'] }), invalid('capability names are not in the schema')],
  ['bad stop_grace_period', svc({ stop_grace_period: 'soon' }), invalid('durations are not schema-checked')],
  ['duplicate mount targets', svc({ volumes: ['/a:/x', '/b:/x'] }), invalid('targets are not schema-checked')],
  ['network name starting with a dash', { networks: { '-n': {} } }, invalid('top-level networks allow any extra key in the schema')],
  ['memory below 6MiB', svc({ mem_limit: '1m' }), invalid('Docker refuses memory limits below 6MB')],
  ['cpus and deploy limit disagree', svc({ cpus: 1, deploy: { resources: { limits: { cpus: '2' } } } }), invalid('Compose refuses distinct values')],
  ['cpus with cpu_quota', svc({ cpus: 1, cpu_quota: 50000 }), invalid('Docker: "Conflicting options: Nano CPUs and CPU Quota"')],
  ['soft ulimit above hard', svc({ ulimits: { nofile: { soft: 20, hard: 10 } } }), invalid('the schema does not compare the two')],
  ['malformed cpuset', svc({ cpuset: 'one' }), invalid('the schema has no cpuset format')],
  ['unknown ulimit name', svc({ ulimits: { nofil: 10 } }), invalid('any lowercase name matches the schema')],
  ['static address on a network without subnet', svc({ networks: { n: { ipv4_address: '10.0.0.5' } } }, { networks: { n: {} } }), invalid('Docker requires a user configured subnet')],

  // Rejected by the schema: must be rejected by us.
  ['services as a list', { services: ['web'] }, rejected],
  ['null service', { services: { web: null } }, rejected],
  ['unknown top-level key', { foo: 1, ...svc({}) }, rejected],
  ['unknown service key', svc({ imagee: 'x' }), rejected],
  ['service name with a space', { services: { 'a b': {} } }, rejected],
  ['numeric version', { version: 3.8, ...svc({}) }, rejected],
  ['numeric name', { name: 5, ...svc({}) }, rejected],
  ['numeric hostname', svc({ hostname: 123 }), rejected],
  ['numeric user', svc({ user: 1000 }), rejected],
  ['environment as a string', svc({ environment: 'A=1' }), rejected],
  ['environment value as a list', svc({ environment: { A: [1] } }), rejected],
  ['duplicate environment items', svc({ environment: ['A=1', 'A=1'] }), rejected],
  ['command as a number', svc({ command: 5 }), rejected],
  ['command list with a number', svc({ command: ['sleep', 5] }), rejected],
  ['duplicate networks in list form', svc({ networks: ['a', 'a'] }, { networks: { a: {} } }), rejected],
  ['unknown attachment key', svc({ networks: { a: { ip: '10.0.0.1' } } }, { networks: { a: {} } }), rejected],
  ['priority as a string', svc({ networks: { a: { priority: 'high' } } }, { networks: { a: {} } }), rejected],
  ['depends_on without condition', { services: { a: {}, b: { depends_on: { a: {} } } } }, rejected],
  ['depends_on with a bad condition', { services: { a: {}, b: { depends_on: { a: { condition: 'started' } } } } }, rejected],
  ['depends_on required as a string', { services: { a: {}, b: { depends_on: { a: { condition: 'service_started', required: 'yes' } } } } }, rejected],
  ['dns_opt as a string', svc({ dns_opt: 'ndots:2' }), rejected],
  ['duplicate dns servers', svc({ dns: ['1.1.1.1', '1.1.1.1'] }), rejected],
  ['duplicate extra_hosts items', svc({ extra_hosts: ['a:10.0.0.1', 'a:10.0.0.1'] }), rejected],
  ['sysctls as a number', svc({ sysctls: 5 }), rejected],
  ['scale as a boolean', svc({ scale: true }), rejected],
  ['container_name without two valid characters', svc({ container_name: '-a' }), rejected],
  ['unknown network key', { networks: { n: { drvier: 'bridge' } } }, rejected],
  ['internal as a number', { networks: { n: { internal: 5 } } }, rejected],
  ['external as a number', { networks: { n: { external: 5 } } }, rejected],
  ['unknown ipam config key', { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', gw: '10.0.0.1' }] } } } }, rejected],
  ['ipam config as a mapping', { networks: { n: { ipam: { config: { subnet: '10.0.0.0/24' } } } } }, rejected],
  ['aux address as a number', { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', aux_addresses: { a: 5 } }] } } } }, rejected],
  ['deploy replicas as a list', svc({ deploy: { replicas: [1] } }), rejected],
  ['env_file item without path', svc({ env_file: [{ required: false }] }), rejected],
  ['long volume without type', svc({ volumes: [{ source: '/a', target: '/b' }] }), rejected],
  ['unknown volume key', { volumes: { v: { drivr: 'local' } }, ...svc({}) }, rejected],
  ['cap_add as a string', svc({ cap_add: 'NET_ADMIN' }), rejected],
  ['services as null', { services: null }, rejected],
  ['deploy memory limit as a number', svc({ deploy: { resources: { limits: { memory: 536870912 } } } }), rejected],
  ['oom_score_adj out of range', svc({ oom_score_adj: 2000 }), rejected],
  ['ulimit with soft only', svc({ ulimits: { nofile: { soft: 10 } } }), rejected],
  ['unknown blkio_config key', svc({ blkio_config: { weigth: 10 } }), rejected],
  ['cpuset as a number', svc({ cpuset: 1 }), rejected],
  ['unknown resource limit', svc({ deploy: { resources: { limits: { disk: '1g' } } } }), rejected],
];

const describeIssues = (list: SpecIssue[]) => list.map((i) => `${i.path}: ${i.message}`).join('\n');

test('the compose-spec schema and loadProject agree on small documents', (t) => {
  const schemaPath = path.join(sharedDir(t), 'compose-spec', 'compose-spec.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
  // The file's $schema URL is not one ajv ships; formats are Compose's own (durations etc.).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  const validate = ajv.compile(schema);
  for (const [name, doc, expect] of cases) {
    const schemaOk = validate(doc) === true;
    t.is(schemaOk, expect.schema, `${name}: the schema ${schemaOk ? 'accepts' : 'rejects'} it (${ajv.errorsText(validate.errors)})`);
    let problems: SpecIssue[] | undefined;
    try {
      load(dump(doc), { projectName: 'oracle' });
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      problems = err.issues;
    }
    if (!schemaOk) {
      t.truthy(problems, `${name}: the schema rejects it, loadProject accepted it`);
      continue;
    }
    if (!expect.schema) continue;
    switch (expect.outcome) {
      case 'load':
        t.is(problems, undefined, `${name}: should load, got:\n${describeIssues(problems ?? [])}`);
        break;
      case 'unsupported':
        t.truthy(problems, `${name}: should be rejected as not supported yet`);
        for (const i of problems ?? []) t.true(i.message.includes('not supported yet'), `${name}: ${i.path}: ${i.message}`);
        break;
      case 'invalid':
        t.truthy(problems, `${name}: should be rejected (${expect.why})`);
        t.true((problems ?? []).every((i) => !i.message.includes('not supported yet')), `${name}: a validation error, not a missing feature`);
        break;
    }
  }
});
