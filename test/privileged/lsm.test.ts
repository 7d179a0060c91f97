/**
 * AppArmor and SELinux (`security_opt: apparmor=`, `label=`, `:z`/`:Z`) on
 * throwaway hosts that fake the modules (test/helpers/host.ts HostOptions:
 * /sys says AppArmor is enabled with a profile listing, or SELinux is
 * enforcing). tscompose then plans and carries out confinement for real;
 * the kernel of this machine has neither module, so the shim's write of the
 * profile or label is refused, and that refusal must surface as a clear
 * error naming the profile and the attr file, with `down` cleaning up.
 * What the successful confinement looks like cannot be seen on such a host.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, shimPath } from '../../src/sys/native';
import { withHost } from '../helpers/host';
import { leftovers, ok, pidOf, tsc, waitFor, writeProject } from '../helpers/containers';

const startOf = (plan: any, c: string) => plan.waves.flat().find((a: any) => a.kind === 'container.start' && a.container === c);
const label = (p: string) => {
  try {
    return native.lgetxattr(p, 'security.selinux').toString();
  } catch (e: any) {
    if (e?.code === 'ENODATA') return undefined;
    throw e;
  }
};

test('AppArmor host: the profile is planned, the shim really writes it (the kernel refuses: a clear error), unconfined runs, down cleans; exec writes it too', async (t) => {
  await withHost(
    t,
    async (host) => {
      const dir = writeProject(
        host,
        `name: aa
services:
  free:
    command: ["sleep", "infinity"]
    security_opt: ["apparmor=unconfined", "label=disable"]
  web:
    command: ["sleep", "infinity"]
    security_opt:
      - apparmor=tsc-prof
  mounter:
    privileged: true
    command: ["sh", "-c", "mount -t tmpfs none /proc && mkdir -p /proc/thread-self/attr/apparmor && touch /proc/thread-self/attr/apparmor/exec /tmp/planted && exec sleep infinity"]
`,
      );
      const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
      t.deepEqual(startOf(plan, 'aa-web-1').launch.isolation.lsm, { apparmor: 'tsc-prof' });
      t.is(startOf(plan, 'aa-free-1').launch.isolation.lsm, undefined, 'unconfined: nothing written');
      await ok(host, dir, ['up', '-d', 'free']);
      const ps = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
      t.is(ps.find((c: any) => c.name === 'aa-free-1')?.state, 'running');
      // exec with the profile (as `tscompose exec` into a confined container passes it): the shim writes it before execve.
      const pid = await pidOf(host, 'aa', 'aa-free-1');
      const ex = await host.run([shimPath, 'exec', '--pid', String(pid), '--ns', 'mnt,pid', '--apparmor', 'tsc-prof', '--', 'true']);
      t.is(ex.code, 125);
      t.regex(ex.stderr, /apparmor profile tsc-prof refused by the kernel: \/proc\/thread-self\/attr\/(apparmor\/)?exec/);
      // runc CVE-2019-16884: a container that mounts over /proc would have the profile written into its own
      // file and the exec'd command run unconfined. The shim takes only procfs's own attr file.
      await ok(host, dir, ['up', '-d', 'mounter']);
      const mounter = await pidOf(host, 'aa', 'aa-mounter-1');
      await waitFor(host, `test -e /proc/${mounter}/root/tmp/planted`, 'the fake /proc');
      const fake = await host.run([shimPath, 'exec', '--pid', String(mounter), '--ns', 'mnt,pid', '--apparmor', 'tsc-prof', '--', 'true']);
      t.is(fake.code, 125, 'not run unconfined');
      t.regex(fake.stderr, /apparmor profile tsc-prof: \/proc\/thread-self\/attr\/apparmor\/exec is not on procfs/);
      const up = await tsc(host, dir, ['up', '-d']);
      t.not(up.code, 0);
      t.log(up.stderr.trim());
      t.regex(up.stderr, /aa-web-1.*apparmor profile tsc-prof refused by the kernel: \/proc\/thread-self\/attr\/(apparmor\/)?exec: Invalid argument/s);
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);

      // A profile the host has not loaded: a plan error at the key's line, nothing made.
      fs.writeFileSync(path.join(dir, 'compose.yaml'), 'name: aa\nservices:\n  web:\n    command: ["sleep", "infinity"]\n    security_opt: ["apparmor=tsc-missing"]\n');
      const missing = await tsc(host, dir, ['up', '-d']);
      t.is(missing.code, 4, missing.stderr);
      t.regex(missing.stderr, /compose\.yaml:5:\d+ services\.web\.security_opt: apparmor=tsc-missing: no such AppArmor profile is loaded on this host/);
      t.deepEqual(await leftovers(host), []);
    },
    { apparmor: ['tsc-prof', 'tsc-other'] },
  );
});

test('SELinux host: labels planned, :z/:Z really relabel the bind sources, label=disable runs, a system path is refused at its line', async (t) => {
  await withHost(
    t,
    async (host) => {
      const dir = writeProject(
        host,
        `name: se
services:
  off:
    command: ["sleep", "infinity"]
    security_opt: ["label=disable"]
    volumes: ["./offdata:/d:Z"]
  web:
    command: ["sleep", "infinity"]
    security_opt: ["label=type:svirt_t"]
    volumes:
      - ./shared:/s:z
      - ./own:/o:Z
`,
      );
      for (const d of ['shared/sub', 'own', 'offdata']) fs.mkdirSync(path.join(dir, d), { recursive: true });
      fs.writeFileSync(path.join(dir, 'shared/sub/file'), 'x');
      fs.symlinkSync('/etc/passwd', path.join(dir, 'own/link'));
      const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
      const lsm = startOf(plan, 'se-web-1').launch.isolation.lsm;
      const level = /^system_u:system_r:svirt_t:(s0:c\d+,c\d+)$/.exec(lsm.processLabel)?.[1];
      t.truthy(level, lsm.processLabel);
      t.is(lsm.mountLabel, `system_u:object_r:container_file_t:${level}`);
      t.deepEqual(lsm.relabel, [
        { source: path.join(dir, 'shared'), flag: 'z', label: 'system_u:object_r:container_file_t:s0' },
        { source: path.join(dir, 'own'), flag: 'Z', label: lsm.mountLabel },
      ]);
      t.deepEqual(startOf(plan, 'se-off-1').launch.isolation.lsm, { relabel: [{ source: path.join(dir, 'offdata'), flag: 'Z', label: 'system_u:object_r:container_file_t:s0' }] });

      // label=disable: runs as usual (its :Z gets the shared label).
      await ok(host, dir, ['up', '-d', 'off']);
      t.is(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout).find((c: any) => c.name === 'se-off-1')?.state, 'running');
      t.is(label(path.join(dir, 'offdata')), 'system_u:object_r:container_file_t:s0');
      // The process label, as exec (and the container's start) write it: this kernel refuses it.
      const pid = await pidOf(host, 'se', 'se-off-1');
      const ex = await host.run([shimPath, 'exec', '--pid', String(pid), '--ns', 'mnt,pid', '--exec-label', lsm.processLabel, '--', 'true']);
      t.is(ex.code, 125);
      t.regex(ex.stderr, /selinux label system_u:system_r:svirt_t:s0:c\d+,c\d+ refused by the kernel: \/proc\/thread-self\/attr\/exec/);
      // web: relabeled before the start, which this kernel then refuses (no SELinux: the mount's context= or the label write).
      const up = await tsc(host, dir, ['up', '-d']);
      t.not(up.code, 0);
      t.log(up.stderr.trim());
      t.regex(up.stderr, /se-web-1/);
      t.true(up.stderr.includes(`context=${lsm.mountLabel}`), 'the mount label reached the root overlay');
      t.is(label(path.join(dir, 'shared')), 'system_u:object_r:container_file_t:s0');
      t.is(label(path.join(dir, 'shared/sub/file')), 'system_u:object_r:container_file_t:s0', 'recursively');
      t.is(label(path.join(dir, 'own')), lsm.mountLabel);
      t.is(label(path.join(dir, 'own/link')), lsm.mountLabel, 'the symlink itself');
      t.is(label('/etc/passwd'), undefined, 'never what it points at');
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);

      fs.writeFileSync(path.join(dir, 'compose.yaml'), 'name: se\nservices:\n  web:\n    command: ["sleep", "infinity"]\n    volumes:\n      - /usr:/u:z\n');
      const sys = await tsc(host, dir, ['up', '-d']);
      t.is(sys.code, 4, sys.stderr);
      t.regex(sys.stderr, /compose\.yaml:5:\d+ services\.web\.volumes: :z would relabel \/usr for SELinux: relabeling a system directory is not allowed/);
      t.is(label('/usr'), undefined);
      t.deepEqual(await leftovers(host), []);
    },
    { selinux: '1' },
  );
});
