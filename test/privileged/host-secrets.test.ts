/**
 * Host secrets, read from inside containers on the host's root (neither
 * image nor x-rootfs): hidden by default, with tscompose's state and
 * stores; `x-host-secrets: true` shows them all, a list shows those it
 * names; an unknown path is an error at its line. The root overlay's lower
 * layer is the machine's root filesystem itself (mounts on top of it do not
 * show through), so stand-ins cannot be mounted: the probes read the real
 * files inside the container and print only sizes and counts.
 */
import test from 'ava';
import * as fs from 'node:fs';
import { withHost } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

const PROBE = [
  'echo "shadow=$(cat /etc/shadow | wc -c)"',
  'echo "gshadow=$(cat /etc/gshadow | wc -c)"',
  'echo "root=$(ls -A /root | wc -l)"',
  'echo "home=$(ls -A /home | wc -l)"',
  'echo "state=$(ls -A /run/tscompose | wc -l)"',
  'echo done; sleep infinity',
].join('; ');
const cmd = JSON.stringify(['sh', '-c', PROBE]);
const entries = (d: string) => fs.readdirSync(d).length;

test('a container on the host\'s root cannot read the host\'s password hashes, SSH keys or homes; x-host-secrets opts back in', async (t) => {
  await withHost(t, async (host) => {
    const shadow = fs.statSync('/etc/shadow').size;
    t.true(shadow > 0, 'this machine has password entries');
    const dir = writeProject(
      host,
      `name: hsec
services:
  hidden:
    command: ${cmd}
  open:
    command: ${cmd}
    x-host-secrets: true
  some:
    command: ${cmd}
    x-host-secrets: [/root, /etc/ssh/*key*]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const log = async (c: string) => {
      await waitFor(host, `grep -q done ${stateDir('hsec', c)}/container.log`, `${c}'s probe`);
      return sh(host, `cat ${stateDir('hsec', c)}/container.log`);
    };
    const hidden = await log('hsec-hidden-1');
    t.regex(hidden, /^.* shadow=0$/m, '/etc/shadow reads as empty (/dev/null over it)');
    t.regex(hidden, /^.* gshadow=0$/m);
    t.regex(hidden, /^.* root=0$/m, '/root is empty');
    t.regex(hidden, /^.* home=0$/m, '/home is empty');
    t.regex(hidden, /^.* state=0$/m, 'tscompose\'s state is hidden');
    const open = await log('hsec-open-1');
    t.regex(open, new RegExp(`^.* shadow=${shadow}$`, 'm'), 'x-host-secrets: true shows /etc/shadow');
    t.regex(open, new RegExp(`^.* root=${entries('/root')}$`, 'm'));
    t.regex(open, new RegExp(`^.* home=${entries('/home')}$`, 'm'));
    t.regex(open, /^.* state=0$/m, 'the state stays hidden');
    const some = await log('hsec-some-1');
    t.regex(some, /^.* shadow=0$/m, 'a list shows only what it names');
    t.regex(some, new RegExp(`^.* root=${entries('/root')}$`, 'm'));
    t.regex(some, /^.* home=0$/m);
    await ok(host, dir, ['down']);

    fs.writeFileSync(`${dir}/compose.yaml`, 'name: hsec\nservices:\n  a:\n    command: ["true"]\n    x-host-secrets: [/etc/passwd]\n');
    const bad = await tsc(host, dir, ['up', '-d']);
    t.is(bad.code, 3);
    t.regex(bad.stderr, /compose\.yaml:5:\d+ services\.a\.x-host-secrets: \/etc\/passwd: not hidden from a container/);
    t.deepEqual(await leftovers(host), []);
  });
});
