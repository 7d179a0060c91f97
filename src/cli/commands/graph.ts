import type { Cli } from '../context';
import type { OptionSpec } from '../args';
export const graphOptions: OptionSpec[] = [];
export async function graph(_cli: Cli, _argv: string[]): Promise<number> {
  return 0;
}
