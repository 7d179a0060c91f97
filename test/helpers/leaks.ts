/**
 * The leak oracle for crash tests: everything tscompose could leave in a
 * throwaway host, read with external tools (ip, nft, ps, /proc, the cgroup
 * tree), never with tscompose's own code. Extends `leftovers` (links,
 * namespaces, state dirs, processes — the DNS server among them — and
 * cgroups) with mounts, nftables tables and our tagged rules in other tables.
 */
import type { Host } from './host';
import { hostMountPoints, leftovers } from './containers';

/** Debian's nft (under npx, node_modules/.bin holds an unrelated `nft`). */
export const NFT = '/usr/sbin/nft';

/** What the host looks like before any tscompose run: compare `leaks` against it. */
export interface Baseline {
  mounts: string[];
  tables: string[];
}

async function nftTables(host: Host): Promise<string[]> {
  const r = await host.run([NFT, 'list', 'tables']);
  if (r.code !== 0) throw new Error(`nft list tables: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

export async function baseline(host: Host): Promise<Baseline> {
  return { mounts: await hostMountPoints(host), tables: await nftTables(host) };
}

/** Every trace left in the host beyond `base`; [] when clean. */
export async function leaks(host: Host, base: Baseline): Promise<string[]> {
  const out = await leftovers(host);
  const mounts = multisetMinus(await hostMountPoints(host), base.mounts);
  if (mounts.length) out.push(`mounts: ${mounts.join(' ')}`);
  const tables = (await nftTables(host)).filter((t) => !base.tables.includes(t));
  if (tables.length) out.push(`nft tables: ${tables.join(', ')}`);
  // Accept rules we insert into other tables' chains carry `tscompose:PROJECT:ID` comments.
  const rules = await host.run([NFT, '-a', 'list', 'ruleset']);
  if (rules.code !== 0) throw new Error(`nft list ruleset: ${rules.stderr}`);
  const tagged = rules.stdout.split('\n').filter((l) => l.includes('"tscompose:'));
  if (tagged.length) out.push(`nft rules: ${tagged.map((l) => l.trim()).join(' | ')}`);
  return out;
}

/** Items of `a` not matched one for one in `b` (a mount point can be stacked). */
function multisetMinus(a: string[], b: string[]): string[] {
  const left = [...b];
  return a.filter((x) => {
    const i = left.indexOf(x);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}
