import test from 'ava';
import { ApplyError, ExitCode, SpecError, TeardownErrors, formatIssue } from '../../src/errors';

test('a spec issue names file, line, column and key path', (t) => {
  const text = formatIssue({
    path: 'services.web.networks.front.ipv4_address',
    message: '10.0.0.300 is not an IPv4 address',
    loc: { file: 'compose.yaml', line: 14, col: 9 },
  });
  t.is(text, 'compose.yaml:14:9 services.web.networks.front.ipv4_address: 10.0.0.300 is not an IPv4 address');
});

test('SpecError carries every issue and the spec exit code', (t) => {
  const e = new SpecError([
    { path: 'a', message: 'one' },
    { path: 'b', message: 'two' },
  ]);
  t.is(e.exitCode, ExitCode.spec);
  t.is(e.message, 'a: one\nb: two');
  t.deepEqual(e.toJSON().issues.length, 2);
});

test('ApplyError names the action and the syscall failure', (t) => {
  const cause = Object.assign(new Error('x'), { code: 'EEXIST', syscall: 'RTM_NEWLINK' });
  const e = new ApplyError({ kind: 'veth.create', id: 'veth:web-1:front', target: 'tsc-v-1a2b' }, cause);
  t.is(e.message, 'veth.create tsc-v-1a2b: RTM_NEWLINK: EEXIST');
});

test('TeardownErrors lists all failures', (t) => {
  const e = new TeardownErrors([new Error('a failed'), new Error('b failed')]);
  t.regex(e.message, /2 problem\(s\)/);
  t.regex(e.message, /a failed[\s\S]*b failed/);
});
