import test from 'ava';
import { renderConfig } from '../../../src/compose';
import type { Project } from '../../../src/compose';
import { fixture, load } from './helpers';

const env = { USER: 'alice', SHELL_VALUE: 'from $shell' };

function content(p: Project) {
  return { name: p.name, networks: p.networks, services: p.services, extensions: p.extensions };
}

test('the lab fixture loads to the expected model', (t) => {
  const p = load(fixture('lab.compose.yaml'), { environment: env });
  t.is(p.name, 'netlab');
  t.deepEqual(Object.keys(p.networks), ['lan', 'upstream', 'wan']);
  t.deepEqual(Object.keys(p.services), ['client', 'isolated', 'router', 'sidecar']);
  const client = p.services.client!;
  t.deepEqual(client.entrypoint, ['/bin/sh', '-c']);
  t.deepEqual(client.command, ['ip', 'route', '&&', 'echo', 'ready $HOSTNAME']);
  t.deepEqual(client.environment, { DEBUG: 'true', PRICE: '$5', ROLE: 'client', SHELL_VALUE: 'from $shell', TZ: 'UTC' });
  t.is(client.scale, 3);
  t.deepEqual(p.services.router!.networks.map((a) => [a.network, a.interfaceName, a.priority, a.gwPriority]), [
    ['lan', 'lan0', 10, 0],
    ['wan', 'wan0', 0, 100],
  ]);
  t.deepEqual(p.services.sidecar!.dependsOn, { router: { condition: 'service_started', required: true, restart: false } });
  t.is(p.services.isolated!.scale, 0);
  t.deepEqual(p.extensions, {
    'x-lab': { owner: 'alice', ports: [1, 2, 3] },
    'x-node': { 'x-rootfs': '/var/lib/tscompose/rootfs/alpine', command: ['sleep', 'infinity'], environment: { TZ: 'UTC', PRICE: '$5' } },
  });
  t.deepEqual(p.sources.get('services.router.networks.lan.ipv4_address'), { file: 'compose.yaml', line: 23, col: 9 });
  t.deepEqual(p.sources.get('services.client.command'), { file: 'compose.yaml', line: 41, col: 5 });
});

test('renderConfig: loading the output again gives the same project', (t) => {
  const p = load(fixture('lab.compose.yaml'), { environment: env });
  const text = renderConfig(p);
  // Rendered with values substituted: no environment needed to load it again.
  const again = load({ '/elsewhere/compose.yaml': text }, { cwd: '/elsewhere' });
  t.deepEqual(content(again), content(p));
  t.is(renderConfig(again), text, 'rendering is stable');
});

test('renderConfig: sorted keys, long syntax, escaped dollars, no version', (t) => {
  const text = renderConfig(load(fixture('lab.compose.yaml'), { environment: env }));
  const top = text.split('\n').filter((l) => /^\S/.test(l));
  t.deepEqual(top, ['name: netlab', 'networks:', 'services:', 'x-lab:', 'x-node:']);
  t.true(text.includes('      PRICE: $$5\n'));
  t.true(text.includes("      SHELL_VALUE: from $$shell\n"));
  t.true(text.includes('      - router.lab=10.10.0.254\n'));
  t.true(text.includes('    network_mode: service:router\n'));
  t.false(text.includes('version'));
  const services = text.slice(text.indexOf('\nservices:'));
  const clientKeys = services
    .slice(services.indexOf('  client:\n'), services.indexOf('  isolated:\n'))
    .split('\n')
    .filter((l) => /^ {4}\S/.test(l))
    .map((l) => l.trim().split(':')[0]);
  t.deepEqual(clientKeys, [...clientKeys].sort());
  t.deepEqual(clientKeys, ['command', 'depends_on', 'dns', 'dns_opt', 'dns_search', 'entrypoint', 'environment', 'extra_hosts', 'networks', 'scale', 'user', 'working_dir', 'x-rootfs']);
});

test('renderConfig: the implicit default network and plain attachments are written out', (t) => {
  const text = renderConfig(load('services:\n  web: {}\n', { projectName: 'p' }));
  t.is(text, 'name: p\nnetworks:\n  default:\n    driver: bridge\nservices:\n  web:\n    networks:\n      default: null\n');
});

test('renderConfig: values and names that YAML would misread are quoted and survive a round trip', (t) => {
  const source = [
    'services:',
    '  "123":',
    '    environment: {"1": yes, "true": "null", X: "multi\\nline", Y: "  lead", Z: "#x", W: "*a", V: "$${A}"}',
    '    command: ["", "a b", "--flag=$$X"]',
    '    networks: {"007": {aliases: ["1"]}}',
    'networks: {"007": {}}',
    '',
  ].join('\n');
  const p = load(source, { projectName: 'q' });
  t.deepEqual(p.services['123']!.environment, { '1': 'yes', V: '${A}', W: '*a', X: 'multi\nline', Y: '  lead', Z: '#x', true: 'null' });
  t.deepEqual(p.services['123']!.command, ['', 'a b', '--flag=$X']);
  const again = load({ '/r/compose.yaml': renderConfig(p) }, { cwd: '/r' });
  t.deepEqual(content(again), content(p));
});

test('renderConfig round-trips macvlan, network_mode: bridge, the external "bridge", endpoint sysctls and external_links', (t) => {
  const text0 = [
    'services:',
    '  a: {network_mode: bridge, external_links: ["other-db-1:db"]}',
    '  b:',
    '    networks:',
    '      lan: {ipv4_address: 192.168.9.5}',
    '      docker0:',
    '        driver_opts: {com.docker.network.endpoint.sysctls: "net.ipv4.conf.IFNAME.forwarding=1"}',
    'networks:',
    '  lan: {driver: macvlan, driver_opts: {parent: eth0, macvlan_mode: private}, ipam: {config: [{subnet: 192.168.9.0/24}]}}',
    '  docker0: {external: true, name: bridge}',
    '',
  ].join('\n');
  const p = load(text0);
  const text = renderConfig(p);
  const again = load({ '/elsewhere/compose.yaml': text }, { cwd: '/elsewhere' });
  t.deepEqual(again.services, p.services);
  t.deepEqual(again.networks, p.networks);
  t.is(renderConfig(again), text);
  t.regex(text, /network_mode: bridge/);
});
