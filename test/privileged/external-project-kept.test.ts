/**
 * The owner's `down` while other projects are still on its network: the
 * network stays, usable by name, as Docker Compose leaves a network that
 * is "still in use": a joiner may go down and come up again while the
 * bridge is there, the owner's next `up` re-adopts it without recreating
 * it, and once the last user is down nothing is left. Each test in its
 * own throwaway host.
 */
import test from 'ava';
import { withHost, type Host } from '../helpers/host';
import { leftovers, ok, writeProject } from '../helpers/containers';
import { joinerFile } from '../helpers/joiner';

const OWNER = `
name: own
services:
  api:
    command: ["sleep", "infinity"]
    networks: [front]
networks:
  front: {}
`;

const OWNER_V6ONLY = OWNER.replace('  front: {}', '  front:\n    enable_ipv4: false\n    enable_ipv6: true\n    ipam:\n      config:\n        - subnet: fd42:78::/64');

/** The bridge a container's eth0 hangs on, and that bridge's ifindex. */
async function bridgeOf(host: Host, ns: string): Promise<{ name: string; index: number }> {
  const [inner] = await host.ipJson(['-n', ns, 'link', 'show', 'eth0']);
  const links = await host.ipJson(['-d', 'link', 'show']);
  const name = links.find((l: any) => l.ifindex === inner.link_index).master as string;
  return { name, index: links.find((l: any) => l.ifname === name).ifindex as number };
}

async function pingsGateway(host: Host, ns: string, bridge: string): Promise<boolean> {
  const [br] = await host.ipJson(['addr', 'show', bridge]);
  const v4 = br.addr_info.find((a: any) => a.family === 'inet');
  const gw = (v4 ?? br.addr_info.find((a: any) => a.family === 'inet6' && a.scope === 'global')).local;
  return (await host.run(['ip', 'netns', 'exec', ns, 'ping', ...(v4 ? [] : ['-6']), '-c', '1', '-W', '5', gw])).code === 0;
}

for (const [what, compose] of [['', OWNER], [' (IPv6-only network)', OWNER_V6ONLY]] as const) {
  test(`owner down, then a joiner down and up again: the network is still joinable by name while another joiner is on it; all down leaves nothing${what}`, async (t) => {
    await withHost(t, async (host) => {
      const own = writeProject(host, compose, 'own');
      const one = writeProject(host, joinerFile('one', 'own_front'), 'one');
      const two = writeProject(host, joinerFile('two', 'own_front'), 'two');
      await ok(host, own, ['up', '-d']);
      await ok(host, one, ['up', '-d']);
      await ok(host, two, ['up', '-d']);
      const bridge = await bridgeOf(host, 'tsc.one.client.1');
      await ok(host, own, ['down']);
      await ok(host, one, ['down']);
      t.deepEqual(await bridgeOf(host, 'tsc.two.client.1'), bridge, 'two still on it');
      const again = await host.tscompose(['up', '-d'], { cwd: one });
      t.is(again.code, 0, again.stderr);
      t.deepEqual(await bridgeOf(host, 'tsc.one.client.1'), bridge, 'one is back on the same bridge');
      t.true(await pingsGateway(host, 'tsc.one.client.1', bridge.name));
      // check: nothing drifted for the joiner.
      t.is((await host.tscompose(['check'], { cwd: one })).code, 0);
      await ok(host, one, ['down']);
      await ok(host, two, ['down']);
      t.deepEqual(await leftovers(host), [], 'the last user removed the bridge and the owner\'s record');
    });
  });
}

test('the owner\'s next up re-adopts the network it left for a joiner, without recreating it; then all down leaves nothing', async (t) => {
  await withHost(t, async (host) => {
    const own = writeProject(host, OWNER, 'own');
    const one = writeProject(host, joinerFile('one', 'own_front'), 'one');
    await ok(host, own, ['up', '-d']);
    await ok(host, one, ['up', '-d']);
    const bridge = await bridgeOf(host, 'tsc.one.client.1');
    await ok(host, own, ['down']);
    await ok(host, own, ['up', '-d']);
    t.deepEqual(await bridgeOf(host, 'tsc.own.api.1'), bridge, 'the same bridge (same ifindex)');
    t.true(await pingsGateway(host, 'tsc.one.client.1', bridge.name));
    t.is((await host.tscompose(['check'], { cwd: own })).code, 0);
    await ok(host, own, ['down']);
    await ok(host, one, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
