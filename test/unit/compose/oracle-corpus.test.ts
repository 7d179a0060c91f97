/**
 * Oracle: the compose files of docker/awesome-compose (read from ../shared at
 * test time). Each must load, or be rejected with issues that name a key
 * path that really exists in that file, at the line where that key is
 * written, saying "not supported yet" — never a crash, never anything else.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CORE_SCHEMA, load as loadYaml, mergeTag } from 'js-yaml';
import { SpecError } from '../../../src/errors';
import { loadProject } from '../../../src/compose';
import { sharedDir } from './helpers';

function composeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...composeFiles(p));
    else if (/^compose\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const fsReader = {
  readText(p: string): string | undefined {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** Follows a dotted path through the raw document (keys may themselves contain dots). */
function pathExists(doc: unknown, dotted: string): boolean {
  if (dotted === '') return true;
  if (doc === null || typeof doc !== 'object') return false;
  const parts = dotted.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const key = parts.slice(0, n).join('.');
    if (Object.hasOwn(doc, key) && pathExists((doc as Record<string, unknown>)[key], parts.slice(n).join('.'))) return true;
  }
  return false;
}

/**
 * Files that are invalid without their variables, for Docker Compose too
 * (environment: {} here): what they get besides "not supported yet".
 */
const INVALID_WITHOUT_ENV: Record<string, RegExp> = {
  // ${PLEX_MEDIA_PATH}:/media/ with the variable unset: compose-go says "empty section between colons".
  'plex/compose.yaml': /^":\/media\/" must be TARGET, SOURCE:TARGET or SOURCE:TARGET:MODE \("PLEX_MEDIA_PATH" is not set, so it became a blank string\)$/,
};

test('every awesome-compose file loads or names exactly what is not supported yet', (t) => {
  const root = path.join(sharedDir(t), 'corpus', 'awesome-compose');
  const files = composeFiles(root);
  t.true(files.length >= 30, `expected the awesome-compose corpus under ${root}, found ${files.length} compose files`);
  let loaded = 0;
  let rejected = 0;
  for (const file of files) {
    const name = path.relative(root, file);
    const text = readFileSync(file, 'utf8');
    const raw = loadYaml(text, { schema: CORE_SCHEMA.withTags(mergeTag) });
    const lines = text.split('\n');
    try {
      loadProject({ files: [file], cwd: path.dirname(file), environment: {}, reader: fsReader });
      loaded++;
    } catch (err) {
      if (!(err instanceof SpecError)) {
        t.fail(`${name}: crashed with ${String(err)}`);
        continue;
      }
      rejected++;
      t.true(err.issues.length > 0, name);
      for (const issue of err.issues) {
        const where = `${name}: ${issue.path}: ${issue.message}`;
        const invalid = !!INVALID_WITHOUT_ENV[name]?.test(issue.message);
        // image, pull_policy and platform are read: a failure must name something else.
        t.false(/\.(image|pull_policy|platform)$/.test(issue.path), `the image keys are supported: ${where}`);
        t.true(issue.message.includes('not supported yet') || invalid, `unexpected kind of issue: ${where}`);
        t.true(pathExists(raw, issue.path), `path does not exist in the file: ${where}`);
        const key = issue.path.split('.').at(-1)!;
        const line = issue.loc ? lines[issue.loc.line - 1] : undefined;
        // A list item's issue points at the item (its value), not at a key.
        const at = invalid ? '${' : key;
        t.true(line !== undefined && line.slice(issue.loc!.col - 1).startsWith(at), `location ${issue.loc?.line}:${issue.loc?.col} is not where "${at}" is written: ${where}`);
      }
    }
  }
  t.is(loaded + rejected, files.length);
  t.log(`${loaded} of ${files.length} awesome-compose files load; ${rejected} name what is missing`);
});
