import test from 'ava';
import { UsageError } from '../../../src/errors';
import { parseOptions, splitVerb, type OptionSpec } from '../../../src/cli/args';

const specs: OptionSpec[] = [
  { name: 'detach', short: 'd', type: 'boolean', description: '' },
  { name: 'no-TTY', short: 'T', type: 'boolean', description: '' },
  { name: 'file', short: 'f', type: 'string', multiple: true, arg: 'FILE', description: '' },
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: '' },
];

test('long options: a flag, a value after a blank or after =', (t) => {
  t.deepEqual(parseOptions(['--detach', '--timeout', '5', 'web'], specs), { options: { detach: true, timeout: '5' }, positionals: ['web'] });
  t.deepEqual(parseOptions(['--timeout=7'], specs).options, { timeout: '7' });
  t.deepEqual(parseOptions(['--timeout='], specs).options, { timeout: '' }, 'an empty value is a value');
});

test('short options: bundled flags, the last one may take the value (attached or next)', (t) => {
  t.deepEqual(parseOptions(['-dT'], specs).options, { detach: true, 'no-TTY': true });
  t.deepEqual(parseOptions(['-dfa.yaml'], specs).options, { detach: true, file: ['a.yaml'] });
  t.deepEqual(parseOptions(['-dt', '3', 'x'], specs), { options: { detach: true, timeout: '3' }, positionals: ['x'] });
});

test('a repeatable option collects its values in order; a single one keeps the last', (t) => {
  t.deepEqual(parseOptions(['-f', 'a.yaml', '--file', 'b.yaml', '--file=c.yaml'], specs).options, { file: ['a.yaml', 'b.yaml', 'c.yaml'] });
  t.deepEqual(parseOptions(['-t', '1', '-t', '2'], specs).options, { timeout: '2' });
});

test('-- ends the options; negative numbers and a lone - are arguments', (t) => {
  t.deepEqual(parseOptions(['web', '--', '-d', '--timeout'], specs), { options: {}, positionals: ['web', '-d', '--timeout'] });
  t.deepEqual(parseOptions(['-1', '-', '-d'], specs), { options: { detach: true }, positionals: ['-1', '-'] });
});

test('stopAtPositional: everything from the first argument on is the command’s (exec web ls -la)', (t) => {
  t.deepEqual(parseOptions(['-T', 'web', 'ls', '-d', '--help'], specs, { stopAtPositional: true }), {
    options: { 'no-TTY': true },
    positionals: ['web', 'ls', '-d', '--help'],
  });
  // Without it, options anywhere are taken (docker compose up web -d).
  t.deepEqual(parseOptions(['web', '-d'], specs), { options: { detach: true }, positionals: ['web'] });
});

test('bad options are usage errors naming the option', (t) => {
  const bad = (argv: string[], message: RegExp) => t.throws(() => parseOptions(argv, specs), { instanceOf: UsageError, message });
  bad(['--nope'], /^unknown option --nope$/);
  bad(['-dx'], /^unknown option -x$/);
  bad(['--detach=yes'], /^option --detach takes no value$/);
  bad(['--timeout'], /^option --timeout needs a value \(SECONDS\)$/);
  bad(['-t'], /^option -t needs a value \(SECONDS\)$/);
});

test('splitVerb: global options before the verb, the rest is the verb’s', (t) => {
  const r = splitVerb(['-f', 'a.yaml', '-p', 'x', 'exec', '-T', 'web', '-f']);
  t.deepEqual(r.global.options, { file: ['a.yaml'], 'project-name': 'x' });
  t.is(r.verb, 'exec');
  t.deepEqual(r.rest, ['-T', 'web', '-f']);
  t.is(splitVerb(['-v']).verb, undefined);
});
