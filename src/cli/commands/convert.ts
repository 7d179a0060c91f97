import * as fs from 'node:fs';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { SpecError, UsageError, formatLoc } from '../../errors';
import { toContainerlab } from '../../convert/containerlab';
import type { ConvertWarning } from '../../convert/warnings';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, type Cli } from '../context';

const FORMATS = ['containerlab'] as const;

const convertOptions: OptionSpec[] = [
  { name: 'format', type: 'string', arg: 'FORMAT', description: `Target: ${FORMATS.join(', ')} (required)` },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', description: 'Write to FILE (e.g. lab.clab.yml) instead of stdout' },
  { name: 'strict', type: 'boolean', description: 'Fail (exit 3) when anything in the file does not map' },
  { name: 'json', type: 'boolean', description: 'Print {file, warnings} as JSON' },
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
  const { file, warnings } = toContainerlab(project);
  const unmapped = warnings.filter((w) => w.kind === 'unmapped');
  if (flag(args, 'strict') && unmapped.length) {
    throw new SpecError(unmapped.map((w) => ({ path: w.path, ...(w.loc ? { loc: w.loc } : {}), message: `does not map to containerlab (--strict): ${w.message}` })));
  }
  const text = flag(args, 'json') ? `${JSON.stringify({ file, warnings }, null, 2)}\n` : dump(file, { lineWidth: -1, noRefs: true });
  const out = str(args, 'output');
  if (out) fs.writeFileSync(path.resolve(cli.cwd, out), text);
  else cli.out(text);
  if (warnings.length && !flag(args, 'json')) {
    cli.err(`tscompose: convert: ${unmapped.length} item(s) not mapped to ${format}, ${warnings.length - unmapped.length} note(s):\n`);
    for (const w of warnings) cli.err(warningLine(w));
  }
  return 0;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Write the file for another engine (containerlab), listing what does not map.',
  usage: '',
  options: convertOptions,
  run: convert,
};
