import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';

test('a throwaway host has its own network namespace, and private /run/netns, /run/tscompose and /var/lib/tscompose', async (t) => {
  await withHost(t, async (host) => {
    const links = await host.ipJson(['link', 'show']);
    t.deepEqual(
      links.map((l: any) => l.ifname),
      ['lo'],
    );
    const netns = await host.sh('readlink /proc/self/ns/net');
    t.is(netns.code, 0, netns.stderr);
    t.not(netns.stdout.trim(), fs.readlinkSync('/proc/self/ns/net'), 'not the machine’s network namespace');

    // What is made in the host is there, and only there.
    const name = `${host.tag}hn`;
    const dirs = ['/run/netns', '/run/tscompose', '/var/lib/tscompose'];
    const made = await host.sh(`ip netns add ${name} && touch /run/tscompose/${name} /var/lib/tscompose/${name} && ls ${dirs.join(' ')}`);
    t.is(made.code, 0, made.stderr);
    t.is(made.stdout.split('\n').filter((l) => l === name).length, dirs.length, made.stdout);
    for (const d of dirs) t.false(fs.existsSync(path.join(d, name)), `${d}/${name} is not on the machine`);
  });
});
