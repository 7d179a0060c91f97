import type { Action } from '../../plan/actions';
import { forgetIndex, linkIndex, type ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * The veth is created with its peer born in the container's namespace and
 * already named (eth0…), its host end enslaved and up in the same request;
 * then the host end gets its ownership mark and the peer comes up (both by
 * name: no lookups; the mark and hairpin mode in one request).
 */
// Equivalent to: ip link add HOSTVETH mtu MTU master BRIDGE up type veth peer name IFNAME netns NS address MAC mtu MTU
//                ip link set HOSTVETH alias MARK type bridge_slave hairpin on; ip -n NS link set IFNAME up
export async function ensureVeth(a: Of<'veth.create'>, env: ApplyEnv): Promise<void> {
  const master = await linkIndex(env, undefined, a.bridge);
  const inner = env.sockets.get(a.netns);
  await env.host.createVeth({
    name: a.hostVeth,
    master,
    mtu: a.mtu,
    peer: { name: a.peer, netnsFd: env.sockets.fd(a.netns), mac: a.mac, mtu: a.mtu },
  });
  faultPoint('mid:veth.create');
  try {
    await Promise.all([
      env.host.setHairpin(a.hostVeth, true, a.alias),
      inner.setLink(a.peer, { up: true }),
    ]);
  } catch (e) {
    // Leave no half-made pair behind: deleting one end deletes both.
    const host = await env.host.linkByName(a.hostVeth).catch(() => undefined);
    if (host) await env.host.deleteLink(host.index).catch(() => undefined);
    throw e;
  }
}

// Equivalent to: ip link del HOSTVETH   (or: ip -n NS link del IFNAME)
export async function removeVeth(a: Of<'veth.delete'>, env: ApplyEnv): Promise<void> {
  if (a.hostVeth) {
    forgetIndex(env, undefined, a.hostVeth);
    const l = await env.host.linkByName(a.hostVeth);
    if (l) await env.host.deleteLink(l.index);
    return;
  }
  if (a.netns && a.peer) {
    forgetIndex(env, a.netns, a.peer);
    const inner = env.sockets.get(a.netns);
    const l = await inner.linkByName(a.peer);
    if (l) await inner.deleteLink(l.index);
  }
}
