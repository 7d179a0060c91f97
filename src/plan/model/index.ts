/**
 * The three shapes the planner works with, all plain data (types only: this
 * folder imports nothing of plan/ but the qdisc shapes of shaping.ts):
 *  - `Desired` (desired.ts, network.ts, launch.ts, dns.ts): the compose file
 *    resolved into concrete kernel objects;
 *  - `Observed` (observed.ts): what observe/ read from the machine, passed in
 *    so plan() stays pure;
 *  - `ProjectState` (state.ts): the journal under /run/tscompose/<project>/state.json.
 */
export type * from './desired';
export type * from './dns';
export type * from './launch';
export type * from './network';
export type * from './observed';
export type * from './state';
