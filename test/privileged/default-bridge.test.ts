/**
 * `network_mode: bridge`: the machine's default bridge tsc0 (Docker's
 * docker0), shared by projects, made by the first and removed with the
 * last. Each test in its own throwaway host; asserted with ip and ping.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost, type Host } from '../helpers/host';

const stack = (name: string) => `
name: ${name}
services:
  web:
    command: ["sleep", "infinity"]
    network_mode: bridge
`;

function writeCompose(host: Host, name: string): string {
  const dir = path.join(host.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), stack(name));
  return dir;
}

async function ok(host: Host, dir: string, args: string[]) {
  const r = await host.tscompose(args, { cwd: dir });
  if (r.code !== 0) throw new Error(`tscompose ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

const links = async (host: Host) => (await host.ipJson(['link', 'show'])).map((l: any) => l.ifname as string);
const address = async (host: Host, ns: string) => (await host.ipJson(['-n', ns, 'addr', 'show', 'eth0']))[0].addr_info.find((a: any) => a.family === 'inet').local;

test('two projects share tsc0 on 172.17.0.0/16: their containers reach each other; the bridge goes with the last down', async (t) => {
  await withHost(t, async (host) => {
    const one = writeCompose(host, 'pone');
    const two = writeCompose(host, 'ptwo');
    await ok(host, one, ['up', '-d']);
    await ok(host, two, ['up', '-d']);
    const [br] = await host.ipJson(['addr', 'show', 'tsc0']);
    t.truthy(br, 'tsc0 exists');
    t.true(br.addr_info.some((a: any) => a.local === '172.17.0.1' && a.prefixlen === 16));
    const a = await address(host, 'tsc.pone.web.1');
    const b = await address(host, 'tsc.ptwo.web.1');
    t.deepEqual([a, b].sort(), ['172.17.0.2', '172.17.0.3'], 'no address is handed out twice');
    // Both veths on the one bridge.
    const ports = await host.ipJson(['link', 'show', 'master', 'tsc0']);
    t.is(ports.length, 2);
    const ping = await host.run(['ip', 'netns', 'exec', 'tsc.pone.web.1', 'ping', '-c', '1', '-W', '5', b]);
    t.is(ping.code, 0, 'a container of one project reaches the other project\'s');
    // As docker0: the host's resolv.conf, no DNS server of ours on 172.17.0.1.
    const ss = await host.run(['ss', '-Hlun', 'src', '172.17.0.1:53']);
    t.is(ss.stdout.trim(), '');
    await ok(host, one, ['down']);
    t.true((await links(host)).includes('tsc0'), 'still used by ptwo');
    const pingAfter = await host.run(['ip', 'netns', 'exec', 'tsc.ptwo.web.1', 'ping', '-c', '1', '-W', '5', '172.17.0.1']);
    t.is(pingAfter.code, 0, 'ptwo still reaches its gateway');
    await ok(host, two, ['down']);
    t.deepEqual(await links(host), ['lo'], 'the last down removed tsc0');
  });
});

test('a project whose journal names tsc0 (as after a crash) keeps it alive: the other project\'s down leaves it; its own down removes it', async (t) => {
  await withHost(t, async (host) => {
    const one = writeCompose(host, 'cone');
    const two = writeCompose(host, 'ctwo');
    await ok(host, one, ['up', '-d']);
    await ok(host, two, ['up', '-d']);
    // What a crash leaves is cone's journal (written before anything is made): it alone keeps tsc0.
    t.true(JSON.parse((await host.run(['cat', '/run/tscompose/cone/state.json'])).stdout).networks.bridge.shared);
    await ok(host, two, ['down']);
    t.true((await links(host)).includes('tsc0'), 'cone\'s journal still names tsc0');
    await ok(host, one, ['down']);
    t.false((await links(host)).includes('tsc0'));
  });
});

test('Docker\'s `networks: {default: {external: true, name: bridge}}` is the same tsc0 as network_mode: bridge', async (t) => {
  await withHost(t, async (host) => {
    const one = writeCompose(host, 'xone');
    const dir = path.join(host.dir, 'xtwo');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'name: xtwo\nservices:\n  web:\n    command: ["sleep", "infinity"]\nnetworks:\n  default:\n    external: true\n    name: bridge\n');
    await ok(host, one, ['up', '-d']);
    await ok(host, dir, ['up', '-d']);
    t.is((await host.ipJson(['link', 'show', 'master', 'tsc0'])).length, 2, 'both containers on tsc0');
    const b = await address(host, 'tsc.xtwo.web.1');
    const ping = await host.run(['ip', 'netns', 'exec', 'tsc.xone.web.1', 'ping', '-c', '1', '-W', '5', b]);
    t.is(ping.code, 0);
    await ok(host, dir, ['down']);
    await ok(host, one, ['down']);
    t.deepEqual(await links(host), ['lo']);
  });
});

test('three projects brought up at once all join one tsc0, each container with its own address', async (t) => {
  await withHost(t, async (host) => {
    const dirs = ['rone', 'rtwo', 'rthree'].map((n) => writeCompose(host, n));
    // Each plans under the global lock; applies may race to create tsc0 (EEXIST on the shared mark is no conflict).
    await Promise.all(dirs.map((d) => ok(host, d, ['up', '-d'])));
    t.is((await host.ipJson(['link', 'show', 'master', 'tsc0'])).length, 3);
    const addrs = await Promise.all(['rone', 'rtwo', 'rthree'].map((n) => address(host, `tsc.${n}.web.1`)));
    t.is(new Set(addrs).size, 3, addrs.join(' '));
    await Promise.all(dirs.map((d) => ok(host, d, ['down'])));
    t.deepEqual(await links(host), ['lo'], 'the last down removed tsc0, whichever it was');
  });
});
