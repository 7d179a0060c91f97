/**
 * `storage_opt.size`: a project quota on the container's writable layer, as
 * Docker's overlay2 does (an XFS project ID on the layer directory that what
 * is made inside inherits, and a hard block limit for the ID). Pure: the
 * layers' filesystem comes from observe/ (Observed.layerFs), the IDs in use
 * from the journals (this project's and the others', read under the global
 * lock, as addresses are). Only xfs mounted with `prjquota` enforces a
 * limit; anywhere else the key is a plan error at its line, nothing made.
 */
import type { SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../compose/types';
import type { Observed, StorageQuota } from './model';

/** Where our IDs start: far above what an administrator's /etc/projid numbers by hand. */
export const PROJECT_ID_BASE = 0x74730000;

/** The file asks for a limit somewhere (what observe/ must read the layers' filesystem for). */
export function usesStorageQuota(project: Project): boolean {
  return Object.values(project.services).some((s) => s.process?.storageSize !== undefined);
}

/** Why the layers' filesystem cannot enforce a limit, or undefined when it can (or is not known: unit tests). */
export function layerFsProblem(observed: Observed): string | undefined {
  const fs = observed.layerFs;
  if (!fs || fs.prjquota) return undefined;
  const missing = fs.fstype === 'xfs' ? 'this xfs is mounted without prjquota' : `${fs.fstype} does not enforce project quotas here`;
  return `the writable layers (${fs.dir}) are on ${fs.fstype} mounted at ${fs.mount}: a size can only be enforced on xfs mounted with prjquota (${missing})`;
}

/** Project IDs in use: this project's journal and the other projects'. */
function idsInUse(observed: Observed): number[] {
  const own = Object.values(observed.state?.containers ?? {}).flatMap((c) => [c.launch?.isolation?.storageQuota?.projectId, c.oldProjectId].filter((id): id is number => id !== undefined));
  return [...own, ...observed.otherProjects.flatMap((o) => o.projectIds ?? [])];
}

export interface QuotaContext {
  project: Project;
  observed: Observed;
  /** IDs given to containers of this plan so far (shared by every container of the plan). */
  given: number[];
  issue: (key: string, message: string) => SpecIssue;
  /** Errors (one per service: only the first replica's context collects them). */
  problems: SpecIssue[];
}

/**
 * Container `name`'s quota: its journal's project ID (stable across `up`s),
 * else the highest in use on the machine + 1. Undefined: no limit, or the
 * layers' filesystem cannot enforce one (then a problem at the key).
 */
export function storageQuota(svc: ServiceSpec, name: string, ctx: QuotaContext): StorageQuota | undefined {
  const bytes = svc.process?.storageSize;
  if (bytes === undefined) return undefined;
  const why = layerFsProblem(ctx.observed);
  if (why) {
    ctx.problems.push(ctx.issue('storage_opt.size', why));
    return undefined;
  }
  const journaled = ctx.observed.state?.containers[name];
  const kept = journaled?.launch?.isolation?.storageQuota?.projectId ?? journaled?.oldProjectId;
  const taken = [...idsInUse(ctx.observed), ...ctx.given];
  const clash = kept !== undefined && ctx.given.includes(kept);
  const projectId = kept !== undefined && !clash ? kept : Math.max(PROJECT_ID_BASE - 1, ...taken) + 1;
  ctx.given.push(projectId);
  return { bytes, projectId };
}
