import test from 'ava';
import { substitute, TemplateError } from '../../../src/compose/interpolate';
import { SpecError } from '../../../src/errors';
import { hasIssue, issues, lines, load, yaml } from './helpers';

const env: Record<string, string> = { SET: 'value', EMPTY: '', B: 'bee' };
const lookup = (n: string) => (Object.hasOwn(env, n) ? env[n] : undefined);
const sub = (s: string) => substitute(s, lookup).value;

test('$VAR and ${VAR}', (t) => {
  t.is(sub('a $SET b'), 'a value b');
  t.is(sub('a${SET}b'), 'avalueb');
  t.is(sub('$SET.$SET'), 'value.value');
  t.is(sub('$UNSET|${UNSET}'), '|');
});

test(':- and - defaults', (t) => {
  t.is(sub('${UNSET:-d}'), 'd');
  t.is(sub('${EMPTY:-d}'), 'd');
  t.is(sub('${SET:-d}'), 'value');
  t.is(sub('${UNSET-d}'), 'd');
  t.is(sub('${EMPTY-d}'), '');
  t.is(sub('${UNSET:-}'), '');
});

test(':+ and + alternatives', (t) => {
  t.is(sub('${SET:+alt}'), 'alt');
  t.is(sub('${EMPTY:+alt}'), '');
  t.is(sub('${UNSET:+alt}'), '');
  t.is(sub('${EMPTY+alt}'), 'alt');
  t.is(sub('${UNSET+alt}'), '');
});

test(':? and ? errors carry the message', (t) => {
  t.is(sub('${SET:?boom}'), 'value');
  t.is(sub('${EMPTY?boom}'), '');
  t.throws(() => sub('${EMPTY:?must be set}'), { instanceOf: TemplateError, message: 'required variable EMPTY is missing a value: must be set' });
  t.throws(() => sub('${UNSET?}'), { instanceOf: TemplateError, message: 'required variable UNSET is missing a value' });
});

test('nested templates are evaluated only when needed', (t) => {
  t.is(sub('${UNSET:-${B}}'), 'bee');
  t.is(sub('${UNSET:-x${UNSET2:-${B}}y}'), 'xbeey');
  t.is(sub('${SET:-${UNSET:?never evaluated}}'), 'value');
  t.is(sub('${SET:+<${B}>}'), '<bee>');
});

test('$$ is a literal dollar; a $ not followed by a name stays', (t) => {
  t.is(sub('$$SET'), '$SET');
  t.is(sub('$${SET}'), '${SET}');
  t.is(sub('cost: 5$ or $1 or $'), 'cost: 5$ or $1 or $');
  t.is(sub('$$$SET'), '$value');
});

test('broken templates are errors', (t) => {
  t.throws(() => sub('${'), { instanceOf: TemplateError });
  t.throws(() => sub('${}'), { instanceOf: TemplateError });
  t.throws(() => sub('${1A}'), { instanceOf: TemplateError });
  t.throws(() => sub('${A'), { instanceOf: TemplateError });
  t.throws(() => sub('${A:x}'), { instanceOf: TemplateError });
  t.throws(() => sub('${A:-unclosed'), { instanceOf: TemplateError, message: /missing "}"/ });
});

test('unset variables without a default are reported as missing', (t) => {
  t.deepEqual(substitute('$X ${Y:-d} ${Z}', lookup).missing, ['X', 'Z']);
});

test('interpolation applies to values of every file, never to keys', (t) => {
  const p = load(
    yaml`
      services:
        web:
          hostname: $HOST
          environment:
            $KEY: "\${VAL:-fallback}"
            LITERAL: "$$HOME"
          x-note: \${NOTE}
    `,
    { environment: { HOST: 'box', KEY: 'nope', NOTE: 'n' } },
  );
  t.is(p.services.web!.hostname, 'box');
  t.deepEqual(p.services.web!.environment, { $KEY: 'fallback', LITERAL: '$HOME' });
  t.deepEqual(p.services.web!.extensions, { 'x-note': 'n' });
});

test('a required variable error names file, line, column, key path and message', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        web:
          environment:
            TOKEN: \${TOKEN:?set TOKEN in .env}
    `,
  );
  hasIssue(t, list, 'compose.yaml:4:14', 'services.web.environment.TOKEN', 'required variable TOKEN is missing a value: set TOKEN in .env');
  t.is(list.length, 1);
});

test('an invalid template is reported at its value', (t) => {
  const list = issues(t, 'services:\n  web:\n    hostname: "${oops"\n');
  hasIssue(t, list, 'compose.yaml:3:15', 'services.web.hostname', 'invalid interpolation format');
});

test('unset variables warn once (across files) and become empty, in Compose\'s words', (t) => {
  const p = load(
    { 'compose.yaml': 'services:\n  web:\n    environment:\n      A: x${NOPE}y\n      B: ${NOPE}\n', 'o.yaml': 'services:\n  web:\n    hostname: h${NOPE}\n' },
    { files: ['compose.yaml', 'o.yaml'] },
  );
  t.deepEqual(p.services.web!.environment, { A: 'xy', B: '' });
  t.deepEqual(
    p.warnings?.map((w) => `${w.path}: ${w.message}`),
    ['services.web.environment.A: The "NOPE" variable is not set. Defaulting to a blank string.'],
  );
});

test('an error caused by a value an unset variable emptied names the variable, and the failure keeps the warning', (t) => {
  const doc = 'services:\n  a:\n    networks:\n      n:\n        ipv4_address: ${ipv4}\n    hostname: "-${h1}${h2}"\nnetworks:\n  n:\n    ipam:\n      config: [{subnet: 10.9.0.0/24}]\n';
  const err = t.throws(() => load(doc), { instanceOf: SpecError }) as SpecError;
  t.deepEqual(lines(err.issues), [
    'compose.yaml:5:9 services.a.networks.n.ipv4_address: "" is not an IPv4 address ("ipv4" is not set, so it became a blank string)',
    'compose.yaml:6:5 services.a.hostname: "-" is not a valid RFC 1123 host name (labels of letters, digits and inner "-", at most 63 characters each, separated by ".") ("h1", "h2" are not set, so they became a blank string)',
  ]);
  t.deepEqual(err.warnings?.map((w) => w.message), [
    'The "ipv4" variable is not set. Defaulting to a blank string.',
    'The "h1" variable is not set. Defaulting to a blank string.',
    'The "h2" variable is not set. Defaulting to a blank string.',
  ]);
});

test('interpolated strings are converted where the schema allows it (scale, booleans)', (t) => {
  const p = load('services:\n  web:\n    scale: ${N}\nnetworks:\n  n:\n    internal: ${I}\n', { environment: { N: '3', I: 'true' } });
  t.is(p.services.web!.scale, 3);
  t.true(p.networks.n!.internal);
});
