import test from 'ava';
import { parseDotenv } from '../../../src/compose/dotenv';
import { Issues } from '../../../src/compose/issues';
import { hasIssue, issues, lines, load } from './helpers';

function parse(text: string, env: Record<string, string> = {}) {
  const list = new Issues();
  const vars = parseDotenv(text, '.env', (n) => (Object.hasOwn(env, n) ? env[n] : undefined), list, { path: '' });
  return { vars: Object.fromEntries(vars), issues: lines(list.errors) };
}

test('KEY=VAL, export, comments and blank lines', (t) => {
  const r = parse('# comment\n\nA=1\nexport B=two\n  C = spaced  \nD=\n   # indented comment\n');
  t.deepEqual(r.vars, { A: '1', B: 'two', C: 'spaced', D: '' });
  t.deepEqual(r.issues, []);
});

test('inline comments need whitespace before # in unquoted values', (t) => {
  const r = parse('A=val # comment\nB=val#not-comment\nC= # only a comment\nD=#hash\n');
  t.deepEqual(r.vars, { A: 'val', B: 'val#not-comment', C: '', D: '#hash' });
});

test('single quotes are literal; double quotes process escapes and interpolate', (t) => {
  const r = parse(`A='x\\n $B'\nB=bee\nC="line1\\nline2\\t\\"q\\" $B \\$B"\nD="# not a comment" # comment\n`);
  t.deepEqual(r.vars, { A: 'x\\n $B', B: 'bee', C: 'line1\nline2\t"q" bee $B', D: '# not a comment' });
});

test('quoted values may span lines', (t) => {
  const r = parse('KEY="-----BEGIN\nabc\n-----END"\nNEXT=1\nS=\'a\nb\'\n');
  t.deepEqual(r.vars, { KEY: '-----BEGIN\nabc\n-----END', NEXT: '1', S: 'a\nb' });
});

test('values interpolate earlier keys and the environment; the environment wins', (t) => {
  const r = parse('HOST=db\nURL=postgres://${HOST}:${PORT:-5432}/x\nUSER=file\nWHO=$USER\n', { USER: 'shell' });
  t.deepEqual(r.vars, { HOST: 'db', URL: 'postgres://db:5432/x', USER: 'file', WHO: 'shell' });
});

test('a bare KEY inherits from the environment or stays unset', (t) => {
  const r = parse('PATHLIKE\nMISSING\n', { PATHLIKE: '/bin' });
  t.deepEqual(r.vars, { PATHLIKE: '/bin' });
});

test('errors: bad names, unterminated quotes, trailing garbage, forbidden names', (t) => {
  const r = parse('1A=x\nOK=1\nQ="open\nZ=2\n');
  t.deepEqual(r.issues, ['.env:1:1 : invalid line in env file: "1A=x" (expected KEY=VALUE)', '.env:3:3 : unterminated double-quoted value for Q']);
  t.deepEqual(parse("A='x' y\n").issues, ['.env:1:3 : unexpected text after the closing quote of A: "y"']);
  t.deepEqual(parse('__proto__=1\n').issues, ['.env:1:1 : the variable name "__proto__" is not allowed']);
  t.deepEqual(parse('A=${B:?need B}\n').issues, ['.env:1:3 : A: required variable B is missing a value: need B']);
});

test('the project .env feeds interpolation; the process environment overrides it', (t) => {
  const p = load(
    { 'compose.yaml': 'services:\n  web:\n    hostname: ${H}\n    domainname: ${D}\n', '.env': 'H=from-file\nD=file.example\n' },
    { environment: { H: 'from-shell' } },
  );
  t.is(p.services.web!.hostname, 'from-shell');
  t.is(p.services.web!.domainname, 'file.example');
});

test('--env-file replaces the default .env; files apply in order; a missing one is an error', (t) => {
  const files = {
    'compose.yaml': 'services:\n  web:\n    hostname: ${H}\n',
    '.env': 'H=default\n',
    'a.env': 'H=a\n',
    'b.env': 'H=b-${H}\n',
  };
  t.is(load(files, { envFiles: ['a.env'] }).services.web!.hostname, 'a');
  t.is(load(files, { envFiles: ['a.env', 'b.env'] }).services.web!.hostname, 'b-a');
  const list = issues(t, files, { envFiles: ['nope.env'] });
  t.deepEqual(lines(list), [': env file /proj/nope.env not found (--env-file)']);
});

test('service env_file: string, list and long form; relative to the project dir; environment wins', (t) => {
  const p = load({
    'compose.yaml': [
      'services:',
      '  a:',
      '    env_file: common.env',
      '    environment: {B: from-environment}',
      '  b:',
      '    env_file:',
      '      - common.env',
      '      - path: ./opt.env',
      '        required: false',
      '      - path: raw.env',
      '        format: raw',
    ].join('\n'),
    'common.env': 'A=1\nB=2\nC="q $A"\n',
    'raw.env': 'R="kept as is" # too\n',
  });
  t.deepEqual(p.services.a!.environment, { A: '1', B: 'from-environment', C: 'q 1' });
  t.deepEqual(p.services.b!.environment, { A: '1', B: '2', C: 'q 1', R: '"kept as is" # too' });
});

test('a missing required env_file is an error at its path', (t) => {
  const list = issues(t, 'services:\n  web:\n    env_file:\n      - path: missing.env\n');
  hasIssue(t, list, 'compose.yaml:4:9', 'services.web.env_file.0.path', 'env file /proj/missing.env not found');
});

test('env_file syntax errors point into the env file', (t) => {
  const list = issues(t, { 'compose.yaml': 'services:\n  web:\n    env_file: web.env\n', 'web.env': 'OK=1\nBAD LINE\n' });
  t.deepEqual(lines(list), ['web.env:2:1 services.web.env_file.0: invalid line in env file: "BAD LINE" (expected KEY=VALUE)']);
});
