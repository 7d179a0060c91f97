/**
 * Helpers for the loader tests: an in-memory file system behind the
 * SourceReader, and short ways to load and to collect issues.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { SpecError } from '../../../src/errors';
import type { SpecIssue } from '../../../src/errors';
import { loadProject } from '../../../src/compose';
import type { LoadInput, Project } from '../../../src/compose';

/** Compiled to dist/test/unit/compose: four levels below the repo root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** `../shared` beside the repo (corpora and the compose-spec schema), or a clear failure. */
export function sharedDir(t: ExecutionContext): string {
  const dir = path.resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) {
    t.log('the oracle tests read public corpora from ../shared at test time');
    throw new Error(`the shared data directory ${dir} is missing (expected beside the repo, with corpus/ and compose-spec/)`);
  }
  return dir;
}

export function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test', 'fixtures', 'compose', name), 'utf8');
}

export type Files = Record<string, string>;

export interface LoadOpts extends Partial<Omit<LoadInput, 'reader'>> {}

/** Loads from an in-memory tree; relative file names live in /proj. */
export function load(files: Files | string, opts: LoadOpts = {}): Project {
  const tree: Files = typeof files === 'string' ? { 'compose.yaml': files } : files;
  const abs: Files = {};
  for (const [k, v] of Object.entries(tree)) abs[k.startsWith('/') ? k : `/proj/${k}`] = v;
  return loadProject({
    files: opts.files ?? [],
    cwd: opts.cwd ?? '/proj',
    environment: opts.environment ?? {},
    reader: { readText: (p) => (Object.hasOwn(abs, p) ? abs[p] : undefined) },
    ...(opts.projectName !== undefined ? { projectName: opts.projectName } : {}),
    ...(opts.envFiles !== undefined ? { envFiles: opts.envFiles } : {}),
    ...(opts.profiles !== undefined ? { profiles: opts.profiles } : {}),
    ...(opts.services !== undefined ? { services: opts.services } : {}),
  });
}

/** The issues of a load that must fail. */
export function issues(t: ExecutionContext, files: Files | string, opts: LoadOpts = {}): SpecIssue[] {
  const err = t.throws(() => load(files, opts), { instanceOf: SpecError }) as SpecError | undefined;
  return err?.issues ?? [];
}

/** `file:line:col path: message` per issue, for compact exact assertions. */
export function lines(list: SpecIssue[]): string[] {
  return list.map((i) => `${i.loc ? `${i.loc.file}:${i.loc.line}:${i.loc.col} ` : ''}${i.path}: ${i.message}`);
}

/** Asserts exactly one issue at `path` with the location `line:col` and a message containing `text`. */
export function hasIssue(t: ExecutionContext, list: SpecIssue[], where: string, path: string, text: string): void {
  const found = list.filter((i) => i.path === path);
  t.is(found.length, 1, `expected one issue at ${path}, got:\n${lines(list).join('\n')}`);
  const i = found[0];
  if (!i) return;
  t.is(i.loc ? `${i.loc.file}:${i.loc.line}:${i.loc.col}` : '', where, `location of ${path}`);
  t.true(i.message.includes(text), `message "${i.message}" should contain "${text}"`);
}

/** Dedents a template literal (so YAML in tests can be indented with the code). */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const body = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n');
  const indent = Math.min(...body.split('\n').filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return body
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

/** 1,000 services on 10 networks with static addresses, aliases, env and dependencies. */
export function generateLargeCompose(count: number): string {
  const out: string[] = ['name: big', 'x-common: &common', '  x-rootfs: /rootfs', '  environment:', '    SHARED: "yes"', 'services:'];
  for (let i = 0; i < count; i++) {
    const net = `net${i % 10}`;
    out.push(
      `  svc${i}:`,
      '    <<: *common',
      `    hostname: host-${i}`,
      '    command: ["sleep", "infinity"]',
      '    environment:',
      `      INDEX: ${i}`,
      '      SHARED: "yes"',
      '    networks:',
      `      ${net}:`,
      `        ipv4_address: 10.${i % 10}.${Math.floor(i / 200)}.${(i % 200) + 10}`,
      `        aliases: [alias-${i}]`,
    );
    if (i > 0) out.push('    depends_on:', `      - svc${i - 1}`);
  }
  out.push('networks:');
  for (let n = 0; n < 10; n++) out.push(`  net${n}:`, '    ipam:', '      config:', `        - subnet: 10.${n}.0.0/16`);
  return `${out.join('\n')}\n`;
}
