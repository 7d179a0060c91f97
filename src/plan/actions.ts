/**
 * A plan is data: `{version: 1, waves: Action[][]}`. Every action has a
 * stable `id`, a `kind`, a human `target`, a `reason`, and the ids it must
 * run `after`. Actions of one wave are independent and run concurrently.
 * `tscompose plan --json` prints this as is.
 */
import type { SpecIssue } from '../errors';
import type { DesiredTunnel, DnsConfig, StateNetwork } from './model';
import type { CgroupLimits, GeneratedFiles, LaunchSettings, WaitCondition } from './model';
import type { Qdisc } from './shaping';

interface Base {
  id: string;
  /** What the user would call it: a bridge name, a container name, `eth0 of web-1`. */
  target: string;
  reason: string;
  after: string[];
}

export type Action =
  | (Base & { kind: 'netns.create'; netns: string })
  | (Base & { kind: 'netns.delete'; netns: string })
  | (Base & {
      kind: 'bridge.create';
      network: string;
      bridge: string;
      mtu: number;
      mac?: string;
      /** IPv4 gateway (absent: an IPv6-only network). */
      address?: string;
      prefixLen?: number;
      /** IPv6 gateway (enable_ipv6). */
      address6?: string;
      prefixLen6?: number;
      alias: string;
    })
  | (Base & {
      kind: 'bridge.update';
      network: string;
      bridge: string;
      up?: boolean;
      mtu?: number;
      alias?: string;
      addAddress?: { address: string; prefixLen: number };
      addAddress6?: { address: string; prefixLen: number };
      removeAddresses?: Array<{ address: string; prefixLen: number }>;
    })
  | (Base & {
      kind: 'bridge.delete';
      network: string;
      bridge: string;
      /** The owner's network-only record naming it (diff/joined-bridges.ts): forgotten with it, unless the owner is back. */
      record?: { project: string; network: string };
    })
  | (Base & {
      kind: 'veth.create';
      container: string;
      network: string;
      netns: string;
      hostVeth: string;
      bridge: string;
      peer: string;
      mac: string;
      mtu: number;
      alias: string;
    })
  | (Base & { kind: 'veth.delete'; container: string; hostVeth?: string; netns?: string; peer?: string })
  | (Base & {
      /** A macvlan/ipvlan interface on `parent`, born in the container's namespace (diff/lower-links.ts). */
      kind: 'lowerlink.create';
      container: string;
      network: string;
      netns: string;
      driver: 'macvlan' | 'ipvlan';
      parent: string;
      mode: string;
      /** ipvlan_flag. */
      flag?: string;
      ifname: string;
      /** macvlan only (an ipvlan shares its parent's MAC). */
      mac?: string;
      mtu: number;
      alias: string;
    })
  | (Base & { kind: 'lowerlink.delete'; container: string; netns: string; ifname: string })
  /** The dummy parent of a macvlan/ipvlan network without `parent` (diff/dummy-parents.ts). */
  | (Base & { kind: 'dummy.create'; network: string; name: string; mtu: number; alias: string })
  | (Base & { kind: 'dummy.delete'; network: string; name: string })
  | (Base & {
      kind: 'link.update';
      container?: string;
      /** Namespace of the link; absent = host. */
      netns?: string;
      ifname: string;
      up?: boolean;
      mtu?: number;
      master?: string;
      mac?: string;
      /** A bridge port's hairpin mode (after `master`: a new port starts without it). */
      hairpin?: boolean;
    })
  | (Base & { kind: 'addr.add'; container: string; netns: string; ifname: string; address: string; prefixLen: number })
  | (Base & { kind: 'addr.delete'; container: string; netns: string; ifname: string; address: string; prefixLen: number })
  | (Base & {
      kind: 'route.replace';
      container: string;
      netns: string;
      dst: string;
      /** Absent: a route straight out of `ifname` (`ip route replace DST dev IFNAME`). */
      via?: string;
      ifname: string;
      /** Set for `x-routes` (made with `proto static`, which marks them as ours). */
      static?: true;
      family?: 4 | 6;
      metric?: number;
    })
  | (Base & { kind: 'route.delete'; container: string; netns: string; dst: string; via?: string; family?: 4 | 6; metric?: number })
  | (Base & {
      kind: 'p2p.create';
      network: string;
      /** ifalias mark of both ends. */
      alias: string;
      ends: Array<{ container: string; netns: string; ifname: string; mac: string; mtu: number }>;
    })
  | (Base & {
      /**
       * A unicast VXLAN device (x-hosts): a p2p link's end in its container's
       * namespace (`netns`), or the port of a bridge network (`master`) on the host.
       */
      kind: 'vxlan.create';
      network: string;
      container?: string;
      netns?: string;
      ifname: string;
      master?: string;
      mac?: string;
      mtu: number;
      alias: string;
      vni: number;
      port: number;
      local: string;
      remote: string;
      /** A bridge on three machines or more: flooded frames go to these too (`bridge fdb append`). */
      extraRemotes?: string[];
      /** Learn which remote each MAC is behind (bridge networks; a p2p link has one peer). */
      learning?: boolean;
    })
  | (Base & { kind: 'vxlan.delete'; network: string; ifname: string })
  | (Base & {
      kind: 'qdisc.replace';
      container?: string;
      /** Namespace of the link; absent = host (a bridge port). */
      netns?: string;
      ifname: string;
      qdisc: Qdisc;
    })
  | (Base & { kind: 'qdisc.delete'; container?: string; netns?: string; ifname: string })
  | (Base & {
      kind: 'neigh.replace';
      container: string;
      netns: string;
      ifname: string;
      /** The peer's address on a p2p link, and its MAC: no ARP or ND needed (and no entry in the kernel's shared neighbour table). */
      address: string;
      mac: string;
    })
  | (Base & { kind: 'files.write'; container: string; files: GeneratedFiles })
  | (Base & {
      kind: 'container.start';
      container: string;
      service: string;
      /** /run/netns entry to join; absent = host network. */
      netns?: string;
      launch: LaunchSettings;
      /** A new container: its writable layer starts empty (else a restart keeps it). */
      freshRootfs?: boolean;
      /** depends_on conditions to wait for first (apply/handlers/conditions.ts). */
      waitFor?: WaitCondition[];
    })
  | (Base & {
      kind: 'container.stop';
      container: string;
      service: string;
      timeoutSec: number;
      remove: boolean;
      /** `stop_signal` (default SIGTERM). */
      signal?: string;
      /** Its `pre_stop` hooks run first (apply/hooks.ts; the journal has them). */
      preStop?: true;
    })
  /** A kernel setting (`sysctl -w KEY=VALUE`): host-wide, or on one of our bridges. */
  | (Base & { kind: 'sysctl.set'; key: string; value: string })
  /**
   * Our nftables rules, replaced in one transaction (`nft -f`): the script
   * is the whole change. `notes` say what it does to other tables.
   */
  | (Base & { kind: 'firewall.apply'; script: string; notes: string[] })
  | (Base & { kind: 'firewall.delete'; script: string })
  /** The project's DNS server (started, given a new configuration, stopped). */
  | (Base & { kind: 'dns.start'; config: DnsConfig })
  | (Base & { kind: 'dns.reload'; config: DnsConfig })
  | (Base & { kind: 'dns.stop' })
  | (Base & { kind: 'cgroup.create'; container: string; parent: string; path: string; limits: CgroupLimits })
  | (Base & {
      kind: 'cgroup.update';
      container: string;
      parent: string;
      path: string;
      limits: CgroupLimits;
      /** What is applied now; absent: unknown, every file is written. */
      previous?: CgroupLimits;
    })
  | (Base & { kind: 'cgroup.delete'; container: string; parent: string; path: string })
  | (Base & { kind: 'volume.create'; volume: string })
  | (Base & { kind: 'volume.delete'; volume: string });

export type ActionKind = Action['kind'];

/** An action before its `after` list is complete (distributes over the union). */
export type Draft = Action extends infer A ? (A extends Action ? Omit<A, 'after'> & { after?: string[] } : never) : never;

/** A draft as an action: no `after` yet means none. */
export function complete(a: Draft): Action {
  return { ...a, after: a.after ?? [] } as Action;
}

export interface Plan {
  version: 1;
  project: string;
  /** What the host cannot give and the plan leaves out (Docker's "WARNING: … discarded"), at the key that asked. */
  warnings?: SpecIssue[];
  /** `--host NAME` (x-hosts): the machine this plan is for, and every tunnel it keeps to the others (changed or not). */
  host?: string;
  tunnels?: PlanTunnel[];
  /** `down`: networks of ours other projects still use; they stay, named by a network-only record (diff/joined-bridges.ts). */
  keptNetworks?: Record<string, StateNetwork>;
  waves: Action[][];
}

/** A link or network stitched to another machine, as decided (plan/multihost.ts). */
export interface PlanTunnel extends DesiredTunnel {
  /** The p2p link's or bridge network's key. */
  network: string;
  kind: 'p2p' | 'bridge';
  /** The interface carrying it here: `eth1 of r2` (p2p) or the bridge's VXLAN port. */
  device: string;
}

export function countActions(plan: Plan): number {
  return plan.waves.reduce((n, w) => n + w.length, 0);
}
