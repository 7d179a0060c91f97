/**
 * The machine's default bridge (`network_mode: bridge`, Docker's docker0):
 * one bridge, `tsc0`, on Docker's 172.17.0.0/16 unless that is taken, made
 * by the first project that needs it and removed by the `down` (or `up`) of
 * the last one. Who uses it is read from every project's journal, never
 * counted: a project that crashed still names it in its journal, so the
 * bridge stays until that project is brought down.
 */
import { parseCidr } from '../net/ip';
import type { NetworkSpec } from '../compose/types';
import type { Plan } from './actions';

export const SHARED_BRIDGE = 'tsc0';
/** Its ownership mark: no project's (`*` is no project name), so no project's own cleanup takes it. */
export const SHARED_ALIAS = 'tscompose:*:shared-bridge';
/** Docker's docker0 subnet, tried first. */
export const DOCKER0_SUBNET = parseCidr('172.17.0.0/16')!;

/** Someone else's network (`external: true`), except Docker's `external: true, name: bridge`, which is our default bridge. */
export const isExternal = (spec: NetworkSpec) => spec.external && !spec.shared;

/** The plan removes the default bridge (diff/shared-bridge.ts). */
export const removesSharedBridge = (p: Plan) => p.waves.some((w) => w.some((a) => a.kind === 'bridge.delete' && a.bridge === SHARED_BRIDGE));
