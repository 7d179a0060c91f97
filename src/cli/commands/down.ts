import { execute } from '../../apply/execute';
import { UsageError } from '../../errors';
import { Session } from '../../apply/session';
import { nothing, plan } from '../../plan';
import { desiredVolumes } from '../../plan/isolation';
import type { Project } from '../../compose/types';
import { countActions } from '../../plan/actions';
import { networkOnlyJournal } from '../../plan/journal';
import { flag, optionalSeconds, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { projectNameFor, progress, type Cli } from '../context';
import { BootRecords } from '../../sys/boot-records';
import { renderPlan, renderWarnings, planJson } from '../render';
import { hostFor, hostOption } from '../hosts';

const downOptions: OptionSpec[] = [
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'Grace period before SIGKILL (default 10)' },
  { name: 'dry-run', type: 'boolean', description: 'Show what would be removed and change nothing' },
  { name: 'json', type: 'boolean', description: 'Print the result as JSON on stdout' },
  { name: 'volumes', short: 'v', type: 'boolean', description: 'Also remove the named volumes of the project' },
  // This machine's journal holds only its part: down removes that, as without --host.
  hostOption,
];

/**
 * Remove everything of the project: processes, namespaces, veths, bridges,
 * state. Works from the journal and the ownership marks, so it needs no
 * file (`tscompose -p NAME down`) and works after a crashed `up`.
 */
async function down(cli: Cli, args: Parsed): Promise<number> {
  if (args.positionals.length) throw new UsageError('down takes no service names');
  const { name, project } = projectNameFor(cli);
  hostFor(project, args);
  const stopTimeoutSec = optionalSeconds(str(args, 'timeout'), '--timeout');
  const session = new Session(name, cli.state, progress(cli, name));
  const started = performance.now();
  try {
    const dry = flag(args, 'dry-run');
    if (!dry) session.lockProject();
    // On the machine's default bridge: whether we are its last user is read from every journal, under the global lock, until it is removed.
    const global = !dry && Object.values(cli.state.readState(name)?.networks ?? {}).some((n) => n.shared) ? cli.state.lockGlobal() : undefined;
    let p;
    try {
      const observed = await session.observe({ inspectNamespaces: false });
      const removeVolumes = flag(args, 'volumes') ? projectVolumes(observed.state?.volumes, project) : [];
      p = plan(nothing(name), observed, { ...(stopTimeoutSec === undefined ? {} : { stopTimeoutSec }), removeVolumes });
      if (dry) {
        cli.out(flag(args, 'json') ? planJson(p) : renderPlan(p));
        return 0;
      }
      cli.err(renderWarnings(p));
      await execute(p, session.env(), { continueOnError: true });
      // Still under the lock: an `up` that starts now must not have its new state removed.
      // Networks other projects still use stay joinable by name (diff/joined-bridges.ts).
      if (p.keptNetworks) cli.state.reduceToRecord(networkOnlyJournal(name, p.keptNetworks, new Date().toISOString()));
      else cli.state.removeProject(name);
    } finally {
      global?.release();
    }
    new BootRecords().remove(name);
    session.close();
    if (flag(args, 'json')) {
      cli.out(JSON.stringify({ project: name, actions: countActions(p), durationMs: Math.round(performance.now() - started) }, null, 2) + '\n');
    }
    return 0;
  } finally {
    session.close();
  }
}

/** `down -v`: the volumes the journal says we created, and the file's own (not external ones). */
function projectVolumes(journal: string[] | undefined, project: Project | undefined): string[] {
  const fromFile = project ? Object.values(desiredVolumes(project)).filter((v) => !v.external).map((v) => v.name) : [];
  return [...new Set([...(journal ?? []), ...fromFile])].sort();
}

export const downCommand: Command = {
  name: 'down',
  summary: 'Stop and remove everything the project made.',
  usage: '',
  options: downOptions,
  run: down,
};
