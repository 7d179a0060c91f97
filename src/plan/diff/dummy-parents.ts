/**
 * The dummy links that macvlan/ipvlan networks without `parent` sit on (as
 * Docker's `dm-…` links): made on the host, up, with this project's mark,
 * before the interfaces on them (ctx.bridgeReady); removed once no network
 * of the file wants them, after what sat on them is gone.
 */
import { ownerAlias, parseOwnerAlias } from '../names';
import type { DiffContext } from './context';

const OBJECT = 'dummy:';

export function dummyParentActions(ctx: DiffContext): void {
  for (const net of Object.values(ctx.desired.networks)) {
    if (!net.lowerLink?.dummy) continue;
    const name = net.lowerLink.parent;
    const have = ctx.hostLinks.get(name);
    if (have?.kind === 'dummy' && have.up) continue;
    const id = ctx.push({
      kind: 'dummy.create',
      id: `dummy.create:${net.key}`,
      target: name,
      reason: have ? 'down' : `the parent of ${net.lowerLink.kind} network ${net.key} (it has no driver_opts.parent)`,
      network: net.key,
      name,
      mtu: net.mtu,
      alias: ownerAlias(ctx.desired.project, `${OBJECT}${net.key}`),
    });
    ctx.bridgeReady.set(net.key, id);
  }
}

/** Our dummy links no network wants any more, after `after` (what sat on them). */
export function dummyParentRemovals(ctx: DiffContext, after: string[]): void {
  const wanted = new Set(Object.values(ctx.desired.networks).flatMap((n) => (n.lowerLink?.dummy ? [n.lowerLink.parent] : [])));
  for (const l of ctx.observed.hostLinks) {
    if (l.kind !== 'dummy' || wanted.has(l.name)) continue;
    const mark = parseOwnerAlias(l.alias);
    if (mark?.project !== ctx.desired.project || !mark.object.startsWith(OBJECT)) continue;
    const key = mark.object.slice(OBJECT.length);
    ctx.push({ kind: 'dummy.delete', id: `dummy.delete:${key}`, target: l.name, reason: 'not in the file any more', after: [...after], network: key, name: l.name });
  }
}
