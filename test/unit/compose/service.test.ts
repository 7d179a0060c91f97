import test from 'ava';
import { hasIssue, issues, lines, load, yaml } from './helpers';

test('a full service normalizes', (t) => {
  const p = load(
    yaml`
      services:
        web:
          command: sh -c 'echo "$$HOME" && sleep 1'
          entrypoint: ["/bin/tini", "--"]
          environment:
            NUM: 1
            FLOAT: 1.50
            BOOL: false
            EMPTY: ""
            FROM_SHELL:
            NOT_SET:
          hostname: web-1
          domainname: lab.example
          container_name: web_one
          networks:
            front:
              aliases: [www, web.lab]
              ipv4_address: 10.1.0.10
              ipv6_address: "fd00:0:0:1:0:0:0:a"
              mac_address: 02-42-AC-11-00-02
              interface_name: front0
              priority: 10
              gw_priority: 5
            back:
          sysctls:
            net.ipv4.ip_forward: 1
            net.ipv6.conf.all.disable_ipv6: "0"
          dns: 10.0.0.53
          dns_search: [lab.example, "."]
          dns_opt: [ndots:2, use-vc]
          extra_hosts:
            - "db:10.1.0.20"
            - "v6host=[fd00::1]"
            - "plain6:fd00::2"
          depends_on:
            db:
              condition: service_healthy
              restart: true
            cache:
              condition: service_started
              required: false
          working_dir: /srv
          user: "1000:1000"
          deploy:
            replicas: 1
          x-rootfs: /var/lib/rootfs/web
        db: {}
        cache: {}
      networks:
        front:
          enable_ipv6: true
          ipam:
            config:
              - subnet: 10.1.0.0/24
              - subnet: fd00:0:0:1::/64
        back: {}
    `,
    { environment: { FROM_SHELL: 'yes' } },
  );
  t.deepEqual(p.services.web, {
    name: 'web',
    command: ['sh', '-c', 'echo "$HOME" && sleep 1'],
    entrypoint: ['/bin/tini', '--'],
    environment: { BOOL: 'false', EMPTY: '', FLOAT: '1.5', FROM_SHELL: 'yes', NUM: '1' },
    hostname: 'web-1',
    domainname: 'lab.example',
    containerName: 'web_one',
    networkMode: { kind: 'default' },
    networks: [
      {
        network: 'front',
        aliases: ['www', 'web.lab'],
        ipv4Address: '10.1.0.10',
        ipv6Address: 'fd00:0:0:1::a',
        macAddress: '02:42:ac:11:00:02',
        interfaceName: 'front0',
        priority: 10,
        gwPriority: 5,
      },
      { network: 'back', aliases: [], gwPriority: 0, priority: 0 },
    ],
    sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.disable_ipv6': '0' },
    dns: ['10.0.0.53'],
    dnsSearch: ['lab.example', '.'],
    dnsOpt: ['ndots:2', 'use-vc'],
    extraHosts: [
      { host: 'db', ip: '10.1.0.20' },
      { host: 'v6host', ip: 'fd00::1' },
      { host: 'plain6', ip: 'fd00::2' },
    ],
    dependsOn: {
      cache: { condition: 'service_started', required: false, restart: false },
      db: { condition: 'service_healthy', required: true, restart: true },
    },
    ports: [],
    workingDir: '/srv',
    user: '1000:1000',
    scale: 1,
    extensions: { 'x-rootfs': '/var/lib/rootfs/web' },
    rootfs: '/var/lib/rootfs/web',
  });
});

test('command and entrypoint: null is unset, empty string is an empty argv, lists stay as written', (t) => {
  const p = load('services:\n  a: {command: null, entrypoint: ""}\n  b: {command: ["echo", "a b"]}\n  c:\n    command: >-\n      python -m http.server\n      8000\n');
  t.is(p.services.a!.command, undefined);
  t.deepEqual(p.services.a!.entrypoint, []);
  t.deepEqual(p.services.b!.command, ['echo', 'a b']);
  t.deepEqual(p.services.c!.command, ['python', '-m', 'http.server', '8000']);
});

test('command errors: unterminated quotes and non-string list items', (t) => {
  const list = issues(t, 'services:\n  a:\n    command: echo "oops\n  b:\n    command: [sleep, 10]\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 services.a.command: cannot split "echo "oops" into arguments: unterminated double quote',
    'compose.yaml:5:22 services.b.command.1: must be a string (quote numbers in exec form)',
  ]);
});

test('environment: list and map forms, inheritance, names, value types', (t) => {
  const p = load('services:\n  a:\n    environment:\n      - A=1\n      - B=x=y\n      - C\n      - D\n      - E=\n', { environment: { C: 'shell' } });
  t.deepEqual(p.services.a!.environment, { A: '1', B: 'x=y', C: 'shell', E: '' });
  const list = issues(t, 'services:\n  a:\n    environment:\n      "BAD NAME": 1\n      OK: [1]\n  b:\n    environment: [A=1, A=1]\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:7 services.a.environment.BAD NAME: environment variable name "BAD NAME" must not contain whitespace or control characters',
    'compose.yaml:5:11 services.a.environment.OK: must be a string, number, boolean or null, not a list',
    'compose.yaml:7:24 services.b.environment.1: duplicate entry "A=1"',
  ]);
});

test('no networks key: the service joins the default network; network_mode none/host/service', (t) => {
  const p = load('services:\n  a: {}\n  b: {network_mode: none}\n  c: {network_mode: host}\n  d: {network_mode: "service:a"}\n  e: {network_mode: bridge}\n');
  t.deepEqual(p.services.a!.networks.map((n) => n.network), ['default']);
  t.deepEqual(p.services.b!.networkMode, { kind: 'none' });
  t.deepEqual(p.services.b!.networks, []);
  t.deepEqual(p.services.c!.networkMode, { kind: 'host' });
  t.deepEqual(p.services.d!.networkMode, { kind: 'service', service: 'a' });
  t.deepEqual(p.services.d!.dependsOn, { a: { condition: 'service_started', required: true, restart: false } }, 'implied dependency, as Compose adds');
  // network_mode: bridge is the machine's default bridge (Docker's docker0), the network `bridge`.
  t.deepEqual(p.services.e!.networkMode, { kind: 'default', shared: true });
  t.deepEqual(p.services.e!.networks.map((n) => n.network), ['bridge']);
  t.true(p.networks.bridge!.shared);
});

test('network_mode: bridge beside a network the file names "bridge" is an error at that network', (t) => {
  const list = issues(t, 'services:\n  a: {network_mode: bridge}\nnetworks:\n  bridge: {}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:3 networks.bridge: the name "bridge" is the default bridge that network_mode: bridge (service a) joins; give this network another name',
  ]);
});

test('network_mode errors', (t) => {
  const list = issues(t, 'services:\n  a: {network_mode: "container:x"}\n  b: {network_mode: weird}\n  c:\n    network_mode: none\n    networks: [default]\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:7 services.a.network_mode: network_mode "container:…" is not supported yet',
    'compose.yaml:3:7 services.b.network_mode: "weird" is not a network mode (use bridge, none, host or service:<name>)',
    'compose.yaml:5:5 services.c.network_mode: network_mode and networks are mutually exclusive; remove one of them',
  ]);
});

test('attachment order: priority (highest first), then network name', (t) => {
  const p = load('services:\n  a:\n    networks:\n      zeta: {priority: 5}\n      beta:\n      alpha:\n      mid: {priority: 5}\nnetworks: {zeta: {}, beta: {}, alpha: {}, mid: {}}\n');
  t.deepEqual(p.services.a!.networks.map((n) => n.network), ['mid', 'zeta', 'alpha', 'beta']);
});

test('attachment errors: addresses, MAC, interface names, aliases, unsupported keys', (t) => {
  const list = issues(t, yaml`
    services:
      web:
        networks:
          front:
            ipv4_address: 10.0.0.300
            ipv6_address: 10.0.0.1
            mac_address: 01:00:5e:00:00:01
            interface_name: lo
            aliases: [bad_alias]
            link_local_ips: [169.254.1.1]
          back:
            mac_address: 02:42:ac
            interface_name: eth0
          side:
            interface_name: eth0
            priority: high
    networks: {front: {}, back: {}, side: {}}
  `);
  t.deepEqual(lines(list), [
    'compose.yaml:5:9 services.web.networks.front.ipv4_address: "10.0.0.300" is not an IPv4 address',
    'compose.yaml:6:9 services.web.networks.front.ipv6_address: "10.0.0.1" is not an IPv6 address',
    'compose.yaml:7:9 services.web.networks.front.mac_address: 01:00:5e:00:00:01 is a multicast MAC address (the lowest bit of the first byte is set); use a unicast one such as 02:…',
    'compose.yaml:8:9 services.web.networks.front.interface_name: interface name "lo" is the loopback interface',
    'compose.yaml:9:19 services.web.networks.front.aliases.0: alias "bad_alias" is not a valid RFC 1123 host name (labels of letters, digits and inner "-", at most 63 characters each, separated by ".")',
    'compose.yaml:10:9 services.web.networks.front.link_local_ips: link_local_ips is not supported yet',
    'compose.yaml:12:9 services.web.networks.back.mac_address: 02:42:ac is not a MAC address (expected six hex pairs like 02:42:ac:11:00:02)',
    'compose.yaml:15:9 services.web.networks.side.interface_name: interface name "eth0" is already used for network "back" of this service',
    'compose.yaml:16:9 services.web.networks.side.priority: must be an integer, not a string',
  ]);
});

test('sysctls: only namespaced keys (net.* and the IPC ones Docker allows)', (t) => {
  const list = issues(t, 'services:\n  a:\n    sysctls:\n      kernel.shmmax: 1\n      kernel.domainname: x\n      net.ipv4.tcp_syncookies: 1\n  b:\n    sysctls: [net.core.somaxconn]\n');
  t.deepEqual(lines(list), [
    'compose.yaml:5:7 services.a.sysctls.kernel.domainname: sysctl "kernel.domainname" is not supported: only namespaced sysctls can be set (net.*, kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*)',
    'compose.yaml:8:15 services.b.sysctls.net.core.somaxconn: "net.core.somaxconn" must be KEY=VALUE',
  ]);
});

test('dns entries must be IP addresses; hostnames and search domains are checked', (t) => {
  const list = issues(t, 'services:\n  a:\n    dns: [8.8.8.8, dns.google]\n    dns_search: ["bad domain"]\n    hostname: -web\n    domainname: ok.example\n    dns_opt: "ndots:1"\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:20 services.a.dns.1: DNS server dns.google is not an IP address',
    'compose.yaml:4:18 services.a.dns_search.0: search domain "bad domain" is not a valid RFC 1123 host name (labels of letters, digits and inner "-", at most 63 characters each, separated by ".")',
    'compose.yaml:5:5 services.a.hostname: "-web" is not a valid RFC 1123 host name (labels of letters, digits and inner "-", at most 63 characters each, separated by ".")',
    'compose.yaml:7:14 services.a.dns_opt: must be a list of strings, not a string',
  ]);
  hasIssue(t, issues(t, `services:\n  a:\n    hostname: ${'a'.repeat(65)}\n`), 'compose.yaml:3:5', 'services.a.hostname', 'is longer than 64 characters');
});

test('extra_hosts: bad entries and host-gateway', (t) => {
  const list = issues(t, 'services:\n  a:\n    extra_hosts:\n      - "nocolon"\n      - "h:999.1.1.1"\n      - "gw:host-gateway"\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:9 services.a.extra_hosts.0: "nocolon" must be "host:ip" or "host=ip"',
    'compose.yaml:5:9 services.a.extra_hosts.h: 999.1.1.1 is not an IP address',
  ]);
  t.deepEqual(load('services:\n  a:\n    extra_hosts: ["gw:host-gateway"]\n').services.a!.extraHosts, [{ host: 'gw', ip: 'host-gateway' }]);
  const p = load('services:\n  a:\n    extra_hosts:\n      multi: ["10.0.0.1", "10.0.0.2"]\n');
  t.deepEqual(p.services.a!.extraHosts, [
    { host: 'multi', ip: '10.0.0.1' },
    { host: 'multi', ip: '10.0.0.2' },
  ]);
});

test('depends_on: the map form needs a condition from the list', (t) => {
  const list = issues(t, 'services:\n  a:\n    depends_on:\n      b: {}\n      c: {condition: started, required: "yes"}\n  b: {}\n  c: {}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:4:7 services.a.depends_on.b: needs a condition (service_started, service_healthy or service_completed_successfully)',
    'compose.yaml:5:11 services.a.depends_on.c.condition: "started" is not a condition (use service_started, service_healthy, service_completed_successfully)',
    'compose.yaml:5:31 services.a.depends_on.c.required: must be a boolean, not a string',
  ]);
});

test('scale and deploy.replicas', (t) => {
  const p = load('services:\n  a: {scale: 3}\n  b: {deploy: {replicas: "2"}}\n  c: {scale: 0}\n  d: {scale: 2, deploy: {replicas: 2, mode: replicated}}\n');
  t.deepEqual([p.services.a!.scale, p.services.b!.scale, p.services.c!.scale, p.services.d!.scale], [3, 2, 0, 2]);
  const list = issues(t, 'services:\n  a: {scale: 2, deploy: {replicas: 3}}\n  b: {scale: -1}\n  c: {scale: 1.5}\n  d: {deploy: {mode: global, placement: {}}}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:26 services.a.deploy.replicas: deploy.replicas (3) disagrees with scale (2); set only one',
    'compose.yaml:3:7 services.b.scale: -1 is out of range (must be at least 0)',
    'compose.yaml:4:7 services.c.scale: 1.5 is not an integer',
    'compose.yaml:5:16 services.d.deploy.mode: deploy mode "global" is not supported yet (only replicated)',
    'compose.yaml:5:30 services.d.deploy.placement: placement is not supported yet',
  ]);
});

test('types follow the compose-spec schema: numbers are not strings where it says string', (t) => {
  const list = issues(t, 'services:\n  a:\n    user: 1000\n    hostname: 12\n    working_dir: srv\n    container_name: "x"\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 services.a.user: must be a string, not a number',
    'compose.yaml:4:5 services.a.hostname: must be a string, not a number',
    'compose.yaml:5:5 services.a.working_dir: working directory "srv" must be an absolute path',
    'compose.yaml:6:5 services.a.container_name: container name "x" must be at least 2 characters, start with a letter or digit, and contain only letters, digits, "_", "." and "-"',
  ]);
});

test('service names and shapes', (t) => {
  const list = issues(t, 'services:\n  "bad name": {}\n  nullsvc:\n  listsvc: []\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:3 services.bad name: service name "bad name" must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    'compose.yaml:3:3 services.nullsvc: must be a mapping, not null',
    'compose.yaml:4:3 services.listsvc: must be a mapping, not a list',
  ]);
});
