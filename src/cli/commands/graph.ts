import * as fs from 'node:fs';
import { Session } from '../../apply/session';
import { UsageError } from '../../errors';
import { renderDot } from '../../graph/dot';
import { renderHtml } from '../../graph/html';
import { renderMermaid } from '../../graph/mermaid';
import { renderSvg } from '../../graph/svg';
import { topology } from '../../graph/topology';
import { resolve } from '../../plan';
import type { Observed } from '../../plan/model';
import { str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, progress, type Cli } from '../context';

const graphOptions: OptionSpec[] = [
  { name: 'format', type: 'string', arg: 'FORMAT', description: 'dot (default), mermaid, svg or html (one self-contained page)' },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', description: 'Write to FILE instead of stdout' },
];

const FORMATS = ['dot', 'mermaid', 'svg', 'html'] as const;

/**
 * The topology of the file: containers, bridges, p2p links with interface
 * names and addresses (as allocated on this machine when the project is up,
 * as `up` would allocate them otherwise), shaping and published ports.
 */
async function graph(cli: Cli, args: Parsed): Promise<number> {
  if (args.positionals.length) throw new UsageError('graph takes no arguments');
  const format = (str(args, 'format') ?? 'dot') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format ${JSON.stringify(format)} (use ${FORMATS.join(', ')})`);
  const project = loadComposeProject(cli);
  const observed = await observeOrAssume(cli, project.name);
  // A picture is wanted even where the kernel could not apply the file (no sch_netem).
  const { kernel: _kernel, ...rest } = observed;
  const t = topology(project, resolve(project, rest));
  const text = format === 'dot' ? renderDot(t) : format === 'mermaid' ? renderMermaid(t) : format === 'svg' ? renderSvg(t).svg + '\n' : renderHtml(t);
  const file = str(args, 'output');
  if (file) fs.writeFileSync(file, text);
  else cli.out(text);
  return 0;
}

/** What the machine says (addresses of a project that is up); without privileges, a fresh machine. */
async function observeOrAssume(cli: Cli, project: string): Promise<Observed> {
  let session: Session | undefined;
  try {
    session = new Session(project, cli.state, progress(cli, project));
    return await session.observe();
  } catch {
    return { hostLinks: [], hostRoutes: [], netns: {}, containers: {}, otherProjects: [], host: { resolvConf: '', passwd: '', group: '' } };
  } finally {
    session?.close();
  }
}

export const graphCommand: Command = {
  name: 'graph',
  summary: 'Draw the topology: services, bridges, p2p links, addresses.',
  usage: '',
  options: graphOptions,
  run: graph,
};
