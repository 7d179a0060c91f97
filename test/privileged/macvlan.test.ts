/**
 * macvlan and ipvlan networks, each test in its own throwaway host. The
 * parent is one end of a veth pair made in the host; the other end sits in
 * a namespace "lan" that plays the LAN (it holds the gateway address).
 * Asserted with ip and ping, never with tscompose's own netlink code.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testNeeding, withHost, type Host } from '../helpers/host';
import { lan, PARENT, ping } from '../helpers/lan';

const ns = (service: string) => `tsc.ml.${service}.1`;

function stack(driver: string, opts: string): string {
  return `
name: ml
services:
  a:
    command: ["sleep", "infinity"]
    networks:
      lan:
        ipv4_address: 192.168.77.10
  b:
    command: ["sleep", "infinity"]
    networks: [lan]
networks:
  lan:
    driver: ${driver}
    driver_opts: {parent: ${PARENT}${opts}}
    ipam:
      config:
        - subnet: 192.168.77.0/24
          gateway: 192.168.77.1
`;
}

function writeCompose(host: Host, text: string): string {
  const dir = path.join(host.dir, 'project');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
  return dir;
}

test('macvlan (bridge mode): each container has a macvlan on the parent; they reach each other and the LAN reaches them', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.77.1/24']);
    const dir = writeCompose(host, stack('macvlan', ''));
    const up = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(up.code, 0, up.stderr + up.stdout);
    const [parent] = await host.ipJson(['link', 'show', PARENT]);
    for (const [svc, addr] of [['a', '192.168.77.10'], ['b', '192.168.77.2']] as const) {
      const [link] = await host.ipJson(['-n', ns(svc), '-d', 'addr', 'show', 'eth0']);
      t.is(link.linkinfo.info_kind, 'macvlan');
      t.is(link.linkinfo.info_data.mode, 'bridge');
      t.is(link.link_index, parent.ifindex, 'sits on the parent');
      t.true(link.addr_info.some((a: any) => a.local === addr && a.prefixlen === 24), `${svc} has ${addr}`);
    }
    const routes = await host.ipJson(['-n', ns('a'), 'route', 'show', 'default']);
    t.is(routes[0]?.gateway, '192.168.77.1');
    t.true(await ping(host, ns('a'), '192.168.77.2'), 'a reaches b');
    t.true(await ping(host, ns('b'), '192.168.77.10'), 'b reaches a');
    t.true(await ping(host, 'lan', '192.168.77.10'), 'the LAN reaches a');
    t.true(await ping(host, 'lan', '192.168.77.2'), 'the LAN reaches b');
    // Nothing of ours on the host: no bridge, no veth, the parent untouched.
    const hostLinks = await host.ipJson(['link', 'show']);
    t.deepEqual(hostLinks.map((l: any) => l.ifname).sort(), ['lo', PARENT]);
    const down = await host.tscompose(['down'], { cwd: dir });
    t.is(down.code, 0, down.stderr);
    t.deepEqual((await host.ipJson(['link', 'show'])).map((l: any) => l.ifname).sort(), ['lo', PARENT]);
    t.deepEqual((await host.ipJson(['-n', 'lan', 'link', 'show'])).map((l: any) => l.ifname).sort(), ['lo', 'tsc-up1']);
  });
});

test('macvlan private mode: containers on the parent no longer reach each other, but the LAN still reaches them; up applies the change', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.77.1/24']);
    const dir = writeCompose(host, stack('macvlan', ''));
    t.is((await host.tscompose(['up', '-d'], { cwd: dir })).code, 0);
    writeCompose(host, stack('macvlan', ', macvlan_mode: private'));
    const up = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(up.code, 0, up.stderr + up.stdout);
    const [link] = await host.ipJson(['-n', ns('a'), '-d', 'link', 'show', 'eth0']);
    t.is(link.linkinfo.info_data.mode, 'private');
    t.true(await ping(host, 'lan', '192.168.77.10'), 'the LAN reaches a');
    const r = await host.run(['ip', 'netns', 'exec', ns('a'), 'ping', '-c', '1', '-W', '2', '192.168.77.2']);
    t.not(r.code, 0, 'a does not reach b in private mode');
  });
});

test('a parent that does not exist is a clear error at its line, and nothing is changed', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, stack('macvlan', ''));
    const r = await host.tscompose(['up', '-d'], { cwd: dir });
    t.not(r.code, 0);
    t.regex(r.stderr, /compose\.yaml:\d+:\d+ networks\.lan\.driver_opts\.parent: parent tsc-up0 of macvlan network lan does not exist on this host/);
    t.deepEqual((await host.run(['ip', 'netns', 'list'])).stdout.trim(), '');
    t.deepEqual((await host.ipJson(['link', 'show'])).map((l: any) => l.ifname), ['lo']);
  });
});

test('plan --json shows the macvlan interfaces to create, with parent and mode', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.77.1/24']);
    const dir = writeCompose(host, stack('macvlan', ', macvlan_mode: vepa'));
    const r = await host.tscompose(['plan', '--json'], { cwd: dir });
    t.is(r.code, 0, r.stderr);
    const creates = JSON.parse(r.stdout).waves.flat().filter((a: any) => a.kind === 'lowerlink.create');
    t.deepEqual(creates.map((a: any) => [a.container, a.driver, a.parent, a.mode]), [
      ['ml-a-1', 'macvlan', PARENT, 'vepa'],
      ['ml-b-1', 'macvlan', PARENT, 'vepa'],
    ]);
  });
});

testNeeding('no-ipvlan')('ipvlan on a kernel without it: a clear error before anything is changed', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.77.1/24']);
    const dir = writeCompose(host, stack('ipvlan', ''));
    const r = await host.tscompose(['up', '-d'], { cwd: dir });
    t.not(r.code, 0);
    t.regex(r.stderr, /networks\.lan\.driver: this kernel has no ipvlan driver/);
    t.deepEqual((await host.run(['ls', '/run/netns'])).stdout.trim(), 'lan', 'no container namespace was made');
  });
});

testNeeding('ipvlan')('ipvlan (l2, bridge): containers reach each other and the LAN reaches them', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.77.1/24']);
    const dir = writeCompose(host, stack('ipvlan', ', ipvlan_mode: l2'));
    const up = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(up.code, 0, up.stderr + up.stdout);
    const [link] = await host.ipJson(['-n', ns('a'), '-d', 'link', 'show', 'eth0']);
    t.is(link.linkinfo.info_kind, 'ipvlan');
    t.true(await ping(host, ns('a'), '192.168.77.2'), 'a reaches b');
    t.true(await ping(host, 'lan', '192.168.77.10'), 'the LAN reaches a');
  });
});
