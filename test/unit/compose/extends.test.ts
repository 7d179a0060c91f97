import test from 'ava';
import { hasIssue, issues, load, yaml } from './helpers';

test('extends in the same file: the base configuration, the service merged over it as an -f file would be; chains followed', (t) => {
  const s = load(yaml`
    services:
      base:
        command: ["sleep", "1"]
        environment: { A: "1", B: "base" }
        cap_add: [NET_ADMIN]
      mid:
        extends: base
        environment: { B: "mid" }
      app:
        extends: { service: mid }
        command: ["sleep", "2"]
        cap_add: [SYS_TIME]
  `).services;
  t.deepEqual(s.app!.command, ['sleep', '2'], 'command is replaced');
  t.deepEqual(s.app!.environment, { A: '1', B: 'mid' }, 'environment merged by key, through the chain');
  t.deepEqual(s.app!.capAdd?.slice().sort(), ['NET_ADMIN', 'SYS_TIME']);
  t.deepEqual(s.mid!.command, ['sleep', '1']);
  t.truthy(s.base, 'the base stays a service of its own');
});

test('extends from another file: only that service is taken, its relative paths stay relative to its own file', (t) => {
  const p = load({
    'compose.yaml': 'services:\n  web:\n    extends: { file: common/services.yaml, service: webapp }\n    environment: { MODE: prod }\n',
    'common/services.yaml':
      'services:\n  webapp:\n    build: ./app\n    env_file: web.env\n    volumes: ["./data:/data", "/abs:/abs"]\n    environment: { MODE: dev, X: "1" }\n  other:\n    command: ["true"]\n',
    'common/web.env': 'FROM_FILE=yes\n',
  });
  t.deepEqual(Object.keys(p.services), ['web'], 'nothing else of the other file');
  const web = p.services.web!;
  t.is(web.build?.context, '/proj/common/app');
  t.is(web.environment.MODE, 'prod');
  t.is(web.environment.X, '1');
  t.is(web.environment.FROM_FILE, 'yes', 'env_file read beside the file that names it');
  const binds = (web.mounts ?? []).map((m) => (m.type === 'bind' ? m.source : '')).sort();
  t.deepEqual(binds, ['/abs', '/proj/common/data']);
});

test('bad extends: a missing service or file, a cycle, a bad shape: errors at the key', (t) => {
  hasIssue(t, issues(t, 'services:\n  a:\n    extends: nope\n    command: ["true"]\n'), 'compose.yaml:3:5', 'services.a.extends', 'no service "nope" to extend');
  hasIssue(t, issues(t, 'services:\n  a:\n    extends: { file: gone.yaml, service: x }\n'), 'compose.yaml:3:5', 'services.a.extends', 'gone.yaml not found');
  const cycle = issues(t, 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n');
  t.true(cycle.some((i) => /extends makes a cycle: a → b → a|b → a → b/.test(i.message)), cycle.map((i) => i.message).join('\n'));
  hasIssue(t, issues(t, 'services:\n  a:\n    extends: [b]\n  b:\n    command: ["true"]\n'), 'compose.yaml:3:5', 'services.a.extends', 'a service name or {service, file}');
  hasIssue(t, issues(t, 'services:\n  a:\n    extends: { servce: b }\n  b:\n    command: ["true"]\n'), 'compose.yaml:3:16', 'services.a.extends.servce', 'unknown extends key');
});
