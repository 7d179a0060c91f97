/**
 * What every command needs: where output goes, the global options, and how
 * to load the project (through the pure spec loader, with a file reader).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatIssue, SpecError, UsageError, type SpecIssue } from '../errors';
import type { Emit } from '../events';
import { DEFAULT_FILE_NAMES, loadProject } from '../compose';
import type { Project } from '../compose/types';
import { StateDir } from '../sys/state';
import { str, strs, flag, type Parsed } from './args';
import { renderEvent } from './render';

export interface Cli {
  global: Parsed;
  cwd: string;
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout/stdin are terminals (exec -T, progress style). */
  stdinIsTTY: boolean;
  state: StateDir;
}

export function fsReader() {
  return {
    readText(file: string): string | undefined {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (e: any) {
        if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return undefined;
        throw e;
      }
    },
  };
}

/** `services`: the ones named on the command line (enabled whatever their profiles). */
export function loadComposeProject(cli: Cli, services: string[] = [], scale?: Record<string, number>): Project {
  const dir = str(cli.global, 'project-directory');
  const cwd = dir ? path.resolve(cli.cwd, dir) : cli.cwd;
  const envFiles = strs(cli.global, 'env-file');
  const projectName = str(cli.global, 'project-name');
  const profiles = strs(cli.global, 'profile');
  const warn = (list: SpecIssue[] | undefined) => {
    for (const w of list ?? []) cli.err(`tscompose: warning: ${formatIssue(w)}\n`);
  };
  try {
    const project = loadProject({
      files: strs(cli.global, 'file'),
      cwd,
      ...(projectName ? { projectName } : {}),
      ...(envFiles.length ? { envFiles } : {}),
      environment: cli.env,
      reader: fsReader(),
      ...(profiles.length ? { profiles } : {}),
      services,
      ...(scale ? { scale } : {}),
    });
    warn(project.warnings);
    return project;
  } catch (e) {
    if (e instanceof SpecError) warn(e.warnings);
    throw e;
  }
}

/**
 * The project name for commands that can work without the file (down, ps):
 * `-p` or COMPOSE_PROJECT_NAME win; otherwise the file decides.
 */
export function projectNameFor(cli: Cli): { name: string; project?: Project } {
  const explicit = str(cli.global, 'project-name') ?? cli.env.COMPOSE_PROJECT_NAME;
  if (explicit && !strs(cli.global, 'file').length && !hasComposeFile(cli)) return { name: explicit };
  const project = loadComposeProject(cli);
  return { name: project.name, project };
}

function hasComposeFile(cli: Cli): boolean {
  const dir = str(cli.global, 'project-directory') ?? cli.cwd;
  return DEFAULT_FILE_NAMES.some((f) => fs.existsSync(path.resolve(cli.cwd, dir, f)));
}

export function progress(cli: Cli, project: string): Emit {
  const ctx = { project, verbose: flag(cli.global, 'verbose') };
  return (e) => {
    const line = renderEvent(e, ctx);
    if (line !== undefined) cli.err(line + '\n');
  };
}

/** Service names given on the command line must exist. */
export function checkServices(project: Project, names: string[]): void {
  const unknown = names.filter((n) => !project.services[n]);
  if (unknown.length) throw new UsageError(`no such service: ${unknown.join(', ')}`);
}
