import * as fs from 'node:fs';
import type { Action } from '../../plan/actions';
import { parseOwnerAlias } from '../../plan/names';
import { forgetIndex, type ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: ip link add NAME address MAC mtu MTU up type bridge stp_state 0
//                ip link set NAME alias tscompose:PROJECT:network:KEY
//                [ip addr add GATEWAY/PREFIX dev NAME] [; sysctl -w net.ipv6.conf.NAME.accept_ra=0; ip addr add GATEWAY6/PREFIX6 dev NAME]
export async function ensureBridge(a: Of<'bridge.create'>, env: ApplyEnv): Promise<void> {
  try {
    await env.host.createBridge({ name: a.bridge, mtu: a.mtu, ...(a.mac ? { mac: a.mac } : {}) });
  } catch (e: any) {
    if (e?.code !== 'EEXIST') throw e;
    // Someone made it meanwhile: fine if it is ours (or the default bridge another project just made), a conflict otherwise.
    const link = await env.host.linkByName(a.bridge);
    if (!link || link.kind !== 'bridge' || (link.alias && link.alias !== a.alias && parseOwnerAlias(link.alias)?.project !== env.project)) throw e;
  }
  faultPoint('mid:bridge.create');
  const link = await env.host.linkByName(a.bridge);
  if (!link) throw Object.assign(new Error(`${a.bridge} vanished after creation`), { code: 'ENODEV', syscall: 'RTM_GETLINK' });
  // Router advertisements from containers must never configure the host (before any port joins).
  if (a.address6) writeSysctl(`/proc/sys/net/ipv6/conf/${a.bridge}/accept_ra`, '0');
  await Promise.all([
    env.host.setLink(link.index, { alias: a.alias }),
    ...(a.address ? [env.host.addAddress(link.index, a.address, a.prefixLen!)] : []),
    ...(a.address6 ? [env.host.addAddress(link.index, a.address6, a.prefixLen6!)] : []),
  ]);
}

function writeSysctl(file: string, value: string): void {
  fs.writeFileSync(file, value);
}

// Equivalent to: ip link set NAME up mtu MTU alias MARK; ip addr add/del … dev NAME
export async function updateBridge(a: Of<'bridge.update'>, env: ApplyEnv): Promise<void> {
  const link = await env.host.linkByName(a.bridge);
  if (!link) throw Object.assign(new Error(`${a.bridge} not found`), { code: 'ENODEV', syscall: 'RTM_GETLINK' });
  const ops: Promise<void>[] = [];
  if (a.up !== undefined || a.mtu !== undefined || a.alias !== undefined) {
    ops.push(
      env.host.setLink(link.index, {
        ...(a.up !== undefined ? { up: a.up } : {}),
        ...(a.mtu !== undefined ? { mtu: a.mtu } : {}),
        ...(a.alias !== undefined ? { alias: a.alias } : {}),
      }),
    );
  }
  for (const r of a.removeAddresses ?? []) ops.push(env.host.deleteAddress(link.index, r.address, r.prefixLen));
  await Promise.all(ops);
  if (a.addAddress) await env.host.addAddress(link.index, a.addAddress.address, a.addAddress.prefixLen);
  if (a.addAddress6) await env.host.addAddress(link.index, a.addAddress6.address, a.addAddress6.prefixLen);
}

/**
 * Namespaces removed just before take their veths with them, but the kernel
 * does that asynchronously: wait (briefly) until no port is left, so that
 * when `down` returns nothing of ours is on the machine.
 */
// Equivalent to: while ip link show master NAME | grep -q .; do sleep 0.01; done; ip link del NAME
export async function removeBridge(a: Of<'bridge.delete'>, env: ApplyEnv): Promise<void> {
  // The last user of a network its owner's down kept: the owner's record goes with it (unless the owner is back).
  if (a.record) {
    await env.state.forgetKeptNetwork(a.record.project, a.record.network, () => deleteBridge(a, env));
    return;
  }
  await deleteBridge(a, env);
}

async function deleteBridge(a: Of<'bridge.delete'>, env: ApplyEnv): Promise<void> {
  forgetIndex(env, undefined, a.bridge);
  const link = await env.host.linkByName(a.bridge);
  if (!link) return;
  const deadline = Date.now() + PORTS_GONE_TIMEOUT_MS;
  for (;;) {
    const ports = (await env.host.links()).filter((l) => l.master === link.index && parseOwnerAlias(l.alias)?.project === env.project);
    if (!ports.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await env.host.deleteLink(link.index);
}

const PORTS_GONE_TIMEOUT_MS = 5000;
