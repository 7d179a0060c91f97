/**
 * Full isolation, end to end through the CLI, each test in its own
 * throwaway host; every security default is attacked from inside a
 * container. Assertions read /proc, mountinfo and files from the host.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import {
  containerMounts,
  hostMountPoints,
  leftovers,
  logLines,
  miniRootfs,
  ok,
  pidOf,
  sh,
  stateDir,
  status,
  tsc,
  waitFor,
  writeProject,
} from '../helpers/containers';

const DEFAULT_CAPS = '00000000a80425fb'; // Docker's 14

test('PID 1 is the command, /proc lists only the container, the hostname is the service\'s, the root is an overlay', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: iso
services:
  web:
    command: ["sh", "-c", "echo pid=$$$$; for p in /proc/[0-9]*; do echo proc=$\${p#/proc/}; done; echo host=$$(hostname); exec sleep infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q host= ${stateDir('iso', 'iso-web-1')}/container.log`, 'the command output');
    t.deepEqual(await logLines(host, dir, 'web'), ['pid=1', 'proc=1', 'host=web']);
    const pid = await pidOf(host, 'iso', 'iso-web-1');
    t.is((await status(host, pid, 'NSpid')).split(/\s+/).at(-1), '1', 'PID 1 in its own pid namespace');
    t.is(await sh(host, `ls /proc/${pid}/root/proc | grep -E '^[0-9]+$' | tr '\\n' ' '`), '1', 'its /proc shows itself alone');
    t.not(await sh(host, `readlink /proc/${pid}/ns/cgroup`), await sh(host, 'readlink /proc/self/ns/cgroup'), 'own cgroup namespace');
    const mounts = await containerMounts(host, pid);
    t.is(mounts.find((m) => m.point === '/')?.fstype, 'overlay');
    for (const m of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/tmp']) t.truthy(mounts.find((x) => x.point === m), `${m} mounted`);
    t.regex(mounts.find((m) => m.point === '/sys')!.options, /^ro,/, '/sys read-only');
    t.false(mounts.some((m) => m.point.startsWith('/run/netns') || m.point.startsWith('/sys/fs/cgroup')), 'no host mounts in the container');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('what the container writes stays in its writable layer: not on the host, kept by restart, gone when recreated', async (t) => {
  await withHost(t, async (host) => {
    const probe = `/etc/${host.tag}-probe`;
    const compose = (word: string) => `name: wr
services:
  w:
    init: true
    command: ["sh", "-c", "[ -e ${probe} ] || echo ${word} > ${probe}; exec sleep infinity"]
`;
    const dir = writeProject(host, compose('first'));
    await ok(host, dir, ['up', '-d']);
    const c = 'wr-w-1';
    await waitFor(host, `test -e ${stateDir('wr', c)}/rootfs/upper${probe}`, 'the probe in the upper layer');
    t.false(fs.existsSync(probe), 'the host has no such file');
    t.is((await ok(host, dir, ['exec', '-T', 'w', 'cat', probe])).stdout, 'first\n');
    await ok(host, dir, ['restart', 'w']);
    t.is((await ok(host, dir, ['exec', '-T', 'w', 'cat', probe])).stdout, 'first\n', 'a restart keeps the writable layer');
    writeProject(host, compose('second'));
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q second ${stateDir('wr', c)}/rootfs/upper${probe}`, 'the recreated container\'s probe');
    t.is((await ok(host, dir, ['exec', '-T', 'w', 'cat', probe])).stdout, 'second\n', 'a recreated container starts from an empty layer');
    await ok(host, dir, ['down']);
    t.false(fs.existsSync(probe));
    t.deepEqual(await leftovers(host), []);
  });
});

test('mounts made in a container stay in it; the host mount table is the same during the run and after down', async (t) => {
  await withHost(t, async (host) => {
    const before = await hostMountPoints(host);
    const dir = writeProject(
      host,
      `name: mnt
services:
  m:
    cap_add: [SYS_ADMIN]
    command: ["sh", "-c", "mount -t tmpfs ${host.tag}-inner /mnt && echo mounted; exec sleep infinity"]
    stop_signal: SIGKILL
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q mounted ${stateDir('mnt', 'mnt-m-1')}/container.log`, 'the inner mount');
    const pid = await pidOf(host, 'mnt', 'mnt-m-1');
    t.truthy((await containerMounts(host, pid)).find((m) => m.point === '/mnt'), 'mounted inside');
    t.deepEqual(await hostMountPoints(host), before, 'nothing of the container in the host mount table');
    t.false((await sh(host, 'cat /proc/self/mountinfo')).includes(`${host.tag}-inner`));
    await ok(host, dir, ['down']);
    t.deepEqual(await hostMountPoints(host), before);
    t.deepEqual(await leftovers(host), []);
  });
});

test('security defaults: Docker\'s capabilities, empty inheritable set, no_new_privs, read-only /proc/sys, masked paths', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: sec
services:
  s:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const init = await pidOf(host, 'sec', 'sec-s-1');
    const cmd = Number(await sh(host, `cat /proc/${init}/task/${init}/children`));
    for (const pid of [init, cmd]) {
      t.is(await status(host, pid, 'CapEff'), DEFAULT_CAPS);
      t.is(await status(host, pid, 'CapPrm'), DEFAULT_CAPS);
      t.is(await status(host, pid, 'CapBnd'), DEFAULT_CAPS);
      t.is(await status(host, pid, 'CapInh'), '0000000000000000');
      t.is(await status(host, pid, 'CapAmb'), '0000000000000000');
      t.is(await status(host, pid, 'NoNewPrivs'), '1');
    }
    // /proc/sys: EROFS, even for root with the default capabilities.
    const w = await tsc(host, dir, ['exec', '-T', 's', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    t.not(w.code, 0);
    t.regex(w.stderr, /Read-only file system/);
    const sysrq = await tsc(host, dir, ['exec', '-T', 's', 'sh', '-c', 'echo 1 > /proc/sys/kernel/hostname']);
    t.regex(sysrq.stderr, /Read-only file system/);
    // Masked: /proc/keys reads as /dev/null, /proc/acpi and /sys/firmware are empty.
    t.is(await sh(host, `wc -c < /proc/${init}/root/proc/keys`), '0');
    t.not(await sh(host, 'wc -c < /proc/keys'), '0', 'the host\'s /proc/keys is not empty');
    t.is(await sh(host, `ls -A /proc/${init}/root/sys/firmware | wc -l`), '0');
    t.not(await sh(host, 'ls -A /sys/firmware | wc -l'), '0');
    // Without CAP_NET_ADMIN the container cannot make links; without CAP_SYS_ADMIN it cannot mount.
    const link = await tsc(host, dir, ['exec', '-T', 's', 'ip', 'addr', 'add', '10.123.0.1/32', 'dev', 'lo']);
    t.not(link.code, 0);
    t.regex(link.stderr, /Operation not permitted/);
    const mount = await tsc(host, dir, ['exec', '-T', 's', 'mount', '-t', 'tmpfs', 'x', '/mnt']);
    t.not(mount.code, 0);
    await ok(host, dir, ['down']);
  });
});

test('cap_add, cap_drop, privileged and a non-root user get exactly their sets; supplementary groups are dropped', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: caps
services:
  net:
    cap_drop: [ALL]
    cap_add: [NET_ADMIN]
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
  priv:
    privileged: true
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
  nobody:
    user: nobody
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
`,
    );
    await ok(host, dir, ['up', '-d']);
    const net = await pidOf(host, 'caps', 'caps-net-1');
    t.is(await status(host, net, 'CapEff'), '0000000000001000');
    t.is(await status(host, net, 'CapBnd'), '0000000000001000');
    t.is((await tsc(host, dir, ['exec', '-T', 'net', 'ip', 'addr', 'add', '10.123.0.1/32', 'dev', 'lo'])).code, 0, 'NET_ADMIN works');
    const chown = await tsc(host, dir, ['exec', '-T', 'net', 'chown', '1', '/tmp']);
    t.not(chown.code, 0, 'CHOWN was dropped');

    const priv = await pidOf(host, 'caps', 'caps-priv-1');
    const all = await sh(host, `awk '/CapBnd/ {print $2}' /proc/self/status`);
    t.is(await status(host, priv, 'CapEff'), all, 'privileged: every capability');
    t.is(await status(host, priv, 'NoNewPrivs'), '0');
    t.is((await tsc(host, dir, ['exec', '-T', 'priv', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'])).code, 0, 'privileged: /proc/sys writable');

    const nobody = await pidOf(host, 'caps', 'caps-nobody-1');
    t.is((await status(host, nobody, 'Uid')).split(/\s+/)[0], '65534');
    t.is((await status(host, nobody, 'Gid')).split(/\s+/)[0], '65534');
    t.is(await status(host, nobody, 'Groups'), '', 'no supplementary groups');
    t.is(await status(host, nobody, 'CapEff'), '0000000000000000');
    t.is(await status(host, nobody, 'CapPrm'), '0000000000000000');
    t.is(await status(host, nobody, 'CapBnd'), DEFAULT_CAPS);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('no_new_privs: a file capability (ping\'s cap_net_raw) cannot be gained by a non-root user, unless privileged', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nnp
services:
  plain:
    user: nobody
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
  priv:
    user: nobody
    privileged: true
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
`,
    );
    await ok(host, dir, ['up', '-d']);
    const denied = await tsc(host, dir, ['exec', '-T', 'plain', 'ping', '-c', '1', '-W', '2', '127.0.0.1']);
    t.not(denied.code, 0);
    t.regex(denied.stderr + denied.stdout, /cap_net_raw|Operation not permitted/);
    t.is((await tsc(host, dir, ['exec', '-T', 'priv', 'ping', '-c', '1', '-W', '2', '127.0.0.1'])).code, 0, 'without no_new_privs the file capability applies');
    await ok(host, dir, ['down']);
  });
});

test('devices: only the allowlist opens; a node made with CAP_MKNOD anywhere in the container cannot be opened', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: dev
services:
  d:
    init: true
    command: ["sleep", "infinity"]
  p:
    privileged: true
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'dev', 'dev-d-1');
    t.is(
      await sh(host, `ls /proc/${pid}/root/dev | tr '\\n' ' '`),
      'console fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero',
    );
    t.is((await tsc(host, dir, ['exec', '-T', 'd', 'sh', '-c', 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'])).stdout, '4\n');
    for (const where of ['/dev', '/tmp', '/root']) {
      // 1:3 is /dev/null: harmless, so a failure can only come from the mount's nodev.
      const r = await tsc(host, dir, ['exec', '-T', 'd', 'sh', '-c', `mknod ${where}/tscnode c 1 3 && echo made && echo x > ${where}/tscnode`]);
      t.regex(r.stdout, /made/, `CAP_MKNOD lets it make the node in ${where}`);
      t.not(r.code, 0, `but not open it in ${where}`);
      t.regex(r.stderr, /Permission denied/);
    }
    const p = await tsc(host, dir, ['exec', '-T', 'p', 'sh', '-c', 'mknod /dev/tscnode c 1 3 && echo x > /dev/tscnode && test -c /dev/loop-control -o -c /dev/kmsg']);
    t.is(p.code, 0, `privileged: its own nodes open, and the host's devices are there (${p.stderr})`);
    await ok(host, dir, ['down']);
  });
});

test('a root filesystem whose /etc and volume targets are symlinks out of it cannot touch the host', async (t) => {
  await withHost(t, async (host) => {
    const sentinel = path.join(host.dir, 'sentinel');
    fs.mkdirSync(sentinel);
    fs.writeFileSync(path.join(sentinel, 'hosts'), 'keep\n');
    const rootfs = path.join(host.dir, 'rootfs');
    fs.mkdirSync(rootfs);
    const up = '../'.repeat(12);
    fs.symlinkSync(`${up}${sentinel.slice(1)}`, path.join(rootfs, 'etc')); // relative, climbing out
    fs.symlinkSync(sentinel, path.join(rootfs, 'data')); // absolute host path
    fs.symlinkSync(`${up}${sentinel.slice(1)}/hosts`, path.join(rootfs, 'file')); // a file target
    const listing = () => fs.readdirSync(sentinel).sort();
    const before = listing();
    const rootfsBefore = fs.readdirSync(rootfs).sort();
    const mountsBefore = await hostMountPoints(host);
    for (const readOnly of [false, true]) {
      const dir = writeProject(
        host,
        `name: esc
services:
  e:
    x-rootfs: ${rootfs}
    read_only: ${readOnly}
    volumes:
      - ./vol:/data/inner
      - ./f.txt:/file
      - type: tmpfs
        target: /etc/tmpdir
`,
      );
      fs.writeFileSync(path.join(dir, 'f.txt'), 'mounted\n');
      await ok(host, dir, ['up', '-d']);
      const pid = await pidOf(host, 'esc', 'esc-e-1');
      const mounts = await containerMounts(host, pid);
      // Everything landed inside the container's root, where the links lead *there*.
      for (const p of [`${sentinel}/inner`, `${sentinel}/hosts`, `${sentinel}/tmpdir`]) {
        t.truthy(mounts.find((m) => m.point === p), `${p} mounted inside the container (read_only: ${readOnly})`);
      }
      t.deepEqual(listing(), before, 'nothing made in the host\'s sentinel directory');
      t.is(fs.readFileSync(path.join(sentinel, 'hosts'), 'utf8'), 'keep\n', 'the sentinel file is untouched');
      t.deepEqual(await hostMountPoints(host), mountsBefore, 'no mount on the host');
      t.deepEqual(fs.readdirSync(rootfs).sort(), rootfsBefore, 'x-rootfs stays pristine');
      await ok(host, dir, ['down']);
    }
    t.deepEqual(await leftovers(host), []);
  });
});

test('a root filesystem with a symlinked /proc is refused with the syscall and errno, and leaves nothing', async (t) => {
  await withHost(t, async (host) => {
    const rootfs = path.join(host.dir, 'rootfs');
    fs.mkdirSync(rootfs);
    fs.symlinkSync('/tmp', path.join(rootfs, 'proc'));
    const dir = writeProject(host, `name: bad\nservices:\n  b:\n    x-rootfs: ${rootfs}\n`);
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 1);
    t.regex(r.stderr, /openat2: ELOOP \(\/proc .*symbolic links\)/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('user: a name from the root filesystem\'s own /etc/passwd; exec -u NAME, -w and -e; exit codes propagate', async (t) => {
  await withHost(t, async (host) => {
    const rootfs = miniRootfs(path.join(host.dir, 'rootfs'), {
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\ntscuser:x:4242:4343::/home/tsc:/bin/sh\n',
      'etc/group': 'root:x:0:\ntscgroup:x:4343:tscuser\nextra:x:5000:tscuser\n',
    });
    t.false((await sh(host, 'getent passwd tscuser || true')).length > 0, 'the host has no tscuser');
    const dir = writeProject(
      host,
      `name: usr
services:
  u:
    x-rootfs: ${rootfs}
    user: tscuser
    working_dir: /work/dir
    environment:
      FOO: bar
`,
    );
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'usr', 'usr-u-1');
    t.is((await status(host, pid, 'Uid')).split(/\s+/)[0], '4242');
    t.is((await status(host, pid, 'Gid')).split(/\s+/)[0], '4343');
    t.is(await status(host, pid, 'Groups'), '', 'supplementary groups (extra) dropped');
    t.is(await sh(host, `readlink /proc/${pid}/cwd`), '/work/dir', 'the working directory was made');
    const printIds = 'while read k v rest; do case $k in Uid:|Gid:|Groups:) echo $k $v;; esac; done < /proc/self/status; echo cwd=$PWD FOO=$FOO';
    t.is((await ok(host, dir, ['exec', '-T', 'u', 'sh', '-c', printIds])).stdout, 'Uid: 4242\nGid: 4343\nGroups:\ncwd=/work/dir FOO=bar\n');
    t.is(
      (await ok(host, dir, ['exec', '-T', '-u', 'root', '-w', '/tmp', '-e', 'FOO=baz', 'u', 'sh', '-c', printIds])).stdout,
      'Uid: 0\nGid: 0\nGroups:\ncwd=/tmp FOO=baz\n',
    );
    const bad = await tsc(host, dir, ['exec', '-T', '-u', 'nobody', 'u', 'sh', '-c', 'true']);
    t.is(bad.code, 2, 'nobody is the host\'s user, not the root filesystem\'s');
    t.regex(bad.stderr, /user nobody not found/);
    t.is((await tsc(host, dir, ['exec', '-T', 'u', 'sh', '-c', 'exit 7'])).code, 7);
    t.is((await tsc(host, dir, ['exec', '-T', 'u', 'nope'])).code, 127);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('init: true reaps orphans (a PID-1 sleep leaves zombies); its only fds are stdio', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: z
services:
  withinit:
    init: true
    command: ["sh", "-c", "sh -c 'sleep 0.3 &' ; exec sleep infinity"]
  without:
    command: ["sh", "-c", "sh -c 'sleep 0.3 &' ; exec sleep infinity"]
    stop_signal: SIGKILL
`,
    );
    await ok(host, dir, ['up', '-d']);
    const states = (pid: number) =>
      `for p in $(ls /proc | grep -E '^[0-9]+$'); do [ "$(readlink /proc/$p/ns/pid 2>/dev/null)" = "$(readlink /proc/${pid}/ns/pid)" ] && awk '{print $3}' /proc/$p/stat 2>/dev/null; done | tr -d '\\n'`;
    const without = await pidOf(host, 'z', 'z-without-1');
    await waitFor(host, `[ "$(${states(without)})" = "SZ" ]`, 'the zombie left by a PID-1 sleep');
    const withInit = await pidOf(host, 'z', 'z-withinit-1');
    // Once the orphaned sleep is gone, only init and the command remain (no Z).
    await waitFor(host, `[ "$(${states(withInit)})" = "SS" ]`, 'the orphan reaped by the init');
    t.is(await sh(host, `ls /proc/${withInit}/fd | tr '\\n' ' '`), '0 1 2', 'the init holds only stdio');
    const cmd = await sh(host, `cat /proc/${withInit}/task/${withInit}/children`);
    t.is(await sh(host, `ls /proc/${cmd}/fd | tr '\\n' ' '`), '0 1 2', 'so does the command');
    t.is(await sh(host, `tr '\\0' ' ' < /proc/${withInit}/cmdline`), 'tsc-init -- sh -c sh -c \'sleep 0.3 &\' ; exec sleep infinity');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('the built-in init cannot be reached through /proc/1/exe (CVE-2019-5736); the host binary is unchanged', async (t) => {
  await withHost(t, async (host) => {
    const shim = path.join(path.resolve(__dirname, '..', '..', '..'), 'native', 'build', 'Release', 'tsc-shim');
    const sum = await sh(host, `sha256sum ${shim}`);
    const dir = writeProject(
      host,
      `name: cve
services:
  c:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const read = await tsc(host, dir, ['exec', '-T', 'c', 'sh', '-c', 'cat /proc/1/exe > /dev/null']);
    t.not(read.code, 0, 'its image cannot be opened (non-dumpable)');
    t.regex(read.stderr, /Permission denied/);
    const write = await tsc(host, dir, ['exec', '-T', 'c', 'sh', '-c', 'echo x >> /proc/1/exe']);
    t.not(write.code, 0);
    // The attack holds the image open and writes it later (once nothing executes it). What it
    // holds is the file through a read-only mount (statvfs: ST_RDONLY), unlike the host's path.
    const init = await pidOf(host, 'cve', 'cve-c-1');
    const readOnly = (p: string) => `python3 -c 'import os, sys; print(os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY)' ${p}`;
    t.not(await sh(host, `exec 3< /proc/${init}/exe; ${readOnly('/proc/self/fd/3')}`), '0', 'the image is reached through a read-only mount');
    t.is(await sh(host, readOnly(shim)), '0', 'the host\'s path to it is writable');
    await ok(host, dir, ['down']);
    t.is(await sh(host, `sha256sum ${shim}`), sum);
  });
});

test('other containers\' files, logs and volumes are out of sight', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: oth
services:
  a:
    init: true
    command: ["sh", "-c", "echo secret > /opt/${host.tag}-secret; exec sleep infinity"]
    volumes: [data:/data]
  b:
    init: true
    command: ["sleep", "infinity"]
volumes:
  data: {}
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `test -e ${stateDir('oth', 'oth-a-1')}/rootfs/upper/opt/${host.tag}-secret`, 'a\'s file');
    const b = await pidOf(host, 'oth', 'oth-b-1');
    const masked = (await containerMounts(host, b)).find((m) => m.point === '/run/tscompose');
    t.is(masked?.fstype, 'tmpfs', 'the state store seen through the host\'s root is covered');
    t.regex(masked?.options ?? '', /^ro,/);
    t.is(await sh(host, `ls -A /proc/${b}/root/run/tscompose | wc -l`), '0');
    const find = await tsc(host, dir, ['exec', '-T', 'b', 'sh', '-c', `test -e /opt/${host.tag}-secret`]);
    t.not(find.code, 0);
    await ok(host, dir, ['down', '-v']);
    t.deepEqual(await leftovers(host), []);
  });
});
