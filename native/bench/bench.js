#!/usr/bin/env node
/*
 * Measures the native layer inside a throwaway host (as the privileged tests
 * do; nothing is left on the machine). Needs root and a build:
 *   npm run build:native && npx tsc -p . && node native/bench/bench.js [count]
 *
 *   netns create    unshare(CLONE_NEWNET) + bind mount + setns back, per call
 *   setns pair      setns into a netns and back, per pair
 *   launch          `tsc-shim launch` of COUNT pause containers, each with
 *                   --netns of its own pre-made netns and --ns mount,uts,ipc
 *   memory          RSS / PSS / USS of every shim and pause process
 */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const { Host } = require(path.join(root, 'dist', 'test', 'helpers', 'host.js'));
const count = Number(process.argv[2] || 100);

function inHost(host, argv, input) {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...host.enter(), ...argv];
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')}: exit ${code}`))));
    if (input !== undefined) child.stdin.end(input);
  });
}

const netnsScript = `
  const fs = require('fs');
  const { native } = require(${JSON.stringify(path.join(root, 'dist', 'src', 'sys', 'native.js'))});
  const { CLONE_NEWNET, MS_BIND } = native.constants;
  const n = ${count};
  const home = fs.openSync('/proc/thread-self/ns/net', 'r');
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const file = '/run/netns/tscb' + i;
    fs.closeSync(fs.openSync(file, 'wx'));
    native.unshare(CLONE_NEWNET);
    native.mount('/proc/thread-self/ns/net', file, null, MS_BIND, null);
    native.setns(home, CLONE_NEWNET);
  }
  const create = Number(process.hrtime.bigint() - t0) / n / 1e3;
  const target = fs.openSync('/run/netns/tscb0', 'r');
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    native.setns(target, CLONE_NEWNET);
    native.setns(home, CLONE_NEWNET);
  }
  const pair = Number(process.hrtime.bigint() - t0) / n / 1e3;
  for (let i = 0; i < n; i++) native.umount2('/run/netns/tscb' + i, native.constants.MNT_DETACH);
  console.log(JSON.stringify({ createNetnsUs: create, setnsPairUs: pair }));`;

const memScript = `
  for p in "$@"; do
    awk -v p=$p '/^Rss:/{r=$2} /^Pss:/{s=$2} /^Private_(Clean|Dirty):/{u+=$2} END{print p, r, s, u}' /proc/$p/smaps_rollup
  done`;

async function main() {
  const host = await Host.start();
  try {
    const ns = JSON.parse(await inHost(host, [process.execPath, '-e', netnsScript]));
    console.log(`netns create (unshare + bind mount + setns back): ${ns.createNetnsUs.toFixed(1)} us/call over ${count}`);
    console.log(`setns in + out:                                   ${ns.setnsPairUs.toFixed(1)} us/pair over ${count}`);
    await inHost(host, ['sh', '-c', 'rm -f /run/netns/tscb*']);

    const batch = Array.from({ length: count }, (_, i) => `netns add tscl${i}`).join('\n') + '\n';
    await inHost(host, ['ip', '-batch', '-'], batch);
    await inHost(host, ['sh', '-c', `for i in $(seq 0 ${count - 1}); do mkdir -m 0700 /run/tscompose/c$i; done`]);
    const list = Array.from({ length: count }, (_, i) => ({
      name: `c${i}`, stateDir: `/run/tscompose/c${i}`, netnsPath: `/run/netns/tscl${i}`,
      namespaces: ['mount', 'uts', 'ipc'], binds: [], env: {}, sysctls: {}, argv: [],
    }));
    const launchScript = `
      const { launchContainers } = require(${JSON.stringify(path.join(root, 'dist', 'src', 'sys', 'shim.js'))});
      const list = ${JSON.stringify(list)};
      const t0 = process.hrtime.bigint();
      launchContainers(list).then((r) => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        console.log(JSON.stringify({ ms, ok: r.filter((x) => x.ok).length, results: r }));
      });`;
    const launched = JSON.parse(await inHost(host, [process.execPath, '-e', launchScript]));
    console.log(`launch of ${count} pause containers (one tsc-shim launch): ${launched.ms.toFixed(0)} ms wall, ${launched.ok} ok`);

    const pids = (key) => launched.results.filter((r) => r.ok).map((r) => String(r[key]));
    for (const [what, key] of [['shim', 'shimPid'], ['pause', 'pid']]) {
      const rows = (await inHost(host, ['sh', '-c', memScript, 'mem', ...pids(key)])).trim().split('\n')
        .map((l) => l.split(' ').map(Number));
      const avg = (i) => rows.reduce((a, r) => a + r[i], 0) / rows.length;
      console.log(`${what} memory per container (KiB, avg of ${rows.length}): RSS ${avg(1).toFixed(0)}, PSS ${avg(2).toFixed(0)}, USS ${avg(3).toFixed(0)}`);
    }
  } finally {
    await host.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
