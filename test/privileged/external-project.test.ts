/**
 * `external: true` networks that are another tscompose project's network,
 * joined by the name Compose gives it (PROJECT_KEY, or its `name:`); a name
 * that matches nothing is a clear error. Each test in its own throwaway host.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost, type Host } from '../helpers/host';
import { joinerFile } from '../helpers/joiner';

const OWNER = `
name: own
services:
  api:
    command: ["sleep", "infinity"]
    networks: [front, back]
networks:
  front: {}
  back:
    name: shared-back
`;

function writeCompose(host: Host, dirName: string, text: string): string {
  const dir = path.join(host.dir, dirName);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
  return dir;
}

async function ok(host: Host, dir: string, args: string[]) {
  const r = await host.tscompose(args, { cwd: dir });
  if (r.code !== 0) throw new Error(`tscompose ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

const addressOn = async (host: Host, ns: string, ifname: string) =>
  (await host.ipJson(['-n', ns, 'addr', 'show', ifname]))[0].addr_info.find((a: any) => a.family === 'inet').local as string;

for (const [name, ifname] of [['own_front', 'eth1'], ['shared-back', 'eth0']] as const) {
  test(`a project joins another project's network by its name ${name}: same bridge, reaches its container`, async (t) => {
    await withHost(t, async (host) => {
      const own = writeCompose(host, 'own', OWNER);
      const join = writeCompose(host, 'join', joinerFile('join', name));
      await ok(host, own, ['up', '-d']);
      await ok(host, join, ['up', '-d']);
      // The joiner's host veth is a port of the owner's bridge.
      const bridge = await bridgeOf(host, 'tsc.own.api.1', ifname);
      t.truthy(bridge);
      t.is(await bridgeOf(host, 'tsc.join.client.1', 'eth0'), bridge);
      const target = await addressOn(host, 'tsc.own.api.1', ifname);
      const ping = await host.run(['ip', 'netns', 'exec', 'tsc.join.client.1', 'ping', '-c', '1', '-W', '5', target]);
      t.is(ping.code, 0, `client reaches api at ${target}`);
      await ok(host, join, ['down']);
      await ok(host, own, ['down']);
    });
  });
}

/** The bridge a container's interface hangs on (its host veth's master). */
async function bridgeOf(host: Host, ns: string, ifname: string): Promise<string> {
  const [inner] = await host.ipJson(['-n', ns, 'link', 'show', ifname]);
  const hostEnd = (await host.ipJson(['-d', 'link', 'show'])).find((l: any) => l.ifindex === inner.link_index);
  return hostEnd.master;
}

test('external_links: the other project\'s container answers to its alias inside the joining container', async (t) => {
  await withHost(t, async (host) => {
    const own = writeCompose(host, 'own', OWNER);
    await ok(host, own, ['up', '-d']);
    const join = writeCompose(host, 'join', joinerFile('join', 'own_front').replace('    networks: [ext]', '    networks: [ext]\n    external_links: ["own-api-1:api"]'));
    await ok(host, join, ['up', '-d']);
    const target = await addressOn(host, 'tsc.own.api.1', 'eth1');
    const r = await ok(host, join, ['exec', '-T', 'client', 'getent', 'hosts', 'api']);
    t.regex(r.stdout, new RegExp(`^${target.replace(/\./g, '\\.')}\\s+api$`, 'm'));
    const ping = await ok(host, join, ['exec', '-T', 'client', 'ping', '-c', '1', '-W', '5', 'api']);
    t.regex(ping.stdout, /1 received/);
  });
});

test('the owner\'s down leaves the bridge a joiner is on (and says so); the joiner\'s down then removes it', async (t) => {
  await withHost(t, async (host) => {
    const own = writeCompose(host, 'own', OWNER);
    const join = writeCompose(host, 'join', joinerFile('join', 'own_front'));
    await ok(host, own, ['up', '-d']);
    await ok(host, join, ['up', '-d']);
    const bridge = await bridgeOf(host, 'tsc.join.client.1', 'eth0');
    const down = await ok(host, own, ['down']);
    t.regex(down.stderr, new RegExp(`WARNING: .*network own_front \\(bridge ${bridge}\\) is left in place: project join is attached to it`));
    const links = async () => (await host.ipJson(['link', 'show'])).map((l: any) => l.ifname as string).sort();
    t.true((await links()).includes(bridge));
    const [br] = await host.ipJson(['addr', 'show', bridge]);
    const gw = br.addr_info.find((a: any) => a.family === 'inet').local;
    const ping = await host.run(['ip', 'netns', 'exec', 'tsc.join.client.1', 'ping', '-c', '1', '-W', '5', gw]);
    t.is(ping.code, 0, 'the joiner still has its network');
    await ok(host, join, ['down']);
    t.deepEqual(await links(), ['lo'], 'the last user removed it');
  });
});

test('an external name that matches no bridge and no project network is a clear error naming the ones there are', async (t) => {
  await withHost(t, async (host) => {
    const own = writeCompose(host, 'own', OWNER);
    await ok(host, own, ['up', '-d']);
    const join = writeCompose(host, 'join', joinerFile('join', 'own_frnot'));
    const r = await host.tscompose(['up', '-d'], { cwd: join });
    t.not(r.code, 0);
    t.regex(r.stderr, /compose\.yaml:\d+:\d+ networks\.ext: external network own_frnot not found: no Linux bridge of that name, and no tscompose project's network is called that \(tscompose networks on this machine: own_front, shared-back\)/);
    t.false(fs.existsSync(path.join('/proc', String(host.pid), 'root/run/tscompose/join')), 'nothing of the project was made');
  });
});
