import { usesDummyParent, usesIpvlan } from '../../plan/resolve/lower-links';
import { devicePaths } from '../../plan/devices';
import { usesStorageQuota } from '../../plan/storage-quota';
import { Session } from '../../apply/session';
import { plan, resolve } from '../../plan';
import { cgroupParents } from '../../plan/cgroups';
import { flag, optionalSeconds, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, loadComposeProject, progress, type Cli } from '../context';
import { renderPlan, planJson } from '../render';
import { usesNetem } from '../../compose/lab';
import { imagesFirst } from '../images-first';
import { hostFor, hostOption } from '../hosts';

const planOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print the plan as JSON ({version, waves})' },
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'Stop grace period the plan would use (default 10)' },
  hostOption,
];

/** What `up` would do, and why; changes nothing. */
async function runPlan(cli: Cli, args: Parsed): Promise<number> {
  const project = loadComposeProject(cli, args.positionals);
  checkServices(project, args.positionals);
  const session = new Session(project.name, cli.state, progress(cli, project.name));
  try {
    const rootfsDirs = Object.values(project.services).flatMap((s) => (s.rootfs ? [s.rootfs] : []));
    const images = await imagesFirst(cli, project, args.positionals, session.emit);
    const observed = await session.observe({ rootfsDirs, devicePaths: devicePaths(project), layerFs: usesStorageQuota(project), images, cgroupParents: cgroupParents(project, undefined), probeNetem: usesNetem(project), probeIpvlan: usesIpvlan(project), probeDummy: usesDummyParent(project) });
    const p = plan(resolve(project, observed, { services: args.positionals, host: hostFor(project, args) }), observed, {
      keepOneOffs: true,
      ...optionalStop(optionalSeconds(str(args, 'timeout'), '--timeout')),
    });
    cli.out(flag(args, 'json') ? planJson(p) : renderPlan(p));
    return 0;
  } finally {
    session.close();
  }
}

const optionalStop = (sec: number | undefined) => (sec === undefined ? {} : { stopTimeoutSec: sec });

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what `up` would change, and why.',
  usage: '[SERVICE...]',
  options: planOptions,
  run: runPlan,
};
