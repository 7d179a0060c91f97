/**
 * macvlan networks with IPv6 and `internal`, each test in its own throwaway
 * host. The parent is one end of a veth pair made in the host; the other
 * end sits in a namespace "lan" that plays the LAN (it holds the gateways).
 * Asserted with ip and ping, never with tscompose's own netlink code.
 */
import test from 'ava';
import { withHost, type Host } from '../helpers/host';
import { lan, PARENT, ping } from '../helpers/lan';
import { tsc, writeProject } from '../helpers/containers';

const ns = (service: string) => `tsc.m6.${service}.1`;

function stack(network: string): string {
  return `
name: m6
services:
  a:
    command: ["sleep", "infinity"]
    networks:
      lan:
        ipv4_address: 192.168.78.10
        ipv6_address: fd78::10
  b:
    command: ["sleep", "infinity"]
    networks: [lan]
networks:
  lan:
    driver: macvlan
${network}
    ipam:
      config:
        - subnet: 192.168.78.0/24
          gateway: 192.168.78.1
        - subnet: fd78::/64
          gateway: fd78::1
`;
}

const globals6 = async (host: Host, netns: string) =>
  (await host.ipJson(['-6', '-n', netns, 'addr', 'show', 'dev', 'eth0']))[0].addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`);

test('macvlan with enable_ipv6: static and allocated IPv6 addresses, the ipam gateway as IPv6 default route; they ping each other and the LAN', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.78.1/24', 'fd78::1/64']);
    const dir = writeProject(host, stack(`    enable_ipv6: true\n    driver_opts: {parent: ${PARENT}}`));
    const up = await tsc(host, dir, ['up', '-d']);
    t.is(up.code, 0, up.stderr + up.stdout);
    t.deepEqual(await globals6(host, ns('a')), ['fd78::10/64']);
    t.deepEqual(await globals6(host, ns('b')), ['fd78::2/64']);
    const [link] = await host.ipJson(['-n', ns('b'), '-d', 'link', 'show', 'eth0']);
    t.is(link.linkinfo.info_kind, 'macvlan');
    t.is((await host.ipJson(['-6', '-n', ns('b'), 'route', 'show', 'default']))[0]?.gateway, 'fd78::1');
    t.true(await ping(host, ns('a'), 'fd78::2'), 'a reaches b over IPv6');
    t.true(await ping(host, ns('b'), 'fd78::10'), 'b reaches a over IPv6');
    t.true(await ping(host, 'lan', 'fd78::10'), 'the LAN reaches a over IPv6');
    t.true(await ping(host, ns('b'), '192.168.78.10'), 'and over IPv4');
    t.is((await tsc(host, dir, ['down'])).code, 0);
    t.deepEqual((await host.ipJson(['link', 'show'])).map((l: any) => l.ifname).sort(), ['lo', PARENT]);
  });
});

test('internal macvlan: on its parent, no default route (IPv4 or IPv6), containers still reach each other', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.78.1/24', 'fd78::1/64']);
    const dir = writeProject(host, stack(`    internal: true\n    enable_ipv6: true\n    driver_opts: {parent: ${PARENT}}`));
    const up = await tsc(host, dir, ['up', '-d']);
    t.is(up.code, 0, up.stderr + up.stdout);
    for (const svc of ['a', 'b']) {
      t.deepEqual(await host.ipJson(['-4', '-n', ns(svc), 'route', 'show', 'default']), [], `${svc}: no IPv4 default route`);
      t.deepEqual(await host.ipJson(['-6', '-n', ns(svc), 'route', 'show', 'default']), [], `${svc}: no IPv6 default route`);
    }
    t.true(await ping(host, ns('a'), '192.168.78.2'), 'a reaches b');
    t.true(await ping(host, ns('b'), 'fd78::10'), 'b reaches a over IPv6');
    t.is((await tsc(host, dir, ['down'])).code, 0);
  });
});

/** Whether this kernel makes dummy links (asked in the throwaway host, as ip would). */
async function kernelHasDummy(host: Host): Promise<boolean> {
  const r = await host.sh('ip link add tscprobe0 type dummy && ip link del tscprobe0');
  return r.code === 0;
}

test('internal macvlan without parent: a dummy parent where the kernel has dummy links, else a clear error and nothing changed', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, stack('    internal: true\n    enable_ipv6: true'));
    const up = await tsc(host, dir, ['up', '-d']);
    if (!(await kernelHasDummy(host))) {
      t.not(up.code, 0);
      t.regex(up.stderr, /compose\.yaml:\d+:\d+ networks\.lan\.driver: .*this kernel has no dummy link driver \(CONFIG_DUMMY/);
      t.deepEqual((await host.ipJson(['link', 'show'])).map((l: any) => l.ifname), ['lo'], 'nothing made on the host');
      t.is((await host.sh('ls -A /run/netns 2>/dev/null')).stdout.trim(), '', 'no namespace made');
      return;
    }
    t.is(up.code, 0, up.stderr + up.stdout);
    const dummies = await host.ipJson(['-d', 'link', 'show', 'type', 'dummy']);
    t.is(dummies.length, 1);
    const [eth0] = await host.ipJson(['-n', ns('b'), 'link', 'show', 'eth0']);
    t.is(eth0.link_index, dummies[0].ifindex, 'the macvlan sits on the dummy');
    t.deepEqual(await host.ipJson(['-4', '-n', ns('b'), 'route', 'show', 'default']), []);
    t.true(await ping(host, ns('a'), '192.168.78.2'), 'a reaches b');
    t.is((await tsc(host, dir, ['down'])).code, 0);
    t.deepEqual(await host.ipJson(['link', 'show', 'type', 'dummy']), [], 'down removes the dummy');
  });
});

test('IPv6-only macvlan (enable_ipv4: false): no IPv4 on the interfaces, they ping6 each other and the LAN', async (t) => {
  await withHost(t, async (host) => {
    await lan(host, ['192.168.78.1/24', 'fd78::1/64']);
    const dir = writeProject(
      host,
      `
name: m6
services:
  a:
    command: ["sleep", "infinity"]
    networks:
      lan: {ipv6_address: fd78::10}
  b:
    command: ["sleep", "infinity"]
    networks: [lan]
networks:
  lan:
    driver: macvlan
    enable_ipv4: false
    enable_ipv6: true
    driver_opts: {parent: ${PARENT}}
    ipam: {config: [{subnet: fd78::/64, gateway: fd78::1}]}
`,
    );
    const up = await tsc(host, dir, ['up', '-d']);
    t.is(up.code, 0, up.stderr + up.stdout);
    for (const svc of ['a', 'b']) t.deepEqual(await host.ipJson(['-4', '-n', ns(svc), 'addr', 'show', 'dev', 'eth0']), [], `${svc}: no IPv4 on eth0`);
    t.deepEqual(await globals6(host, ns('b')), ['fd78::2/64']);
    t.is((await host.ipJson(['-6', '-n', ns('a'), 'route', 'show', 'default']))[0]?.gateway, 'fd78::1');
    t.true(await ping(host, ns('b'), 'fd78::10'), 'b reaches a');
    t.true(await ping(host, 'lan', 'fd78::2'), 'the LAN reaches b');
    t.is((await tsc(host, dir, ['down'])).code, 0);
  });
});
