/**
 * Joining another tscompose project's dual-stack or IPv6-only network
 * (`external: true` by its name): the joiner's containers get the owner's
 * families, as Docker gives every endpoint on a network both, and resolve
 * and ping6 the owner's containers by name. Asserted with ip, dig and ping
 * inside the containers. Each test in its own throwaway host.
 */
import type { ExecutionContext } from 'ava';
import { testNeeding, withHost, type Host } from '../helpers/host';
import { leftovers, ok, writeProject } from '../helpers/containers';
import { joinerFile } from '../helpers/joiner';

const owner = (v4: boolean) => `
name: own
services:
  api:
    command: ["sleep", "infinity"]
    networks: [front]
networks:
  front:
    enable_ipv6: true
${v4 ? '' : '    enable_ipv4: false\n'}    ipam:
      config:
        - subnet: fd42:77::/64
`;

async function inside(host: Host, dir: string, service: string, cmd: string): Promise<string> {
  const r = await host.tscompose(['exec', '-T', service, 'sh', '-c', cmd], { cwd: dir, timeoutMs: 30_000 });
  return r.stdout.trim();
}

/** Asks until the answer is `want` (a loaded machine may be slow the first time); the last answer. */
async function settled(get: () => Promise<string>, want: string): Promise<string> {
  let got = '';
  for (let i = 0; i < 10; i++) {
    got = await get();
    if (got === want) return got;
    await new Promise((r) => setTimeout(r, 300));
  }
  return got;
}

/** A namespace's global addresses of one family on ifname. */
async function addrs(host: Host, netns: string, family: 'inet' | 'inet6', ifname = 'eth0'): Promise<string[]> {
  const [link] = await host.ipJson(['-n', netns, 'addr', 'show', ifname]);
  return link.addr_info.filter((a: any) => a.family === family && a.scope === 'global').map((a: any) => a.local as string);
}

async function joinAndPing(t: ExecutionContext, v4: boolean): Promise<void> {
  await withHost(t, async (host) => {
    const own = writeProject(host, owner(v4), 'own');
    const join = writeProject(host, joinerFile('join', 'own_front'), 'join');
    await ok(host, own, ['up', '-d']);
    await ok(host, join, ['up', '-d']);
    const [apiV6] = await addrs(host, 'tsc.own.api.1', 'inet6');
    const clientV6 = await addrs(host, 'tsc.join.client.1', 'inet6');
    t.is(clientV6.length, 1, 'the joiner has one IPv6 address on the owner\'s network');
    t.regex(clientV6[0]!, /^fd42:77::/);
    t.not(clientV6[0], apiV6);
    const clientV4 = await addrs(host, 'tsc.join.client.1', 'inet');
    if (v4) t.is(clientV4.length, 1, 'IPv4 too on a dual-stack network');
    else t.deepEqual(clientV4, [], 'no IPv4 on an IPv6-only network');
    // IPv6 default route via the owner's IPv6 gateway.
    const routes = await host.ipJson(['-n', 'tsc.join.client.1', '-6', 'route', 'show', 'default']);
    t.is(routes[0]?.gateway, 'fd42:77::1');
    // Names across projects: AAAA of the owner's container, ping6 by name.
    t.is(await settled(() => inside(host, join, 'client', 'dig +time=3 +tries=2 +short AAAA api'), apiV6!), apiV6);
    const ping = await host.tscompose(['exec', '-T', 'client', 'ping', '-6', '-c', '1', '-W', '5', 'api'], { cwd: join, timeoutMs: 30_000 });
    t.is(ping.code, 0, ping.stdout + ping.stderr);
    t.true(ping.stdout.includes(apiV6!));
    await ok(host, join, ['down']);
    await ok(host, own, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
}

testNeeding('ipv6')('a project joins another project\'s dual-stack network: IPv4 and IPv6, ping6 of the owner\'s container by name', async (t: ExecutionContext) => {
  await joinAndPing(t, true);
});

testNeeding('ipv6')('a project joins another project\'s IPv6-only network: no IPv4, ping6 of the owner\'s container by name', async (t: ExecutionContext) => {
  await joinAndPing(t, false);
});
