import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { hasIssue, issues, load } from './helpers';

test('develop.watch: actions, paths against the project directory, ignore/include (string or list), exec, initial_sync; config renders them', (t) => {
  const p = load(`services:
  web:
    build: .
    develop:
      watch:
        - {action: sync, path: ./src, target: /app/, ignore: node_modules/, initial_sync: true}
        - {action: sync+exec, path: conf, target: /etc/x, include: ["*.conf"], exec: {command: reload now, user: www}}
        - {action: rebuild, path: package.json}
        - {action: restart, path: /abs/dir}
`);
  const w = p.services.web!.develop!.watch;
  t.is(w.length, 4);
  t.like(w[0], { action: 'sync', target: '/app', ignore: ['node_modules/'], initialSync: true });
  t.true(w[0]!.path.endsWith('/src') && w[0]!.path.startsWith('/'));
  t.like(w[1], { action: 'sync+exec', target: '/etc/x', include: ['*.conf'], exec: { command: ['reload', 'now'], user: 'www', environment: {} } });
  t.like(w[2], { action: 'rebuild', ignore: [] });
  t.is(w[3]!.path, '/abs/dir');
  t.regex(renderConfig(p), /develop:\n\s+watch:\n\s+- action: sync\n\s+ignore:\n\s+- node_modules\/\n\s+initial_sync: true\n\s+path: \/\S+\/src\n\s+target: \/app\n/);
  // What config renders loads back the same.
  t.deepEqual(load(renderConfig(p)).services.web!.develop!.watch.map((r) => ({ ...r, where: undefined })), w.map((r) => ({ ...r, where: undefined })));
});

test('bad watch rules are errors at their key', (t) => {
  // Each rule is written one key per line from line 6, column 11 on.
  const svc = (...lines: string[]) => `services:\n  web:\n    image: x\n    develop:\n      watch:\n        - ${lines.join('\n          ')}\n`;
  const rule = 'services.web.develop.watch.0';
  hasIssue(t, issues(t, svc('action: sync', 'path: ./src')), 'compose.yaml:6:11', rule, 'action sync needs a target');
  hasIssue(t, issues(t, svc('action: copy', 'path: ./src')), 'compose.yaml:6:11', `${rule}.action`, '"copy" is not a watch action');
  hasIssue(t, issues(t, svc('action: sync', 'target: /a')), 'compose.yaml:6:11', rule, 'a watch rule needs a path');
  hasIssue(t, issues(t, svc('action: sync', 'path: .', 'target: rel')), 'compose.yaml:8:11', `${rule}.target`, '"rel" is not an absolute path');
  hasIssue(t, issues(t, svc('action: rebuild', 'path: .')), 'compose.yaml:6:11', `${rule}.action`, 'action rebuild needs the service to have a build section');
  hasIssue(t, issues(t, svc('action: restart', 'path: .', 'target: /a')), 'compose.yaml:8:11', `${rule}.target`, 'only the sync actions use a target');
  hasIssue(t, issues(t, svc('action: sync+exec', 'path: .', 'target: /a')), 'compose.yaml:6:11', rule, 'action sync+exec needs exec');
  hasIssue(t, issues(t, svc('action: sync', 'path: .', 'target: /a', 'exec: {command: x}')), 'compose.yaml:9:11', `${rule}.exec`, 'only sync+exec runs a command');
  hasIssue(t, issues(t, svc('action: restart', 'path: .', 'initial_sync: true')), 'compose.yaml:8:11', `${rule}.initial_sync`, 'initial_sync applies to the sync actions');
  hasIssue(t, issues(t, svc('action: sync', 'path: .', 'target: /a', 'poll: 1')), 'compose.yaml:9:11', `${rule}.poll`, 'unknown');
});
