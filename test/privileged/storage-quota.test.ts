/**
 * storage_opt.size, each test in its own throwaway host: where the writable
 * layers' filesystem cannot enforce a limit (the host's tmpfs, an xfs image
 * mounted without prjquota) `up` stops with the plan error at the key's line
 * and leaves nothing; where the kernel mounts xfs with prjquota, the limit
 * holds inside the container and `down` clears it. Loop images are mounted
 * with `-o loop` (the device is detached with the mount) and checked gone.
 */
import type { ExecutionContext } from 'ava';
import * as path from 'node:path';
import { repoRoot, testNeeding, withHost, type Host } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, writeProject } from '../helpers/containers';

const PROJECT = 'tsc-quota';
const STATE = '/run/tscompose';

const COMPOSE = `name: ${PROJECT}
services:
  a:
    command: ["sleep", "infinity"]
    storage_opt:
      size: 20m
  b:
    command: ["sleep", "infinity"]
`;

/** A fresh 300 MB xfs image (xfs's smallest), sparse, in the host's directory. */
async function xfsImage(host: Host): Promise<string> {
  const img = path.join(host.dir, 'layers.xfs');
  await sh(host, `truncate -s 300M ${img} && mkfs.xfs -q -f ${img}`);
  return img;
}

/** Mount IMG over the host's state root with OPTIONS, run FN, then unmount: no mount or loop device of IMG is left. */
async function withLayerFs(t: ExecutionContext, host: Host, img: string, options: string, fn: () => Promise<void>): Promise<void> {
  await sh(host, `mount -o loop${options ? `,${options}` : ''} ${img} ${STATE} && chmod 0700 ${STATE}`);
  try {
    await fn();
  } finally {
    await host.sh(`umount ${STATE}`);
    t.is((await host.sh(`losetup -j ${img}`)).stdout.trim(), '', 'the loop device is detached');
    t.false((await host.sh(`grep -F ' ${STATE} ' /proc/self/mountinfo | grep xfs || true`)).stdout.includes('xfs'), 'the image is unmounted');
  }
}

async function refused(t: ExecutionContext, host: Host, fs: string, mount: string, missing: RegExp): Promise<void> {
  const dir = writeProject(host, COMPOSE);
  const r = await tsc(host, dir, ['up', '-d']);
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, new RegExp(`compose\\.yaml:6:7 services\\.a\\.storage_opt\\.size: the writable layers \\(${STATE}/${PROJECT}/containers\\) are on ${fs} mounted at ${mount.replace(/\//g, '\\/')}: a size can only be enforced on xfs mounted with prjquota`));
  t.regex(r.stderr, missing);
  t.deepEqual(await leftovers(host), []);
}

testNeeding()('storage_opt.size where the layers cannot be limited (tmpfs, xfs without prjquota): the plan error at the key\'s line, nothing left', async (t) => {
  await withHost(t, async (host) => {
    await refused(t, host, 'tmpfs', STATE, /\(tmpfs does not enforce project quotas here\)/);
    const img = await xfsImage(host);
    await withLayerFs(t, host, img, '', () => refused(t, host, 'xfs', STATE, /\(this xfs is mounted without prjquota\)/));
  });
});

/** Run `script` with sys/layer-quota.ts as `q` in a node inside the host (its mount namespace: the image's mount). */
async function inHost(host: Host, script: string): Promise<{ code: number; out: string }> {
  const mod = JSON.stringify(path.join(repoRoot, 'dist', 'src', 'sys', 'layer-quota.js'));
  const r = await host.run([process.execPath, '-e', `const q = require(${mod}); ${script}`]);
  return { code: r.code, out: r.stdout + r.stderr };
}

testNeeding()('the project ID calls on a real xfs without prjquota: the ID is set and inherited, the limit is the clear error, release takes the ID off', async (t) => {
  await withHost(t, async (host) => {
    const img = await xfsImage(host);
    await withLayerFs(t, host, img, '', async () => {
      const layer = `${STATE}/p/containers/c/rootfs`;
      const r = await inHost(host, `try { q.limitLayer('${layer}', 4242, 20 << 20); } catch (e) { console.log(e.message); }`);
      t.regex(r.out, new RegExp(`storage_opt\\.size: ${layer} is on xfs mounted at ${STATE} that cannot enforce a size: it needs xfs mounted with prjquota \\(E[A-Z]+\\)`));
      await sh(host, `mkdir ${layer}/upper`);
      t.regex(await sh(host, `xfs_io -r -c lsproj ${layer}/upper`), /projid = 4242\b/, 'what is made inside inherits the ID');
      const got = await inHost(host, `console.log(JSON.stringify(require(${JSON.stringify(path.join(repoRoot, 'dist', 'src', 'sys', 'native.js'))}).native.getProjectId('${layer}')))`);
      t.deepEqual(JSON.parse(got.out), { projectId: 4242, inherit: true });
      t.is((await inHost(host, `q.releaseLayerQuota('${layer}'); q.releaseLayerQuota('${STATE}/p/containers/gone/rootfs');`)).code, 0, 'a missing layer needs nothing');
      t.regex(await sh(host, `xfs_io -r -c lsproj ${layer}`), /projid = 0\b/);
      await sh(host, `rm -r ${STATE}/p`);
    });
  });
});

testNeeding('xfs-prjquota')('storage_opt.size on xfs with prjquota: 40 MB do not fit in 20m, a service without the key writes them, xfs_quota shows the limit, down clears it', async (t) => {
  await withHost(t, async (host) => {
    const img = await xfsImage(host);
    await withLayerFs(t, host, img, 'prjquota', async () => {
      const dir = writeProject(host, COMPOSE);
      await ok(host, dir, ['up', '-d']);
      const journal = JSON.parse(await sh(host, `cat ${STATE}/${PROJECT}/state.json`));
      const quota = journal.containers[`${PROJECT}-a-1`].launch.isolation.storageQuota;
      t.is(quota.bytes, 20 * 1024 * 1024);
      t.is(journal.containers[`${PROJECT}-b-1`].launch.isolation.storageQuota, undefined);
      t.regex(await sh(host, `xfs_io -r -c lsproj ${stateDir(PROJECT, `${PROJECT}-a-1`)}/rootfs/upper`), new RegExp(`projid = ${quota.projectId}\\b`), 'the upper directory inherited the ID');
      const big = 'dd if=/dev/zero of=/big bs=1M count=40 conv=fsync';
      const a = await tsc(host, dir, ['exec', '-T', 'a', 'sh', '-c', big]);
      t.not(a.code, 0, 'the write beyond 20m fails');
      t.regex(a.stderr, /quota exceeded|No space left/i);
      await ok(host, dir, ['exec', '-T', 'b', 'sh', '-c', big]);
      // Hard limit in KiB: 20m = 20480.
      t.regex(await sh(host, `xfs_quota -x -c 'report -p -n -b' ${STATE}`), new RegExp(`#${quota.projectId}\\s+\\d+\\s+0\\s+20480\\b`));
      await ok(host, dir, ['down']);
      t.notRegex(await sh(host, `xfs_quota -x -c 'report -p -n -b' ${STATE}`), new RegExp(`#${quota.projectId}\\s+\\d+\\s+0\\s+20480\\b`), 'down cleared the limit');
      t.deepEqual(await leftovers(host), []);
    });
  });
});
