/**
 * loadProject: files → parse → interpolate → canonical forms → merge →
 * normalize → profiles → project name → validate. Nothing is thrown before every file
 * has been looked at, so one SpecError lists every issue found.
 */
import { posix } from 'node:path';
import { SpecError } from '../errors';
import type { SpecIssue } from '../errors';
import { canonicalize } from './canonical';
import { discoverFiles, displayPath, projectEnvironment, readGuarded } from './files';
import { applyExtends } from './extends';
import { applyIncludes, type IncludeEntry } from './include';
import { nameBuiltImage } from './image';
import type { SourceReader } from './files';
import { interpolateTree } from './interpolate';
import { applyLab } from './lab';
import type { Lookup } from './interpolate';
import { Issues } from './issues';
import { dropResets, mergeMaps } from './merge';
import { checkProjectName, normalizeProjectName } from './names';
import { normalizeModel } from './normalize';
import { activeProfiles, applyProfiles } from './profiles';
import type { NormalizedModel } from './normalize';
import { TreeSourceMap } from './tree';
import type { YMap } from './tree';
import type { Project } from './types';
import { validateProject } from './validate';
import { parseYamlFile } from './yaml';

export interface LoadInput {
  /** `-f` files (absolute or relative to cwd); empty = discover like Docker Compose. */
  files: string[];
  cwd: string;
  /** `-p`. */
  projectName?: string;
  /** `--env-file` (repeatable); default: `<project dir>/.env` if present. */
  envFiles?: string[];
  /** The process environment; it overrides .env values, as in Compose. */
  environment: Record<string, string | undefined>;
  reader: SourceReader;
  /** `--profile` (repeatable); none: COMPOSE_PROFILES. */
  profiles?: string[];
  /** Services named on the command line: enabled whatever their profiles. */
  services?: string[];
  /** `up --scale SERVICE=N`: replicas, over the file's `scale`/`deploy.replicas` (checked as they are). */
  scale?: Record<string, number>;
}

export function loadProject(input: LoadInput): Project {
  const issues = new Issues();
  const cwd = posix.resolve('/', input.cwd);
  // Every file is read once; discovery and loading share the cache.
  const cache = new Map<string, string | undefined>();
  const read = (p: string): string | undefined => {
    if (!cache.has(p)) cache.set(p, input.reader.readText(p));
    return cache.get(p);
  };

  const files = input.files.length > 0 ? input.files.map((f) => posix.resolve(cwd, f)) : discoverFiles(cwd, read);
  if (!files) {
    throw new SpecError({
      path: '',
      message: `no compose file found in ${cwd} or its parents (looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml); use -f to name one`,
    });
  }
  const projectDir = posix.dirname(files[0]!);
  const env = projectEnvironment({ envFiles: input.envFiles, cwd, projectDir, environment: input.environment }, read, issues);
  const explicitName = input.projectName;
  // As Compose: with -p, files can refer to the name as ${COMPOSE_PROJECT_NAME}.
  const lookup: Lookup = explicitName !== undefined ? (n) => (n === 'COMPOSE_PROJECT_NAME' ? explicitName : env.lookup(n)) : env.lookup;

  let resets = false;
  // Each file as a tree: parsed, interpolated, in canonical form (once per set of variables, also when `extends` names it).
  const treeReader = (vars: Lookup) => {
    const trees = new Map<string, YMap | undefined>();
    return (file: string, from?: { path: string; loc: SpecIssue['loc'] }): YMap | undefined => {
      if (trees.has(file)) return trees.get(file);
      trees.set(file, undefined);
      const display = displayPath(file, cwd);
      const { text, missing } = readGuarded(read, file, display, from?.path ?? '', issues);
      if (text === undefined) {
        if (missing) issues.error(from?.path ?? '', `compose file ${file} not found`, from?.loc);
        return undefined;
      }
      const parsed = parseYamlFile(text, display, issues);
      if (!parsed) return undefined;
      // Whole-tree walks are skipped when the text shows they have nothing to do.
      const interpolated = text.includes('$') ? interpolateTree(parsed, vars, issues) : parsed;
      resets ||= text.includes('!reset');
      const tree = canonicalize(interpolated, issues);
      trees.set(file, tree);
      return tree;
    };
  };
  // `-f` files, or an included project's files (include.ts): each with its includes and extends resolved, merged in order.
  const loadFiles = (list: string[], vars: Lookup, dir: string, chain: string[], from?: IncludeEntry): YMap | undefined => {
    const readTree = treeReader(vars);
    let out: YMap | undefined;
    for (const file of list) {
      if (chain.includes(file)) {
        issues.error(from?.path ?? '', `include makes a cycle: ${[...chain, file].map((f) => displayPath(f, cwd)).join(' → ')}`, from?.loc);
        continue;
      }
      const tree = readTree(file, from && { path: from.path, loc: from.loc });
      if (!tree) continue;
      const included = applyIncludes(tree, {
        issues,
        projectDir: dir,
        display: (f) => displayPath(f, cwd),
        exists: (f) => read(f) !== undefined,
        load: (entry) => {
          const own = projectEnvironment({ envFiles: entry.envFiles, cwd, projectDir: entry.projectDir, environment: input.environment }, read, issues);
          // The including project's variables first; the include's env_file fills what they leave unset (compose-go).
          return loadFiles(entry.files, (n) => vars(n) ?? own.fromFiles.get(n), entry.projectDir, [...chain, file], entry);
        },
      });
      const resolved = applyExtends(included, { issues, file, load: readTree });
      out = out ? mergeMaps(out, resolved) : resolved;
    }
    return out;
  };
  const merged = loadFiles(files, lookup, projectDir, []);
  if (!merged) throw failure(issues, files, cwd);
  const root = resets ? dropResets(merged) : merged;
  const sources = new TreeSourceMap(root);

  const model = normalizeModel(root, {
    issues,
    projectDir,
    lookup,
    readEnvFile: (abs, path) => {
      const display = displayPath(abs, cwd);
      return { ...readGuarded(read, abs, display, path, issues), display };
    },
  });
  applyProfiles(model, activeProfiles(input.profiles, lookup), input.services ?? [], sources, issues);
  for (const [svc, n] of Object.entries(input.scale ?? {})) {
    if (Object.hasOwn(model.services, svc)) model.services[svc]!.scale = n;
    else issues.error('', `--scale ${svc}=${n}: no service "${svc}" in the project`);
  }
  const lab = applyLab(root, model, sources, issues);
  const name = projectName(explicitName, env.lookup, model, projectDir, issues);
  for (const svc of Object.values(model.services)) {
    const path = `services.${svc.name}.build`;
    if (name) nameBuiltImage(svc, name, (message) => issues.error(path, message, sources.get(path)));
  }
  validateProject(model, sources, issues);
  if (issues.count > 0) throw failure(issues, files, cwd);

  const project: Project = {
    name: name!,
    workingDir: projectDir,
    files,
    networks: model.networks,
    services: model.services,
    ...(model.volumes ? { volumes: model.volumes } : {}),
    extensions: model.extensions,
    sources,
  };
  if (lab.verify.length) project.verify = lab.verify;
  if (lab.hosts) project.hosts = lab.hosts;
  if (issues.warnings.length > 0) project.warnings = issues.warnings;
  return project;
}

/** `-p`, else COMPOSE_PROJECT_NAME, else top-level `name`, else the project directory's name. */
function projectName(explicit: string | undefined, lookup: Lookup, model: NormalizedModel, projectDir: string, issues: Issues): string | undefined {
  const check = (value: string, where: string, path: string, loc?: SpecIssue['loc']): string | undefined => {
    const problem = checkProjectName(value);
    if (!problem) return value;
    issues.error(path, `invalid project name "${value}" (${where}): ${problem}`, loc);
    return undefined;
  };
  if (explicit !== undefined) return check(explicit, '-p', '');
  const fromEnv = lookup('COMPOSE_PROJECT_NAME');
  if (fromEnv) return check(fromEnv, 'COMPOSE_PROJECT_NAME', '');
  if (model.name && model.name.value !== '') return check(model.name.value, 'top-level name', 'name', model.name.loc);
  const base = posix.basename(projectDir);
  const derived = normalizeProjectName(base);
  if (derived === '') {
    issues.error('', `cannot derive a project name from the directory "${base}"; set one with -p or a top-level name`);
    return undefined;
  }
  return derived;
}

function failure(issues: Issues, files: string[], cwd: string): SpecError {
  const err = new SpecError(sortIssues(issues.errors, files, cwd));
  if (issues.warnings.length > 0) err.warnings = issues.warnings;
  return err;
}

/** Issues without a location first, then by file (in -f order), line and column. */
function sortIssues(list: SpecIssue[], files: string[], cwd: string): SpecIssue[] {
  const order = new Map(files.map((f, i) => [displayPath(f, cwd), i]));
  const rank = (i: SpecIssue) => (i.loc ? (order.get(i.loc.file) ?? files.length) : -1);
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
}
