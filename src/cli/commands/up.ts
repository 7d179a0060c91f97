import { execute } from '../../apply/execute';
import { Session } from '../../apply/session';
import { plan, resolve } from '../../plan';
import { countActions } from '../../plan/actions';
import { journalAfter, journalBefore } from '../../plan/journal';
import { ensureNetnsDir } from '../../sys/netns';
import { flag, nonNegativeInt, parseOptions, str, type OptionSpec } from '../args';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';
import { renderPlan } from '../render';

export const upOptions: OptionSpec[] = [
  { name: 'detach', short: 'd', type: 'boolean', description: 'Run containers in the background (the only mode today)' },
  { name: 'dry-run', type: 'boolean', description: 'Show the plan and change nothing' },
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'Grace period when a container must be stopped (default 10)' },
  { name: 'json', type: 'boolean', description: 'Print the result (or the plan, with --dry-run) as JSON on stdout' },
];

export async function up(cli: Cli, argv: string[]): Promise<number> {
  const args = parseOptions(argv, upOptions);
  const project = loadComposeProject(cli);
  checkServices(project, args.positionals);
  const stopTimeoutSec = nonNegativeInt(str(args, 'timeout'), '--timeout', 10);
  const json = flag(args, 'json');
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  const started = performance.now();
  try {
    if (flag(args, 'dry-run')) {
      const observed = await session.observe();
      const p = plan(resolve(project, observed, { services: args.positionals }), observed, { stopTimeoutSec });
      cli.out(json ? JSON.stringify(p, null, 2) + '\n' : renderPlan(p));
      return 0;
    }
    const isNew = !cli.state.readState(project.name);
    session.lockProject();
    // Allocation reads other projects' journals: hold the global lock until ours names our subnets.
    const global = cli.state.lockGlobal();
    let p;
    let desired;
    let observed;
    try {
      observed = await session.observe();
      desired = resolve(project, observed, { services: args.positionals });
      p = plan(desired, observed, { stopTimeoutSec });
      const meta = { workingDir: project.workingDir, files: project.files, now: new Date().toISOString() };
      if (countActions(p)) cli.state.writeState(journalBefore(observed.state, desired, meta));
    } catch (e) {
      // Refused before anything was made: leave no trace of a project that never existed.
      if (isNew) cli.state.removeProject(project.name);
      throw e;
    } finally {
      global.release();
    }
    if (countActions(p)) {
      ensureNetnsDir();
      await execute(p, session.env());
    }
    cli.state.writeState(
      journalAfter(observed.state, desired, { workingDir: project.workingDir, files: project.files, now: new Date().toISOString() }),
    );
    const untouched = Object.keys(desired.containers).filter(
      (c) => (!desired.only || desired.only.includes(c)) && !p.waves.flat().some((a) => a.kind === 'container.start' && a.container === c),
    );
    if (!json) for (const c of untouched) cli.err(` ✔ Container ${c}  Running\n`);
    if (json) {
      cli.out(
        JSON.stringify(
          {
            project: project.name,
            actions: countActions(p),
            durationMs: Math.round(performance.now() - started),
            containers: Object.keys(desired.containers).sort(),
            networks: Object.values(desired.networks).map((n) => ({ name: n.key, bridge: n.bridge, subnet: n.subnet, gateway: n.gateway })),
          },
          null,
          2,
        ) + '\n',
      );
    }
    return 0;
  } finally {
    session.close();
  }
}
