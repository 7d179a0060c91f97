import test from 'ava';
import { capabilityMask, effectiveCapabilities, DEFAULT_CAPABILITIES } from '../../../src/compose/capabilities';
import { canonicalSignal, parseDuration } from '../../../src/compose/signals';
import { hasIssue, issues, load, yaml } from './helpers';

test('isolation keys normalize: capabilities by canonical name, signals by name, durations in seconds, x-rootfs absolute', (t) => {
  const s = load(yaml`
    services:
      web:
        read_only: "true"
        privileged: false
        init: true
        cap_add: [net_admin, CAP_SYS_TIME, NET_ADMIN]
        cap_drop: [all]
        stop_signal: "10"
        stop_grace_period: 1m30.5s
        x-rootfs: ./rootfs/../rootfs
  `).services.web!;
  t.true(s.readOnly);
  t.is(s.privileged, undefined);
  t.true(s.init);
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

test('capabilities: Docker\'s rules for cap_add, cap_drop, ALL and privileged', (t) => {
  t.is(capabilityMask(DEFAULT_CAPABILITIES), '0xa80425fb');
  t.deepEqual([...effectiveCapabilities([], [], false)].sort(), [...DEFAULT_CAPABILITIES].sort());
  t.is(effectiveCapabilities([], [], false).length, 14);
  t.deepEqual(effectiveCapabilities(['NET_ADMIN'], ['ALL'], false), ['NET_ADMIN']);
  t.false(effectiveCapabilities(['NET_ADMIN'], ['CHOWN'], false).includes('CHOWN'));
  t.true(effectiveCapabilities(['NET_ADMIN'], ['CHOWN'], false).includes('NET_ADMIN'));
  t.deepEqual(effectiveCapabilities(['ALL'], ['SYS_ADMIN'], false).includes('SYS_ADMIN'), false);
  t.is(effectiveCapabilities(['ALL'], [], false).length, 41);
  t.is(effectiveCapabilities([], ['ALL'], true).length, 41, 'privileged has them all');
  t.is(capabilityMask(['NET_ADMIN']), '0x1000');
});
