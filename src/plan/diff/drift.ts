/** What differs between an observed link and what it should be. */
import type { ObservedLink } from '../model';

export interface LinkWanted {
  up: boolean;
  mtu: number;
  mac?: string;
  master?: string;
  alias?: string;
  hairpin?: boolean;
}

/** The change to make and why, or undefined. */
export function linkDrift(link: ObservedLink, want: LinkWanted): { change: Partial<LinkWanted>; reason: string } | undefined {
  const change: Partial<LinkWanted> = {};
  const why: string[] = [];
  if (want.master !== undefined && link.master !== want.master) {
    change.master = want.master;
    why.push(`not on bridge ${want.master}`);
  }
  if (want.up && !link.up) {
    change.up = true;
    why.push('link down');
  }
  if (link.mtu !== want.mtu) {
    change.mtu = want.mtu;
    why.push(`mtu ${link.mtu} → ${want.mtu}`);
  }
  if (want.mac !== undefined && link.mac !== want.mac) {
    change.mac = want.mac;
    why.push(`mac ${link.mac} → ${want.mac}`);
  }
  if (want.alias !== undefined && link.alias !== want.alias) {
    change.alias = want.alias;
    why.push('ownership mark missing');
  }
  // A port put back on its bridge is a new port: hairpin off.
  if (want.hairpin !== undefined && (link.hairpin !== want.hairpin || change.master !== undefined)) {
    change.hairpin = want.hairpin;
    if (change.master === undefined) why.push(`hairpin ${want.hairpin ? 'off' : 'on'}`);
  }
  return why.length ? { change, reason: `drifted: ${why.join(', ')}` } : undefined;
}
