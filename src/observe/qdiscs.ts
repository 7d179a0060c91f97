/**
 * Root qdiscs that tscompose may have made (tbf, netem), by link name, so
 * the planner can compare shaping with the file and change it in place.
 */
import type { ObservedLink, ObservedQdisc } from '../plan/model';
import type { Rtnl } from '../sys/netlink/rtnl';

export async function observeQdiscs(rtnl: Rtnl, links: ObservedLink[]): Promise<ObservedQdisc[]> {
  const byIndex = new Map(links.map((l) => [l.index, l.name]));
  const out: ObservedQdisc[] = [];
  for (const q of await rtnl.qdiscs()) {
    const dev = byIndex.get(q.index);
    if (dev && q.qdisc) out.push({ dev, qdisc: q.qdisc });
  }
  return out;
}
