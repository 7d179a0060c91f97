/**
 * The network slice end to end, each test in its own throwaway host:
 * a bridged stack, kernel state checked with `ip -j`, idempotence, drift
 * repair, and crash safety. Everything is asserted with iproute2 and files,
 * never with tscompose's own netlink code.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { leftovers, ok, tsc, writeProject as writeCompose } from '../helpers/containers';

const STACK = `
name: stack
services:
  server:
    command: ["socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo hello from $$(hostname)"]
    networks:
      front:
        aliases: [api]
  client:
    depends_on: [server]
    networks: [front, back]
  db:
    networks:
      back:
        ipv4_address: 10.77.1.10
    sysctls:
      net.ipv4.ip_forward: 1
networks:
  front:
    driver_opts:
      com.docker.network.driver.mtu: "1400"
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.77.1.0/24
`;

test('a bridged stack: kernel objects as the file says, and services reach each other by name over TCP', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Network stack_front {2}Created/);
    t.regex(up.stderr, /Container stack-server-1 {2}Started/);

    const links = await host.ipJson(['-d', 'link', 'show']);
    const bridges = links.filter((l: any) => l.linkinfo?.info_kind === 'bridge');
    t.is(bridges.length, 2);
    for (const b of bridges) {
      t.regex(b.ifname, /^tsc-b-[0-9a-f]{9}$/);
      t.regex(b.ifalias, /^tscompose:stack:network:(front|back)$/);
      t.is(b.linkinfo.info_data.stp_state, 0);
      t.true(b.flags.includes('UP'));
    }
    const front = bridges.find((b: any) => b.ifalias.endsWith(':front'));
    t.is(front.mtu, 1400);
    const addrs = await host.ipJson(['addr', 'show', 'dev', front.ifname]);
    t.deepEqual(
      addrs[0].addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`),
      ['172.18.0.1/16'],
    );
    const veths = links.filter((l: any) => l.linkinfo?.info_kind === 'veth');
    t.is(veths.length, 4); // server, client×2, db
    t.true(veths.every((v: any) => v.master && /^tscompose:stack:veth:/.test(v.ifalias)));

    const nsList = (await host.ipJson(['netns', 'list'])).map((n: any) => n.name).sort();
    t.deepEqual(nsList, ['tsc.stack.client.1', 'tsc.stack.db.1', 'tsc.stack.server.1']);

    // Attachments are ordered as Compose orders them (priority, then network name): back is eth0.
    const clientLinks = await host.ipJson(['-n', 'tsc.stack.client.1', 'addr', 'show']);
    t.deepEqual(clientLinks.map((l: any) => l.ifname), ['lo', 'eth0', 'eth1']);
    t.true(clientLinks.every((l: any) => l.flags.includes('UP')));
    const eth1 = clientLinks.find((l: any) => l.ifname === 'eth1');
    t.is(eth1.mtu, 1400);
    t.regex(eth1.address, /^02:/);
    t.true(clientLinks.find((l: any) => l.ifname === 'eth0').addr_info.some((a: any) => a.local.startsWith('10.77.1.')));
    // The default route goes through the non-internal network.
    const routes = await host.ipJson(['-n', 'tsc.stack.client.1', 'route', 'show', 'default']);
    t.deepEqual(routes.map((r: any) => `${r.gateway} ${r.dev}`), ['172.18.0.1 eth1']);
    // The internal network gives no default route.
    t.deepEqual(await host.ipJson(['-n', 'tsc.stack.db.1', 'route', 'show', 'default']), []);
    const dbAddr = await host.ipJson(['-n', 'tsc.stack.db.1', 'addr', 'show', 'eth0']);
    t.true(dbAddr[0].addr_info.some((a: any) => a.local === '10.77.1.10' && a.prefixlen === 24));
    // Namespaced sysctl applied inside the namespace only.
    t.is((await host.sh('ip netns exec tsc.stack.db.1 cat /proc/sys/net/ipv4/ip_forward')).stdout.trim(), '1');

    // By name, over TCP, through the generated /etc/hosts: service name and alias.
    for (const name of ['server', 'api', 'stack-server-1']) {
      const r = await ok(host, dir, ['exec', '-T', 'client', 'socat', '-u', `TCP:${name}:8080`, '-']);
      t.is(r.stdout.trim(), 'hello from server');
    }
    // Generated files are bind-mounted read-only.
    const ro = await tsc(host, dir, ['exec', '-T', 'client', 'sh', '-c', 'echo x >> /etc/hosts']);
    t.not(ro.code, 0);
    t.regex(ro.stderr, /Read-only file system/);
    const hostname = await ok(host, dir, ['exec', '-T', 'db', 'cat', '/etc/hostname']);
    t.is(hostname.stdout, 'db\n');
    // exec passes the exit code through.
    t.is((await tsc(host, dir, ['exec', '-T', 'client', 'sh', '-c', 'exit 3'])).code, 3);

    const ps = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
    t.deepEqual(ps.map((c: any) => `${c.name} ${c.state}`), ['stack-client-1 running', 'stack-db-1 running', 'stack-server-1 running']);

    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('shims live in a mount namespace without the /run/netns mounts, which containers would otherwise copy', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const hostMounts = await host.sh('grep -c " /run/netns/" /proc/self/mountinfo');
    t.is(Number(hostMounts.stdout.trim()), 3, 'the host holds one mount per namespace');
    const shim = (await host.sh('cut -d" " -f1 /run/tscompose/stack/containers/stack-server-1/shim.pid')).stdout.trim();
    const inShim = await host.sh(`grep -c " /run/netns" /proc/${shim}/mountinfo || true`);
    t.is(inShim.stdout.trim(), '0');
    // And the containers still joined their namespaces (reached through the CLI's root at launch).
    const r = await ok(host, dir, ['exec', '-T', 'client', 'socat', '-u', 'TCP:server:8080', '-']);
    t.is(r.stdout.trim(), 'hello from server');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('up twice is a no-op, and the second plan is empty', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const before = (await host.ipJson(['-d', 'link', 'show'])).map((l: any) => `${l.ifindex} ${l.ifname}`);
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.deepEqual(plan, { version: 1, project: 'stack', waves: [] });
    const again = await ok(host, dir, ['up', '-d']);
    t.notRegex(again.stderr, /Created|Started/);
    t.regex(again.stderr, /Container stack-server-1 {2}Running/);
    const after = (await host.ipJson(['-d', 'link', 'show'])).map((l: any) => `${l.ifindex} ${l.ifname}`);
    t.deepEqual(after, before, 'no link was recreated');
    await ok(host, dir, ['down']);
  });
});

test('drift is repaired: a deleted veth, a bridge set down, a deleted namespace', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const links = await host.ipJson(['-d', 'link', 'show']);
    const serverVeth = links.find((l: any) => l.ifalias === 'tscompose:stack:veth:stack-server-1:front').ifname;
    const front = links.find((l: any) => l.ifalias === 'tscompose:stack:network:front').ifname;
    await host.run(['ip', 'link', 'del', serverVeth]);
    await host.run(['ip', 'link', 'set', front, 'down']);

    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    const acts = plan.waves.flat().map((a: any) => `${a.kind} ${a.target}: ${a.reason}`).sort();
    t.deepEqual(acts, [
      `addr.add eth0 of stack-server-1: address 172.18.0.3/16`,
      `bridge.update ${front}: drifted: link down`,
      'route.replace default route of stack-server-1: via 172.18.0.1 dev eth0',
      'veth.create eth0 of stack-server-1: missing',
    ]);
    await ok(host, dir, ['up', '-d']);
    const r = await ok(host, dir, ['exec', '-T', 'client', 'socat', '-u', 'TCP:server:8080', '-']);
    t.is(r.stdout.trim(), 'hello from server', 'the server is reachable again, without a restart');

    await host.run(['ip', 'netns', 'del', 'tsc.stack.db.1']);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Container stack-db-1 {2}Stopped \(network namespace recreated\)/);
    t.regex(up.stderr, /Container stack-db-1 {2}Started/);
    const dbAddr = await host.ipJson(['-n', 'tsc.stack.db.1', 'addr', 'show', 'eth0']);
    t.true(dbAddr[0].addr_info.some((a: any) => a.local === '10.77.1.10'));
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('editing one service changes only that service', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const pidsBefore = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
    writeCompose(host, STACK.replace('ipv4_address: 10.77.1.10', 'ipv4_address: 10.77.1.20'));
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    const touched = new Set(plan.waves.flat().filter((a: any) => a.container).map((a: any) => a.container));
    // The DNS server learns db's new address (no container is restarted for it); db's bridge port is pinned to it (the firewall).
    t.deepEqual(plan.waves.flat().filter((a: any) => !a.container).map((a: any) => a.kind).sort(), ['dns.reload', 'firewall.apply']);
    // db's address changes; client shares `back` with db, so only its /etc/hosts is rewritten.
    t.deepEqual([...touched].sort(), ['stack-client-1', 'stack-db-1']);
    t.true(plan.waves.flat().filter((a: any) => a.container === 'stack-client-1').every((a: any) => a.kind === 'files.write'));
    await ok(host, dir, ['up', '-d']);
    const pidsAfter = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
    t.deepEqual(
      pidsAfter.map((c: any) => c.pid),
      pidsBefore.map((c: any) => c.pid),
      'no process was restarted for an address change',
    );
    const hosts = await ok(host, dir, ['exec', '-T', 'client', 'cat', '/etc/hosts']);
    t.regex(hosts.stdout, /10\.77\.1\.20\tdb stack-db-1/);
    await ok(host, dir, ['down']);
  });
});

for (const fault of ['mid:bridge.create', 'mid:netns.create', 'mid:veth.create', 'after-wave:2', 'after-wave:4', 'after-wave:5']) {
  test(`down after up was SIGKILLed (${fault}) leaves nothing behind`, async (t) => {
    await withHost(t, async (host) => {
      const dir = writeCompose(host, STACK);
      const crashed = await tsc(host, dir, ['up', '-d'], { env: { TSCOMPOSE_FAULT: fault } });
      t.is(crashed.signal === 'SIGKILL' || crashed.code === 137, true, `up should have been killed: ${crashed.stderr}`);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
      // And the project comes up cleanly afterwards.
      await ok(host, dir, ['up', '-d']);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
    });
  });
}

test('a crashed up is finished by the next up', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await tsc(host, dir, ['up', '-d'], { env: { TSCOMPOSE_FAULT: 'mid:veth.create' } });
    await ok(host, dir, ['up', '-d']);
    const r = await ok(host, dir, ['exec', '-T', 'client', 'socat', '-u', 'TCP:server:8080', '-']);
    t.is(r.stdout.trim(), 'hello from server');
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('down is idempotent and works without the file', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    fs.rmSync(path.join(dir, 'compose.yaml'));
    await ok(host, dir, ['-p', 'stack', 'down']);
    await ok(host, dir, ['-p', 'stack', 'down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a bad file is rejected with file:line:col and changes nothing', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK.replace('ipv4_address: 10.77.1.10', 'ipv4_address: 10.77.1.300'));
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:\d+:\d+ services\.db\.networks\.back\.ipv4_address: .*10\.77\.1\.300/);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a plan error (subnet overlapping a host route) changes nothing', async (t) => {
  await withHost(t, async (host) => {
    // Someone else's network on the host (this kernel has no dummy driver: a bare bridge does).
    await host.sh('ip link add tscfar0 type bridge && ip addr add 10.77.0.1/16 dev tscfar0 && ip link set tscfar0 up');
    const dir = writeCompose(host, STACK);
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 4);
    t.regex(r.stderr, /networks\.back\.ipam\.config\.0\.subnet: 10\.77\.1\.0\/24 overlaps the host route 10\.77\.0\.0\/16 dev tscfar0/);
    await host.run(['ip', 'link', 'del', 'tscfar0']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('drift is repaired: a bridge port out of hairpin mode, and one taken off its bridge', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const vethOf = async (container: string) => {
      const links = await host.ipJson(['-d', 'link', 'show']);
      return links.find((l: any) => l.ifalias === `tscompose:stack:veth:${container}:front`);
    };
    const server = (await vethOf('stack-server-1')).ifname;
    const client = (await vethOf('stack-client-1')).ifname;
    t.true((await vethOf('stack-server-1')).linkinfo.info_slave_data.hairpin, 'up sets hairpin mode');
    await host.run(['ip', 'link', 'set', 'dev', server, 'type', 'bridge_slave', 'hairpin', 'off']);
    await host.run(['ip', 'link', 'set', 'dev', client, 'nomaster']);

    const check = await host.tscompose(['check'], { cwd: dir });
    t.is(check.code, 7, check.stderr + check.stdout);
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    const front = (await host.ipJson(['-d', 'link', 'show'])).find((l: any) => l.ifalias === 'tscompose:stack:network:front').ifname;
    t.deepEqual(plan.waves.flat().map((a: any) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
      `link.update ${client}: drifted: not on bridge ${front}`,
      `link.update ${server}: drifted: hairpin off`,
    ].sort());
    await ok(host, dir, ['up', '-d']);
    for (const c of ['stack-server-1', 'stack-client-1']) {
      const l = await vethOf(c);
      t.is(l.master, front, c);
      t.true(l.linkinfo.info_slave_data.hairpin, c);
    }
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
