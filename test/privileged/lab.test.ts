/**
 * Topology labs end to end, each test in its own throwaway host: p2p links
 * (no bridge, ends born in their namespaces), static routes over several
 * hops, `verify` for reachable and blocked pairs, link shaping measured
 * with real traffic and changed live, the sch_netem check, drift and crash
 * safety. Asserted with iproute2, tc, ping and socat, not with tscompose.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, testNeeding, withHost, type Host } from '../helpers/host';
import { leftovers, ok as okIn, writeProject as writeCompose } from '../helpers/containers';


function example(name: string): string {
  return fs.readFileSync(path.join(repoRoot, 'compose-examples', name, 'compose.yaml'), 'utf8');
}

async function sh(host: Host, script: string) {
  const r = await host.sh(script, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${script}\nexited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The CLI, which must succeed; a lab of many nodes may take its time. */
const ok = (host: Host, dir: string, args: string[]) => okIn(host, dir, args, { timeoutMs: 120_000 });

const nsOf = (project: string, service: string) => `tsc.${project}.${service}.1`;

test('p2p links carry traffic between namespaces, with no bridge and nothing on the host', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, example('triangle'));
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Link triangle-r1-1:eth1 — triangle-r2-1:eth1 {2}Created/);
    // The host namespace has nothing of ours: no bridge, no veth end.
    t.deepEqual((await host.ipJson(['link', 'show'])).map((l: any) => l.ifname), ['lo']);

    const r1 = nsOf('triangle', 'r1');
    const r2 = nsOf('triangle', 'r2');
    const [end] = await host.ipJson(['-n', r1, '-d', 'link', 'show', 'eth1']);
    const [peer] = await host.ipJson(['-n', r2, '-d', 'link', 'show', 'eth1']);
    t.is(end.linkinfo.info_kind, 'veth');
    t.is(end.ifalias, 'tscompose:triangle:p2p:r1:eth1--r2:eth1');
    t.is(peer.ifalias, end.ifalias);
    t.is(end.link_index, peer.ifindex, 'the two ends are each other’s peer');
    t.is(peer.link_index, end.ifindex);
    t.true(end.flags.includes('UP') && peer.flags.includes('UP'));
    t.is(end.master, undefined);
    const addrs = (await host.ipJson(['-n', r1, 'addr', 'show', 'eth1']))[0].addr_info.filter((a: any) => a.scope === 'global');
    t.deepEqual(addrs.map((a: any) => `${a.local}/${a.prefixlen}`), ['10.255.12.0/31', 'fd10:ff:12::2/127']);
    // The peer's MAC is known up front: no ARP or neighbour discovery on links.
    const neigh = await host.ipJson(['-n', r1, 'neigh', 'show', 'dev', 'eth1']);
    t.deepEqual(
      neigh.filter((n: any) => n.state.includes('PERMANENT')).map((n: any) => `${n.dst} ${n.lladdr}`).sort(),
      [`10.255.12.1 ${peer.address}`, `fd10:ff:12::3 ${peer.address}`],
    );
    // Traffic over one link, and over several hops through the routers.
    await sh(host, `ip netns exec ${r1} ping -c1 -W2 10.255.12.1`);
    await sh(host, `ip netns exec ${nsOf('triangle', 'h1')} ping -c1 -W2 10.3.0.10`);
    await sh(host, `ip netns exec ${nsOf('triangle', 'h1')} ping -c1 -W2 fd10:3::10`);
    const routes = await host.ipJson(['-n', r1, 'route', 'show', 'proto', 'static']);
    t.deepEqual(routes.map((r: any) => `${r.dst} ${r.gateway} ${r.dev}${r.metric ? ` ${r.metric}` : ''}`).sort(), [
      '10.2.0.0/24 10.255.12.1 eth1',
      '10.3.0.0/24 10.255.12.1 eth1 100',
      '10.3.0.0/24 10.255.13.1 eth2',
    ]);
    const qdisc = JSON.parse(await sh(host, `tc -j -n ${r1} qdisc show dev eth1`));
    t.is(qdisc[0].kind, 'tbf');
    t.is(qdisc[0].options.rate, 50_000_000 / 8);

    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, [], 'up twice is a no-op');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('verify: every pair as the routes say, x-verify entries, and a trace along the expected path', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, example('triangle'));
    await ok(host, dir, ['up', '-d']);
    const report = JSON.parse((await ok(host, dir, ['verify', '--json'])).stdout);
    t.true(report.ok);
    const results = report.results as any[];
    t.true(results.every((r) => r.ok));
    t.true(results.some((r) => r.expect === 'reach' && r.result.reach && r.fromLabel === 'h1' && r.address === '10.3.0.10'));
    const blocked = results.filter((r) => r.expect === 'blocked');
    t.true(blocked.length > 0);
    t.true(blocked.every((r) => !r.result.reach));
    t.true(results.some((r) => r.verify === 1 && r.expect === 'blocked'), 'the x-verify blocked entry is checked');

    const trace = JSON.parse((await ok(host, dir, ['verify', '--trace', '--json', 'h1', 'h3'])).stdout);
    t.deepEqual(trace.hops.map((h: any) => h.node), ['r1', 'r3', 'h3']);
    t.true(trace.ok);

    // Take r1's direct route away: packets go round through r2 (the backup route), and the trace says so.
    await sh(host, `ip -n ${nsOf('triangle', 'r1')} route del 10.3.0.0/24 via 10.255.13.1`);
    const detour = await host.tscompose(['verify', '--trace', '--json', 'h1', 'h3'], { cwd: dir });
    t.is(detour.code, 7);
    t.deepEqual(JSON.parse(detour.stdout).hops.map((h: any) => h.node), ['r1', 'r2', 'r3', 'h3']);
    // `up` puts the route back; the trace is as expected again.
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.deepEqual(plan.waves.flat().map((a: any) => `${a.kind} ${a.target}`), ['route.replace route 10.3.0.0/24 of triangle-r1-1']);
    await ok(host, dir, ['up', '-d']);
    await ok(host, dir, ['verify', '--trace', 'h1', 'h3']);

    // A router that stops forwarding breaks what the file promises: verify says where.
    await sh(host, `ip netns exec ${nsOf('triangle', 'r3')} sysctl -qw net.ipv4.ip_forward=0`);
    const broken = await host.tscompose(['verify', '--json'], { cwd: dir, timeoutMs: 120_000 });
    t.is(broken.code, 7);
    const bad = (JSON.parse(broken.stdout).results as any[]).filter((r) => !r.ok);
    t.true(bad.some((r) => r.fromLabel === 'h1' && r.address === '10.3.0.10' && r.expect === 'reach' && !r.result.reach));
    t.true(bad.every((r) => r.expect === 'reach'));
    const text = await host.tscompose(['verify'], { cwd: dir, timeoutMs: 120_000 });
    t.regex(text.stdout, /✘ h1 → h3 10\.3\.0\.10: expected reach \(h1 → r1 → r3 → h3\)/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('verify: bridges are isolated from each other and from the lab; TCP expectations', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, example('app-and-lab'));
    await ok(host, dir, ['up', '-d']);
    const report = JSON.parse((await ok(host, dir, ['verify', '--json'])).stdout);
    t.true(report.ok);
    const results = report.results as any[];
    const pair = (from: string, to: string) => results.filter((r) => r.fromLabel === from && r.toLabel === to && r.verify === undefined);
    t.true(pair('web', 'db').every((r) => r.expect === 'blocked' && !r.result.reach), 'two bridges: isolated');
    t.true(pair('lab-a', 'web').every((r) => r.expect === 'blocked' && !r.result.reach), 'the lab does not reach the app');
    t.true(pair('api', 'db').some((r) => r.expect === 'reach' && r.result.reach));
    t.true(pair('lab-a', 'lab-b').some((r) => r.expect === 'reach' && r.result.reach), 'two hops through the routers');
    // The x-links mtu is on both ends of that link only.
    t.is((await host.ipJson(['-n', nsOf('applab', 'r1'), 'link', 'show', 'eth1']))[0].mtu, 9000);
    t.is((await host.ipJson(['-n', nsOf('applab', 'r2'), 'link', 'show', 'eth1']))[0].mtu, 9000);
    t.is((await host.ipJson(['-n', nsOf('applab', 'r1'), 'link', 'show', 'eth2']))[0].mtu, 1500);
    const tcp = results.filter((r) => r.port !== undefined);
    t.deepEqual(tcp.map((r) => `${r.fromLabel}→${r.toLabel}:${r.port} ${r.expect} ${r.result.reach}`), [
      'web→api:8080 reach true',
      'api→db:5432 reach true',
      'web→db:5432 blocked false',
    ]);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

const SHAPED = `
name: shaped
services:
  a: {}
  b: {}
  c: {}
  d: {}
x-links:
  - endpoints: ["a:eth1", "b:eth1"]
    ipv4: [10.61.0.1/30, 10.61.0.2/30]
    x-netem: { rate: 8mbit }
  - endpoints: ["c:eth1", "d:eth1"]
    ipv4: [10.62.0.1/30, 10.62.0.2/30]
`;

/** Bytes that go from one namespace to another over TCP in a fixed window. */
async function bytesInWindow(host: Host, from: string, to: string, address: string, seconds: number): Promise<number> {
  const out = path.join(host.dir, `rx-${to}-${Date.now()}`);
  // The receiver counts what arrives until the sender goes away.
  await sh(host, `(ip netns exec ${to} socat -u TCP-LISTEN:5001,reuseaddr SYSTEM:'wc -c > ${out}' </dev/null >/dev/null 2>&1 &) ; sleep 0.3`);
  await host.sh(`ip netns exec ${from} timeout ${seconds} socat -u /dev/zero TCP:${address}:5001`, { timeoutMs: 30_000 });
  for (let i = 0; i < 100 && !(fs.existsSync(out) && fs.readFileSync(out, 'utf8').trim()); i++) await new Promise((r) => setTimeout(r, 100));
  return Number(fs.readFileSync(out, 'utf8').trim());
}

testNeeding('tbf')('a rate limit caps throughput; changing it is applied live by the next up', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, SHAPED);
    await ok(host, dir, ['up', '-d']);
    const window = 3;
    const shaped = await bytesInWindow(host, nsOf('shaped', 'a'), nsOf('shaped', 'b'), '10.61.0.2', window);
    const free = await bytesInWindow(host, nsOf('shaped', 'c'), nsOf('shaped', 'd'), '10.62.0.2', window);
    const expected = (8_000_000 / 8) * window; // bytes the rate allows in the window
    t.log(`8mbit link: ${shaped} bytes in ${window} s; unshaped link: ${free} bytes`);
    t.true(shaped > expected * 0.5 && shaped < expected * 1.5, `shaped: ${shaped} bytes, expected about ${expected}`);
    t.true(free > shaped * 2.5, 'an unshaped link is much faster (2.5×: a loaded 2-core CI machine limits the copy itself)');

    const before = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout).map((c: any) => c.pid);
    const [linkBefore] = await host.ipJson(['-n', nsOf('shaped', 'a'), 'link', 'show', 'eth1']);
    fs.writeFileSync(path.join(dir, 'compose.yaml'), SHAPED.replace('rate: 8mbit', 'rate: 32mbit'));
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.deepEqual(plan.waves.flat().map((a: any) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
      'qdisc.replace eth1 of shaped-a-1: tbf rate 8mbit → tbf rate 32mbit',
      'qdisc.replace eth1 of shaped-b-1: tbf rate 8mbit → tbf rate 32mbit',
    ]);
    await ok(host, dir, ['up', '-d']);
    const qdisc = JSON.parse(await sh(host, `tc -j -n ${nsOf('shaped', 'a')} qdisc show dev eth1`));
    t.is(qdisc[0].options.rate, 32_000_000 / 8);
    t.deepEqual(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout).map((c: any) => c.pid), before, 'nothing restarted');
    const [linkAfter] = await host.ipJson(['-n', nsOf('shaped', 'a'), 'link', 'show', 'eth1']);
    t.is(linkAfter.ifindex, linkBefore.ifindex, 'the link was not recreated');
    const faster = await bytesInWindow(host, nsOf('shaped', 'a'), nsOf('shaped', 'b'), '10.61.0.2', window);
    t.log(`32mbit link: ${faster} bytes in ${window} s`);
    t.true(faster > expected * 4 * 0.5 && faster < expected * 4 * 1.5, `after the change: ${faster} bytes, expected about ${expected * 4}`);

    // Without x-netem the qdisc goes, in place too.
    fs.writeFileSync(path.join(dir, 'compose.yaml'), SHAPED.replace('    x-netem: { rate: 8mbit }\n', ''));
    await ok(host, dir, ['up', '-d']);
    t.not(JSON.parse(await sh(host, `tc -j -n ${nsOf('shaped', 'a')} qdisc show dev eth1`))[0].kind, 'tbf');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

const IMPAIRED = SHAPED.replace('x-netem: { rate: 8mbit }', 'x-netem: { delay: 40ms, loss: 0% }');

testNeeding('no-netem')('without sch_netem, delay is a plan error naming the missing module, and nothing is made', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, IMPAIRED);
    const r = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(r.code, 4);
    t.regex(r.stderr, /compose\.yaml:11:5 x-links\.0\.x-netem: delay, loss need the netem qdisc, and this kernel has no sch_netem/);
    t.regex(r.stderr, /CONFIG_NET_SCH_NETEM/);
    t.deepEqual(await leftovers(host), []);
    // A rate alone still works on this kernel.
    fs.writeFileSync(path.join(dir, 'compose.yaml'), SHAPED);
    await ok(host, dir, ['up', '-d']);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('netem')('with sch_netem, delay shows in the round trip and changes live', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, IMPAIRED);
    await ok(host, dir, ['up', '-d']);
    const rtt = async () => {
      const out = await sh(host, `ip netns exec ${nsOf('shaped', 'a')} ping -c3 -i0.2 -W2 10.61.0.2`);
      return Number(/= [\d.]+\/([\d.]+)\//.exec(out)![1]);
    };
    t.true((await rtt()) >= 80, 'two delayed directions of 40 ms');
    fs.writeFileSync(path.join(dir, 'compose.yaml'), IMPAIRED.replace('delay: 40ms', 'delay: 5ms'));
    await ok(host, dir, ['up', '-d']);
    const after = await rtt();
    t.true(after >= 10 && after < 60);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a link deleted behind our back is recreated by the next up, without restarting anything', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, example('triangle'));
    await ok(host, dir, ['up', '-d']);
    const before = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout).map((c: any) => c.pid);
    await sh(host, `ip -n ${nsOf('triangle', 'r3')} link del eth1`);
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    const acts = plan.waves.flat().map((a: any) => `${a.kind} ${a.target}`);
    t.true(acts.includes('p2p.create triangle-r1-1:eth2 — triangle-r3-1:eth1'));
    t.false(acts.some((a: string) => a.startsWith('container.')));
    await ok(host, dir, ['up', '-d']);
    await sh(host, `ip netns exec ${nsOf('triangle', 'h1')} ping -c1 -W2 10.3.0.10`);
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    t.deepEqual(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout).map((c: any) => c.pid), before);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

for (const fault of ['mid:p2p.create', 'after-wave:2', 'after-wave:3']) {
  test(`down after up was SIGKILLed (${fault}) leaves nothing behind, and the lab comes up afterwards`, async (t) => {
    await withHost(t, async (host) => {
      const dir = writeCompose(host, example('triangle'));
      const crashed = await host.tscompose(['up', '-d'], { cwd: dir, env: { TSCOMPOSE_FAULT: fault } });
      t.true(crashed.signal === 'SIGKILL' || crashed.code === 137, `up should have been killed: ${crashed.stderr}`);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
      await host.tscompose(['up', '-d'], { cwd: dir, env: { TSCOMPOSE_FAULT: fault } });
      await ok(host, dir, ['up', '-d']);
      await sh(host, `ip netns exec ${nsOf('triangle', 'h1')} ping -c1 -W2 10.3.0.10`);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
    });
  });
}

for (const args of [['line', '--nodes', '5'], ['ring', '--nodes', '6'], ['tree', '--nodes', '7', '--fanout', '2'], ['leaf-spine', '--spines', '2', '--leaves', '3', '--hosts', '2']]) {
  test(`scripts/gen-lab ${args.join(' ')} --routes: every node reaches every other, as verify checks`, async (t) => {
    await withHost(t, async (host) => {
      const gen = spawnSync(path.join(repoRoot, 'scripts', 'gen-lab'), ['--topology', ...args, '--routes'], { encoding: 'utf8' });
      t.is(gen.status, 0, gen.stderr);
      const dir = writeCompose(host, gen.stdout);
      await ok(host, dir, ['up', '-d']);
      const report = JSON.parse((await ok(host, dir, ['verify', '--json'])).stdout);
      t.true(report.ok);
      const derived = (report.results as any[]).filter((r) => r.verify === undefined);
      // Routers on /31s with full routing: only leaf-spine has unrouted transfer subnets.
      if (args[0] !== 'leaf-spine') t.true(derived.every((r) => r.expect === 'reach' && r.result.reach));
      t.true(derived.filter((r) => r.expect === 'reach').length > 0);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
    });
  });
}
