import type { Action } from '../../plan/actions';
import { linkIndex, type ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: ip [-n NS] link set IFNAME [up] [mtu MTU] [master BRIDGE] [address MAC]
//                [ip link set IFNAME type bridge_slave hairpin on|off]
export async function updateLink(a: Of<'link.update'>, env: ApplyEnv): Promise<void> {
  const rtnl = a.netns ? env.sockets.get(a.netns) : env.host;
  const master = a.master ? await linkIndex(env, undefined, a.master) : undefined;
  if (a.up !== undefined || a.mtu !== undefined || master !== undefined || a.mac !== undefined) {
    await rtnl.setLink(a.ifname, {
      ...(a.up !== undefined ? { up: a.up } : {}),
      ...(a.mtu !== undefined ? { mtu: a.mtu } : {}),
      ...(master !== undefined ? { master } : {}),
      ...(a.mac !== undefined ? { mac: a.mac } : {}),
    });
  }
  // After the master: hairpin is a property of the bridge port.
  if (a.hairpin !== undefined) await rtnl.setHairpin(a.ifname, a.hairpin);
}
