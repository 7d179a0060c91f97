/**
 * `driver: macvlan` and `driver: ipvlan` networks: their `driver_opts`
 * (`parent`, `macvlan_mode`, `ipvlan_mode`, `ipvlan_flag`) checked into a
 * `LowerLink` (no parent: a dummy link of ours, as Docker), and the keys
 * that only mean something on a bridge refused at their line. Whether the parent exists on this host and whether the
 * kernel has ipvlan is the planner's business (it needs the machine).
 */
import { checkIfName } from './names';
import { field } from './read';
import type { Field, Reader } from './read';
import type { LowerLink, NetworkSpec } from './types';

const MODES: Record<LowerLink['kind'], readonly string[]> = {
  macvlan: ['bridge', 'vepa', 'private', 'passthru'],
  ipvlan: ['l2', 'l3', 'l3s'],
};
const IPVLAN_FLAGS = ['bridge', 'private', 'vepa'];
/** Options of these drivers (Docker's names), by the driver they belong to. */
const OWN_OPTS: Record<string, LowerLink['kind']> = { macvlan_mode: 'macvlan', ipvlan_mode: 'ipvlan', ipvlan_flag: 'ipvlan' };
const SHARED_OPTS = new Set(['parent', 'com.docker.network.driver.mtu']);
/** Bridge options network.ts accepts (other com.docker.network.* ones it already refused). */
const bridgeOnly = (k: string) => k.startsWith('com.docker.network.bridge.') || !k.startsWith('com.docker.network.');

export const isLowerLinkDriver = (d: string): d is LowerLink['kind'] => d === 'macvlan' || d === 'ipvlan';

/** The `driver_opts` entries as fields (for their lines). */
export function optFields(keys: Map<string, Field>): Map<string, Field> {
  const out = new Map<string, Field>();
  const f = keys.get('driver_opts');
  if (!f || f.node.kind !== 'map') return out;
  for (const e of f.node.entries.values()) out.set(e.key, field(f.path, e));
  return out;
}

/**
 * Checks a network's driver-specific options once its keys are read:
 * macvlan/ipvlan networks get `spec.lowerLink`; a bridge network naming
 * `parent` or a mode is refused (it would have no effect).
 */
export function checkLowerLink(spec: NetworkSpec, keys: Map<string, Field>, r: Reader): void {
  const opts = optFields(keys);
  const kind = spec.driver;
  if (!isLowerLinkDriver(kind)) {
    for (const [k, of] of opts) {
      if (k === 'parent' || OWN_OPTS[k]) r.error(of, `driver option ${k} is for driver: ${OWN_OPTS[k] ?? 'macvlan or ipvlan'}, not ${kind}`);
    }
    return;
  }
  for (const [k, of] of opts) {
    if (SHARED_OPTS.has(k) || OWN_OPTS[k] === kind || !bridgeOnly(k)) continue;
    r.error(of, OWN_OPTS[k] ? `driver option ${k} is for driver: ${OWN_OPTS[k]}, not ${kind}` : `driver option ${k} is not supported for driver: ${kind}`);
  }
  const parentField = opts.get('parent');
  // No parent: a dummy link of ours is the parent, as Docker makes one (plan/resolve/lower-links.ts).
  const parent = parentField ? spec.driverOpts.parent : undefined;
  const problem = parent === undefined ? undefined : checkIfName(parent);
  if (problem) {
    r.error(parentField!, `parent "${parent}" ${problem}`);
    return;
  }
  const modeKey = `${kind}_mode`;
  const mode = spec.driverOpts[modeKey] ?? MODES[kind][0]!;
  if (!MODES[kind].includes(mode)) {
    r.error(opts.get(modeKey)!, `${modeKey} "${mode}" is not one of ${MODES[kind].join(', ')}`);
    return;
  }
  const flag = kind === 'ipvlan' ? (spec.driverOpts.ipvlan_flag ?? 'bridge') : undefined;
  if (flag !== undefined && !IPVLAN_FLAGS.includes(flag)) {
    r.error(opts.get('ipvlan_flag')!, `ipvlan_flag "${flag}" is not one of ${IPVLAN_FLAGS.join(', ')}`);
    return;
  }
  spec.lowerLink = { kind, parent: parent ?? '', mode, ...(flag !== undefined ? { flag } : {}), ...(parent === undefined ? { dummy: true as const } : {}) };
}
