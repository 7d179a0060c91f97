/** The dummy parent of a macvlan/ipvlan network without `parent` (plan/diff/dummy-parents.ts). */
import type { Action } from '../../plan/actions';
import { forgetIndex, type ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: ip link add NAME mtu MTU up type dummy; ip link set NAME alias MARK   (or, when it exists: ip link set NAME up)
export async function ensureDummy(a: Of<'dummy.create'>, env: ApplyEnv): Promise<void> {
  try {
    await env.host.createDummy({ name: a.name, mtu: a.mtu, alias: a.alias });
  } catch (e: any) {
    if (e?.code === 'EOPNOTSUPP' || e?.code === 'ENOTSUP') {
      throw Object.assign(new Error('this kernel has no dummy link driver (CONFIG_DUMMY): give the network a driver_opts.parent'), { code: 'EOPNOTSUPP' });
    }
    if (e?.code !== 'EEXIST') throw e;
    await env.host.setLink(a.name, { up: true, alias: a.alias });
  }
}

// Equivalent to: ip link del NAME
export async function removeDummy(a: Of<'dummy.delete'>, env: ApplyEnv): Promise<void> {
  forgetIndex(env, undefined, a.name);
  const link = await env.host.linkByName(a.name);
  if (link) await env.host.deleteLink(link.index);
}
