/**
 * pid, ipc, uts and cgroup namespace modes, checked by namespace inode in a
 * throwaway host: `service:NAME` puts the container in the other
 * container's pid and ipc namespaces (it sees its processes, shares its
 * SysV shared memory), exec joins them too; `host` leaves it in the host's;
 * a non-shareable donor or a missing service is refused at its line.
 */
import * as fs from 'node:fs';
import { testNeeding, withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

const ns = (host: Parameters<typeof sh>[0], pid: number | 'self', kind: string) => sh(host, `readlink /proc/${pid}/ns/${kind}`);

testNeeding()('pid and ipc: service:NAME join the donor\'s namespaces (processes and SysV shared memory seen); host modes share the host\'s', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nsm
services:
  donor:
    command: ["sh", "-c", "ipcmk -M 4096 && echo from-donor > /dev/shm/tsc-posix && exec sleep 31415926"]
    ipc: shareable
  joiner:
    command: ["sleep", "infinity"]
    pid: service:donor
    ipc: service:donor
    restart: always
  hosty:
    command: ["sleep", "infinity"]
    pid: host
    ipc: host
    uts: host
    cgroup: host
  own:
    command: ["sleep", "infinity"]
    cgroup: private
    ipc: private
`,
    );
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    const start = (c: string) => plan.waves.flat().find((a: any) => a.kind === 'container.start' && a.container === c);
    t.deepEqual(start('nsm-joiner-1').launch.join, [{ namespace: 'pid', container: 'nsm-donor-1' }, { namespace: 'ipc', container: 'nsm-donor-1' }], 'plan --json shows what is joined');
    t.deepEqual(start('nsm-joiner-1').launch.namespaces, ['mount', 'uts', 'cgroup']);
    t.deepEqual(start('nsm-hosty-1').launch.namespaces, ['mount']);
    await ok(host, dir, ['up', '-d']);

    const donor = await pidOf(host, 'nsm', 'nsm-donor-1');
    const joiner = await pidOf(host, 'nsm', 'nsm-joiner-1');
    const hosty = await pidOf(host, 'nsm', 'nsm-hosty-1');
    const own = await pidOf(host, 'nsm', 'nsm-own-1');
    for (const kind of ['pid', 'ipc']) {
      t.is(await ns(host, joiner, kind), await ns(host, donor, kind), `joiner is in donor's ${kind} namespace`);
      t.is(await ns(host, hosty, kind), await ns(host, 'self', kind), `hosty is in the host's ${kind} namespace`);
      t.not(await ns(host, own, kind), await ns(host, 'self', kind));
      t.not(await ns(host, own, kind), await ns(host, donor, kind));
    }
    for (const kind of ['uts', 'cgroup']) {
      t.is(await ns(host, hosty, kind), await ns(host, 'self', kind), `hosty is in the host's ${kind} namespace`);
      t.not(await ns(host, joiner, kind), await ns(host, donor, kind), `joiner has its own ${kind} namespace`);
    }
    t.not(await ns(host, joiner, 'mnt'), await ns(host, donor, 'mnt'));

    // From inside: the joiner sees the donor's process and its shared memory segment; exec does too.
    const ps = await ok(host, dir, ['exec', '-T', 'joiner', 'sh', '-c', 'cat /proc/[0-9]*/cmdline | tr "\\0" " "']);
    t.regex(ps.stdout, /sleep 31415926/, "the donor's process is visible in the joined pid namespace");
    const shm = await ok(host, dir, ['exec', '-T', 'joiner', 'ipcs', '-m']);
    t.regex(shm.stdout, /4096/, "the donor's SysV segment is visible in the joined ipc namespace");
    t.notRegex((await ok(host, dir, ['exec', '-T', 'own', 'ipcs', '-m'])).stdout, /4096/);
    // POSIX shared memory: the donor's /dev/shm, bound into the joiner.
    t.is((await ok(host, dir, ['exec', '-T', 'joiner', 'cat', '/dev/shm/tsc-posix'])).stdout.trim(), 'from-donor');
    await ok(host, dir, ['exec', '-T', 'joiner', 'sh', '-c', 'echo from-joiner > /dev/shm/tsc-back']);
    t.is((await ok(host, dir, ['exec', '-T', 'donor', 'cat', '/dev/shm/tsc-back'])).stdout.trim(), 'from-joiner');
    t.is((await ok(host, dir, ['exec', '-T', 'joiner', 'readlink', '/proc/self/ns/ipc'])).stdout.trim(), await ns(host, donor, 'ipc'));
    const hostName = await sh(host, 'hostname');
    t.is((await ok(host, dir, ['exec', '-T', 'hosty', 'hostname'])).stdout.trim(), hostName, 'uts: host: the host\'s name');
    t.is((await ok(host, dir, ['exec', '-T', 'hosty', 'sh', '-c', 'echo $HOSTNAME; cat /etc/hostname'])).stdout, `${hostName}\n${hostName}\n`, 'in HOSTNAME and /etc/hostname too');
    // ipc: host: the host's /dev/shm (POSIX shared memory) too, as Docker binds it.
    await sh(host, 'echo from-host > /dev/shm/tsc-nsm-probe');
    t.is((await ok(host, dir, ['exec', '-T', 'hosty', 'cat', '/dev/shm/tsc-nsm-probe'])).stdout.trim(), 'from-host');
    t.is((await tsc(host, dir, ['exec', '-T', 'own', 'cat', '/dev/shm/tsc-nsm-probe'])).code, 1, 'its own /dev/shm otherwise');
    await sh(host, 'rm /dev/shm/tsc-nsm-probe');

    const again = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.is(again.waves.flat().length, 0, 'nothing to do after up');

    // Restarted by its shim (restart: always), the joiner is back in the donor's namespaces and /dev/shm.
    await sh(host, `kill -KILL ${joiner}`);
    await waitFor(host, `p=$(cut -d' ' -f1 ${stateDir('nsm', 'nsm-joiner-1')}/init.pid); [ "$p" != ${joiner} ] && kill -0 $p`, 'the joiner restarted');
    const restarted = await pidOf(host, 'nsm', 'nsm-joiner-1');
    t.is(await ns(host, restarted, 'ipc'), await ns(host, donor, 'ipc'));
    t.is(await ns(host, restarted, 'pid'), await ns(host, donor, 'pid'));
    t.is((await ok(host, dir, ['exec', '-T', 'joiner', 'cat', '/dev/shm/tsc-back'])).stdout.trim(), 'from-joiner');

    // Replacing the donor (its command changed) restarts the joiner into the new donor's namespaces.
    const file = `${dir}/compose.yaml`;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('sleep 31415926', 'sleep 27182818'));
    const replan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.true(replan.waves.flat().some((a: any) => a.kind === 'container.start' && a.container === 'nsm-joiner-1'), 'the joiner restarts with its donor');
    await ok(host, dir, ['up', '-d']);
    const donor2 = await pidOf(host, 'nsm', 'nsm-donor-1');
    const joiner2 = await pidOf(host, 'nsm', 'nsm-joiner-1');
    t.not(donor2, donor);
    t.is(await ns(host, joiner2, 'pid'), await ns(host, donor2, 'pid'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding()('a non-shareable ipc donor, a missing service and a cycle through pid are refused at their line', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nsbad
services:
  a:
    command: ["true"]
  b:
    command: ["true"]
    ipc: service:a
  c:
    command: ["true"]
    pid: service:nope
  d:
    command: ["true"]
    pid: service:e
  e:
    command: ["true"]
    depends_on: [d]
  f:
    command: ["true"]
    uts: host
    hostname: x
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:7:5 services\.b\.ipc: service "a" has a non-shareable ipc namespace: give it ipc: shareable/);
    t.regex(r.stderr, /compose\.yaml:10:5 services\.c\.pid: service "nope" is not defined/);
    t.regex(r.stderr, /compose\.yaml:\d+:\d+ services\.[de]\.(pid|depends_on\.d): dependency cycle/);
    t.regex(r.stderr, /compose\.yaml:19:5 services\.f\.uts: uts: host conflicts with hostname/);
    t.deepEqual(await leftovers(host), []);
  });
});
