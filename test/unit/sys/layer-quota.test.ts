/** parseLayerFs: which mount a layer directory is on, and whether it enforces project quotas, from mountinfo samples. */
import test from 'ava';
import { parseLayerFs } from '../../../src/sys/layer-quota';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro',
  '25 22 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1620000k,mode=755',
  '40 25 7:0 / /run/tscompose rw,relatime shared:20 - xfs /dev/loop0 rw,attr2,inode64,logbufs=8,logbsize=32k,prjquota',
  '41 22 7:1 / /srv/my\\040disk rw,relatime shared:21 - xfs /dev/loop1 rw,attr2,inode64,noquota',
  '42 22 7:2 / /srv/p rw,relatime shared:22 - xfs /dev/loop2 rw,attr2,inode64,pquota',
].join('\n');

test('the longest mount point above the directory; prjquota or pquota on xfs enforces', (t) => {
  t.deepEqual(parseLayerFs(MOUNTINFO, '/run/tscompose/app/containers'), { mount: '/run/tscompose', fstype: 'xfs', prjquota: true });
  t.deepEqual(parseLayerFs(MOUNTINFO, '/run/tscompose'), { mount: '/run/tscompose', fstype: 'xfs', prjquota: true });
  t.deepEqual(parseLayerFs(MOUNTINFO, '/run/tscomposex'), { mount: '/run', fstype: 'tmpfs', prjquota: false }, 'a sibling with the same prefix is not under it');
  t.deepEqual(parseLayerFs(MOUNTINFO, '/srv/my disk/x'), { mount: '/srv/my disk', fstype: 'xfs', prjquota: false }, 'escaped space; xfs without prjquota');
  t.deepEqual(parseLayerFs(MOUNTINFO, '/srv/p/q'), { mount: '/srv/p', fstype: 'xfs', prjquota: true });
  t.deepEqual(parseLayerFs(MOUNTINFO, '/home'), { mount: '/', fstype: 'ext4', prjquota: false });
});

test('of two mounts on one point, the later (it hides the other)', (t) => {
  const stacked = `${MOUNTINFO}\n50 25 0:40 / /run/tscompose rw,relatime shared:30 - tmpfs tmpfs rw`;
  t.deepEqual(parseLayerFs(stacked, '/run/tscompose/a'), { mount: '/run/tscompose', fstype: 'tmpfs', prjquota: false });
  const later = `${MOUNTINFO}\n60 22 0:50 / /srv rw,relatime shared:40 - tmpfs tmpfs rw`;
  t.deepEqual(parseLayerFs(later, '/srv/p/q'), { mount: '/srv/p', fstype: 'xfs', prjquota: true }, 'a shorter mount point read later is not nearer');
  t.is(parseLayerFs('', '/x'), undefined);
});
