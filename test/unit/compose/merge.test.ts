import test from 'ava';
import { hasIssue, issues, load, yaml } from './helpers';

const base = yaml`
  services:
    web:
      command: ["server", "--port", "80"]
      entrypoint: /init
      hostname: base
      environment:
        A: base
        B: base
      sysctls: [net.ipv4.ip_forward=1]
      dns: [10.0.0.53, 10.0.0.54]
      dns_search: base.example
      extra_hosts: ["db:10.0.0.5"]
      env_file: one.env
      networks:
        front:
          aliases: [www]
          ipv4_address: 10.1.0.10
      depends_on:
        db:
          condition: service_healthy
    db: {}
  networks:
    front:
      driver_opts:
        com.docker.network.driver.mtu: 1400
        custom.opt: a
      labels: [team=net]
      ipam:
        config:
          - subnet: 10.1.0.0/24
`;

const over = yaml`
  services:
    web:
      command: serve --fast
      hostname: over
      environment:
        - B=over
        - C=over
      sysctls:
        net.core.somaxconn: 1024
      dns: 10.0.0.54
      dns_search: [over.example]
      extra_hosts:
        db: 10.0.0.6
        cache: 10.0.0.7
      env_file: [two.env]
      networks:
        front:
          aliases: [web2]
        back:
      depends_on: [cache]
    cache: {}
  networks:
    front:
      driver_opts:
        custom.opt: b
      labels:
        tier: edge
      ipam:
        config:
          - subnet: 10.1.0.0/24
            gateway: 10.1.0.254
          - subnet: 10.2.0.0/24
    back: {}
`;

const files = { 'compose.yaml': base, 'compose.override.yaml': over, 'one.env': 'E1=1\nSHARED=one\n', 'two.env': 'E2=2\nSHARED=two\n' };

test('the override file is found and merged as Docker Compose merges', (t) => {
  const p = load(files);
  t.deepEqual(p.files, ['/proj/compose.yaml', '/proj/compose.override.yaml']);
  const web = p.services.web!;
  t.deepEqual(web.command, ['serve', '--fast'], 'command is replaced');
  t.deepEqual(web.entrypoint, ['/init'], 'entrypoint kept when not overridden');
  t.is(web.hostname, 'over', 'scalars are replaced');
  t.deepEqual(web.environment, { A: 'base', B: 'over', C: 'over', E1: '1', E2: '2', SHARED: 'two' }, 'environment merges by key; env_files concatenate');
  t.deepEqual(web.sysctls, { 'net.core.somaxconn': '1024', 'net.ipv4.ip_forward': '1' });
  t.deepEqual(web.dns, ['10.0.0.53', '10.0.0.54'], 'dns concatenates without duplicates');
  t.deepEqual(web.dnsSearch, ['base.example', 'over.example']);
  t.deepEqual(web.extraHosts, [
    { host: 'db', ip: '10.0.0.5' },
    { host: 'db', ip: '10.0.0.6' },
    { host: 'cache', ip: '10.0.0.7' },
  ]);
  t.deepEqual(
    web.networks.map((a) => [a.network, a.aliases, a.ipv4Address]),
    [
      ['back', [], undefined],
      ['front', ['www', 'web2'], '10.1.0.10'],
    ],
    'attachments merge by network; aliases concatenate',
  );
  t.deepEqual(web.dependsOn, {
    cache: { condition: 'service_started', required: true, restart: false },
    db: { condition: 'service_healthy', required: true, restart: false },
  });
  const front = p.networks.front!;
  t.deepEqual(front.driverOpts, { 'com.docker.network.driver.mtu': '1400', 'custom.opt': 'b' });
  t.is(front.mtu, 1400);
  t.deepEqual(front.labels, { team: 'net', tier: 'edge' });
  t.deepEqual(front.ipam, [
    { subnet: '10.1.0.0/24', gateway: '10.1.0.254', auxAddresses: {} },
    { subnet: '10.2.0.0/24', auxAddresses: {} },
  ]);
  t.deepEqual(Object.keys(p.services), ['cache', 'db', 'web']);
});

test('explicit -f files merge in order; each value keeps the file that wrote it', (t) => {
  const list = issues(t, { 'a.yaml': 'services:\n  web:\n    hostname: ok\n', 'b.yaml': 'services:\n  web:\n    hostname: "not_valid"\n' }, { files: ['a.yaml', 'b.yaml'] });
  hasIssue(t, list, 'b.yaml:3:5', 'services.web.hostname', 'is not a valid RFC 1123 host name');
});

test('a null in a later file leaves the earlier value', (t) => {
  const p = load({ 'a.yaml': 'services:\n  web:\n    hostname: kept\n    networks: {n: {aliases: [x]}}\nnetworks: {n: {}}\n', 'b.yaml': 'services:\n  web:\n    hostname:\n    networks: {n: }\n' }, { files: ['a.yaml', 'b.yaml'] });
  t.is(p.services.web!.hostname, 'kept');
  t.deepEqual(p.services.web!.networks[0]!.aliases, ['x']);
});

test('!reset removes and !override replaces', (t) => {
  const p = load(
    {
      'a.yaml': 'services:\n  web:\n    environment: {A: 1, B: 2}\n    dns: [1.1.1.1]\n    hostname: gone\n',
      'b.yaml': 'services:\n  web:\n    environment: !override {C: 3}\n    dns: !reset []\n    hostname: !reset\n',
    },
    { files: ['a.yaml', 'b.yaml'] },
  );
  const web = p.services.web!;
  t.deepEqual(web.environment, { C: '3' });
  t.deepEqual(web.dns, []);
  t.is(web.hostname, undefined);
});

test('a null environment value in a later file means "inherit" and wins', (t) => {
  const p = load({ 'a.yaml': 'services:\n  web:\n    environment: {A: 1}\n', 'b.yaml': 'services:\n  web:\n    environment: [A]\n' }, { files: ['a.yaml', 'b.yaml'], environment: { A: 'shell' } });
  t.deepEqual(p.services.web!.environment, { A: 'shell' });
});

test('an error in the second file is reported together with one in the first', (t) => {
  const list = issues(t, { 'a.yaml': 'services:\n  web:\n    runtime: x\n', 'b.yaml': 'services:\n  web:\n    shm_size: lots\n' }, { files: ['a.yaml', 'b.yaml'] });
  t.deepEqual(
    list.map((i) => `${i.loc?.file}:${i.loc?.line} ${i.path}`),
    ['a.yaml:3 services.web.runtime', 'b.yaml:3 services.web.shm_size'],
  );
});

test('files missing from -f are errors; the other files are still checked', (t) => {
  const list = issues(t, { 'a.yaml': 'services:\n  web:\n    bogus: 1\n' }, { files: ['a.yaml', 'missing.yaml'] });
  t.deepEqual(
    list.map((i) => `${i.path}: ${i.message}`),
    [': compose file /proj/missing.yaml not found', 'services.web.bogus: unknown service key "bogus"; extensions must start with "x-"'],
  );
});
