import { Session } from '../../apply/session';
import { ExitCode } from '../../errors';
import { plan, resolve } from '../../plan';
import { countActions } from '../../plan/actions';
import { flag, parseOptions, type OptionSpec } from '../args';
import { loadComposeProject, progress, type Cli } from '../context';
import { renderPlan } from '../render';

export const checkOptions: OptionSpec[] = [{ name: 'json', type: 'boolean', description: 'Print the drift as a plan in JSON ({version, waves})' }];

/**
 * Read-only drift report: what `up` would change to make the machine match
 * the file (a flushed nftables ruleset, a deleted veth, a stopped
 * container). Exit 0 when nothing, 7 when something drifted.
 */
export async function check(cli: Cli, argv: string[]): Promise<number> {
  const args = parseOptions(argv, checkOptions);
  const project = loadComposeProject(cli);
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  try {
    const observed = await session.observe();
    const p = plan(resolve(project, observed), observed);
    const n = countActions(p);
    if (flag(args, 'json')) cli.out(JSON.stringify(p, null, 2) + '\n');
    else if (!n) cli.out(`Project ${project.name} matches its file: no drift.\n`);
    else cli.out(`Drift in project ${project.name}: \`tscompose up\` would take ${n} action(s):\n` + renderPlan(p).split('\n').slice(1).join('\n'));
    return n ? ExitCode.drift : 0;
  } finally {
    session.close();
  }
}
