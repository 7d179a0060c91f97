/**
 * Help text, built from the commands' summaries and option specs (nothing
 * here is written twice: a new option shows up in `VERB --help` by itself).
 */
import { globalOptions, type OptionSpec } from './args';
import type { Command } from './command';

/** `-h, --help`, which every verb takes (main.ts answers it). */
export const helpOption: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' };

export function optionLines(specs: OptionSpec[]): string[] {
  const names = specs.map((s) => [s.short ? `-${s.short},` : '   ', `--${s.name}${s.type === 'string' ? ` ${s.arg ?? 'VALUE'}` : ''}`].join(' '));
  const width = Math.max(...names.map((n) => n.length));
  return specs.map((s, i) => `  ${names[i]!.padEnd(width)}   ${s.description}${s.multiple ? '; repeatable' : ''}`);
}

export function commandHelp(c: Command): string {
  const usage = ['tscompose [GLOBAL OPTIONS]', c.name, '[OPTIONS]', c.usage].filter(Boolean).join(' ');
  return [`Usage: ${usage}`, '', c.summary, '', 'Options:', ...optionLines([...c.options, helpOption]), ''].join('\n');
}

export function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: tscompose [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]',
    '',
    'Compose files reconciled into bridges, veth pairs, namespaces and processes.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(globalOptions),
    '',
    'Run `tscompose COMMAND --help` for a command’s options.',
    '',
  ].join('\n');
}
