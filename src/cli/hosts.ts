/** `--host NAME` (x-hosts): which machine's part of a lab a verb works on. */
import type { Project } from '../compose/types';
import { UsageError } from '../errors';
import { str, type OptionSpec, type Parsed } from './args';

export const hostOption: OptionSpec = {
  name: 'host',
  type: 'string',
  arg: 'NAME',
  description: "Only this machine's part of a lab split by x-hosts (stitched to the others by VXLAN)",
};

/** The --host asked for, checked against the file's x-hosts; undefined without --host. */
export function hostFor(project: Project | undefined, args: Parsed): string | undefined {
  const host = str(args, 'host');
  if (host === undefined || !project) return host;
  const names = Object.keys(project.hosts?.hosts ?? {});
  if (!project.hosts) throw new UsageError(`--host ${host}: the file places no service on a host (it has no x-hosts)`);
  if (!names.includes(host)) throw new UsageError(`--host ${host}: unknown host (x-hosts has ${names.join(', ')})`);
  return host;
}
