import test from 'ava';
import { resolveHealthcheck } from '../../../src/plan/health';
import { hasIssue, issues, load, yaml } from './helpers';

test('healthcheck: the string form is CMD-SHELL, CMD is an argv, NONE and disable turn it off; durations in ms', (t) => {
  const s = load(yaml`
    services:
      a: { command: ["true"], healthcheck: { test: "curl -f http://localhost", interval: 1m30s, timeout: 500ms, retries: 5, start_period: 10s, start_interval: 1s } }
      b: { command: ["true"], healthcheck: { test: ["CMD", "pg_isready", "-U", "app"] } }
      c: { command: ["true"], healthcheck: { test: ["CMD-SHELL", "exit 0"] } }
      d: { command: ["true"], healthcheck: { test: ["NONE"] } }
      e: { command: ["true"], healthcheck: { disable: true, test: ["CMD", "x"] } }
  `).services;
  t.deepEqual(s.a!.healthcheck, {
    test: ['/bin/sh', '-c', 'curl -f http://localhost'],
    intervalMs: 90_000,
    timeoutMs: 500,
    retries: 5,
    startPeriodMs: 10_000,
    startIntervalMs: 1000,
  });
  t.deepEqual(s.b!.healthcheck, { test: ['pg_isready', '-U', 'app'] });
  t.deepEqual(s.c!.healthcheck, { test: ['/bin/sh', '-c', 'exit 0'] });
  t.deepEqual(s.d!.healthcheck, { disabled: true });
  t.deepEqual(s.e!.healthcheck, { disabled: true });
});

test('bad healthchecks are errors at their key', (t) => {
  hasIssue(t, issues(t, 'services:\n  web:\n    healthcheck:\n      test: [RUN, x]\n'), 'compose.yaml:4:7', 'services.web.healthcheck.test', 'must start with CMD');
  hasIssue(t, issues(t, 'services:\n  web:\n    healthcheck:\n      interval: often\n'), 'compose.yaml:4:7', 'services.web.healthcheck.interval', '"often" is not a duration');
  hasIssue(t, issues(t, 'services:\n  web:\n    healthcheck:\n      retries: 0\n'), 'compose.yaml:4:7', 'services.web.healthcheck.retries', '');
  hasIssue(t, issues(t, 'services:\n  web:\n    healthcheck:\n      every: 1s\n'), 'compose.yaml:4:7', 'services.web.healthcheck.every', '');
});

test("resolveHealthcheck: the file's fields over the image's HEALTHCHECK over Docker's defaults", (t) => {
  const image = { test: ['CMD-SHELL', 'wget -q localhost'], interval: 5e9, retries: 7 };
  t.deepEqual(resolveHealthcheck(undefined, image), {
    argv: ['/bin/sh', '-c', 'wget -q localhost'],
    intervalMs: 5000,
    timeoutMs: 30_000,
    retries: 7,
    startPeriodMs: 0,
    startIntervalMs: 5000,
  });
  t.deepEqual(resolveHealthcheck({ timeoutMs: 100 }, image)?.timeoutMs, 100);
  t.deepEqual(resolveHealthcheck({ test: ['true'] }, image)?.argv, ['true']);
  t.is(resolveHealthcheck({ disabled: true }, image), undefined, 'disable turns the image\'s off');
  t.is(resolveHealthcheck(undefined, { test: ['NONE'] }), undefined);
  t.is(resolveHealthcheck(undefined, undefined), undefined);
  t.is(resolveHealthcheck({ intervalMs: 1000 }, undefined), undefined, 'timing without a test anywhere is no check');
});
