/**
 * Compose coverage keys end to end, in a throwaway host: profiles decide
 * which containers exist (--profile, COMPOSE_PROFILES, a named service);
 * labels (with Compose's com.docker.compose.*) and expose reach `ps --json`;
 * a `:z` bind mount works (a no-op without SELinux; lsm.test.ts relabels); security_opt
 * no-new-privileges:false clears no_new_privs.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { containerMounts, leftovers, ok, pidOf, status, writeProject } from '../helpers/containers';

const FILE = `name: cov
services:
  web:
    init: true
    command: ["sleep", "infinity"]
    labels: [tier=front]
    label_file: web.labels
    expose: ["80", 9000-9001/udp]
    volumes: ["./data:/data:z,cached"]
    security_opt: ["no-new-privileges:false"]
  dbg:
    init: true
    command: ["sleep", "infinity"]
    profiles: [debug]
`;

test('profiles choose the containers; labels and expose show in ps --json; a :z bind mount is mounted', async (t) => {
  if (fs.existsSync('/sys/fs/selinux/enforce')) t.log('SELinux is enabled on this host: :z relabels ./data (see lsm.test.ts)');
  await withHost(t, async (host) => {
    const dir = writeProject(host, FILE);
    fs.writeFileSync(path.join(dir, 'web.labels'), 'from.file=yes\n');
    const ps = async (env: Record<string, string> = {}) =>
      JSON.parse((await ok(host, dir, ['ps', '--json'], { env: { ...process.env, ...env } })).stdout) as Array<{ name: string; labels: Record<string, string>; expose: string[] }>;

    await ok(host, dir, ['up', '-d']);
    let rows = await ps();
    t.deepEqual(rows.map((r) => r.name), ['cov-web-1'], 'dbg has a profile that is not active');
    const web = rows[0]!;
    t.is(web.labels.tier, 'front');
    t.is(web.labels['from.file'], 'yes');
    t.is(web.labels['com.docker.compose.project'], 'cov');
    t.is(web.labels['com.docker.compose.service'], 'web');
    t.is(web.labels['com.docker.compose.container-number'], '1');
    t.regex(web.labels['com.docker.compose.config-hash']!, /^[0-9a-f]{16}$/);
    t.deepEqual(web.expose, ['80/tcp', '9000-9001/udp']);
    const pid = await pidOf(host, 'cov', 'cov-web-1');
    t.truthy((await containerMounts(host, pid)).find((m) => m.point === '/data'), 'the :z,cached bind mount is there');

    t.is(await status(host, pid, 'NoNewPrivs'), '0', 'security_opt no-new-privileges:false');

    // A service named on the command line is enabled whatever its profiles.
    await ok(host, dir, ['up', '-d', 'dbg']);
    rows = await ps();
    t.deepEqual(rows.map((r) => r.name).sort(), ['cov-dbg-1', 'cov-web-1']);
    t.is(await status(host, await pidOf(host, 'cov', 'cov-dbg-1'), 'NoNewPrivs'), '1', 'the default');
    await ok(host, dir, ['--profile', 'debug', 'down']);

    await ok(host, dir, ['up', '-d'], { env: { ...process.env, COMPOSE_PROFILES: 'debug' } });
    rows = await ps();
    t.deepEqual(rows.map((r) => r.name).sort(), ['cov-dbg-1', 'cov-web-1']);
    await ok(host, dir, ['--profile', 'debug', 'down']);
    t.deepEqual(await leftovers(host), []);
  });
});
