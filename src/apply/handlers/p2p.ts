import type { Action } from '../../plan/actions';
import { forgetIndex, type ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * A p2p link: one veth pair whose two ends are born directly in the two
 * containers' namespaces (the request goes through the host socket, but no
 * end ever exists on the host and nothing is moved), named, with MACs and
 * MTUs; then both get the ownership mark and the second end comes up.
 */
// Equivalent to: ip link add A netns NS_A address MAC mtu MTU up type veth peer name B netns NS_B address MAC mtu MTU
//                ip -n NS_A link set A alias MARK; ip -n NS_B link set B alias MARK up
export async function ensureP2pLink(a: Of<'p2p.create'>, env: ApplyEnv): Promise<void> {
  const [x, y] = a.ends as [Of<'p2p.create'>['ends'][number], Of<'p2p.create'>['ends'][number]];
  const sx = env.sockets.get(x.netns);
  const sy = env.sockets.get(y.netns);
  for (const e of a.ends) forgetIndex(env, e.netns, e.ifname);
  try {
    await env.host.createVethPair(
      { name: x.ifname, netnsFd: env.sockets.fd(x.netns), mac: x.mac, mtu: x.mtu },
      { name: y.ifname, netnsFd: env.sockets.fd(y.netns), mac: y.mac, mtu: y.mtu },
    );
  } catch (e: any) {
    // Made by an interrupted run? Then both ends exist and are each other's peer.
    if (e?.code !== 'EEXIST') throw e;
    const [lx, ly] = await Promise.all([sx.linkByName(x.ifname), sy.linkByName(y.ifname)]);
    const paired = lx?.kind === 'veth' && ly?.kind === 'veth' && lx.peerIndex === ly.index && ly.peerIndex === lx.index;
    if (!paired) throw e;
  }
  faultPoint('mid:p2p.create');
  try {
    await Promise.all([sx.setLink(x.ifname, { alias: a.alias, up: true }), sy.setLink(y.ifname, { alias: a.alias, up: true })]);
  } catch (e) {
    // Leave no half-made link behind: deleting one end deletes both.
    const l = await sx.linkByName(x.ifname).catch(() => undefined);
    if (l) await sx.deleteLink(l.index).catch(() => undefined);
    throw e;
  }
}
