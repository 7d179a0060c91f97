/**
 * The TCA_OPTIONS payloads of the two qdiscs tscompose makes, and their
 * parsing back from a dump (linux/pkt_sched.h):
 *  - tbf:   TCA_TBF_PARMS (struct tc_tbf_qopt), TCA_TBF_BURST, TCA_TBF_RATE64;
 *  - netem: struct tc_netem_qopt followed directly by attributes (not nested):
 *           TCA_NETEM_LATENCY64, JITTER64, REORDER, CORRUPT, RATE, RATE64.
 * and the root-qdisc requests that carry them (struct tcmsg is encoded by
 * the netlink package).
 */
import type * as rt from 'netlink/dist/rt/gen_structs';
import type { NetemQdisc, Qdisc, TbfQdisc } from '../../plan/shaping';
import type { RtnlSocket } from './socket';
import { attr, attrsOf, NLM_F_CREATE, NLM_F_REPLACE, u32, u64 } from './wire';

const TCA_TBF_PARMS = 1;
const TCA_TBF_RATE64 = 4;
const TCA_TBF_BURST = 6;

const TCA_NETEM_REORDER = 3;
const TCA_NETEM_CORRUPT = 4;
const TCA_NETEM_RATE = 6;
const TCA_NETEM_RATE64 = 8;
const TCA_NETEM_LATENCY64 = 10;
const TCA_NETEM_JITTER64 = 11;

const TC_LINKLAYER_ETHERNET = 1;
/** psched ticks are 64 ns (PSCHED_SHIFT 6). */
const PSCHED_SHIFT = 6n;
const U32_MAX = 0xffffffff;

/** struct tc_ratespec (12 bytes). */
function ratespec(bytesPerSec: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(0, 0); // cell_log
  b.writeUInt8(TC_LINKLAYER_ETHERNET, 1);
  b.writeUInt32LE(Math.min(bytesPerSec, U32_MAX), 8);
  return b;
}

// Equivalent to: tc qdisc replace dev IF root tbf rate R burst B limit L
export function tbfOptions(q: TbfQdisc): Buffer {
  // struct tc_tbf_qopt: rate, peakrate (unused), limit, buffer (from TCA_TBF_BURST), mtu.
  const qopt = Buffer.concat([ratespec(q.rate), Buffer.alloc(12), u32(q.limit), u32(0), u32(0)]);
  const attrs = [attr(TCA_TBF_PARMS, qopt), attr(TCA_TBF_BURST, u32(q.burst))];
  if (q.rate > U32_MAX) attrs.push(attr(TCA_TBF_RATE64, u64(q.rate)));
  return Buffer.concat(attrs);
}

// Equivalent to: tc qdisc replace dev IF root netem delay D J loss P duplicate P corrupt P reorder P rate R limit N
export function netemOptions(q: NetemQdisc): Buffer {
  // struct tc_netem_qopt: latency, limit, loss, gap, duplicate, jitter (times in psched ticks).
  const ticks = (ns: number) => Number(BigInt(ns) >> PSCHED_SHIFT > BigInt(U32_MAX) ? BigInt(U32_MAX) : BigInt(ns) >> PSCHED_SHIFT);
  const qopt = Buffer.concat([u32(ticks(q.latencyNs)), u32(q.limit), u32(q.loss), u32(q.reorder ? 1 : 0), u32(q.duplicate), u32(ticks(q.jitterNs))]);
  const attrs = [attr(TCA_NETEM_LATENCY64, u64(q.latencyNs)), attr(TCA_NETEM_JITTER64, u64(q.jitterNs))];
  if (q.reorder) attrs.push(attr(TCA_NETEM_REORDER, Buffer.concat([u32(q.reorder), u32(0)])));
  if (q.corrupt) attrs.push(attr(TCA_NETEM_CORRUPT, Buffer.concat([u32(q.corrupt), u32(0)])));
  if (q.rate) {
    // struct tc_netem_rate: rate, packet_overhead, cell_size, cell_overhead.
    attrs.push(attr(TCA_NETEM_RATE, Buffer.concat([u32(Math.min(q.rate, U32_MAX)), u32(0), u32(0), u32(0)])));
    if (q.rate > U32_MAX) attrs.push(attr(TCA_NETEM_RATE64, u64(q.rate)));
  }
  return Buffer.concat([qopt, ...attrs]);
}

/** A dumped root qdisc, when it is one of ours (tbf or netem); anything else is undefined. */
export function parseQdisc(kind: string | undefined, options: Buffer | undefined): Qdisc | undefined {
  if (!options) return undefined;
  if (kind === 'tbf') {
    let rate: number | undefined;
    let limit = 0;
    let rate64: number | undefined;
    for (const a of attrsOf(options)) {
      if (a.type === TCA_TBF_PARMS && a.data.length >= 36) {
        rate = a.data.readUInt32LE(8);
        limit = a.data.readUInt32LE(24);
      } else if (a.type === TCA_TBF_RATE64 && a.data.length >= 8) rate64 = Number(a.data.readBigUInt64LE(0));
    }
    if (rate === undefined) return undefined;
    return { kind: 'tbf', rate: rate64 ?? rate, burst: 0, limit };
  }
  if (kind === 'netem') {
    if (options.length < 24) return undefined;
    const q: NetemQdisc = {
      kind: 'netem',
      latencyNs: Number(BigInt(options.readUInt32LE(0)) << PSCHED_SHIFT),
      limit: options.readUInt32LE(4),
      loss: options.readUInt32LE(8),
      duplicate: options.readUInt32LE(16),
      jitterNs: Number(BigInt(options.readUInt32LE(20)) << PSCHED_SHIFT),
      corrupt: 0,
      reorder: 0,
      rate: 0,
    };
    for (const a of attrsOf(options, 24)) {
      if (a.type === TCA_NETEM_LATENCY64 && a.data.length >= 8) q.latencyNs = Number(a.data.readBigInt64LE(0));
      else if (a.type === TCA_NETEM_JITTER64 && a.data.length >= 8) q.jitterNs = Number(a.data.readBigInt64LE(0));
      else if (a.type === TCA_NETEM_REORDER && a.data.length >= 4) q.reorder = a.data.readUInt32LE(0);
      else if (a.type === TCA_NETEM_CORRUPT && a.data.length >= 4) q.corrupt = a.data.readUInt32LE(0);
      else if (a.type === TCA_NETEM_RATE && a.data.length >= 4) q.rate = Math.max(q.rate, a.data.readUInt32LE(0));
      else if (a.type === TCA_NETEM_RATE64 && a.data.length >= 8) q.rate = Math.max(q.rate, Number(a.data.readBigUInt64LE(0)));
    }
    return q;
  }
  return undefined;
}

export function optionsFor(q: Qdisc): Buffer {
  return q.kind === 'tbf' ? tbfOptions(q) : netemOptions(q);
}

/** The root of a link's qdisc tree (TC_H_ROOT). */
export const TC_H_ROOT = 0xffffffff;

export interface QdiscInfo {
  index: number;
  kind?: string;
  /** Parsed when it is a qdisc tscompose makes (tbf, netem). */
  qdisc?: Qdisc;
}

// Equivalent to: tc qdisc show
export async function listQdiscs(t: RtnlSocket): Promise<QdiscInfo[]> {
  const msgs = await t.dump('RTM_GETQDISC', (s, localPort) => s.getQdiscs(undefined, undefined, { localPort }));
  const out: QdiscInfo[] = [];
  for (const m of msgs) {
    if (m.data.parent !== TC_H_ROOT || m.data.ifindex === undefined) continue;
    const kind = m.attrs.kind;
    const qdisc = parseQdisc(kind, m.attrs.options);
    out.push({ index: m.data.ifindex, ...(kind ? { kind } : {}), ...(qdisc ? { qdisc } : {}) });
  }
  return out;
}

/**
 * Set a link's root qdisc: the same kind is changed in place (packets
 * queued stay queued), another kind replaces it.
 */
// Equivalent to: tc qdisc replace dev IFINDEX root tbf … | netem …
export async function replaceRootQdisc(t: RtnlSocket, index: number, q: Qdisc): Promise<void> {
  const { data, attrs } = rootQdiscRequest(index, q);
  await t.call('RTM_NEWQDISC', (s, localPort) => s.newQdisc(data, attrs, { flags: NLM_F_CREATE | NLM_F_REPLACE, localPort }));
}

/** struct tcmsg naming a link's root qdisc (handle 0: the kernel picks one), and the qdisc itself when given. */
export function rootQdiscRequest(index: number, q?: Qdisc): { data: rt.Tc; attrs: rt.TcAttrs } {
  return {
    data: { family: 0, ifindex: index, handle: 0, parent: TC_H_ROOT, info: 0 },
    attrs: q ? { kind: q.kind, options: optionsFor(q) } : {},
  };
}

/** Back to the kernel's default root qdisc; none of ours there counts as removed. */
// Equivalent to: tc qdisc del dev IFINDEX root
export async function deleteRootQdisc(t: RtnlSocket, index: number): Promise<void> {
  try {
    const { data } = rootQdiscRequest(index);
    await t.call('RTM_DELQDISC', (s, localPort) => s.delQdisc(data, undefined, { localPort }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EINVAL' || code === 'ENODEV') return;
    throw e;
  }
}
