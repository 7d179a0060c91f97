import * as fs from 'node:fs';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { SpecError, UsageError, formatLoc } from '../../errors';
import { toContainerlab } from '../../convert/containerlab';
import { convertKubernetes } from './convert-kubernetes';
import type { ConvertWarning } from '../../convert/warnings';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, type Cli } from '../context';

const FORMATS = ['containerlab', 'kubernetes'] as const;

const convertOptions: OptionSpec[] = [
  { name: 'format', type: 'string', arg: 'FORMAT', description: `Target: ${FORMATS.join(', ')} (required)` },
  { name: 'output', short: 'o', type: 'string', arg: 'PATH', description: 'containerlab: write to FILE (lab.clab.yml); kubernetes: one file per object in DIR' },
  { name: 'publish-as', type: 'string', arg: 'TYPE', description: 'kubernetes: Service type of published ports, LoadBalancer (default) or NodePort' },
  { name: 'kustomize', type: 'boolean', description: 'kubernetes: make -o DIR a Kustomize base (kustomization.yaml)' },
  { name: 'strict', type: 'boolean', description: 'Fail (exit 3) when anything in the file does not map' },
  { name: 'json', type: 'boolean', description: 'Print {file, warnings} (containerlab) or {objects, warnings} (kubernetes) as JSON' },
];

function warningLine(w: ConvertWarning): string {
  const where = [formatLoc(w.loc), w.path].filter(Boolean).join(' ');
  return `  ${w.kind === 'note' ? 'note' : 'not mapped'}: ${where}: ${w.message}\n`;
}

/**
 * The file in another engine's format. Read-only: nothing on the machine is
 * looked at or changed. What does not map is listed with its file:line
 * (stderr), never dropped silently; `--strict` turns it into an error.
 */
async function convert(cli: Cli, args: Parsed): Promise<number> {
  if (args.positionals.length) throw new UsageError('convert takes no arguments');
  const format = str(args, 'format');
  if (!format) throw new UsageError(`convert needs --format (supported: ${FORMATS.join(', ')})`);
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format ${JSON.stringify(format)} (supported: ${FORMATS.join(', ')})`);
  const project = loadComposeProject(cli);
  if (format === 'kubernetes') {
    report(cli, format, convertKubernetes(cli, args, project), flag(args, 'json'));
    return 0;
  }
  for (const opt of ['publish-as', 'kustomize']) if (args.options[opt] !== undefined) throw new UsageError(`--${opt} is for --format kubernetes`);
  const { file, warnings } = toContainerlab(project);
  const unmapped = warnings.filter((w) => w.kind === 'unmapped');
  if (flag(args, 'strict') && unmapped.length) {
    throw new SpecError(unmapped.map((w) => ({ path: w.path, ...(w.loc ? { loc: w.loc } : {}), message: `does not map to containerlab (--strict): ${w.message}` })));
  }
  const text = flag(args, 'json') ? `${JSON.stringify({ file, warnings }, null, 2)}\n` : dump(file, { lineWidth: -1, noRefs: true });
  const out = str(args, 'output');
  if (out) fs.writeFileSync(path.resolve(cli.cwd, out), text);
  else cli.out(text);
  report(cli, format, warnings, flag(args, 'json'));
  return 0;
}

/** The warning block (stderr): what did not map, then what the user must do, with file:line. */
function report(cli: Cli, format: string, warnings: ConvertWarning[], json: boolean): void {
  if (!warnings.length || json) return;
  const unmapped = warnings.filter((w) => w.kind === 'unmapped');
  cli.err(`tscompose: convert: ${unmapped.length} item(s) not mapped to ${format}, ${warnings.length - unmapped.length} note(s):\n`);
  for (const w of warnings) cli.err(warningLine(w));
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Write the file for another engine (containerlab, kubernetes), listing what does not map.',
  usage: '',
  options: convertOptions,
  run: convert,
};
