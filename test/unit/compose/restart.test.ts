import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { hasIssue, issues, load, yaml } from './helpers';

test('restart: Docker policies, on-failure with a retry count; no is no policy', (t) => {
  const s = load(yaml`
    services:
      a: { command: ["true"], restart: always }
      b: { command: ["true"], restart: "on-failure:5" }
      c: { command: ["true"], restart: on-failure }
      d: { command: ["true"], restart: unless-stopped }
      e: { command: ["true"], restart: "no" }
  `).services;
  t.deepEqual(s.a!.restart, { policy: 'always' });
  t.deepEqual(s.b!.restart, { policy: 'on-failure', maxRetries: 5 });
  t.deepEqual(s.c!.restart, { policy: 'on-failure' });
  t.deepEqual(s.d!.restart, { policy: 'unless-stopped' });
  t.is(s.e!.restart, undefined);
});

test('deploy.restart_policy maps as Docker Compose maps it without Swarm; delay is the first back-off', (t) => {
  const s = load(yaml`
    services:
      a:
        command: ["true"]
        deploy: { restart_policy: { condition: on-failure, max_attempts: 3, delay: 5s, window: 1m } }
      b:
        command: ["true"]
        deploy: { restart_policy: { condition: any } }
      c:
        command: ["true"]
        deploy: { restart_policy: { condition: none } }
      d:
        command: ["true"]
        deploy: { restart_policy: {} }
  `).services;
  t.deepEqual(s.a!.restart, { policy: 'on-failure', maxRetries: 3, delayMs: 5000 });
  t.deepEqual(s.b!.restart, { policy: 'always' });
  t.is(s.c!.restart, undefined);
  t.deepEqual(s.d!.restart, { policy: 'always' }, "Swarm's default condition is any");
});

test('bad restart values are errors at their key', (t) => {
  hasIssue(t, issues(t, 'services:\n  web:\n    restart: sometimes\n'), 'compose.yaml:3:5', 'services.web.restart', '"sometimes" is not a restart policy');
  hasIssue(t, issues(t, 'services:\n  web:\n    restart: "always:3"\n'), 'compose.yaml:3:5', 'services.web.restart', 'is not a restart policy');
  hasIssue(
    t,
    issues(t, 'services:\n  web:\n    deploy:\n      restart_policy:\n        condition: maybe\n'),
    'compose.yaml:5:9',
    'services.web.deploy.restart_policy.condition',
    '"maybe" is not a restart condition',
  );
  hasIssue(
    t,
    issues(t, 'services:\n  web:\n    deploy:\n      restart_policy:\n        delay: soon\n'),
    'compose.yaml:5:9',
    'services.web.deploy.restart_policy.delay',
    '"soon" is not a duration',
  );
  hasIssue(
    t,
    issues(t, 'services:\n  web:\n    restart: always\n    deploy:\n      restart_policy: { condition: any }\n'),
    'compose.yaml:5:7',
    'services.web.deploy.restart_policy',
    'set only one',
  );
});

test('config writes a restart delay back as deploy.restart_policy, so a rendered file (a boot record) keeps it', (t) => {
  const p = load(yaml`
    services:
      a:
        command: ["true"]
        deploy: { restart_policy: { condition: on-failure, max_attempts: 3, delay: 5s } }
  `);
  const again = load(renderConfig(p));
  t.deepEqual(again.services.a!.restart, { policy: 'on-failure', maxRetries: 3, delayMs: 5000 });
});

test('x-restart-on-unhealthy: kept with the restart policy (and through config); without a policy or with the check disabled, an error at the key', (t) => {
  const p = load(yaml`
    services:
      a:
        command: ["true"]
        restart: always
        healthcheck: { test: ["CMD", "true"] }
        x-restart-on-unhealthy: true
      b:
        command: ["true"]
        restart: on-failure
        x-restart-on-unhealthy: false
  `);
  t.deepEqual(p.services.a!.restart, { policy: 'always', onUnhealthy: true });
  t.deepEqual(p.services.b!.restart, { policy: 'on-failure' });
  t.deepEqual(load(renderConfig(p)).services.a!.restart, { policy: 'always', onUnhealthy: true }, 'a rendered file (a boot record) keeps it');
  hasIssue(t, issues(t, 'services:\n  web:\n    command: ["true"]\n    x-restart-on-unhealthy: true\n'), 'compose.yaml:4:5', 'services.web.x-restart-on-unhealthy', 'set restart');
  hasIssue(
    t,
    issues(t, 'services:\n  web:\n    command: ["true"]\n    restart: always\n    healthcheck: { disable: true }\n    x-restart-on-unhealthy: true\n'),
    'compose.yaml:6:5',
    'services.web.x-restart-on-unhealthy',
    'the healthcheck is disabled',
  );
});
