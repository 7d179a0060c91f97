/**
 * One handler per action kind, named for what it ensures. Handlers are
 * idempotent: on EEXIST they re-read and verify, on delete ENOENT/ENODEV
 * is success.
 */
import type { Action } from '../../plan/actions';
import type { ApplyEnv } from '../env';
import { ensureAddress, ensureNeighbor, ensureRoute, removeAddress, removeRoute } from './addr';
import { ensureBridge, removeBridge, updateBridge } from './bridge';
import { ensureCgroup, removeCgroup, updateCgroup } from './cgroup';
import { stopContainer } from './container';
import { startDns, reloadDns, stopDns } from './dns';
import { writeFiles } from './files';
import { ensureFirewall, removeFirewall } from './firewall';
import { ensureSysctl } from './sysctl';
import { updateLink } from './link';
import { ensureNetns, removeNetns } from './netns';
import { ensureLowerLink, removeLowerLink } from './lower-link';
import { ensureDummy, removeDummy } from './dummy';
import { ensureP2pLink } from './p2p';
import { ensureQdisc, removeQdisc } from './qdisc';
import { ensureVeth, removeVeth } from './veth';
import { ensureVolume, removeVolume } from './volume';
import { ensureVxlan, removeVxlan } from './vxlan';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;
type Single = { [K in Action['kind']]: (a: Of<K>, env: ApplyEnv) => Promise<void> };

export const handlers: Omit<Single, 'container.start'> = {
  'netns.create': ensureNetns,
  'netns.delete': removeNetns,
  'bridge.create': ensureBridge,
  'bridge.update': updateBridge,
  'bridge.delete': removeBridge,
  'veth.create': ensureVeth,
  'veth.delete': removeVeth,
  'lowerlink.create': ensureLowerLink,
  'lowerlink.delete': removeLowerLink,
  'dummy.create': ensureDummy,
  'dummy.delete': removeDummy,
  'link.update': updateLink,
  'addr.add': ensureAddress,
  'addr.delete': removeAddress,
  'route.replace': ensureRoute,
  'route.delete': removeRoute,
  'files.write': writeFiles,
  'container.stop': stopContainer,
  'sysctl.set': ensureSysctl,
  'firewall.apply': ensureFirewall,
  'firewall.delete': removeFirewall,
  'dns.start': startDns,
  'dns.reload': reloadDns,
  'dns.stop': stopDns,
  'cgroup.create': ensureCgroup,
  'cgroup.update': updateCgroup,
  'cgroup.delete': removeCgroup,
  'volume.create': ensureVolume,
  'volume.delete': removeVolume,
  'p2p.create': ensureP2pLink,
  'vxlan.create': ensureVxlan,
  'vxlan.delete': removeVxlan,
  'qdisc.replace': ensureQdisc,
  'qdisc.delete': removeQdisc,
  'neigh.replace': ensureNeighbor,
};
