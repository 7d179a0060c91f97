import test from 'ava';
import { PlanError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { load as loadCompose } from '../compose/helpers';
import { emptyObserved, project, service } from '../../helpers/project';

type Kernel = NonNullable<ReturnType<typeof emptyObserved>['kernel']>;
const lsm = (kernel: Kernel) => emptyObserved({ kernel });
const app = () =>
  project('app', [
    service('web', { apparmor: 'docker-default', securityLabel: ['type:svirt_t'] }),
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
  t.is(d.containers['app-web-1']!.launch.isolation!.lsm, undefined);
  t.is(d.containers['app-free-1']!.launch.isolation!.lsm, undefined);
});

test('a host with AppArmor: the profile goes to the container (and to exec); unconfined means none; a profile not loaded is refused at the key', (t) => {
  const d = resolve(app(), lsm({ apparmor: true, apparmorProfiles: ['docker-default', 'other'] }));
  t.deepEqual(d.containers['app-web-1']!.launch.isolation!.lsm, { apparmor: 'docker-default' });
  t.is(d.containers['app-free-1']!.launch.isolation!.lsm, undefined);
  t.deepEqual(d.warnings?.map((w) => w.message), ['this host has no SELinux: label=type:svirt_t discarded'], 'only SELinux\'s');
  const e = t.throws(() => resolve(app(), lsm({ apparmor: true, apparmorProfiles: ['other'] })));
  t.true(e instanceof PlanError);
  t.regex(e!.message, /services\.web\.security_opt: apparmor=docker-default: no such AppArmor profile is loaded on this host/);
  t.notRegex(e!.message, /services\.free/);
  const text = 'services:\n  web:\n    command: [sleep, "1"]\n    security_opt:\n      - apparmor=tsc-missing\n';
  const at = t.throws(() => resolve(loadCompose(text), lsm({ apparmor: true, apparmorProfiles: [] })));
  t.regex(at!.message, /^compose\.yaml:4:\d+ services\.web\.security_opt: apparmor=tsc-missing: no such AppArmor profile/);
});

test('a host with SELinux: :z on the home of tscompose\'s user ($HOME, or $SUDO_USER\'s) is refused at the key', (t) => {
  const text = 'services:\n  web:\n    command: [sleep, "1"]\n    volumes:\n      - /home/app:/h:z\n';
  const kernel = { selinux: true };
  t.notThrows(() => resolve(loadCompose(text), emptyObserved({ kernel })));
  const base = emptyObserved({ kernel });
  for (const who of [{ home: '/home/app/' }, { sudoUser: 'app' }]) {
    const e = t.throws(() => resolve(loadCompose(text), { ...base, host: { ...base.host, ...who } }));
    t.regex(e!.message, /^compose\.yaml:4:\d+ services\.web\.volumes: :z would relabel \/home\/app for SELinux/);
  }
});

test('a host with SELinux: process and mount labels with a per-container MCS pair, label= options honoured, :z/:Z relabels planned', (t) => {
  const p = project('app', [
    service('web', { securityLabel: ['type:svirt_t', 'level:s0:c1,c2'] }),
    service('data', {
      scale: 2,
      mounts: [
        { type: 'bind', source: '/srv/data/shared', target: '/s', readOnly: false, propagation: 'rprivate', createHostPath: false, recursive: true, selinux: 'z' },
        { type: 'bind', source: '/srv/data/own', target: '/o', readOnly: false, propagation: 'rprivate', createHostPath: false, recursive: true, selinux: 'Z' },
      ],
    }),
    service('off', { securityLabel: ['disable'], mounts: [{ type: 'bind', source: '/srv/x', target: '/x', readOnly: false, propagation: 'rprivate', createHostPath: false, recursive: true, selinux: 'Z' }] }),
    service('plain', {}),
  ]);
  const d = resolve(p, lsm({ selinux: true }));
  const of = (c: string) => d.containers[c]!.launch.isolation!.lsm;
  t.deepEqual(of('app-web-1'), { processLabel: 'system_u:system_r:svirt_t:s0:c1,c2', mountLabel: 'system_u:object_r:container_file_t:s0:c1,c2' });
  const d1 = of('app-data-1')!;
  const d2 = of('app-data-2')!;
  t.regex(d1.processLabel!, /^system_u:system_r:container_t:s0:c(\d+),c(\d+)$/);
  t.is(d1.mountLabel, d1.processLabel!.replace('system_r:container_t', 'object_r:container_file_t'));
  t.not(d1.processLabel, d2.processLabel, 'each container its own categories');
  t.deepEqual(d1.relabel, [
    { source: '/srv/data/shared', flag: 'z', label: 'system_u:object_r:container_file_t:s0' },
    { source: '/srv/data/own', flag: 'Z', label: d1.mountLabel },
  ]);
  t.deepEqual(of('app-off-1'), { relabel: [{ source: '/srv/x', flag: 'Z', label: 'system_u:object_r:container_file_t:s0' }] }, 'label=disable: no process label, the shared label');
  t.is(of('app-plain-1'), undefined, 'nothing asked: nothing labeled');
  const priv = resolve(project('app', [service('web', { privileged: true, securityLabel: ['type:svirt_t'] })]), lsm({ selinux: true }));
  t.is(priv.containers['app-web-1']!.launch.isolation!.lsm, undefined);
  t.deepEqual(priv.warnings?.map((w) => w.message), ['privileged: label=type:svirt_t has no effect (a privileged container runs unlabeled, as Docker\'s)']);
  // The categories are stable: the same plan again, and a journal that recorded others keeps those.
  t.deepEqual(resolve(p, lsm({ selinux: true })).containers['app-data-1']!.launch.isolation!.lsm, d1);
  const recorded = { ...d.containers['app-data-1']!.launch, isolation: { ...d.containers['app-data-1']!.launch.isolation!, lsm: { ...d1, mountLabel: 'system_u:object_r:container_file_t:s0:c7,c9' } } };
  const state = { version: 1, project: 'app', networks: {}, containers: { 'app-data-1': { service: 'data', index: 1, interfaces: [], launchHash: 'x', launch: recorded, netnsPlacement: { kind: 'host' } } } } as any;
  const again = resolve(p, emptyObserved({ kernel: { selinux: true }, state })).containers['app-data-1']!.launch.isolation!.lsm!;
  t.is(again.processLabel, 'system_u:system_r:container_t:s0:c7,c9');
});
