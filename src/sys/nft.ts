/**
 * nftables through Debian's `nft` program: scripts go in on stdin (`nft -f -`
 * applies a whole file as one transaction: all of it or none of it), the
 * ruleset comes out as JSON (`nft -j list ruleset`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Debian's nft, found where Debian installs it before looking at PATH: another
 * program may be called nft (npm's @vercel/nft puts one on PATH under npx).
 */
function nftPath(): string {
  for (const p of ['/usr/sbin/nft', '/sbin/nft', '/usr/local/sbin/nft']) if (fs.existsSync(p)) return p;
  return 'nft';
}

export interface NftResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runNft(args: string[], input?: string): Promise<NftResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nftPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** The whole ruleset as nft's JSON objects; undefined when nft is not installed. */
// Equivalent to: nft -j list ruleset
export async function listRuleset(): Promise<unknown[] | undefined> {
  let r: NftResult;
  try {
    r = await runNft(['-j', 'list', 'ruleset']);
  } catch (e: any) {
    if (e?.code === 'ENOENT') return undefined;
    throw e;
  }
  if (r.code !== 0) throw new Error(`nft -j list ruleset: ${r.stderr.trim()}`);
  const parsed = JSON.parse(r.stdout || '{"nftables":[]}') as { nftables?: unknown[] };
  return parsed.nftables ?? [];
}

/** Apply a script atomically; the error carries nft's own message (which names the failing line). */
// Equivalent to: nft -f - <<< SCRIPT
export async function applyScript(script: string): Promise<void> {
  const r = await runNft(['-f', '-'], script);
  if (r.code !== 0) {
    // nft names the failing line and the reason; keep it (the message is what the user sees).
    throw new Error(`nft -f: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
  }
}
