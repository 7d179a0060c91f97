/**
 * Probes from inside network namespaces through `tsc-probe` (raw ICMP
 * sockets and TCP connects opened in each namespace: nothing is needed in
 * the containers, and Node has no raw sockets). See native/README.md.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { InternalError } from '../errors';
import { shimPath } from './native';
import { netnsPath } from './netns';

export interface ProbeRequest {
  id: string;
  netns: string;
  address: string;
  /** TCP port; absent: ICMP echo. */
  port?: number;
  /** Trace (TTL 1, 2, …) up to this many hops instead of a plain echo. */
  trace?: number;
}

export interface ProbeResult {
  reach: boolean;
  /** `timeout`, `refused`, `unreachable from 10.1.0.1`, an errno name… */
  detail?: string;
  rttUs?: number;
  /** Trace: the address answering at each TTL (undefined: no answer). */
  hops?: Array<string | undefined>;
}

/** Built next to the shim (native/build/Release/tsc-probe). */
const probePath = path.join(path.dirname(shimPath), 'tsc-probe');

const WORD = /^[^\s]+$/;

export async function runProbes(requests: ProbeRequest[], opts: { timeoutMs: number; parallel?: number }): Promise<Map<string, ProbeResult>> {
  const lines = requests.map((r) => {
    const path = netnsPath(r.netns);
    for (const w of [r.id, path, r.address]) if (!WORD.test(w)) throw new InternalError(`probe field with blanks: ${JSON.stringify(w)}`);
    if (r.trace !== undefined) return `${r.id} ${path} trace ${r.address} ${r.trace}`;
    return r.port !== undefined ? `${r.id} ${path} tcp ${r.address} ${r.port}` : `${r.id} ${path} icmp ${r.address}`;
  });
  const args = ['--timeout-ms', String(opts.timeoutMs), ...(opts.parallel ? ['--parallel', String(opts.parallel)] : [])];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(probePath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(lines.join('\n') + '\n');
  });
  if (code !== 0) throw new InternalError(`tsc-probe exited ${code}: ${stderr.trim()}`);
  const out = new Map<string, ProbeResult>();
  const hops = new Map<string, Array<string | undefined>>();
  for (const line of stdout.split('\n')) {
    const [id, verb, ...rest] = line.split(' ');
    if (!id || !verb) continue;
    if (verb === 'hop') {
      const list = hops.get(id) ?? [];
      list[Number(rest[0]) - 1] = rest[1] === '*' ? undefined : rest[1];
      hops.set(id, list);
    } else if (verb === 'reach') out.set(id, { reach: true, rttUs: Number(rest[0]) });
    else if (verb === 'blocked') out.set(id, { reach: false, detail: rest.join(' ') });
    else if (verb === 'err') out.set(id, { reach: false, detail: `${rest[0]}: ${rest[1]} ${rest.slice(3).join(' ')}` });
  }
  for (const [id, list] of hops) {
    const r = out.get(id);
    if (r) r.hops = Array.from({ length: list.length }, (_, i) => list[i]);
  }
  for (const r of requests) if (!out.has(r.id)) throw new InternalError(`tsc-probe gave no result for ${r.id}`);
  return out;
}
