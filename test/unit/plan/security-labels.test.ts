import test from 'ava';
import { PlanError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { emptyObserved, project, service } from '../../helpers/project';

const lsm = (kernel: { apparmor?: boolean; selinux?: boolean }) => emptyObserved({ kernel });
const app = () =>
  project('app', [
    service('web', { apparmor: 'docker-default', securityLabel: ['type:svirt_t', 'disable'] }),
    service('free', { apparmor: 'unconfined', securityLabel: ['disable'] }),
  ]);

test('a host without AppArmor or SELinux: apparmor= and label= are discarded with a warning at the key; unconfined and disable need nothing', (t) => {
  const d = resolve(app(), lsm({}));
  t.deepEqual(
    d.warnings?.map((w) => [w.path, w.message]),
    [
      ['services.web.security_opt', 'this host has no AppArmor (its kernel module is not enabled): apparmor=docker-default discarded'],
      ['services.web.security_opt', 'this host has no SELinux: label=type:svirt_t discarded'],
    ],
  );
  t.truthy(d.containers['app-web-1']);
});

test('a host with the module: a profile or a context is refused (not loaded yet) rather than run unconfined', (t) => {
  const e = t.throws(() => resolve(app(), lsm({ apparmor: true, selinux: true })));
  t.true(e instanceof PlanError);
  t.regex(e!.message, /services\.web\.security_opt: apparmor=docker-default: loading an AppArmor profile is not supported yet/);
  t.regex(e!.message, /services\.web\.security_opt: label=type:svirt_t: SELinux process labels are not supported yet/);
  t.notRegex(e!.message, /services\.free/);
});
