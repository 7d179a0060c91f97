/**
 * Netlink overruns: with a receive buffer far too small for 32 replies, a
 * big link dump and hundreds of concurrent requests all complete, because
 * the in-flight window follows the buffer. (With the window fixed at 32 the
 * kernel drops replies and the `netlink` package aborts the process on the
 * socket's POLLERR: that is what this test provokes.) And a 1,000-node lab
 * goes up, is observed and goes down on such sockets.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, withHost } from '../helpers/host';
import { leftovers, ok, writeProject } from '../helpers/containers';

const PAIRS = 300;

/** Runs inside the host: dump, then every link by name and an alias on each, concurrently, through one small-buffered socket. */
const script = (rcvbuf: number) => `
const { Rtnl } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'src', 'sys', 'netlink', 'rtnl.js'))});
(async () => {
  const r = Rtnl.open();
  r.setReceiveBuffer(${rcvbuf});
  const names = (await r.links()).map((l) => l.name);
  const found = await Promise.all(names.map((n) => r.linkByName(n)));
  await Promise.all(names.map((n) => r.setLink(n, { alias: 'tsc-overrun' })));
  const after = await r.links();
  const out = {
    links: names.length,
    found: found.filter((l, i) => l && l.name === names[i]).length,
    aliased: after.filter((l) => l.alias === 'tsc-overrun').length,
    receiveBuffer: r.receiveBuffer,
    overruns: r.overruns,
  };
  r.close();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.stack); process.exit(1); });
`;

test('a small receive buffer: a big dump and hundreds of concurrent requests complete without overrunning it', async (t) => {
  await withHost(t, async (host) => {
    const batch = Array.from({ length: PAIRS }, (_, i) => `link add tscov${i}a type veth peer name tscov${i}b`).join('\n');
    fs.writeFileSync(path.join(host.dir, 'links.batch'), batch + '\n');
    t.is((await host.run(['ip', '-batch', path.join(host.dir, 'links.batch')])).code, 0);
    const file = path.join(host.dir, 'overrun.js');
    // 8 KiB asked, 16 KiB granted (the kernel doubles it): room for ~4 replies at a time.
    fs.writeFileSync(file, script(8192));
    const r = await host.run([process.execPath, file], { timeoutMs: 120_000 });
    t.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.is(out.links, 2 * PAIRS + 1);
    t.is(out.found, out.links);
    t.is(out.aliased, out.links);
    t.is(out.receiveBuffer.bytes, 16384);
    t.true(out.receiveBuffer.window < 32 && out.receiveBuffer.window >= 1, JSON.stringify(out.receiveBuffer));
    t.is(out.overruns, 0);
  });
});

test('a 1,000-node lab with routes: up, check and down on 16 KiB netlink buffers never overrun', async (t) => {
  t.timeout(20 * 60_000);
  await withHost(t, async (host) => {
    const gen = spawnSync(path.join(repoRoot, 'scripts', 'gen-lab'), ['--topology', 'line', '--nodes', '1000', '--routes', '--name', 'tscnl'], {
      encoding: 'utf8',
    });
    t.is(gen.status, 0, gen.stderr);
    const dir = writeProject(host, gen.stdout);
    // Every socket of the CLI (one per namespace it works in) gets 16 KiB: room for two replies.
    const small = { env: { TSCOMPOSE_NETLINK_RCVBUF: '8192' }, timeoutMs: 15 * 60_000 };
    await ok(host, dir, ['up', '-d'], small);
    const check = JSON.parse((await ok(host, dir, ['check', '--json'], small)).stdout);
    t.deepEqual(check.waves.flat(), [], 'observe sees exactly what up made');
    t.is((await host.sh('ls /run/netns | wc -l')).stdout.trim(), '1000');
    await ok(host, dir, ['down'], small);
    t.deepEqual(await leftovers(host), []);
  });
});
