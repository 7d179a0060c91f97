/**
 * The container's AppArmor profile and SELinux labels travel from the plan
 * to the shim: `run`'s argv, and every command run in the container
 * (`exec`, healthcheck, hooks: all built from execSettings).
 */
import test from 'ava';
import { execSettings } from '../../../src/plan/exec-settings';
import { resolve } from '../../../src/plan';
import { execArgs, shimArgs } from '../../../src/sys/shim';
import { emptyObserved, project, service } from '../../helpers/project';

test('exec, healthchecks and hooks get the container\'s profile and process label; run gets the mount label too', (t) => {
  const p = project('app', [service('web', { apparmor: 'tsc-prof', securityLabel: ['type:svirt_t', 'level:s0:c3,c4'] })]);
  const d = resolve(p, emptyObserved({ kernel: { apparmor: true, apparmorProfiles: ['tsc-prof'], selinux: true } }));
  const c = d.containers['app-web-1']!;
  const ex = execSettings(c.launch, { kind: 'host' });
  t.is(ex.apparmor, 'tsc-prof');
  t.is(ex.execLabel, 'system_u:system_r:svirt_t:s0:c3,c4');
  const argv = execArgs({ ...ex, pid: 42, argv: ['true'] });
  const after = (args: string[], opt: string) => args[args.indexOf(opt) + 1];
  t.is(after(argv, '--apparmor'), 'tsc-prof');
  t.is(after(argv, '--exec-label'), 'system_u:system_r:svirt_t:s0:c3,c4');
  t.false(argv.includes('--mount-label'), 'exec makes no mounts');
  t.true(argv.indexOf('--apparmor') < argv.indexOf('--'), 'options before the command');
  const run = shimArgs({ name: 'w', stateDir: '/s', namespaces: [], binds: [], env: {}, sysctls: {}, argv: ['sleep'], apparmor: 'tsc-prof', execLabel: 'L', mountLabel: 'M:c1,c2' });
  t.deepEqual([after(run, '--apparmor'), after(run, '--exec-label'), after(run, '--mount-label')], ['tsc-prof', 'L', 'M:c1,c2']);
  const plain = resolve(project('app', [service('web')]), emptyObserved({ kernel: { apparmor: true, selinux: true } })).containers['app-web-1']!;
  const none = execSettings(plain.launch, { kind: 'host' });
  t.is(none.apparmor, undefined);
  t.is(none.execLabel, undefined);
});
