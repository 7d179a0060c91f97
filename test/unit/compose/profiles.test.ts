import test from 'ava';
import { issues, lines, load, yaml } from './helpers';

const doc = yaml`
  services:
    web:
      depends_on:
        cache: {condition: service_started, required: false}
    db:
      profiles: [dev, ci]
    cache:
      profiles: [debug]
    tool:
      profiles: [debug]
      depends_on: [db]
`;

const names = (opts: Parameters<typeof load>[1]) => Object.keys(load(doc, opts).services).sort();

test('a service with profiles is off unless a profile is active (--profile, else COMPOSE_PROFILES, * for all)', (t) => {
  t.deepEqual(names({}), ['web']);
  t.deepEqual(load(doc).services.web!.dependsOn, {}, 'an optional dependency on a disabled service is dropped');
  t.deepEqual(names({ profiles: ['dev'] }), ['db', 'web']);
  t.deepEqual(names({ environment: { COMPOSE_PROFILES: 'ci, debug' } }), ['cache', 'db', 'tool', 'web']);
  t.deepEqual(names({ profiles: ['dev'], environment: { COMPOSE_PROFILES: 'debug' } }), ['db', 'web'], '--profile wins over COMPOSE_PROFILES');
  t.deepEqual(names({ profiles: ['*'] }), ['cache', 'db', 'tool', 'web']);
  t.deepEqual(load(doc, { profiles: ['debug', 'dev'] }).services.web!.dependsOn.cache?.required, false);
});

test('a service named on the command line is on whatever its profiles; its required dependencies are not', (t) => {
  t.deepEqual(names({ services: ['db'] }), ['db', 'web']);
  const list = issues(t, doc, { services: ['tool'] });
  t.deepEqual(lines(list), [
    'compose.yaml:11:18 services.tool.depends_on.db: depends on service "db" is disabled: it has the profiles dev, ci, none active (use --profile dev, COMPOSE_PROFILES, or name it on the command line)',
  ]);
  t.deepEqual(names({ services: ['tool', 'db'] }), ['db', 'tool', 'web']);
});

test('bad profile names and shapes are errors; profiles show in config', (t) => {
  const list = issues(t, 'services:\n  a:\n    profiles: ["-x", ok]\n  b:\n    profiles: dev\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:16 services.a.profiles.0: profile "-x" must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    'compose.yaml:5:5 services.b.profiles: must be a list of strings, not a string',
  ]);
  t.deepEqual(load('services:\n  a:\n    profiles: [x]\n', { profiles: ['x'] }).services.a!.profiles, ['x']);
});
