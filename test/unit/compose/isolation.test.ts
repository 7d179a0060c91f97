import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { parseDuration } from '../../../src/compose/duration';
import { canonicalSignal } from '../../../src/linux/signals';
import { hasIssue, issues, lines, load, yaml } from './helpers';

test('isolation keys normalize: capabilities by canonical name, signals by name, durations in seconds, x-rootfs absolute', (t) => {
  const s = load(yaml`
    services:
      web:
        read_only: "true"
        privileged: false
        init: true
        stdin_open: true
        cap_add: [net_admin, CAP_SYS_TIME, NET_ADMIN]
        cap_drop: [all]
        stop_signal: "10"
        stop_grace_period: 1m30.5s
        x-rootfs: ./rootfs/../rootfs
  `).services.web!;
  t.true(s.readOnly);
  t.is(s.privileged, undefined);
  t.true(s.init);
  t.true(s.stdinOpen);
  t.deepEqual(s.capAdd, ['NET_ADMIN', 'SYS_TIME']);
  t.deepEqual(s.capDrop, ['ALL']);
  t.is(s.stopSignal, 'SIGUSR1');
  t.is(s.stopGracePeriodSec, 90.5);
  t.is(s.rootfs, '/proj/rootfs');
});

test('unknown capabilities, signals and durations are errors at their key', (t) => {
  hasIssue(t, issues(t, 'services:\n  web:\n    cap_add: [NET_MAGIC]\n'), 'compose.yaml:3:15', 'services.web.cap_add.0', 'is not a Linux capability');
  hasIssue(t, issues(t, 'services:\n  web:\n    stop_signal: SIGNOPE\n'), 'compose.yaml:3:5', 'services.web.stop_signal', '"SIGNOPE" is not a signal');
  hasIssue(t, issues(t, 'services:\n  web:\n    stop_grace_period: soon\n'), 'compose.yaml:3:5', 'services.web.stop_grace_period', '"soon" is not a duration');
});

test('durations and signals', (t) => {
  t.is(parseDuration('10s'), 10);
  t.is(parseDuration('1h2m3s'), 3723);
  t.is(parseDuration('250ms'), 0.25);
  t.is(parseDuration('0'), 0);
  t.is(parseDuration('10'), undefined);
  t.is(parseDuration('s'), undefined);
  t.is(canonicalSignal('term'), 'SIGTERM');
  t.is(canonicalSignal('SIGKILL'), 'SIGKILL');
  t.is(canonicalSignal('2'), 'SIGINT');
  t.is(canonicalSignal('SIGFOO'), undefined);
});

test('security_opt: no-new-privileges with or without a value; other options are "not supported yet" at their item', (t) => {
  const p = load('services:\n  a:\n    security_opt: [no-new-privileges]\n  b:\n    security_opt: ["no-new-privileges:false"]\n  c:\n    security_opt: ["no-new-privileges=true"]\n  d: {}\n');
  t.is(p.services.a!.noNewPrivileges, true);
  t.is(p.services.b!.noNewPrivileges, false);
  t.is(p.services.c!.noNewPrivileges, true);
  t.is(p.services.d!.noNewPrivileges, undefined);
  const list = issues(t, 'services:\n  a:\n    security_opt: ["seccomp=/nonexistent.json", "label:bogus", "no-new-privileges:maybe", "systempaths=unconfined", "apparmor="]\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:20 services.a.security_opt.0: seccomp profile /nonexistent.json: cannot read /nonexistent.json',
    'compose.yaml:3:49 services.a.security_opt.1: "label:bogus": label takes disable, nested, user:U, role:R, type:T, level:L or filetype:T',
    'compose.yaml:3:64 services.a.security_opt.2: "no-new-privileges:maybe": no-new-privileges takes true or false',
    'compose.yaml:3:91 services.a.security_opt.3: security_opt "systempaths" is not supported yet (only no-new-privileges, seccomp, apparmor and label)',
    'compose.yaml:3:117 services.a.security_opt.4: "apparmor=" names no profile',
  ]);
  const lsm = load('services:\n  a:\n    security_opt: ["apparmor=docker-default", "label=type:t", "label:level:s0"]\n').services.a!;
  t.is(lsm.apparmor, 'docker-default');
  t.deepEqual(lsm.securityLabel, ['type:t', 'level:s0']);
});

test('tty: true is kept (and planned), false is absent', (t) => {
  t.true(load('services:\n  a:\n    command: ["sh"]\n    tty: true\n').services.a!.tty);
  t.is(load('services:\n  a:\n    command: ["sh"]\n    tty: false\n').services.a!.tty, undefined);
});

test('tty and stdin_open are rendered by config (boot keeps them)', (t) => {
  const text = renderConfig(load('services:\n  a:\n    command: ["sh"]\n    tty: true\n    stdin_open: true\n'));
  t.regex(text, /stdin_open: true/);
  t.regex(text, /tty: true/);
  t.deepEqual(load(text).services.a!.tty, true);
});
