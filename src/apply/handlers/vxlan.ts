import type { Action } from '../../plan/actions';
import { forgetIndex, linkIndex, type ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * A VXLAN device to the peer machine (x-hosts). Created through the host's
 * socket so its UDP socket is bound in the host's namespace (the underlay);
 * a p2p end is born in its container's namespace under the file's name, a
 * bridge network's port stays on the host as a port of the bridge. The
 * ownership mark names the tunnel's settings (diff/tunnels.ts).
 */
// Equivalent to (p2p end): ip link add IFNAME netns NS address MAC mtu MTU up type vxlan id VNI remote REMOTE local LOCAL dstport PORT nolearning
//                          ip -n NS link set IFNAME alias MARK up
// Equivalent to (bridge):  ip link add tsc-x-HASH mtu MTU master BRIDGE up type vxlan id VNI remote REMOTE local LOCAL dstport PORT learning
//                          [bridge fdb append 00:00:00:00:00:00 dev tsc-x-HASH dst OTHER self permanent, for each further machine]
//                          ip link set tsc-x-HASH alias MARK
export async function ensureVxlan(a: Of<'vxlan.create'>, env: ApplyEnv): Promise<void> {
  const inner = a.netns ? env.sockets.get(a.netns) : env.host;
  forgetIndex(env, a.netns, a.ifname);
  const master = a.master ? await linkIndex(env, undefined, a.master) : undefined;
  try {
    await env.host.createVxlan({
      name: a.ifname,
      ...(a.netns ? { netnsFd: env.sockets.fd(a.netns) } : {}),
      ...(a.mac ? { mac: a.mac } : {}),
      mtu: a.mtu,
      ...(master !== undefined ? { master } : {}),
      vni: a.vni,
      remote: a.remote,
      local: a.local,
      port: a.port,
      ...(a.learning ? { learning: true } : {}),
    });
  } catch (e: any) {
    // Made by an interrupted run? Then it is a vxlan device by that name; the mark below makes it ours.
    if (e?.code !== 'EEXIST') throw e;
    const l = await inner.linkByName(a.ifname);
    if (l?.kind !== 'vxlan') throw e;
  }
  faultPoint('mid:vxlan.create');
  try {
    // Before the mark: an end interrupted here is unmarked, so the next up makes it anew.
    if (a.extraRemotes?.length) {
      const l = await inner.linkByName(a.ifname);
      for (const r of a.extraRemotes) await inner.appendFdb(l!.index, r);
    }
    await inner.setLink(a.ifname, { alias: a.alias, up: true });
  } catch (e) {
    const l = await inner.linkByName(a.ifname).catch(() => undefined);
    if (l) await inner.deleteLink(l.index).catch(() => undefined);
    throw e;
  }
}

// Equivalent to: ip link del IFNAME
export async function removeVxlan(a: Of<'vxlan.delete'>, env: ApplyEnv): Promise<void> {
  forgetIndex(env, undefined, a.ifname);
  const l = await env.host.linkByName(a.ifname);
  if (l) await env.host.deleteLink(l.index);
}
