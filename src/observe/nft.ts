/**
 * Our firewall as nft reports it: our tables (chain → rule count), base
 * chains of other tables that drop at the input/forward hooks, and our
 * rules inside them. `parseRuleset` is pure (tested on captured JSON).
 */
import type { ForeignDrop, ObservedFirewall } from '../plan/model';
import { ruleTag, tableName } from '../plan/firewall';
import { listRuleset } from '../sys/nft';

interface NftChainJson {
  family: string;
  table: string;
  name: string;
  hook?: string;
  type?: string;
  policy?: string;
}

interface NftRuleJson {
  family: string;
  table: string;
  chain: string;
  handle: number;
  comment?: string;
  expr?: Array<Record<string, unknown>>;
}

export async function observeFirewall(project: string): Promise<ObservedFirewall> {
  const ruleset = await listRuleset();
  if (!ruleset) return { available: false, tables: [], drops: [], inserted: [] };
  return parseRuleset(ruleset, project);
}

/** A verdict that ends a chain for everything that reaches it: a rule that is only (counter +) drop/reject. */
function unconditionalDrop(rule: NftRuleJson | undefined): 'drop' | 'reject' | undefined {
  const exprs = (rule?.expr ?? []).filter((e) => !('counter' in e));
  if (exprs.length !== 1) return undefined;
  if ('drop' in exprs[0]!) return 'drop';
  if ('reject' in exprs[0]!) return 'reject';
  return undefined;
}

export function parseRuleset(ruleset: unknown[], project: string): ObservedFirewall {
  const ours = tableName(project);
  const tag = ruleTag(project);
  const tables = new Map<string, { family: string; name: string; chains: Record<string, number> }>();
  const chains: NftChainJson[] = [];
  const rules: NftRuleJson[] = [];
  for (const item of ruleset as Array<Record<string, any>>) {
    if (item.table && item.table.name === ours) {
      tables.set(`${item.table.family} ${ours}`, { family: item.table.family, name: ours, chains: {} });
    } else if (item.chain) chains.push(item.chain);
    else if (item.rule) rules.push(item.rule);
  }
  for (const c of chains) {
    const t = tables.get(`${c.family} ${c.table}`);
    if (t && c.table === ours) t.chains[c.name] = 0;
  }
  for (const r of rules) {
    const t = r.table === ours ? tables.get(`${r.family} ${r.table}`) : undefined;
    if (t) t.chains[r.chain] = (t.chains[r.chain] ?? 0) + 1;
  }
  const drops: ForeignDrop[] = [];
  for (const c of chains) {
    if (c.table.startsWith('tscompose-') || c.type !== 'filter' || (c.hook !== 'forward' && c.hook !== 'input')) continue;
    if (!['ip', 'ip6', 'inet'].includes(c.family)) continue;
    const own = rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name && !r.comment?.startsWith(tag));
    const last = unconditionalDrop(own.at(-1));
    const why = c.policy === 'drop' ? 'policy drop' : last ? `ends with an unconditional ${last}` : undefined;
    if (why) drops.push({ family: c.family, table: c.table, chain: c.name, hook: c.hook, why });
  }
  const inserted = rules
    .filter((r) => r.table !== ours && r.comment?.startsWith(tag))
    .map((r) => ({ family: r.family, table: r.table, chain: r.chain, handle: r.handle, comment: r.comment! }));
  return { available: true, tables: [...tables.values()], drops, inserted };
}
