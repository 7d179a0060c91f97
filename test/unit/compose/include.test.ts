import test from 'ava';
import { hasIssue, issues, load } from './helpers';

test('include: services, networks, volumes, secrets of another file, its relative paths against its own directory', (t) => {
  const p = load({
    'compose.yaml': 'include:\n  - sub/compose.yaml\nservices:\n  web:\n    command: ["true"]\n    depends_on: [db]\n    networks: [back]\n',
    'sub/compose.yaml': 'name: ignored\nservices:\n  db:\n    command: ["true"]\n    env_file: db.env\n    volumes: ["./data:/data", "vol:/v"]\n    secrets: [pw]\n    networks: [back]\nnetworks:\n  back: {}\nvolumes:\n  vol: {}\nsecrets:\n  pw:\n    file: ./pw.txt\n',
    'sub/db.env': 'A=1\n',
  });
  t.is(p.name, 'proj');
  t.deepEqual(Object.keys(p.services).sort(), ['db', 'web']);
  t.is(p.services.db!.environment.A, '1');
  t.like(p.services.db!.mounts![0], { type: 'bind', source: '/proj/sub/data', target: '/data' });
  t.truthy(p.networks.back);
  t.truthy(p.volumes?.vol);
  t.like(p.services.db!.files![0], { name: 'pw' });
  t.is((p.services.db!.files![0]!.source as { file: string }).file, '/proj/sub/pw.txt');
});

test('include long form: several files merged, project_directory, env_file for variables the project leaves unset', (t) => {
  const p = load(
    {
      'compose.yaml': 'include:\n  - path: [lib/a.yaml, lib/a.override.yaml]\n    project_directory: other\n    env_file: lib/vars.env\nservices:\n  web:\n    command: ["true"]\n',
      'lib/a.yaml': 'services:\n  a:\n    command: ["echo", "${WHO}", "${SHARED}"]\n    volumes: ["./x:/x"]\n',
      'lib/a.override.yaml': 'services:\n  a:\n    environment: {B: "2"}\n',
      'lib/vars.env': 'WHO=included\nSHARED=from-include\n',
    },
    { environment: { SHARED: 'from-project' } },
  );
  t.deepEqual(p.services.a!.command, ['echo', 'included', 'from-project']);
  t.is(p.services.a!.environment.B, '2');
  t.like(p.services.a!.mounts![0], { source: '/proj/other/x' });
});

test('include: a resource defined twice is an error naming both files; missing files and bad entries are errors at their key', (t) => {
  const twice = issues(t, {
    'compose.yaml': 'include:\n  - a.yaml\nservices:\n  web:\n    command: ["true"]\n',
    'a.yaml': 'services:\n  web:\n    command: ["false"]\n',
  });
  hasIssue(t, twice, 'a.yaml:2:3', 'services.web', 'service "web" is defined both in compose.yaml and in a.yaml (included at include.0)');
  const two = issues(t, {
    'compose.yaml': 'include: [a.yaml, b.yaml]\nservices: {}\n',
    'a.yaml': 'volumes:\n  v: {}\n',
    'b.yaml': 'volumes:\n  v: {}\n',
  });
  hasIssue(t, two, 'b.yaml:2:3', 'volumes.v', 'volume "v" is defined both in a.yaml and in b.yaml');
  hasIssue(t, issues(t, 'include:\n  - nope.yaml\nservices: {}\n'), 'compose.yaml:2:5', 'include.0', 'compose file /proj/nope.yaml not found');
  hasIssue(t, issues(t, { 'compose.yaml': 'include:\n  - path: a.yaml\n    env: x\nservices: {}\n', 'a.yaml': 'services: {}\n' }), 'compose.yaml:3:5', 'include.0.env', 'unknown include key "env"');
  hasIssue(t, issues(t, { 'compose.yaml': 'include:\n  - path: a.yaml\n    env_file: none.env\nservices: {}\n', 'a.yaml': 'services: {}\n' }), 'compose.yaml:2:5', 'include.0.env_file', 'env file none.env not found');
  hasIssue(t, issues(t, { 'compose.yaml': 'include: [a.yaml]\nservices: {}\n', 'a.yaml': 'include: [compose.yaml]\n' }), 'a.yaml:1:11', 'include.0', 'include makes a cycle');
  hasIssue(t, issues(t, 'include: a.yaml\nservices: {}\n'), 'compose.yaml:1:1', 'include', 'must be a list');
});

test('include: an included service can be extended, and its own includes are followed', (t) => {
  const p = load({
    'compose.yaml': 'include: [one/c.yaml]\nservices:\n  web:\n    extends: base\n    environment: {X: "1"}\n',
    'one/c.yaml': 'include: [../two/c.yaml]\nservices:\n  base:\n    command: ["true"]\n',
    'two/c.yaml': 'services:\n  deep:\n    command: ["true"]\n    env_file: [d.env]\n',
    'two/d.env': 'D=deep\n',
  });
  t.deepEqual(Object.keys(p.services).sort(), ['base', 'deep', 'web']);
  t.deepEqual(p.services.web!.command, ['true']);
  t.is(p.services.deep!.environment.D, 'deep');
});
