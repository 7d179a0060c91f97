/**
 * Command-line parsing, Docker Compose style:
 *   tscompose [-f FILE]... [-p NAME] [--env-file FILE]... VERB [VERB OPTIONS] [ARGS]
 * Verb options stop at the first positional for verbs that take a command
 * (`exec web ls -la`), and at `--` everywhere.
 */
import { UsageError } from '../errors';

export interface OptionSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  multiple?: boolean;
  description: string;
  /** Placeholder for help: FILE, SECONDS… */
  arg?: string;
}

export interface Parsed {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseOptions(argv: string[], specs: OptionSpec[], opts: { stopAtPositional?: boolean } = {}): Parsed {
  const options: Parsed['options'] = {};
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const set = (spec: OptionSpec, value: string | boolean) => {
    if (spec.multiple) ((options[spec.name] ??= []) as string[]).push(String(value));
    else options[spec.name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.type === 'boolean') {
        if (eq > 0) throw new UsageError(`option --${name} takes no value`);
        set(spec, true);
      } else {
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value (${spec.arg ?? 'VALUE'})`);
        set(spec, value);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      // Bundled short flags: -dT; the last may take a value: -fcompose.yaml or -f compose.yaml.
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]!);
        if (!spec) throw new UsageError(`unknown option -${arg[j]}`);
        if (spec.type === 'boolean') {
          set(spec, true);
          continue;
        }
        const rest = arg.slice(j + 1);
        const value = rest || argv[++i];
        if (value === undefined) throw new UsageError(`option -${spec.short} needs a value (${spec.arg ?? 'VALUE'})`);
        set(spec, value);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (opts.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { options, positionals };
}

export const globalOptions: OptionSpec[] = [
  { name: 'file', short: 'f', type: 'string', multiple: true, arg: 'FILE', description: 'Compose file, later ones overriding earlier ones (default: compose.yaml in the current directory)' },
  { name: 'project-name', short: 'p', type: 'string', arg: 'NAME', description: 'Project name' },
  { name: 'env-file', type: 'string', multiple: true, arg: 'FILE', description: 'Environment file for interpolation (default: .env)' },
  { name: 'profile', type: 'string', multiple: true, arg: 'NAME', description: 'Enable services of this profile (repeatable; default: COMPOSE_PROFILES)' },
  { name: 'project-directory', type: 'string', arg: 'DIR', description: 'Working directory of the project (default: the first file’s)' },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'Show every kernel action as it runs' },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help; with a COMMAND, its help' },
  { name: 'version', type: 'boolean', description: 'Show the version' },
];

/** Split `[global options] VERB rest…`. */
export function splitVerb(argv: string[]): { global: Parsed; verb?: string; rest: string[] } {
  const global = parseOptions(argv, globalOptions, { stopAtPositional: true });
  const [verb, ...rest] = global.positionals;
  global.positionals = [];
  return { global, ...(verb !== undefined ? { verb } : {}), rest };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}
export function strs(p: Parsed, name: string): string[] {
  const v = p.options[name];
  return Array.isArray(v) ? v : [];
}
export function flag(p: Parsed, name: string): boolean {
  return p.options[name] === true;
}

export function nonNegativeInt(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number of seconds, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** Like nonNegativeInt, but undefined when the option was not given (the file's settings then apply). */
export function optionalSeconds(text: string | undefined, what: string): number | undefined {
  return text === undefined ? undefined : nonNegativeInt(text, what, 0);
}
