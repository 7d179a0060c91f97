import test from 'ava';
import { PlanError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { journalAfter } from '../../../src/plan/journal';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

test('networks without a subnet get 172.18.0.0/16, then 172.19.0.0/16, in name order', (t) => {
  const p = project('app', [service('web', { networks: [attach('back'), attach('front')] })], [network('front'), network('back')]);
  const d = resolve(p, emptyObserved());
  t.is(d.networks.back!.subnet, '172.18.0.0/16');
  t.is(d.networks.back!.gateway, '172.18.0.1');
  t.is(d.networks.front!.subnet, '172.19.0.0/16');
});

test('the pool skips subnets that overlap host routes and other projects', (t) => {
  const p = project('app', [service('web')]);
  const d = resolve(
    p,
    emptyObserved({
      hostRoutes: [{ dst: '172.18.5.0/24', dev: 'eth9' }],
      otherProjects: [{ project: 'other', subnets: ['172.19.0.0/16'], addresses: [] }],
    }),
  );
  t.is(d.networks.default!.subnet, '172.20.0.0/16');
});

test('an explicit subnet overlapping a host route is a plan error naming the key', (t) => {
  const p = project('app', [service('web', { networks: [attach('lan')] })], [
    network('lan', { ipam: [{ subnet: '10.20.0.0/16', auxAddresses: {} }] }),
  ]);
  (p.sources as Map<string, any>).set('networks.lan.ipam.config.0.subnet', { file: 'compose.yaml', line: 7, col: 19 });
  const e = t.throws(() => resolve(p, emptyObserved({ hostRoutes: [{ dst: '10.20.30.0/24', dev: 'eth1' }] })), {
    instanceOf: PlanError,
  });
  t.is(e!.message, 'compose.yaml:7:19 networks.lan.ipam.config.0.subnet: 10.20.0.0/16 overlaps the host route 10.20.30.0/24 dev eth1');
});

test('addresses: static first, then lowest free in service order; deterministic', (t) => {
  const p = project(
    'app',
    [service('web'), service('api', { networks: [attach('default', { ipv4Address: '10.5.0.2' })] }), service('db')],
    [network('default', { ipam: [{ subnet: '10.5.0.0/24', auxAddresses: { printer: '10.5.0.3' } }] })],
  );
  const d = resolve(p, emptyObserved());
  const addr = (c: string) => d.containers[c]!.interfaces[0]!.address;
  t.is(addr('app-api-1'), '10.5.0.2');
  t.is(addr('app-db-1'), '10.5.0.4'); // .1 gateway, .2 static, .3 aux
  t.is(addr('app-web-1'), '10.5.0.5');
  t.deepEqual(resolve(p, emptyObserved()), d);
});

test('ip_range limits dynamic addresses', (t) => {
  const p = project('app', [service('a'), service('b')], [
    network('default', { ipam: [{ subnet: '10.6.0.0/16', ipRange: '10.6.8.0/24', auxAddresses: {} }] }),
  ]);
  const d = resolve(p, emptyObserved());
  t.is(d.containers['app-a-1']!.interfaces[0]!.address, '10.6.8.0');
  t.is(d.containers['app-b-1']!.interfaces[0]!.address, '10.6.8.1');
});

test('previous allocations are kept, so adding a service renumbers nobody', (t) => {
  const before = project('app', [service('web'), service('zed')]);
  const d1 = resolve(before, emptyObserved());
  const state = {
    version: 1 as const,
    project: 'app',
    networks: { default: { bridge: d1.networks.default!.bridge, managed: true, subnet: d1.networks.default!.subnet, gateway: d1.networks.default!.gateway } },
    containers: Object.fromEntries(
      Object.values(d1.containers).map((c) => [
        c.name,
        {
          service: c.service,
          index: c.index,
          interfaces: c.interfaces.map((i) => ({ network: i.network, ifname: i.ifname, hostVeth: i.hostVeth, address: i.address, prefixLen: i.prefixLen, mac: i.mac })),
          launchHash: c.launchHash,
          launch: c.launch,
          netnsPlacement: c.netns,
        },
      ]),
    ),
    updatedAt: '',
  };
  const after = project('app', [service('aaa'), service('web'), service('zed')]);
  const d2 = resolve(after, emptyObserved({ state }));
  t.is(d2.containers['app-web-1']!.interfaces[0]!.address, d1.containers['app-web-1']!.interfaces[0]!.address);
  t.is(d2.containers['app-zed-1']!.interfaces[0]!.address, d1.containers['app-zed-1']!.interfaces[0]!.address);
  t.is(d2.containers['app-aaa-1']!.interfaces[0]!.address, '172.18.0.4');
});

test('pool exhaustion in a small subnet is a plan error', (t) => {
  const p = project('app', [service('a'), service('b'), service('c')], [
    network('default', { ipam: [{ subnet: '10.7.0.0/30', auxAddresses: {} }] }),
  ]);
  const e = t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError });
  t.regex(e!.message, /no free address left in 10\.7\.0\.0\/30/);
});

test('interfaces are eth0, eth1 in attachment order unless interface_name says otherwise', (t) => {
  const p = project(
    'app',
    [service('r', { networks: [attach('a'), attach('b', { interfaceName: 'eth0' }), attach('c')] })],
    [network('a'), network('b'), network('c')],
  );
  const names = resolve(p, emptyObserved()).containers['app-r-1']!.interfaces.map((i) => `${i.network}:${i.ifname}`);
  t.deepEqual(names, ['a:eth1', 'b:eth0', 'c:eth2']);
});

test('default route via the highest gw_priority non-internal network', (t) => {
  const p = project(
    'app',
    [service('r', { networks: [attach('a'), attach('b', { gwPriority: 10 }), attach('c', { gwPriority: 20 })] })],
    [network('a'), network('b'), network('c', { internal: true })],
  );
  const c = resolve(p, emptyObserved()).containers['app-r-1']!;
  t.deepEqual(c.defaultRoute, { via: '172.19.0.1', ifname: 'eth1' });
});

test('internal-only services get no default route', (t) => {
  const p = project('app', [service('db', { networks: [attach('back')] })], [network('back', { internal: true })]);
  t.is(resolve(p, emptyObserved()).containers['app-db-1']!.defaultRoute, undefined);
});

test('/etc/hosts lists peers on shared networks with aliases; resolv.conf points at the project DNS server', (t) => {
  const p = project(
    'app',
    [
      service('web', { networks: [attach('front')], extraHosts: [{ host: 'db.example', ip: '10.9.9.9' }] }),
      service('api', { networks: [attach('front', { aliases: ['backend'] }), attach('back')] }),
      service('db', { networks: [attach('back')] }),
    ],
    [network('front'), network('back')],
  );
  const d = resolve(p, emptyObserved({ host: { ...emptyObserved().host, resolvConf: 'nameserver 127.0.0.53\nnameserver 10.0.0.53\noptions ndots:2\n' } }));
  const web = d.containers['app-web-1']!;
  const api = d.containers['app-api-1']!;
  t.true(web.files.hosts.includes(`${api.interfaces[0]!.address}\tapi app-api-1 backend\n`));
  t.false(web.files.hosts.includes('app-db-1'), 'db shares no network with web');
  t.true(web.files.hosts.includes(`${web.interfaces[0]!.address}\tweb\n`));
  t.true(web.files.hosts.endsWith('10.9.9.9\tdb.example\n'));
  // Bridged containers ask the project's DNS server on their first network's gateway; it forwards to the host's resolvers.
  t.is(web.files.resolvConf.split('\n').slice(1).join('\n'), `nameserver ${d.networks.front!.gateway}\noptions ndots:2\n`);
  t.deepEqual(d.dns!.upstream, ['127.0.0.53', '10.0.0.53'], 'the server runs on the host: loopback resolvers work there');
  t.is(web.files.hostname, 'web\n');
});

test('user names resolve through passwd and group', (t) => {
  const p = project('app', [service('a', { user: 'app' }), service('b', { user: '1000:staff' }), service('c', { user: 'ghost' })]);
  const e = t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError });
  t.regex(e!.message, /services\.c\.user: user ghost not found/);
  const ok = project('app', [service('a', { user: 'app' }), service('b', { user: '1000:staff' })]);
  const d = resolve(ok, emptyObserved());
  t.deepEqual(d.containers['app-a-1']!.launch.user, { uid: 1000, gid: 1001 });
  t.deepEqual(d.containers['app-b-1']!.launch.user, { uid: 1000, gid: 50 });
});

test('replicas get their own names, namespaces and hostnames', (t) => {
  const p = project('app', [service('w', { scale: 3 })]);
  const d = resolve(p, emptyObserved());
  t.deepEqual(Object.keys(d.containers).sort(), ['app-w-1', 'app-w-2', 'app-w-3']);
  t.deepEqual(d.containers['app-w-2']!.netns, { kind: 'own', name: 'tsc.app.w.2' });
  t.is(d.containers['app-w-3']!.launch.hostname, 'w-3');
});

test('network_mode service: shares the namespace and starts after it; host mode has no netns', (t) => {
  const p = project('app', [
    service('main'),
    service('side', { networkMode: { kind: 'service', service: 'main' }, networks: [] }),
    service('h', { networkMode: { kind: 'host' }, networks: [] }),
  ]);
  const d = resolve(p, emptyObserved());
  t.deepEqual(d.containers['app-side-1']!.netns, { kind: 'container', container: 'app-main-1', name: 'tsc.app.main.1' });
  t.deepEqual(d.containers['app-side-1']!.startAfter, ['app-main-1']);
  t.deepEqual(d.containers['app-h-1']!.netns, { kind: 'host' });
  t.deepEqual(d.containers['app-h-1']!.launch.namespaces, ['mount', 'ipc', 'pid', 'cgroup'], 'the host\'s uts namespace, as Docker with network_mode: host');
});

test('an external network must be an existing bridge; its subnet comes from the bridge', (t) => {
  const p = project('app', [service('a', { networks: [attach('lan')] })], [network('lan', { external: true, externalName: 'br-lab' })]);
  t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError, message: /br-lab not found/ });
  const d = resolve(
    p,
    emptyObserved({
      hostLinks: [{ name: 'br-lab', index: 5, kind: 'bridge', up: true, addresses: [{ address: '10.50.0.1', prefixLen: 24 }] }],
    }),
  );
  t.false(d.networks.lan!.managed);
  t.is(d.networks.lan!.subnet, '10.50.0.0/24');
  t.is(d.containers['app-a-1']!.interfaces[0]!.address, '10.50.0.2');
});

test('up SERVICE selects it and its dependencies', (t) => {
  const p = project('app', [
    service('web', { dependsOn: { api: { condition: 'service_started', required: true, restart: false } } }),
    service('api'),
    service('other'),
  ]);
  t.deepEqual(resolve(p, emptyObserved(), { services: ['web'] }).only, ['app-api-1', 'app-web-1']);
});

test('a container carries the service labels, Compose\'s own com.docker.compose.* labels, annotations and expose; the journal keeps them', (t) => {
  const p = project('app', [service('web', { scale: 2, labels: { 'traefik.enable': 'true' }, annotations: { a: 'b' }, expose: ['80/tcp'] })]);
  const d = resolve(p, emptyObserved());
  const c = d.containers['app-web-2']!;
  t.deepEqual(c.labels, {
    'com.docker.compose.config-hash': c.launchHash,
    'com.docker.compose.container-number': '2',
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.project': 'app',
    'com.docker.compose.project.config_files': p.files.join(','),
    'com.docker.compose.project.working_dir': p.workingDir,
    'com.docker.compose.service': 'web',
    'traefik.enable': 'true',
  });
  t.deepEqual(c.annotations, { a: 'b' });
  t.deepEqual(c.expose, ['80/tcp']);
  const state = journalAfter(undefined, d, { now: '2026-01-01T00:00:00Z' });
  t.deepEqual(state.containers['app-web-2']!.labels, c.labels);
  t.deepEqual(state.containers['app-web-2']!.expose, ['80/tcp']);
});
