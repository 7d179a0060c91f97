/**
 * One lab across machines (x-hosts, `--host`), end to end. Each "machine" is
 * a throwaway host (its own network, mount and pid namespaces, its own
 * /run/tscompose and /run/netns); they are joined by an underlay made of
 * veths on this machine (a bridge in the middle one when there are three),
 * and each runs its own `tscompose up --host NAME`. Asserted with iproute2
 * and ping, and with the kernel's counters on the VXLAN devices.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, Host, repoRoot, run, testNeeding } from '../helpers/host';
import { leftovers, ok as okIn, tsc, writeProject } from '../helpers/containers';

const ok = (host: Host, dir: string, args: string[]) => okIn(host, dir, args, { timeoutMs: 120_000 });

async function sh(host: Host, script: string): Promise<string> {
  const r = await host.sh(script, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${script}\nexited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Several throwaway hosts, stopped whatever happens. */
async function withHosts(t: import('ava').ExecutionContext, n: number, fn: (hosts: Host[]) => Promise<void>): Promise<void> {
  if (!isRoot()) {
    t.fail('privileged test: run as root');
    return;
  }
  const hosts: Host[] = [];
  try {
    for (let i = 0; i < n; i++) hosts.push(await Host.start());
    await fn(hosts);
  } finally {
    for (const h of hosts) await h.stop();
  }
}

/**
 * The underlay: 10.99.0.1, .2, .3 on one L2 segment. Host i > 0 gets a veth
 * to host 0; with three hosts, host 0 bridges the two (a switch).
 * Equivalent to: nsenter -t B -n ip link add ul0 type veth peer name ulN netns A …
 */
async function underlay(hosts: Host[], v6 = false): Promise<void> {
  const [hub, ...rest] = hosts as [Host, ...Host[]];
  // IPv6: no duplicate address detection, so the addresses are usable at once.
  const addr = (i: number) => (v6 ? `fd99::${i + 1}/64 nodad` : `10.99.0.${i + 1}/24`);
  await sh(hub, `ip link add ulbr type bridge && ip link set ulbr up && ip addr add ${addr(0)} dev ulbr`);
  for (const [i, h] of rest.entries()) {
    // Entering only the network namespace: the peer's pid is the real machine's.
    const r = await run(['nsenter', '-t', String(h.pid), '-n', 'ip', 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', `ul${i + 1}`, 'netns', String(hub.pid)]);
    if (r.code !== 0) throw new Error(`underlay veth: ${r.stderr}`);
    await sh(hub, `ip link set ul${i + 1} master ulbr up`);
    await sh(h, `ip addr add ${addr(i + 1)} dev ul0 && ip link set ul0 up`);
  }
  for (const h of rest) await sh(h, `ping -c1 -W5 ${v6 ? 'fd99::1' : '10.99.0.1'}`);
}

const UNDERLAY_LINKS = new Set(['ulbr', 'ul0', 'ul1', 'ul2']);

/** leftovers() without the underlay the test itself made. */
async function ours(host: Host): Promise<string[]> {
  return (await leftovers(host))
    .map((l) => (l.startsWith('links: ') ? l.split(' ').filter((w, i) => i === 0 || !UNDERLAY_LINKS.has(w)).join(' ') : l))
    .filter((l) => l !== 'links:');
}

function example(name: string, edit: (s: string) => string = (s) => s): string {
  return edit(fs.readFileSync(path.join(repoRoot, 'compose-examples', name, 'compose.yaml'), 'utf8'));
}

/** `ip -s -d link show` of a container's interface: its kind, VXLAN id and counters. */
async function linkStats(host: Host, netns: string, ifname: string): Promise<{ kind: string; vni: number; mtu: number; rx: number; tx: number }> {
  const [l] = await host.ipJson(['-n', netns, '-s', '-d', 'link', 'show', ifname]);
  return { kind: l.linkinfo?.info_kind, vni: l.linkinfo?.info_data?.id, mtu: l.mtu, rx: l.stats64.rx.packets, tx: l.stats64.tx.packets };
}

// The machine holding host a is the hub of the underlay: a = 10.99.0.1, b = .2, c = .3 (as the example says).
test('a line lab split across three machines: tunnels per link, verify from each, traffic on the VXLAN devices, a machine up before its peers converges, down leaves nothing', async (t) => {
  await withHosts(t, 3, async (hosts) => {
    await underlay(hosts);
    const [a, b, c] = hosts as [Host, Host, Host];
    const dirs = hosts.map((h) => writeProject(h, example('split-line')));
    const names = ['a', 'b', 'c'];

    // a first, alone: its end of the tunnel exists, but nothing answers yet.
    const upA = await ok(a, dirs[0]!, ['up', '-d', '--host', 'a']);
    t.regex(upA.stderr, /Tunnel splitline-h1-1:eth0 → splitline-r-1:eth0 on b +Created/);
    const h1 = await linkStats(a, 'tsc.splitline.h1.1', 'eth0');
    const planB = JSON.parse((await ok(b, dirs[1]!, ['plan', '--json', '--host', 'b'])).stdout);
    t.deepEqual(
      planB.tunnels.map((x: any) => `${x.network} ${x.remote} ${x.mtu}`),
      ['h1:eth0--r:eth0 10.99.0.1 1450', 'r:eth1--h2:eth0 10.99.0.3 1450'],
    );
    t.like(h1, { kind: 'vxlan', mtu: 1450, vni: planB.tunnels[0].vni });
    // Nothing of it on the machine's own namespace: the device is in h1's, its socket in the machine's.
    t.deepEqual((await a.ipJson(['link', 'show'])).map((l: any) => l.ifname).filter((n: string) => !UNDERLAY_LINKS.has(n)), ['lo']);
    t.not((await tsc(a, dirs[0]!, ['verify', '--host', 'a'])).code, 0, 'h2 is not there yet');

    await ok(b, dirs[1]!, ['up', '-d', '--host', 'b']);
    await ok(c, dirs[2]!, ['up', '-d', '--host', 'c']);
    // a converges without being touched again.
    t.deepEqual(JSON.parse((await ok(a, dirs[0]!, ['plan', '--json', '--host', 'a'])).stdout).waves, []);
    for (const [i, h] of hosts.entries()) {
      const v = await tsc(h, dirs[i]!, ['verify', '--host', names[i]!, '--json'], { timeoutMs: 120_000 });
      const report = JSON.parse(v.stdout);
      t.is(v.code, 0, `verify --host ${names[i]}: ${v.stdout}`);
      t.true(report.probes > 0);
      // Only this machine's containers probe.
      const from = new Set(report.results.map((r: any) => r.fromLabel));
      t.deepEqual([...from], [{ a: 'h1', b: 'r', c: 'h2' }[names[i]!]]);
    }

    // Traffic end to end crosses both tunnels: the kernel's counters say so on every VXLAN device.
    const before = await Promise.all([linkStats(a, 'tsc.splitline.h1.1', 'eth0'), linkStats(b, 'tsc.splitline.r.1', 'eth1'), linkStats(c, 'tsc.splitline.h2.1', 'eth0')]);
    await sh(a, 'ip netns exec tsc.splitline.h1.1 ping -c5 -i0.2 -W5 10.0.2.10');
    const after = await Promise.all([linkStats(a, 'tsc.splitline.h1.1', 'eth0'), linkStats(b, 'tsc.splitline.r.1', 'eth1'), linkStats(c, 'tsc.splitline.h2.1', 'eth0')]);
    after.forEach((s, i) => {
      t.is(s.kind, 'vxlan');
      t.true(s.tx - before[i]!.tx >= 5 && s.rx - before[i]!.rx >= 5, `${names[i]}: ${JSON.stringify([before[i], s])}`);
    });
    const udp = JSON.parse(await sh(b, 'ip -j -s link show ul0'))[0].stats64;
    t.true(udp.rx.packets >= 10 && udp.tx.packets >= 10, 'the encapsulated packets crossed the underlay');

    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['down', '--host', names[i]!]);
    for (const h of hosts) t.deepEqual(await ours(h), []);
  });
});

const SPAN = `
name: span
x-hosts:
  a: { address: 10.99.0.1 }
  b: { address: 10.99.0.2 }
services:
  web: { x-host: a }
  client: { x-host: b }
networks:
  default:
    ipam: { config: [{ subnet: 10.77.0.0/24 }] }
x-verify:
  - { from: client, to: web, expect: reach }
`;

test('a bridge network spanning two machines: a VXLAN port on each bridge, verify across it, down leaves nothing', async (t) => {
  await withHosts(t, 2, async (hosts) => {
    await underlay(hosts);
    const [a, b] = hosts as [Host, Host];
    const dirs = hosts.map((h) => writeProject(h, SPAN));
    await ok(a, dirs[0]!, ['up', '-d', '--host', 'a']);
    await ok(b, dirs[1]!, ['up', '-d', '--host', 'b']);
    const [tun] = JSON.parse((await ok(b, dirs[1]!, ['plan', '--json', '--host', 'b'])).stdout).tunnels;
    t.like(tun, { kind: 'bridge', local: '10.99.0.2', remote: '10.99.0.1', mtu: 1450 });
    for (const h of hosts) {
      const [port] = await h.ipJson(['-d', 'link', 'show', tun.device]);
      t.is(port.linkinfo.info_kind, 'vxlan');
      t.is(port.linkinfo.info_data.id, tun.vni);
      t.is(port.mtu, 1450);
      t.truthy(port.master, 'a port of the bridge');
    }
    const v = await tsc(b, dirs[1]!, ['verify', '--host', 'b'], { timeoutMs: 120_000 });
    t.is(v.code, 0, v.stdout + v.stderr);
    const web = JSON.parse(await sh(a, 'ip -j -n tsc.span.web.1 addr show eth0'))[0].addr_info.find((x: any) => x.family === 'inet').local;
    const before = JSON.parse(await sh(a, `ip -j -s link show ${tun.device}`))[0].stats64.rx.packets;
    await sh(b, `ip netns exec tsc.span.client.1 ping -c3 -i0.2 -W5 ${web}`);
    t.true(JSON.parse(await sh(a, `ip -j -s link show ${tun.device}`))[0].stats64.rx.packets - before >= 3);
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['down', '--host', 'ab'[i]!]);
    for (const h of hosts) t.deepEqual(await ours(h), []);
  });
});

const V6 = `
name: six
x-hosts:
  a: { address: "fd99::1" }
  b: { address: "fd99::2" }
services:
  h1: { x-host: a }
  h2: { x-host: b }
x-links:
  - endpoints: ["h1:eth0", "h2:eth0"]
    ipv4: [10.0.9.0/31, 10.0.9.1/31]
    x-netem: { rate: 20mbit }
x-verify:
  - { from: h2, to: h1, expect: reach }
`;

testNeeding('ipv6', 'tbf')('over an IPv6 underlay: the tunnel takes 70 bytes, carries the link, and is shaped as any link end', async (t) => {
  await withHosts(t, 2, async (hosts) => {
    await underlay(hosts, true);
    const dirs = hosts.map((h) => writeProject(h, V6));
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['up', '-d', '--host', 'ab'[i]!]);
    const [l] = await hosts[1]!.ipJson(['-n', 'tsc.six.h2.1', '-d', 'link', 'show', 'eth0']);
    t.is(l.linkinfo.info_kind, 'vxlan');
    t.is(l.linkinfo.info_data.remote6 ?? l.linkinfo.info_data.group6, 'fd99::1');
    t.is(l.mtu, 1430);
    // Shaping is as on any link end: a root qdisc on the VXLAN device.
    const [q] = JSON.parse(await sh(hosts[1]!, 'tc -j -n tsc.six.h2.1 qdisc show dev eth0'));
    t.is(q.kind, 'tbf');
    t.is(q.options.rate, 20_000_000 / 8);
    const v = await tsc(hosts[1]!, dirs[1]!, ['verify', '--host', 'b'], { timeoutMs: 120_000 });
    t.is(v.code, 0, v.stdout + v.stderr);
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['down', '--host', 'ab'[i]!]);
    for (const h of hosts) t.deepEqual(await ours(h), []);
  });
});

test('down after an up SIGKILLed between creating a bridge tunnel port and marking it leaves nothing; the next up completes it', async (t) => {
  await withHosts(t, 2, async (hosts) => {
    await underlay(hosts);
    const [a, b] = hosts as [Host, Host];
    const dirs = hosts.map((h) => writeProject(h, SPAN));
    const crashed = await a.tscompose(['up', '-d', '--host', 'a'], { cwd: dirs[0]!, env: { TSCOMPOSE_FAULT: 'mid:vxlan.create' } });
    t.true(crashed.signal === 'SIGKILL' || crashed.code === 137, `up should have been killed: ${crashed.stderr}`);
    t.true((await a.ipJson(['-d', 'link', 'show', 'type', 'vxlan'])).some((l: any) => !l.ifalias), 'an unmarked port was left');
    await ok(a, dirs[0]!, ['down', '--host', 'a']);
    t.deepEqual(await ours(a), []);
    await a.tscompose(['up', '-d', '--host', 'a'], { cwd: dirs[0]!, env: { TSCOMPOSE_FAULT: 'mid:vxlan.create' } });
    await ok(a, dirs[0]!, ['up', '-d', '--host', 'a']);
    await ok(b, dirs[1]!, ['up', '-d', '--host', 'b']);
    const v = await tsc(b, dirs[1]!, ['verify', '--host', 'b'], { timeoutMs: 120_000 });
    t.is(v.code, 0, v.stdout + v.stderr);
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['down', '--host', 'ab'[i]!]);
    for (const h of hosts) t.deepEqual(await ours(h), []);
  });
});

const SPAN3 = `
name: span3
x-hosts:
  a: { address: 10.99.0.1 }
  b: { address: 10.99.0.2 }
  c: { address: 10.99.0.3 }
services:
  web: { x-host: a }
  client: { x-host: b }
  other: { x-host: c }
networks:
  default:
    ipam: { config: [{ subnet: 10.78.0.0/24 }] }
`;

test('a bridge network on three machines: every member reaches every other, flooding copied to each machine', async (t) => {
  await withHosts(t, 3, async (hosts) => {
    await underlay(hosts);
    const dirs = hosts.map((h) => writeProject(h, SPAN3));
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['up', '-d', '--host', 'abc'[i]!]);
    const [tun] = JSON.parse((await ok(hosts[0]!, dirs[0]!, ['plan', '--json', '--host', 'a'])).stdout).tunnels;
    const fdb = await sh(hosts[0]!, `bridge fdb show dev ${tun.device} | grep '^00:00:00:00:00:00'`);
    t.regex(fdb, /dst 10\.99\.0\.2/);
    t.regex(fdb, /dst 10\.99\.0\.3/);
    for (const [i, h] of hosts.entries()) {
      const v = await tsc(h, dirs[i]!, ['verify', '--host', 'abc'[i]!, '--json'], { timeoutMs: 120_000 });
      t.is(v.code, 0, v.stdout + v.stderr);
      t.true(JSON.parse(v.stdout).probes >= 2, 'each reaches the two others');
    }
    for (const [i, h] of hosts.entries()) await ok(h, dirs[i]!, ['down', '--host', 'abc'[i]!]);
    for (const h of hosts) t.deepEqual(await ours(h), []);
  });
});
