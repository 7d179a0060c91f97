import test from 'ava';
import { containerLabels, formatContext, mcsLevel, parseContext, relabelRefused, sharedLabel } from '../../../src/plan/selinux-label';

test('contexts: user:role:type:level, the level keeping its own colons', (t) => {
  t.deepEqual(parseContext('system_u:system_r:container_t:s0:c1,c2'), { user: 'system_u', role: 'system_r', type: 'container_t', level: 's0:c1,c2' });
  t.is(formatContext(parseContext('u:r:t:s0-s0:c0.c1023')!), 'u:r:t:s0-s0:c0.c1023');
  t.is(parseContext('container_t'), undefined);
});

test('the default labels, as container-selinux: container_t and container_file_t at the container\'s level', (t) => {
  t.deepEqual(containerLabels([], 's0:c5,c9'), { processLabel: 'system_u:system_r:container_t:s0:c5,c9', mountLabel: 'system_u:object_r:container_file_t:s0:c5,c9' });
  t.deepEqual(containerLabels(['nested'], 's0:c5,c9'), containerLabels([], 's0:c5,c9'), 'nested changes no label');
});

test('label= options: user, role, type, level replace the process label\'s field (user and level the mount label\'s too), filetype the mount type', (t) => {
  t.deepEqual(containerLabels(['user:staff_u', 'role:staff_r', 'type:svirt_t', 'level:s0:c100,c200', 'filetype:svirt_sandbox_file_t'], 's0:c1,c2'), {
    processLabel: 'staff_u:staff_r:svirt_t:s0:c100,c200',
    mountLabel: 'staff_u:object_r:svirt_sandbox_file_t:s0:c100,c200',
  });
  t.deepEqual(containerLabels(['type:spc_t', 'disable'], 's0:c1,c2'), { mountLabel: 'system_u:object_r:container_file_t:s0' }, 'disable wins: no process label');
});

test(':z is the mount label without categories', (t) => {
  t.is(sharedLabel('system_u:object_r:container_file_t:s0:c1,c2'), 'system_u:object_r:container_file_t:s0');
});

test('MCS levels: two distinct categories in c0..c1023, stable for a seed, another when taken', (t) => {
  const a = mcsLevel('p-web-1', new Set());
  const m = /^s0:c(\d+),c(\d+)$/.exec(a);
  t.truthy(m);
  t.true(Number(m![1]) < Number(m![2]) && Number(m![2]) < 1024);
  t.is(mcsLevel('p-web-1', new Set()), a);
  const b = mcsLevel('p-web-1', new Set([a]));
  t.not(b, a);
});

test('system directories are never relabeled (go-selinux\'s list), others are', (t) => {
  for (const p of ['/', '/usr', '/etc/', '/home', '/root', '/var/lib', '/tmp']) t.true(relabelRefused(p), p);
  for (const p of ['/srv/data', '/home/app/project', '/usr/local/share/x', '/var/lib/app']) t.false(relabelRefused(p), p);
  t.true(relabelRefused('/home/alice', ['/root', '/home/alice/']), 'the invoking user\'s home');
  t.false(relabelRefused('/home/alice/project', ['/home/alice']));
});
