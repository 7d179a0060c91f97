/**
 * `image:` services end to end, inside a throwaway host: a test registry
 * (docker-registry), an image the test builds (busybox-static plus a layer
 * with its own user, Env, WorkingDir, User, Entrypoint/Cmd in its config),
 * `up -d` of two services from it, the processes checked through /proc,
 * `down` leaving no mount and no process (the image store stays), and
 * `pull_policy: never` with a missing image refused before anything is made.
 */
import test from 'ava';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { busyboxLayer, writeLayout, type ImageSpec } from '../helpers/oci-layout';
import { requireRegistryTools, pushLayout, startRegistry } from '../helpers/registry';
import { hostMountPoints, leftovers, ok, pidOf, sh, status, tsc, writeProject } from '../helpers/containers';

const image: ImageSpec = {
  layers: [
    busyboxLayer(),
    {
      entries: [
        { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\ntscapp:x:4242:4343::/srv:/bin/sh\n' },
        { name: 'etc/group', content: 'root:x:0:\ntscapp:x:4343:\n' },
        { name: 'srv/', type: 'directory', mode: 0o755 },
      ],
    },
  ],
  config: {
    config: { Env: ['PATH=/bin', 'MODE=image', 'KEEP=1'], WorkingDir: '/srv', User: 'tscapp', Entrypoint: ['/bin/sleep'], Cmd: ['1000'] },
  },
};

/** What tscompose left (the test's registry runs on). */
const ours = async (host: Parameters<typeof sh>[0]) => (await leftovers(host)).map((l) => l.replace(/ \d+ docker-registry/, '')).filter((l) => l !== 'processes:');
const environ = async (host: Parameters<typeof sh>[0], pid: number) => (await sh(host, `tr '\\0' '\\n' < /proc/${pid}/environ`)).split('\n');
const cmdline = async (host: Parameters<typeof sh>[0], pid: number) => (await sh(host, `tr '\\0' ' ' < /proc/${pid}/cmdline`)).trim();

test('image: two services run the image\'s command, env, user and cwd; down leaves no mount or process; pull_policy never refuses a missing image', async (t) => {
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host);
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [image]);
    await pushLayout(host, registry, layout, 'v1', 'tsc/run');
    const ref = `${registry.name}/tsc/run:v1`;
    const mountsBefore = await hostMountPoints(host);
    const dir = writeProject(host, `name: imgrun\nservices:\n  a:\n    image: ${ref}\n  b:\n    image: ${ref}\n    command: ["2000"]\n    environment:\n      MODE: service\n`);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /image .*tsc\/run:v1 +pulled/);
    const a = await pidOf(host, 'imgrun', 'imgrun-a-1');
    const b = await pidOf(host, 'imgrun', 'imgrun-b-1');
    t.is(await cmdline(host, a), '/bin/sleep 1000');
    t.is(await cmdline(host, b), '/bin/sleep 2000');
    t.true((await environ(host, a)).includes('MODE=image'));
    t.true((await environ(host, b)).includes('MODE=service'));
    t.true((await environ(host, b)).includes('KEEP=1'));
    t.true((await environ(host, a)).includes('PATH=/bin'));
    t.is((await status(host, a, 'Uid')).split('\t')[0], '4242');
    t.is((await status(host, a, 'Gid')).split('\t')[0], '4343');
    t.is(await sh(host, `readlink /proc/${a}/cwd`), '/srv');
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.is(plan.waves.flat().length, 0, 'a second plan changes nothing');
    const busy = await tsc(host, dir, ['rmi', ref]);
    t.not(busy.code, 0, 'rmi of an image containers use is refused');
    t.regex(busy.stderr, /is used by container imgrun-a-1/);
    t.is(await sh(host, 'ls /var/lib/tscompose/images/layers | wc -l'), '2', 'the layers containers mount stay');
    await ok(host, dir, ['down']);
    t.deepEqual(await hostMountPoints(host), mountsBefore, 'no mount left on the host');
    t.deepEqual(await ours(host), []);
    t.not((await host.sh(`test -d /proc/${a}`)).code, 0, 'no process');
    t.true((await sh(host, 'ls /var/lib/tscompose/images/layers | wc -l')) === '2', 'the image store stays');
    await ok(host, dir, ['rmi', ref]);
    t.is(await sh(host, 'ls /var/lib/tscompose/images/layers | wc -l'), '0', 'rmi removes the layers once no container uses them');

    const never = writeProject(host, `name: imgnever\nservices:\n  n:\n    image: ${registry.name}/tsc/absent:v1\n    pull_policy: never\n`, 'never');
    const r = await tsc(host, never, ['up', '-d']);
    t.not(r.code, 0);
    t.regex(r.stderr, /compose\.yaml:4:\d+ services\.n\.image: .*is not in the image store .*pull_policy is never/);
    t.deepEqual(await ours(host), []);
    t.is(await sh(host, 'ls /run/tscompose | grep imgnever || true'), '', 'no trace of the project');
  });
});

test('a 128-layer image mounts (one lowerdir+ per layer) and sees every layer', async (t) => {
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host);
    const layers: ImageSpec['layers'] = [busyboxLayer()];
    for (let i = 1; i < 128; i++) layers.push({ entries: [{ name: `l/${i}`, content: `${i}\n` }] });
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [{ layers, config: { config: { Cmd: ['/bin/sleep', '1000'] } } }]);
    await pushLayout(host, registry, layout, 'v1', 'tsc/deep');
    const dir = writeProject(host, `name: imgdeep\nservices:\n  d:\n    image: ${registry.name}/tsc/deep:v1\n`);
    await ok(host, dir, ['up', '-d']);
    t.is((await ok(host, dir, ['exec', 'd', '/bin/sh', '-c', 'ls /l | wc -l'])).stdout.trim(), '127');
    t.is((await ok(host, dir, ['exec', 'd', '/bin/cat', '/l/127'])).stdout, '127\n');
    await ok(host, dir, ['down']);
    t.deepEqual(await ours(host), []);
  });
});

test('pull without arguments or with service names pulls the services\' images, never building; other arguments are images', async (t) => {
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host);
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [image]);
    await pushLayout(host, registry, layout, 'v1', 'tsc/run');
    await pushLayout(host, registry, layout, 'v1', 'tsc/other');
    const ref = `${registry.name}/tsc/run:v1`;
    const dir = writeProject(host, `name: imgpull\nservices:\n  a:\n    image: ${ref}\n  b:\n    build: ./nowhere\n  c:\n    image: ${ref}\n    pull_policy: never\n`);
    const names = async () => (JSON.parse((await ok(host, dir, ['images', '--json'])).stdout).images as Array<{ name: string }>).map((i) => i.name);
    const all = await ok(host, dir, ['pull']);
    t.regex(all.stderr, /tsc\/run:v1/);
    t.deepEqual(await names(), [ref], 'the service image, once; the build-only service is not built');
    await ok(host, dir, ['rmi', ref]);
    await ok(host, dir, ['pull', 'a']);
    t.deepEqual(await names(), [ref]);
    await ok(host, dir, ['pull', `${registry.name}/tsc/other:v1`]);
    t.deepEqual((await names()).sort(), [ref, `${registry.name}/tsc/other:v1`].sort(), 'an argument that is no service is an image');
    const bad = await tsc(host, dir, ['pull', '--platform', 'linux/arm64', 'a']);
    t.is(bad.code, 2);
    t.deepEqual(await ours(host), []);
  });
});
