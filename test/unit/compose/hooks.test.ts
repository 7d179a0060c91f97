import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { hasIssue, issues, load, yaml } from './helpers';

test('post_start and pre_stop: argv or string command, user, privileged, working_dir, environment (map or list)', (t) => {
  const s = load(yaml`
    services:
      a:
        command: ["true"]
        post_start:
          - command: echo "hi there"
            user: nobody
            privileged: true
            working_dir: /srv
            environment: {A: "1"}
        pre_stop:
          - command: ["sh", "-c", "exit 0"]
            environment: ["B=2"]
  `).services.a!;
  t.deepEqual(s.postStart, [{ command: ['echo', 'hi there'], user: 'nobody', privileged: true, workingDir: '/srv', environment: { A: '1' } }]);
  t.deepEqual(s.preStop, [{ command: ['sh', '-c', 'exit 0'], environment: { B: '2' } }]);
});

test('hooks are rendered by config (boot keeps them)', (t) => {
  const p = load('services:\n  a:\n    command: ["true"]\n    pre_stop:\n      - command: ["x"]\n');
  t.regex(renderConfig(p), /pre_stop:\n\s+- command:\n\s+- x\n/);
});

test('bad hooks are errors at their key', (t) => {
  hasIssue(t, issues(t, 'services:\n  web:\n    post_start:\n      - user: root\n'), 'compose.yaml:4:9', 'services.web.post_start.0', 'a hook needs a command');
  hasIssue(t, issues(t, 'services:\n  web:\n    pre_stop:\n      - command: []\n'), 'compose.yaml:4:9', 'services.web.pre_stop.0.command', 'must not be empty');
  hasIssue(t, issues(t, 'services:\n  web:\n    pre_stop:\n      - command: x\n        working_dir: rel\n'), 'compose.yaml:5:9', 'services.web.pre_stop.0.working_dir', 'not an absolute path');
  hasIssue(t, issues(t, 'services:\n  web:\n    pre_stop:\n      - command: x\n        timeout: 3\n'), 'compose.yaml:5:9', 'services.web.pre_stop.0.timeout', 'hook key');
  hasIssue(t, issues(t, 'services:\n  web:\n    pre_stop: x\n'), 'compose.yaml:3:5', 'services.web.pre_stop', 'must be a list');
});
