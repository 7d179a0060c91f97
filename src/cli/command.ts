/**
 * One verb of the CLI. Each module in commands/ exports its own (lifecycle.ts
 * four); commands/index.ts lists them; main.ts parses the verb's options
 * from `options` and `tscompose --help` / `tscompose VERB --help` print them.
 */
import type { OptionSpec, Parsed } from './args';
import type { Cli } from './context';

export interface Command {
  name: string;
  /** One line, for `tscompose --help`. */
  summary: string;
  /** The arguments after the options, for the usage line: `[SERVICE...]` ('' when none). */
  usage: string;
  options: OptionSpec[];
  /** Options end at the first argument: `exec web ls -la` passes `-la` to ls. */
  stopAtPositional?: boolean;
  run(cli: Cli, args: Parsed): Promise<number>;
}
