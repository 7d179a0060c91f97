import { devicePaths } from '../../plan/devices';
import { usesStorageQuota } from '../../plan/storage-quota';
import { Session } from '../../apply/session';
import { ExitCode } from '../../errors';
import { plan, resolve } from '../../plan';
import { countActions } from '../../plan/actions';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, progress, type Cli } from '../context';
import { renderPlan, planJson } from '../render';

const checkOptions: OptionSpec[] = [{ name: 'json', type: 'boolean', description: 'Print the drift as a plan in JSON ({version, waves})' }];

/**
 * Read-only drift report: what `up` would change to make the machine match
 * the file (a flushed nftables ruleset, a deleted veth, a stopped
 * container). Exit 0 when nothing, 7 when something drifted.
 */
async function check(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli);
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  try {
    const observed = await session.observe({ devicePaths: devicePaths(project), layerFs: usesStorageQuota(project) });
    const p = plan(resolve(project, observed), observed, { keepOneOffs: true });
    const n = countActions(p);
    if (flag(args, 'json')) cli.out(planJson(p));
    else if (!n) cli.out(`Project ${project.name} matches its file: no drift.\n`);
    else cli.out(`Drift in project ${project.name}: \`tscompose up\` would take ${n} action(s):\n` + renderPlan(p).split('\n').slice(1).join('\n'));
    return n ? ExitCode.drift : 0;
  } finally {
    session.close();
  }
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'Report drift between the file and the machine (changes nothing; exit 7 on drift).',
  usage: '',
  options: checkOptions,
  run: check,
};
