/**
 * A simulated reboot inside a throwaway host: every process but the holder
 * killed, fresh tmpfs over /run/tscompose and /run/netns (so the journal and
 * the namespaces' mounts are gone, and with them the namespaces), our links
 * deleted as a reboot would, while the old boot's cgroup directories and
 * nftables table stay (a boot that kept /sys/fs/cgroup or restored a saved
 * ruleset). Then `ps` says the truth, `up` brings the project back, `down`
 * removes what is left, and the named volume keeps its data.
 */
import test from 'ava';
import { withHost, type Host } from '../helpers/host';
import { ok, tsc, writeProject } from '../helpers/containers';
import { baseline, leaks, NFT } from '../helpers/leaks';
import { reboot } from '../helpers/reboot';

const APP = `
name: tscboot
services:
  web:
    command: ["sh", "-c", "echo kept > /data/file; exec sleep infinity"]
    init: true
    ports: ["80"]
    volumes: ["data:/data"]
    mem_limit: 64m
  db:
    networks: [default, back]
networks:
  back:
    internal: true
volumes:
  data: {}
`;

async function leftBehind(host: Host): Promise<{ tables: string; cgroups: number }> {
  const tables = (await host.run([NFT, 'list', 'tables'])).stdout.trim();
  return { tables, cgroups: host.cgroupLeftovers().length };
}

for (const after of ['up', 'down'] as const) {
  test(`after a reboot, ps says the truth and ${after === 'up' ? 'up brings the project back, then down' : 'down'} removes what the old boot left; the named volume survives`, async (t) => {
    await withHost(t, async (host) => {
      const base = await baseline(host);
      const dir = writeProject(host, APP);
      await ok(host, dir, ['up', '-d']);
      await ok(host, dir, ['exec', '-T', 'web', 'sh', '-c', 'while ! test -s /data/file; do sleep 0.05; done']);

      await reboot(host);
      const old = await leftBehind(host);
      t.regex(old.tables, /tscompose-tscboot/, 'the old table is still there');
      t.true(old.cgroups > 0, 'the old cgroups are still there');

      // ps: nothing runs (the journal went with /run); it must not claim otherwise.
      const ps = await tsc(host, dir, ['ps', '--json']);
      t.is(ps.code, 0, ps.stderr);
      t.false(JSON.parse(ps.stdout).some((c: any) => c.state === 'running'), ps.stdout);

      if (after === 'up') {
        await ok(host, dir, ['up', '-d']);
        const again = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves.flat();
        t.deepEqual(again.map((a: any) => `${a.kind} ${a.target} (${a.reason})`), []);
        const running = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
        t.deepEqual(running.map((c: any) => `${c.name} ${c.state}`).sort(), ['tscboot-db-1 running', 'tscboot-web-1 running']);
        t.is((await ok(host, dir, ['exec', '-T', 'web', 'cat', '/data/file'])).stdout, 'kept\n');
      }
      await ok(host, dir, ['down']);
      t.deepEqual(await leaks(host, base), []);
      // The named volume is on disk, outside /run: down (without -v) keeps it.
      t.is((await host.sh('cat /var/lib/tscompose/volumes/tscboot_data/_data/file')).stdout, 'kept\n');
    });
  });
}
