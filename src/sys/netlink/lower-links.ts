/**
 * IFLA_INFO_DATA of macvlan and ipvlan links (linux/if_link.h): the mode
 * (and ipvlan's flags) of an interface that sits on a parent link.
 */
import { attr, cstr, u32 } from './wire';

const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
// linux/if_link.h: IFLA_MACVLAN_MODE (u32), enum macvlan_mode
const IFLA_MACVLAN_MODE = 1;
const MACVLAN_MODES: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8 };
// IFLA_IPVLAN_MODE (u16), enum ipvlan_mode; IFLA_IPVLAN_FLAGS (u16): IPVLAN_F_PRIVATE 0x01, IPVLAN_F_VEPA 0x02
const IFLA_IPVLAN_MODE = 1;
const IFLA_IPVLAN_FLAGS = 2;
const IPVLAN_MODES: Record<string, number> = { l2: 0, l3: 1, l3s: 2 };
const IPVLAN_FLAGS: Record<string, number> = { bridge: 0, private: 1, vepa: 2 };

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return b;
};

export interface LowerLinkSpec {
  /** Name it is born with, in the namespace of `netnsFd`. */
  name: string;
  driver: 'macvlan' | 'ipvlan';
  /** ifindex of the parent, in the requesting socket's namespace. */
  parent: number;
  mode: string;
  flag?: string;
  netnsFd?: number;
  mac?: string;
  mtu?: number;
}

function mapped(table: Record<string, number>, key: string, what: string): number {
  const v = table[key];
  if (v === undefined) throw new Error(`unknown ${what} ${key}`);
  return v;
}

// Equivalent to: type macvlan mode MODE   |   type ipvlan mode MODE FLAG
export function lowerLinkInfo(s: Pick<LowerLinkSpec, 'driver' | 'mode' | 'flag'>): Buffer {
  const data =
    s.driver === 'macvlan'
      ? attr(IFLA_MACVLAN_MODE, u32(mapped(MACVLAN_MODES, s.mode, 'macvlan mode')))
      : Buffer.concat([
          attr(IFLA_IPVLAN_MODE, u16(mapped(IPVLAN_MODES, s.mode, 'ipvlan mode'))),
          attr(IFLA_IPVLAN_FLAGS, u16(mapped(IPVLAN_FLAGS, s.flag ?? 'bridge', 'ipvlan flag'))),
        ]);
  return Buffer.concat([attr(IFLA_INFO_KIND, cstr(s.driver)), attr(IFLA_INFO_DATA, data)]);
}
