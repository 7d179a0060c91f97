/**
 * Resolve a normalized compose project into concrete desired objects:
 * containers (one per replica), bridges, veths, addresses, routes, generated
 * files and launch settings. Pure: host facts come in through `Observed`.
 */
import { PlanError, SpecError, type SpecIssue } from '../../errors';
import type { Project } from '../../compose/types';
import { deviceCgroupWarning } from '../devices';
import { buildDnsConfig } from '../dns';
import { parseResolvConf } from '../files';
import { desiredVolumes } from '../isolation';
import { desiredSysctls } from '../kernel';
import { checkKernel, resolveLinks } from '../lab';
import type { Desired, DesiredContainer, Observed } from '../model';
import { netnsName } from '../names';
import { resolvePorts } from '../ports';
import { resolveContainer, type ContainerContext } from './containers';
import { resolveNetworks } from './networks';
import { namedInterfaces, peerDirectory } from './peers';
import { expandReplicas, replicasByService, selectWithDependencies, type Replica } from './replicas';
import { applyConditions } from './conditions';
import { securityLabelIssues } from '../security-labels';
import { placeOnHost } from '../multihost';

export { DEFAULT_MTU } from './networks';
export { DEFAULT_PATH } from './containers';

export interface ResolveOptions {
  /** `up SERVICE…`: converge only these services and what they depend on. */
  services?: string[];
  /** `--host NAME` (x-hosts): only that machine's part, stitched to the others by VXLAN. */
  host?: string;
}

export function resolve(project: Project, observed: Observed, opts: ResolveOptions = {}): Desired {
  const replicas = expandReplicas(project);
  const byService = replicasByService(replicas);
  const { networks, interfaces } = resolveNetworks(project, replicas, observed);

  const issues: SpecIssue[] = [];
  const volumes = desiredVolumes(project);
  for (const v of Object.values(volumes)) {
    if (v.external && !(observed.volumes ?? []).includes(v.name)) {
      issues.push({ path: `volumes.${v.key}`, loc: project.sources.get(`volumes.${v.key}`), message: `external volume ${v.name} not found: create it first` });
    }
  }
  // p2p links, and what /etc/hosts lists: every named interface in attachment order.
  const ownNetns = (r: Replica) => (r.service.networkMode.kind === 'default' ? netnsName(project.name, r.service.name, r.index) : undefined);
  const netnsByContainer = new Map(replicas.map((r) => [r.name, ownNetns(r)]));
  const lab = resolveLinks(project, replicas, (c) => netnsByContainer.get(c));
  const labels = securityLabelIssues(project, observed);
  issues.push(...lab.issues, ...checkKernel(project, replicas, observed), ...labels.errors);
  if (issues.length) throw new PlanError(issues);
  const named = namedInterfaces(replicas, interfaces, lab);

  const ctx: ContainerContext = {
    project,
    observed,
    byService,
    networks,
    interfaces,
    lab,
    named,
    // Not the machine's default bridge: as docker0, no names there but links' (containers.ts).
    peers: peerDirectory(replicas, named, (net) => !networks[net]?.shared),
    hostResolver: parseResolvConf(observed.host.resolvConf),
    volumes,
    issues,
    resourceIssues: [],
    warnings: [...labels.warnings],
    portReplicas: [],
    mcsTaken: new Set(),
    projectIds: [],
  };
  const containers: Record<string, DesiredContainer> = {};
  for (const r of replicas) {
    const c = resolveContainer(ctx, r);
    if (c) containers[r.name] = c;
  }
  const noDeviceCgroup = deviceCgroupWarning(observed, Object.values(project.services), (s) => {
    const path = `services.${s.name}`;
    const loc = project.sources.get(path);
    return loc ? { path, loc } : { path };
  });
  if (noDeviceCgroup) ctx.warnings.unshift(noDeviceCgroup);
  issues.push(...applyConditions(project, containers));
  // Limits this host cannot give are errors in the file, at their key.
  if (ctx.resourceIssues.length) throw new SpecError(ctx.resourceIssues);
  if (issues.length) throw new PlanError(issues);

  const ports = resolvePorts({
    project,
    replicas: ctx.portReplicas,
    networks,
    otherProjects: observed.otherProjects,
    ...(observed.hostSockets ? { hostSockets: observed.hostSockets } : {}),
    ...(observed.state ? { state: observed.state } : {}),
  });
  const bridged = replicas.filter((r) => r.service.networkMode.kind === 'default').map((r) => ({ ...r, interfaces: interfaces.get(r.name) ?? [] }));
  const dns = buildDnsConfig(project.name, networks, bridged, ctx.hostResolver);
  let desired: Desired = { project: project.name, sources: project.sources, networks, containers, ports, ...(dns ? { dns } : {}) };
  if (Object.keys(volumes).length) desired.volumes = volumes;
  if (Object.keys(lab.links).length) desired.links = lab.links;
  if (opts.services?.length) desired.only = selectWithDependencies(opts.services, project, byService);
  if (opts.host !== undefined) desired = placeOnHost(project, desired, opts.host, observed);
  desired.sysctls = desiredSysctls(desired);
  if (ctx.warnings.length) desired.warnings = ctx.warnings;
  return desired;
}
