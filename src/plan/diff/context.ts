/**
 * What every part of diff() shares: the inputs, the actions pushed so far,
 * and what later parts wait for (a bridge made usable, a namespace
 * recreated). Each module pushes the actions of one kind of object.
 */
import { complete, type Action, type Draft } from '../actions';
import type { Desired, Observed, ObservedLink } from '../model';

export interface DiffOptions {
  /** Grace period before SIGKILL when stopping containers (`-t`); absent: each service's stop_grace_period, else 10 s. */
  stopTimeoutSec?: number;
  /** `down -v`: these named volumes (real names) go too, once no container uses them. */
  removeVolumes?: string[];
  /** `up`: `run` containers (oneOff in the journal) are not removed for being absent from the file; `down` removes them. */
  keepOneOffs?: boolean;
}

export interface DiffContext {
  desired: Desired;
  observed: Observed;
  /** Adds an action to the plan; returns its id. */
  push(a: Draft): string;
  /** Every action pushed so far, in order. */
  actions: Action[];
  /** Host links by name. */
  hostLinks: ReadonlyMap<string, ObservedLink>;
  /** Network key → id of the action that makes its bridge usable. */
  bridgeReady: Map<string, string>;
  /** Namespaces this plan (re)creates: whatever is observed in them now will be gone. */
  netnsCreated: Set<string>;
  /** `up SERVICE…`: the containers to converge; absent: all. */
  only?: ReadonlySet<string>;
}

export function diffContext(desired: Desired, observed: Observed): DiffContext {
  const actions: Action[] = [];
  return {
    desired,
    observed,
    push: (a) => {
      actions.push(complete(a));
      return a.id;
    },
    actions,
    hostLinks: new Map(observed.hostLinks.map((l) => [l.name, l])),
    bridgeReady: new Map(),
    netnsCreated: new Set(),
    ...(desired.only ? { only: new Set(desired.only) } : {}),
  };
}
