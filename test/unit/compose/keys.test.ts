import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ATTACHMENT_KEYS, BIND_OPTION_KEYS, BLKIO_KEYS, DEPENDS_ON_KEYS, DEPLOY_KEYS, ENV_FILE_KEYS, EXTERNAL_KEYS, IPAM_CONFIG_KEYS, IPAM_KEYS, MOUNT_KEYS, NETWORK_KEYS, PORT_KEYS, RESOURCE_LIMITS_KEYS, RESOURCE_RESERVATIONS_KEYS, RESOURCES_KEYS, SERVICE_KEYS, TMPFS_OPTION_KEYS, TOP_LEVEL_KEYS, ULIMIT_KEYS, VOLUME_KEYS, VOLUME_OPTION_KEYS, classify } from '../../../src/compose/keys';
import type { KeyTable } from '../../../src/compose/keys';
import { hasIssue, issues, lines, load, sharedDir } from './helpers';

type Schema = { properties?: Record<string, Schema>; definitions?: Record<string, Schema>; oneOf?: Schema[]; items?: Schema; patternProperties?: Record<string, Schema>; $ref?: string };

/** The key table agrees with the compose-spec schema: every key it defines is known (supported or not yet). */
test('every key the compose-spec defines is classified, and the table names no key the spec lacks', (t) => {
  const schema = JSON.parse(readFileSync(path.join(sharedDir(t), 'compose-spec', 'compose-spec.json'), 'utf8')) as Schema;
  const defs = schema.definitions!;
  const svc = defs.service!.properties!;
  const net = defs.network!.properties!;
  const attachment = svc.networks!.oneOf![1]!.patternProperties!['^[a-zA-Z0-9._-]+$']!.oneOf![0]!.properties!;
  const depends = svc.depends_on!.oneOf![1]!.patternProperties!['^[a-zA-Z0-9._-]+$']!.properties!;
  const envFileLong = defs.env_file!.oneOf![1]!.items!.oneOf![1]!.properties!;
  const resources = defs.deployment!.properties!.resources!.properties!;
  const mount = svc.volumes!.items!.oneOf![1]!.properties!;
  const longPort = svc.ports!.items!.oneOf!.find((o) => o.properties?.target)!.properties!;
  const cases: Array<[KeyTable, Record<string, Schema>]> = [
    [TOP_LEVEL_KEYS, schema.properties!],
    [SERVICE_KEYS, svc],
    [DEPLOY_KEYS, defs.deployment!.properties!],
    [NETWORK_KEYS, net],
    [IPAM_KEYS, net.ipam!.properties!],
    [IPAM_CONFIG_KEYS, net.ipam!.properties!.config!.items!.properties!],
    [ATTACHMENT_KEYS, attachment],
    [DEPENDS_ON_KEYS, depends],
    [ENV_FILE_KEYS, envFileLong],
    [RESOURCES_KEYS, resources],
    [RESOURCE_LIMITS_KEYS, resources.limits!.properties!],
    [RESOURCE_RESERVATIONS_KEYS, resources.reservations!.properties!],
    [BLKIO_KEYS, svc.blkio_config!.properties!],
    [ULIMIT_KEYS, defs.ulimits!.patternProperties!['^[a-z]+$']!.oneOf![1]!.properties!],
    [VOLUME_KEYS, defs.volume!.properties!],
    [EXTERNAL_KEYS, net.external!.properties!],
    [EXTERNAL_KEYS, defs.volume!.properties!.external!.properties!],
    [MOUNT_KEYS, mount],
    [BIND_OPTION_KEYS, mount.bind!.properties!],
    [VOLUME_OPTION_KEYS, mount.volume!.properties!],
    [TMPFS_OPTION_KEYS, mount.tmpfs!.properties!],
    [PORT_KEYS, longPort],
  ];
  for (const [table, props] of cases) {
    const specKeys = Object.keys(props).sort();
    const ours = [...table.supported, ...table.unsupported].sort();
    t.deepEqual(ours, specKeys, `${table.what}s`);
    for (const k of specKeys) t.not(classify(table, k), 'unknown');
  }
});

test('x- keys are extensions; anything else is unknown', (t) => {
  t.is(classify(SERVICE_KEYS, 'x-anything'), 'extension');
  t.is(classify(SERVICE_KEYS, 'gpus'), 'unsupported');
  t.is(classify(SERVICE_KEYS, 'runtime'), 'supported');
  t.is(classify(SERVICE_KEYS, 'build'), 'supported');
  t.is(classify(SERVICE_KEYS, 'image'), 'supported');
  t.is(classify(SERVICE_KEYS, 'hostname'), 'supported');
  t.is(classify(SERVICE_KEYS, 'x'), 'unknown');
  t.is(classify(SERVICE_KEYS, 'constructor'), 'unknown');
});

test('unsupported keys get "not supported yet" at their own location; runtime says what it accepts', (t) => {
  const list = issues(t, 'services:\n  web:\n    runtime: kata\n    gpus: all\n    cpu_rt_period: 1000\nmodels: {}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 services.web.runtime: runtime "kata" is not supported yet: tscompose runs each container with its own shim, which does what runc does (runtime: runc is accepted); other runtimes (gVisor, Kata, WebAssembly, nvidia) are not',
    'compose.yaml:4:5 services.web.gpus: gpus is not supported yet',
    'compose.yaml:5:5 services.web.cpu_rt_period: cpu_rt_period is not supported yet',
    'compose.yaml:6:1 models: models is not supported yet',
  ]);
});

test('unknown keys are named, with a suggestion when one is close', (t) => {
  const list = issues(t, 'servces:\n  web: {}\nservices:\n  web:\n    hostnme: x\n    totally_unknown: 1\n');
  t.deepEqual(lines(list), [
    'compose.yaml:1:1 servces: unknown top-level key "servces" (did you mean "services"?); extensions must start with "x-"',
    'compose.yaml:5:5 services.web.hostnme: unknown service key "hostnme" (did you mean "hostname"?); extensions must start with "x-"',
    'compose.yaml:6:5 services.web.totally_unknown: unknown service key "totally_unknown"; extensions must start with "x-"',
  ]);
});

test('the service-level mac_address is its one network\'s; with several, or none of its own, an error at the key', (t) => {
  t.is(load('services:\n  web:\n    mac_address: 02-00-00-00-00-0A\n').services.web!.networks[0]!.macAddress, '02:00:00:00:00:0a');
  t.is(load('services:\n  web:\n    mac_address: 02:00:00:00:00:0a\n    networks: [back]\nnetworks: {back: {}}\n').services.web!.networks[0]!.macAddress, '02:00:00:00:00:0a');
  hasIssue(t, issues(t, 'services:\n  web:\n    mac_address: 02:00:00:00:00:01\n    networks: [a, b]\nnetworks: {a: {}, b: {}}\n'), 'compose.yaml:3:5', 'services.web.mac_address', 'the service has 2 networks: set mac_address under the one it is for');
  hasIssue(t, issues(t, 'services:\n  web:\n    mac_address: 02:00:00:00:00:01\n    network_mode: host\n'), 'compose.yaml:3:5', 'services.web.mac_address', 'needs a network of the service\'s own');
  hasIssue(t, issues(t, 'services:\n  web:\n    mac_address: 02:00:00:00:00:01\n    networks: {a: {mac_address: "02:00:00:00:00:02"}}\nnetworks: {a: {}}\n'), 'compose.yaml:3:5', 'services.web.mac_address', 'contradicts networks.a.mac_address');
  hasIssue(t, issues(t, 'services:\n  web:\n    mac_address: 01:00:5e:00:00:01\n'), 'compose.yaml:3:5', 'services.web.mac_address', 'is a multicast MAC address');
});
