/**
 * `x-netem` → the root qdisc of one interface, in the integers the kernel
 * stores (and dumps back), so desired and observed compare exactly:
 *  - a rate (and queue limit) alone: tbf, which every kernel has;
 *  - delay, jitter, loss, duplicate, corrupt, reorder: netem (with its own
 *    rate option when a rate is given too), which needs sch_netem.
 */
import type { NetemSpec } from '../compose/types';
import { needsNetem } from '../compose/lab';

export interface TbfQdisc {
  kind: 'tbf';
  /** Bytes per second. */
  rate: number;
  /** Bucket size in bytes (derived from the rate; not compared: the kernel keeps it as time). */
  burst: number;
  /** Queue limit in bytes. */
  limit: number;
}

export interface NetemQdisc {
  kind: 'netem';
  latencyNs: number;
  jitterNs: number;
  /** Probabilities as the kernel keeps them: 0 = never, 0xffffffff = always. */
  loss: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
  /** Bytes per second; 0 = no rate limit. */
  rate: number;
  /** Queue limit in packets. */
  limit: number;
}

export type Qdisc = TbfQdisc | NetemQdisc;

/** Ethernet header: what a frame adds to the MTU. */
const L2_HEADER = 14;
/** netem's default queue, as tc(8). */
const NETEM_DEFAULT_LIMIT = 1000;
/** tbf queue when no limit is given: 50 ms at the rate (tc's `latency 50ms`). */
const TBF_DEFAULT_LATENCY_S = 0.05;

export function probability(percent: number): number {
  return Math.min(0xffffffff, Math.round((percent / 100) * 0xffffffff));
}

/** The qdisc that realises `netem` on an interface of this MTU. */
export function qdiscFor(netem: NetemSpec, mtu: number): Qdisc {
  const rate = netem.rate !== undefined ? Math.max(1, Math.floor(netem.rate / 8)) : 0;
  if (!needsNetem(netem)) {
    const frame = mtu + L2_HEADER;
    // At least two full frames, and enough for ~4 ms at the rate (a timer tick on slow kernels).
    const burst = Math.max(2 * frame, Math.ceil(rate * 0.004));
    const limit = netem.limit !== undefined ? netem.limit * frame : Math.max(2 * burst, Math.ceil(rate * TBF_DEFAULT_LATENCY_S) + burst);
    return { kind: 'tbf', rate, burst, limit };
  }
  return {
    kind: 'netem',
    latencyNs: (netem.delayUs ?? 0) * 1000,
    jitterNs: (netem.jitterUs ?? 0) * 1000,
    loss: probability(netem.loss ?? 0),
    duplicate: probability(netem.duplicate ?? 0),
    corrupt: probability(netem.corrupt ?? 0),
    reorder: probability(netem.reorder ?? 0),
    rate,
    limit: netem.limit ?? NETEM_DEFAULT_LIMIT,
  };
}

/** Whether the qdisc on the machine is the one we want (fields the kernel reports back exactly). */
export function sameQdisc(want: Qdisc, have: Qdisc | undefined): boolean {
  if (!have || have.kind !== want.kind) return false;
  if (want.kind === 'tbf') {
    const h = have as TbfQdisc;
    return h.rate === want.rate && h.limit === want.limit;
  }
  const h = have as NetemQdisc;
  return (
    h.latencyNs === want.latencyNs &&
    h.jitterNs === want.jitterNs &&
    h.loss === want.loss &&
    h.duplicate === want.duplicate &&
    h.corrupt === want.corrupt &&
    h.reorder === want.reorder &&
    h.rate === want.rate &&
    h.limit === want.limit
  );
}

/** `tbf rate 8mbit`, `netem delay 10ms loss 1%`: for plan reasons and `graph`. */
export function describeQdisc(q: Qdisc): string {
  const rate = (bytes: number) => {
    const bits = bytes * 8;
    for (const [unit, div] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) if (bits >= div && bits % (div / 1000) === 0) return `${+(bits / div).toFixed(3)}${unit}`;
    return `${bits}bit`;
  };
  const pct = (p: number) => `${+((p / 0xffffffff) * 100).toFixed(3)}%`;
  const ms = (ns: number) => `${+(ns / 1e6).toFixed(3)}ms`;
  if (q.kind === 'tbf') return `tbf rate ${rate(q.rate)}`;
  const parts = ['netem'];
  if (q.latencyNs) parts.push(`delay ${ms(q.latencyNs)}${q.jitterNs ? ` ${ms(q.jitterNs)}` : ''}`);
  if (q.loss) parts.push(`loss ${pct(q.loss)}`);
  if (q.duplicate) parts.push(`duplicate ${pct(q.duplicate)}`);
  if (q.corrupt) parts.push(`corrupt ${pct(q.corrupt)}`);
  if (q.reorder) parts.push(`reorder ${pct(q.reorder)}`);
  if (q.rate) parts.push(`rate ${rate(q.rate)}`);
  return parts.join(' ');
}
