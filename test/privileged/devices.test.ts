/**
 * Devices, attacked from inside real containers in a throwaway host: a
 * block node of the host's disk made with the default CAP_MKNOD cannot be
 * opened — behind nodev everywhere, and with nodev lifted
 * (`device_cgroup_rules`) behind the device cgroup alone (EPERM); a rule
 * or a `devices:` entry granting it opens it, with the access it grants;
 * /dev/null and friends keep working; the cgroup holds Docker's allowlist.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import { deviceFilterSupported } from '../../src/sys/cgroup/device-filter';
import { testNeeding, withHost } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

/**
 * A block device of this machine that root here can open: a real disk
 * first, else a loop or zram device (a sandboxed machine may refuse its own
 * disk to everyone: then a refusal in the container would prove nothing).
 */
function hostDisk(): { name: string; dev: string } | undefined {
  const names = fs.readdirSync('/sys/block').sort((a, b) => Number(/^(loop|ram|zram)/.test(a)) - Number(/^(loop|ram|zram)/.test(b)) || a.localeCompare(b));
  for (const name of names) {
    if (!fs.existsSync(`/dev/${name}`)) continue;
    try {
      fs.closeSync(fs.openSync(`/dev/${name}`, 'r'));
    } catch {
      continue;
    }
    return { name, dev: fs.readFileSync(`/sys/block/${name}/dev`, 'utf8').trim() };
  }
  return undefined;
}

const disk = hostDisk();
const [MAJ, MIN] = (disk?.dev ?? '0:0').split(':');

/** mknod the host's disk, read a sector of it; then the allowlisted devices. */
const PROBE = [
  `mknod /tmp/disk b ${MAJ} ${MIN} && echo mknod=yes || echo mknod=no`,
  `head -c 512 /tmp/disk 2>&1 >/dev/null | sed 's/^/open: /'; (exec 3</tmp/disk) 2>/dev/null && echo open=yes || echo open=no`,
  `echo x > /dev/null && head -c 4 /dev/zero | wc -c | sed 's/^/zero=/' && head -c 4 /dev/urandom | wc -c | sed 's/^/urandom=/'`,
  'echo done; sleep infinity',
].join('; ');

const cmd = JSON.stringify(['sh', '-c', PROBE]);

const deviceTest: ReturnType<typeof testNeeding> = disk
  ? testNeeding('cgroup:devices')
  : (title, fn) => test.skip(`${title} [skipped: no block device that root can open on this machine]`, fn);

const V1_DEVICES = fs.existsSync('/sys/fs/cgroup/devices');

/** The same attack and grants, held by the v1 devices hierarchy or (that hierarchy hidden, or a cgroup v2 machine) by the eBPF program. */
const attackAndGrants = (hideV1: boolean) => async (t: ExecutionContext) => {
  const mechanism = V1_DEVICES && !hideV1 ? 'v1' : 'bpf';
  await withHost(t, async (host) => {
    // Our bind mount of the hierarchy, then the machine's under it: gone for this host only.
    if (hideV1) await sh(host, 'umount /sys/fs/cgroup/devices && umount /sys/fs/cgroup/devices && ! grep -q " /sys/fs/cgroup/devices " /proc/self/mounts');
    const dir = writeProject(
      host,
      `name: devs
services:
  plain:
    command: ${cmd}
  nodev-off:
    command: ${cmd}
    device_cgroup_rules: ["c 1:3 rwm"]
  granted:
    command: ${cmd}
    device_cgroup_rules: ["b ${MAJ}:${MIN} r"]
  mapped:
    command: ["sh", "-c", "exec 3</dev/xdisk && echo read=ok; dd if=/dev/null of=/dev/xdisk count=0 conv=notrunc 2>&1 | sed 's/^/write: /'; echo done; sleep infinity"]
    devices: ["/dev/${disk!.name}:/dev/xdisk:r"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const log = async (c: string) => {
      await waitFor(host, `grep -q done ${stateDir('devs', c)}/container.log`, `${c}'s probe`);
      return sh(host, `cat ${stateDir('devs', c)}/container.log`);
    };
    const plain = await log('devs-plain-1');
    t.regex(plain, /mknod=yes/, 'Docker\'s default: any node may be made (c *:* m, b *:* m)');
    t.regex(plain, /open: .*Permission denied/, 'nodev /tmp');
    t.regex(plain, /open=no/);
    t.regex(plain, /zero=4/);
    t.regex(plain, /urandom=4/);
    const off = await log('devs-nodev-off-1');
    t.regex(off, /open: .*Operation not permitted/, 'with nodev lifted, the device cgroup alone refuses it (EPERM)');
    t.regex(off, /open=no/);
    t.regex(off, /zero=4/);
    const granted = await log('devs-granted-1');
    t.regex(granted, /open=yes/, 'a rule granting the disk opens it');
    const mapped = await log('devs-mapped-1');
    t.regex(mapped, /read=ok/, 'devices: binds the host node, readable');
    t.regex(mapped, /write: .*Operation not permitted/, 'and only readable (permissions r)');

    if (mechanism === 'v1') {
      // The cgroup itself holds Docker's allowlist (and no more).
      const list = fs.readFileSync(host.cgroupPath('/sys/fs/cgroup/devices/tscompose/devs/plain-1') + '/devices.list', 'utf8');
      t.deepEqual(list.trim().split('\n').sort(), ['b *:* m', 'c *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 10:200 rwm', 'c 136:* rwm', 'c 5:0 rwm', 'c 5:1 rwm', 'c 5:2 rwm'].sort());
    } else {
      // What the program denies, the kernel reports with EPERM, as v1 does: an open the allowlist lacks.
      const kmsg = await tsc(host, dir, ['exec', '-T', 'nodev-off', 'sh', '-c', 'mknod /tmp/kmsg c 1 11 && head -c 1 /tmp/kmsg']);
      t.regex(kmsg.stderr, /Operation not permitted/);
      if (V1_DEVICES) t.false(fs.existsSync(host.cgroupPath('/sys/fs/cgroup/devices/tscompose/devs/plain-1')), 'no v1 devices cgroup was used');
    }
    // exec works (a pty of ours: /dev/ptmx and pts in the allowlist).
    const ex = await tsc(host, dir, ['exec', '-T', 'plain', 'sh', '-c', 'head -c 2 /dev/zero | wc -c']);
    t.is(ex.stdout.trim(), '2');
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.is(plan.waves.flat().length, 0, 'nothing to do after up');
    await ok(host, dir, ['down']);

    fs.writeFileSync(`${dir}/compose.yaml`, `name: devs\nservices:\n  a:\n    command: ["true"]\n    device_cgroup_rules: ["b 8:0 rwx"]\n`);
    const bad = await tsc(host, dir, ['up', '-d']);
    t.is(bad.code, 3);
    t.regex(bad.stderr, /compose\.yaml:5:\d+ services\.a\.device_cgroup_rules\.0: "b 8:0 rwx" is not a device cgroup rule/);
    t.deepEqual(await leftovers(host), []);
  });
};

deviceTest('a node of the host\'s disk made in a container cannot be opened; device_cgroup_rules and devices: grant it', attackAndGrants(false));

const bpfTest: ReturnType<typeof testNeeding> = !disk
  ? (title, fn) => test.skip(`${title} [skipped: no block device that root can open on this machine]`, fn)
  : !deviceFilterSupported()
    ? (title, fn) => test.skip(`${title} [skipped: this kernel cannot load cgroup device programs (CONFIG_CGROUP_BPF)]`, fn)
    : !V1_DEVICES
      ? (title, fn) => test.skip(`${title} [skipped: no v1 devices hierarchy to hide: the test above already runs on the eBPF program]`, fn)
      : test;

bpfTest('without a v1 devices hierarchy (as on cgroup v2): the eBPF device program holds the same allowlist', attackAndGrants(true));
