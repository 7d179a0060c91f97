/**
 * The device allowlist on cgroup v2: v2 has no devices.allow; a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup
 * decides each mknod and open (native/addon/device_filter.cc generates it
 * from the rules, as runc does). Used where the host has no v1 devices
 * hierarchy: cgroup v2 hosts, and hybrid ones without it.
 */
import { native } from '../native';

/** The program's encoding of the type and access letters (linux/bpf.h BPF_DEVCG_*). */
const TYPE: Record<string, number> = { a: -1, b: 1, c: 2 };
const ACCESS: Record<string, number> = { m: 1, r: 2, w: 4 };

/** `c 1:3 rwm` lines (plan/devices.ts, canonical) as the addon's [type, major, minor, access] quadruples; -1 for `a` and `*`. */
export function encodeDeviceRules(rules: readonly string[]): Int32Array {
  const out = new Int32Array(rules.length * 4);
  rules.forEach((rule, i) => {
    const m = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]+)$/.exec(rule);
    if (!m) throw new Error(`not a device cgroup rule: ${JSON.stringify(rule)}`);
    const num = (n: string) => (n === '*' ? -1 : Number(n));
    const access = [...m[4]!].reduce((bits, c) => bits | ACCESS[c]!, 0);
    out.set([TYPE[m[1]!]!, num(m[2]!), num(m[3]!), access], i * 4);
  });
  return out;
}

let supported: boolean | undefined;

/** Whether this kernel loads cgroup device programs (asked once: a program is loaded and closed, never attached). */
export function deviceFilterSupported(): boolean {
  supported ??= native.deviceFilterSupported();
  return supported;
}

// Equivalent to (runc on cgroup v2): bpftool cgroup attach DIR device pinned PROG multi
export function attachDeviceFilter(dir: string, rules: readonly string[]): void {
  native.attachDeviceFilter(dir, encodeDeviceRules(rules));
}
