/**
 * seccomp, from inside real containers in a throwaway host: the default
 * filter refuses what Docker's refuses a container without the capability
 * (a user namespace, the keyring) — for the container's process and for
 * `exec` alike — while ordinary work runs; `seccomp=unconfined` lifts it;
 * a Docker-format profile file is applied (here: mkdir refused with EACCES);
 * a bad profile is an error at its line and makes nothing.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { securityModules } from '../../src/sys/kernel';
import { withHost } from '../helpers/host';
import { leftovers, ok, stateDir, sh, tsc, waitFor, writeProject } from '../helpers/containers';

const PROBE = `unshare -U true && echo userns=yes || echo userns=no; python3 -c "import ctypes,os; l=ctypes.CDLL(None,use_errno=True); r=l.syscall(250,0,0,0,0,0); print('keyctl', r, os.strerror(ctypes.get_errno()))"; mkdir /tmp/m && echo mkdir=yes || echo mkdir=no; sleep infinity`;

test('the default filter refuses user namespaces and keyrings, in the container and in exec; unconfined and a profile file are honoured', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: scmp
services:
  def:
    command: ["sh", "-c", ${JSON.stringify(PROBE)}]
  open:
    command: ["sh", "-c", ${JSON.stringify(PROBE)}]
    security_opt: ["seccomp=unconfined"]
  prof:
    command: ["sh", "-c", ${JSON.stringify(PROBE)}]
    security_opt: ["seccomp=./profile.json"]
`,
    );
    fs.writeFileSync(
      path.join(dir, 'profile.json'),
      JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }),
    );
    await ok(host, dir, ['up', '-d']);
    const log = async (c: string) => {
      await waitFor(host, `grep -q mkdir= ${stateDir('scmp', c)}/container.log`, `${c}'s probe`);
      return sh(host, `cat ${stateDir('scmp', c)}/container.log`);
    };
    const def = await log('scmp-def-1');
    t.regex(def, /userns=no/);
    t.regex(def, /keyctl -1 Operation not permitted/);
    t.regex(def, /mkdir=yes/, 'ordinary syscalls run');
    const open = await log('scmp-open-1');
    t.regex(open, /userns=yes/, 'seccomp=unconfined');
    t.regex(open, /keyctl -?\d+ (?!Operation not permitted)/);
    const prof = await log('scmp-prof-1');
    t.regex(prof, /mkdir=no/, 'the profile refuses mkdir');
    t.regex(prof, /userns=yes/, 'and nothing else');
    const ex = await tsc(host, dir, ['exec', '-T', 'def', 'sh', '-c', 'unshare -U true && echo yes || echo no']);
    t.is(ex.stdout.trim(), 'no', 'exec gets the container’s filter');
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.is(plan.waves.flat().length, 0);
    await ok(host, dir, ['down']);

    fs.writeFileSync(path.join(dir, 'profile.json'), '{"defaultAction": "SCMP_ACT_MAYBE"}');
    const bad = await tsc(host, dir, ['up', '-d']);
    t.is(bad.code, 3);
    t.regex(bad.stderr, /compose\.yaml:10:\d+ services\.prof\.security_opt\.0: seccomp profile \.\/profile\.json: defaultAction: "SCMP_ACT_MAYBE" is not an action/);
    t.deepEqual(await leftovers(host), []);
  });
});

test('security_opt apparmor= and label= on a host with neither module: up warns at the key once and runs the container', async (t) => {
  const modules = securityModules();
  if (modules.apparmor || modules.selinux) {
    t.pass('this machine has AppArmor or SELinux: the options are honoured instead (lsm.test.ts, with the modules faked)');
    return;
  }
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: lsm\nservices:\n  web:\n    command: ["sleep", "infinity"]\n    security_opt: ["apparmor=docker-default", "label=type:svirt_t", "label=disable"]\n`);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /compose\.yaml:5:\d+ services\.web\.security_opt: this host has no AppArmor .*apparmor=docker-default discarded/);
    t.regex(up.stderr, /services\.web\.security_opt: this host has no SELinux: label=type:svirt_t discarded/);
    t.is(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout)[0].state, 'running');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
