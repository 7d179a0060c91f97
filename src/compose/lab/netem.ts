/** `x-netem` (on a p2p network, an x-links entry, or a service's attachment): link impairments and rate limits, as tc(8) writes them. */
import type { Field, Reader } from '../read';
import type { NetemSpec } from '../types';
import { keyTable, type Model } from './common';

const NETEM_KEYS = keyTable('x-netem key', ['rate', 'delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'reorder', 'limit']);

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  // As tc(8): "bps" is bytes per second.
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};
const TIME_UNITS: Record<string, number> = { us: 1, usec: 1, 'µs': 1, ms: 1e3, msec: 1e3, s: 1e6, sec: 1e6 };

/** `10mbit`, `512kbit`, `1gbit`, `100kbps` (bytes, as tc) → bits per second. */
export function parseRate(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const v = Math.round(Number(m[1]) * unit);
  return v > 0 ? v : undefined;
}

/** `10ms`, `1.5ms`, `200us`, `1s` → microseconds. */
export function parseTime(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|usec|µs|ms|msec|s|sec)\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * TIME_UNITS[m[2]!]!);
}

export function parseNetem(f: Field, r: Reader): NetemSpec | undefined {
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const keys = r.keys(map, f.path, NETEM_KEYS);
  const out: NetemSpec = {};
  for (const [key, kf] of keys) {
    switch (key) {
      case 'rate': {
        const v = kf.node.kind === 'scalar' && kf.node.value !== null ? String(kf.node.value) : undefined;
        const bits = v === undefined ? undefined : parseRate(v);
        if (bits === undefined) r.error(kf, `"${v ?? ''}" is not a rate: write a number and a unit, such as 10mbit, 512kbit or 1gbit`);
        else out.rate = bits;
        break;
      }
      case 'delay':
      case 'jitter': {
        const v = kf.node.kind === 'scalar' && kf.node.value !== null ? String(kf.node.value) : undefined;
        const us = v === undefined ? undefined : parseTime(v);
        if (us === undefined) r.error(kf, `"${v ?? ''}" is not a duration: write a number and a unit, such as 10ms, 500us or 1s`);
        else out[key === 'delay' ? 'delayUs' : 'jitterUs'] = us;
        break;
      }
      case 'loss':
      case 'duplicate':
      case 'corrupt':
      case 'reorder': {
        const p = percent(kf);
        if (p === undefined) r.error(kf, `must be a percentage between 0 and 100, such as 1% or 0.5`);
        else out[key] = p;
        break;
      }
      case 'limit': {
        const v = r.int(kf, { min: 1, max: 0xffffffff });
        if (v !== undefined) out.limit = v;
        break;
      }
    }
  }
  if (out.jitterUs !== undefined && !out.delayUs) r.error(keys.get('jitter')!, 'jitter needs a delay');
  if (out.reorder !== undefined && !out.delayUs) r.error(keys.get('reorder')!, 'reorder needs a delay (netem sends the reordered packets without it)');
  return Object.keys(out).length ? out : undefined;
}

function percent(f: Field): number | undefined {
  const n = f.node;
  if (n.kind !== 'scalar') return undefined;
  let v: number | undefined;
  if (typeof n.value === 'number') v = n.value;
  else if (typeof n.value === 'string') {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(n.value);
    v = m ? Number(m[1]) : undefined;
  }
  return v !== undefined && v >= 0 && v <= 100 ? v : undefined;
}

/** Whether anything in the project asks for more than a rate (the kernel is asked about sch_netem only then). */
export function usesNetem(model: Model): boolean {
  return (
    Object.values(model.networks).some((n) => n.netem && needsNetem(n.netem)) ||
    Object.values(model.services).some((s) => s.networks.some((a) => a.netem && needsNetem(a.netem)))
  );
}

/** Impairments beyond a rate need the netem qdisc. */
export function needsNetem(n: NetemSpec): boolean {
  return n.delayUs !== undefined || n.loss !== undefined || n.duplicate !== undefined || n.corrupt !== undefined || n.reorder !== undefined;
}
