import test from 'ava';
import { Issues } from '../../../src/compose/issues';
import type { YMap, YNode } from '../../../src/compose/tree';
import { toPlain } from '../../../src/compose/tree';
import { DEFAULT_LIMITS, parseYamlFile } from '../../../src/compose/yaml';
import { resolvePlain } from '../../../src/compose/yaml-core';
import { hasIssue, issues, lines, load, yaml } from './helpers';

function parse(text: string, limits = DEFAULT_LIMITS): { root: YMap | undefined; issues: Issues } {
  const list = new Issues();
  return { root: parseYamlFile(text, 'c.yaml', list, limits), issues: list };
}

function get(node: YNode | undefined, ...path: string[]): YNode | undefined {
  let n = node;
  for (const k of path) n = n?.kind === 'map' ? n.entries.get(k)?.value : undefined;
  return n;
}

test('plain scalars resolve with the YAML 1.2 core schema, like go-yaml v3', (t) => {
  t.is(resolvePlain('yes'), 'yes');
  t.is(resolvePlain('on'), 'on');
  t.is(resolvePlain('True'), true);
  t.is(resolvePlain('FALSE'), false);
  t.is(resolvePlain('~'), null);
  t.is(resolvePlain(''), null);
  t.is(resolvePlain('0x1f'), 31);
  t.is(resolvePlain('0o17'), 15);
  t.is(resolvePlain('-12'), -12);
  t.is(resolvePlain('1.5e3'), 1500);
  t.is(resolvePlain('.inf'), Infinity);
  t.true(Number.isNaN(resolvePlain('.nan') as number));
  t.is(resolvePlain('10.0.0.1'), '10.0.0.1');
  t.is(resolvePlain('8080:80'), '8080:80');
});

test('every key and value keeps its line and column; quoted scalars point at the quote', (t) => {
  const { root, issues: list } = parse('a:\n  b: "x"\n  c:\n    - 1\n    - \'y\'\n');
  t.is(list.count, 0);
  const a = root!.entries.get('a')!;
  t.deepEqual(a.keyLoc, { file: 'c.yaml', line: 1, col: 1 });
  const b = (a.value as YMap).entries.get('b')!;
  t.deepEqual(b.keyLoc, { file: 'c.yaml', line: 2, col: 3 });
  t.deepEqual(b.value.loc, { file: 'c.yaml', line: 2, col: 6 });
  const c = get(root, 'a', 'c');
  t.is(c?.kind, 'seq');
  if (c?.kind === 'seq') t.deepEqual(c.items[1]!.loc, { file: 'c.yaml', line: 5, col: 7 });
});

test('anchors, aliases and merge keys work as in Docker Compose (explicit keys win, earlier sources win)', (t) => {
  const { root, issues: list } = parse(
    yaml`
      x-a: &a {p: 1, q: 1}
      x-b: &b {q: 2, r: 2}
      svc:
        <<: [*a, *b]
        p: 0
      list: *a
    `,
  );
  t.is(list.count, 0);
  t.deepEqual(toPlain(get(root, 'svc')!), { p: 0, q: 1, r: 2 });
  t.deepEqual(toPlain(get(root, 'list')!), { p: 1, q: 1 });
});

test('merged keys keep the location where the anchor wrote them', (t) => {
  const list = issues(
    t,
    yaml`
      x-base: &base
        runtime: kata
      services:
        web:
          <<: *base
    `,
  );
  hasIssue(t, list, 'compose.yaml:2:3', 'services.web.runtime', 'runtime "kata" is not supported yet');
});

test('a merge key tagged !!merge is a merge key, as in go-yaml; a key with another non-string tag says which tag', (t) => {
  const { root, issues: list } = parse('x: &x {p: 1, q: 1}\ny:\n  !!merge <<: *x\n  q: 2\nz:\n  !<tag:yaml.org,2002:merge> "<<": *x\n');
  t.is(list.count, 0, lines(list.errors).join('\n'));
  t.deepEqual(toPlain(get(root, 'y')!), { p: 1, q: 2 });
  t.deepEqual(toPlain(get(root, 'z')!), { p: 1, q: 1 });
  const bad = parse('y:\n  !!int a: 1\n  !!str <<: 2\n');
  t.deepEqual(lines(bad.issues.errors), ['c.yaml:2:9 y.a: key a is tagged !!int; keys must be strings (drop the tag or use !!str)']);
  t.deepEqual(toPlain(get(bad.root, 'y')!), { '<<': 2 });
});

test('a merge key must name a mapping', (t) => {
  const { issues: list } = parse('x: &x [1]\ny:\n  <<: *x\n');
  t.deepEqual(lines(list.errors), ['c.yaml:3:3 y.<<: a merge key (<<) takes a mapping or a list of mappings']);
});

test('guard: duplicate keys are an error naming both lines', (t) => {
  const list = issues(t, 'services:\n  a: {}\n  a: {}\n');
  t.deepEqual(lines(list), ['compose.yaml:3:3 services.a: duplicate key "a" (first written at line 2)']);
});

test('guard: __proto__, constructor and prototype keys are rejected and pollute nothing', (t) => {
  const list = issues(t, 'services:\n  __proto__:\n    polluted: 1\n  web:\n    environment:\n      constructor: x\nprototype: 1\n');
  t.deepEqual(lines(list), [
    'compose.yaml:2:3 services.__proto__: the key "__proto__" is not allowed (it could alter JavaScript object prototypes)',
    'compose.yaml:6:7 services.web.environment.constructor: the key "constructor" is not allowed (it could alter JavaScript object prototypes)',
    'compose.yaml:7:1 prototype: the key "prototype" is not allowed (it could alter JavaScript object prototypes)',
  ]);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('guard: non-string keys are rejected with a hint to quote them', (t) => {
  const { issues: list } = parse('networks:\n  1: {}\n  true: {}\n  ~: {}\n  ? [a]\n  : 1\n');
  t.deepEqual(lines(list.errors), [
    'c.yaml:2:3 networks.1: key 1 is a number; keys must be strings (quote it: "1")',
    'c.yaml:3:3 networks.true: key true is a boolean; keys must be strings (quote it: "true")',
    'c.yaml:4:3 networks.~: key null is null; keys must be strings (quote it: "~")',
    'c.yaml:5:5 networks: mapping keys must be plain strings, not lists, mappings or aliases',
  ]);
});

test('guard: files over the size limit are refused before parsing', (t) => {
  const { root, issues: list } = parse(`a: "${'x'.repeat(200)}"\n`, { ...DEFAULT_LIMITS, maxBytes: 100 });
  t.is(root, undefined);
  t.deepEqual(lines(list.errors), ['c.yaml:1:1 : file is larger than the 100 bytes limit']);
  t.is(DEFAULT_LIMITS.maxBytes, 8 * 1024 * 1024);
});

test('guard: the 8 MiB limit counts UTF-8 bytes', (t) => {
  // 3 MiB of a 3-byte character is 9 MiB on disk.
  const list = issues(t, `x-big: "${'€'.repeat(3 * 1024 * 1024)}"\n`);
  t.deepEqual(lines(list), ['compose.yaml:1:1 : compose.yaml is larger than the 8 MiB limit']);
});

test('guard: excessive nesting depth is refused', (t) => {
  const deep = `x-deep: ${'['.repeat(70)}${']'.repeat(70)}\n`;
  const list = issues(t, deep);
  t.is(list.length, 1);
  t.regex(list[0]!.message, /^YAML syntax error: nesting exceeded maxDepth \(64\)/);
  t.is(list[0]!.loc?.line, 1);
});

test('guard: an alias bomb is refused quickly, before expansion', (t) => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i <= 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  const started = process.hrtime.bigint();
  const { root, issues: list } = parse(text);
  t.is(root, undefined);
  t.deepEqual(lines(list.errors), ['c.yaml:1:1 : the document expands to more than 1000000 nodes through aliases and merge keys; refusing to load it']);
  t.true(process.hrtime.bigint() - started < 5_000_000_000n); // sanity only: it must not hang
});

test('guard: merge keys count towards the expansion limit', (t) => {
  const { root, issues: list } = parse('a: &a {p: 1, q: 2, r: 3}\nb: &b {<<: *a, s: 4}\nc: {<<: [*a, *b]}\n', { ...DEFAULT_LIMITS, maxNodes: 20 });
  t.is(root, undefined);
  t.regex(list.errors[0]!.message, /more than 20 nodes/);
});

test('guard: aliases cannot stack nesting beyond the depth limit', (t) => {
  let text = 'a0: &a0 [x]\n';
  for (let i = 1; i <= 70; i++) text += `a${i}: &a${i} [*a${i - 1}]\n`;
  const { root, issues: list } = parse(text);
  t.is(root, undefined);
  t.deepEqual(lines(list.errors), ['c.yaml:1:1 : aliases nest the document deeper than 64 levels; refusing to expand it']);
});

test('guard: the number of aliases is limited', (t) => {
  const { root, issues: list } = parse(`a: &a 1\nb: [${Array(11).fill('*a').join(', ')}]\n`, { ...DEFAULT_LIMITS, maxAliases: 10 });
  t.is(root, undefined);
  t.deepEqual(lines(list.errors), ['c.yaml:1:1 : more than 10 aliases in one file; refusing to expand it']);
});

test('guard: multi-document files are refused, pointing at the second document', (t) => {
  const list = issues(t, 'services: {}\n---\nnetworks: {}\n');
  t.deepEqual(lines(list), ['compose.yaml:3:1 : the file holds several YAML documents (`---`); put each in its own file and pass them with -f']);
});

test('empty files and non-mapping documents are refused', (t) => {
  t.deepEqual(lines(parse('# nothing\n').issues.errors), ['c.yaml:1:1 : the file is empty; a compose file is a mapping with `services:` and/or `networks:`']);
  t.deepEqual(lines(parse('- a\n').issues.errors), ['c.yaml:1:1 : the top level of a compose file must be a mapping, not a list']);
});

test('syntax errors carry the parser position', (t) => {
  const list = issues(t, 'services:\n  web:\n\t  hostname: x\n');
  t.is(list.length, 1);
  t.deepEqual(list[0]!.loc, { file: 'compose.yaml', line: 3, col: 1 });
  t.regex(list[0]!.message, /^YAML syntax error: /);
});

test('unknown aliases and unsupported tags are errors; core tags and !reset/!override are understood', (t) => {
  const { issues: list, root } = parse('a: *nope\nb: !!binary aGk=\nc: !!str 5\nd: !!int "7"\ne: !reset x\nf: !!int x\n');
  t.deepEqual(lines(list.errors), [
    'c.yaml:1:4 a: unknown alias *nope (no anchor &nope before it)',
    'c.yaml:2:13 b: unsupported YAML tag !!binary',
    'c.yaml:6:10 f: "x" is not a valid !!int value',
  ]);
  t.is((get(root, 'c') as { value: unknown }).value, '5');
  t.is((get(root, 'd') as { value: unknown }).value, 7);
  t.is(get(root, 'e')?.tag, 'reset');
});

test('a byte order mark does not shift columns', (t) => {
  const p = load('\ufeffservices:\n  web: {}\n');
  t.deepEqual(p.sources.get('services.web'), { file: 'compose.yaml', line: 2, col: 3 });
});
