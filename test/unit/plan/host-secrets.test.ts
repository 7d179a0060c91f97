import test from 'ava';
import { resolve } from '../../../src/plan';
import { hostSecrets } from '../../../src/plan/host-secrets';
import { emptyObserved, project, service } from '../../helpers/project';
import { load } from '../compose/helpers';

test('on the host\'s root: shadow, gshadow (and backups) and SSH keys masked, /root and /home emptied; a mount of the file at the path wins', (t) => {
  const s = hostSecrets(service('web', { mounts: [{ type: 'volume', source: 'h', target: '/home', readOnly: false }] }), true);
  t.deepEqual(s.masks, ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/ssh/*key*']);
  t.deepEqual(s.mounts.map((m) => m.target), ['/root']);
  t.deepEqual(hostSecrets(service('web'), false), { masks: [], mounts: [], unknown: [] }, 'an image or x-rootfs has none of the host\'s');
});

test('x-host-secrets: true shows all, a list those it names; an unknown path is an error at the key', (t) => {
  const p = load('services:\n  a:\n    command: ["true"]\n    x-host-secrets: true\n  b:\n    command: ["true"]\n    x-host-secrets: [/etc/ssh/*key*, /root]\n');
  t.is(p.services.a!.hostSecrets, true);
  const d = resolve(p, emptyObserved());
  const a = d.containers[Object.keys(d.containers).find((n) => n.endsWith('-a-1'))!]!.launch.isolation!;
  t.false(a.maskedPaths.includes('/etc/shadow'));
  t.false(a.mounts.some((m) => m.target === '/root'));
  const b = d.containers[Object.keys(d.containers).find((n) => n.endsWith('-b-1'))!]!.launch.isolation!;
  t.true(b.maskedPaths.includes('/etc/shadow'));
  t.false(b.maskedPaths.includes('/etc/ssh/*key*'));
  t.deepEqual(b.mounts.filter((m) => m.type === 'tmpfs').map((m) => m.target), ['/home', '/tmp']);
  const bad = load('services:\n  a:\n    command: ["true"]\n    x-host-secrets: [/etc/passwd]\n');
  const e = t.throws(() => resolve(bad, emptyObserved()));
  t.regex(e!.message, /compose\.yaml:4:\d+ services\.a\.x-host-secrets: \/etc\/passwd: not hidden from a container/);
  t.is(resolve(project('x', [service('web', { hostSecrets: ['/root'] })]), emptyObserved()).containers['x-web-1']!.launch.isolation!.mounts.filter((m) => m.target === '/root').length, 0);
});
