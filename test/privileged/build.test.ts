/**
 * `build:` end to end inside a throwaway host, with Debian's buildah: a
 * context the test writes (busybox-static and a Dockerfile with RUN, ARG,
 * ENV, WORKDIR, CMD), `up -d` building `<project>-<service>` once and
 * running it with the image's settings, `--build` rebuilding, `tscompose
 * build`, `dockerfile_inline` FROM an image in a loopback test registry,
 * and the failures: a missing context (named at its line, nothing made) and
 * a failing RUN step (buildah's lines in the error, nothing made).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, withHost, type Host } from '../helpers/host';
import { busyboxLayer, writeLayout } from '../helpers/oci-layout';
import { pushLayout, requireRegistryTools, startRegistry } from '../helpers/registry';
import { leftovers, ok, pidOf, sh, stateDir, tsc, writeProject } from '../helpers/containers';

/** A build's CLI call: buildah steps take tens of seconds on a loaded 2-core machine (52 s seen in a full run; the default is 60 s). */
const BUILD = { timeoutMs: 170_000 }; // under ava's 3-minute idle timeout

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ARG GREETING=hi
RUN echo "$GREETING from the build" > /greeting
ENV MODE=built
WORKDIR /srv
CMD ["sh", "-c", "cat /greeting; exec sleep 1000"]
`;

function requireBuildah(): void {
  if (!fs.existsSync('/usr/bin/buildah')) throw new Error('buildah is missing: ./scripts/setup installs it');
}

/** A build context under the host's directory: busybox and the Dockerfile. */
function context(host: Host, name: string, dockerfile = DOCKERFILE): string {
  const dir = path.join(host.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

/** What tscompose left (a test registry may run on). */
const ours = async (host: Host) => (await leftovers(host)).map((l) => l.replace(/ \d+ docker-registry/, '')).filter((l) => l !== 'processes:');

test('build: up builds <project>-<service> once and runs it with the image settings; --build and tscompose build rebuild', async (t) => {
  requireBuildah();
  await withHost(t, async (host) => {
    context(host, 'project/app');
    const dir = writeProject(
      host,
      `name: bld
services:
  web:
    build:
      context: ./app
      args: { GREETING: hello }
      labels: { org.example.built: "yes" }
`,
    );
    const up = await ok(host, dir, ['up', '-d'], BUILD);
    t.regex(up.stderr, /building docker\.io\/library\/bld-web:latest/);
    t.regex(up.stderr, /web \| STEP \d+\/\d+: RUN echo/, 'the builder’s lines are shown under the service');
    t.regex(up.stderr, /image docker\.io\/library\/bld-web:latest +built in/);
    const pid = await pidOf(host, 'bld', 'bld-web-1');
    t.true((await sh(host, `tr '\\0' '\\n' < /proc/${pid}/environ`)).split('\n').includes('MODE=built'));
    t.is(await sh(host, `readlink /proc/${pid}/cwd`), '/srv');
    const log = `${stateDir('bld', 'bld-web-1')}/container.log`;
    await sh(host, `for i in $(seq 100); do grep -q hello ${log} 2>/dev/null && break; sleep 0.05; done`);
    t.regex(await sh(host, `cat ${log}`), /hello from the build/, 'ARG reached RUN');
    const images = JSON.parse((await ok(host, dir, ['images', '--json'])).stdout).images as Array<{ name: string }>;
    t.true(images.some((i) => i.name === 'docker.io/library/bld-web:latest'));
    t.is(JSON.parse((await ok(host, dir, ['config', '--json'])).stdout).services.web.build.args.GREETING, 'hello');

    const again = await ok(host, dir, ['up', '-d'], BUILD);
    t.notRegex(again.stderr, /building/, 'an image in the store is not rebuilt');
    t.is(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves.flat().length, 0);

    const rebuilt = await ok(host, dir, ['up', '-d', '--build'], BUILD);
    t.regex(rebuilt.stderr, /building docker\.io\/library\/bld-web:latest/);
    t.regex(rebuilt.stderr, /Using cache/, 'buildah’s cache survives between builds');
    const built = JSON.parse((await ok(host, dir, ['build', '--json', 'web'], BUILD)).stdout) as Array<{ service: string; image: string }>;
    t.deepEqual(built.map((b) => [b.service, b.image]), [['web', 'docker.io/library/bld-web:latest']]);
    await ok(host, dir, ['down']);
    t.deepEqual(await ours(host), []);
    t.is(await sh(host, 'grep -c " overlay " /proc/self/mountinfo || true'), '0', 'no builder mount left');
  });
});

test('build: dockerfile_inline FROM an image in a loopback registry, tagged as image:', async (t) => {
  requireBuildah();
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host);
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [{ layers: [busyboxLayer()], config: { config: { Env: ['PATH=/bin'] } } }]);
    await pushLayout(host, registry, layout, 'v1', 'tsc/base');
    fs.mkdirSync(path.join(host.dir, 'project', 'ctx'), { recursive: true });
    const dir = writeProject(
      host,
      `name: bldin
services:
  app:
    image: ${registry.name}/tsc/app:dev
    build:
      context: ./ctx
      dockerfile_inline: |
        FROM ${registry.name}/tsc/base:v1
        RUN echo inline > /marker
        CMD ["sleep", "1000"]
`,
    );
    await ok(host, dir, ['up', '-d'], BUILD);
    const pid = await pidOf(host, 'bldin', 'bldin-app-1');
    t.is(await sh(host, `cat /proc/${pid}/root/marker`), 'inline');
    const images = JSON.parse((await ok(host, dir, ['images', '--json'])).stdout).images as Array<{ name: string }>;
    t.true(images.some((i) => i.name === `${registry.name}/tsc/app:dev`), 'the result is named by image:');
    await ok(host, dir, ['down']);
    t.deepEqual(await ours(host), []);
  });
});

test('build: a missing context is named at its line and a failing step shows buildah’s output; nothing is made', async (t) => {
  requireBuildah();
  await withHost(t, async (host) => {
    const missing = writeProject(host, `name: bldmiss\nservices:\n  web:\n    build:\n      context: ./nowhere\n`, 'missing');
    const r = await tsc(host, missing, ['up', '-d'], BUILD);
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:5:\d+ services\.web\.build\.context: the build context .*nowhere is not a directory/);

    context(host, 'failing/app', 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo step-says-no; exit 7"]\n');
    const failing = writeProject(host, `name: bldfail\nservices:\n  web:\n    build: ./app\n`, 'failing');
    const f = await tsc(host, failing, ['up', '-d'], BUILD);
    t.is(f.code, 1);
    t.regex(f.stderr, /build of docker\.io\/library\/bldfail-web:latest failed/);
    t.regex(f.stderr, /step-says-no/);
    t.deepEqual(await ours(host), []);
    t.is(await sh(host, 'ls /run/tscompose | grep -v "^\\." || true'), '', 'no trace of either project');
  });
});

test('watch: a rebuild rule builds the image again and recreates the container when its files change', async (t) => {
  requireBuildah();
  await withHost(t, async (host) => {
    const app = context(host, 'project/app', `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY msg /msg\nCMD ["sleep", "1000"]\n`);
    fs.writeFileSync(path.join(app, 'msg'), 'first\n');
    const dir = writeProject(
      host,
      `name: bldw
services:
  web:
    build: ./app
    develop:
      watch:
        - {action: rebuild, path: ./app/msg}
`,
    );
    // watch runs up first (the first build), then waits for changes.
    await sh(host, `cd ${dir} && { ${cliPath} watch > watch.out 2>&1 & echo $! > watch.pid; }`);
    const wait = async (script: string, what: string) => {
      for (let i = 0; i < 1600; i++) {
        if ((await host.sh(script)).code === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}: ${fs.readFileSync(path.join(dir, 'watch.out'), 'utf8')}`);
    };
    await wait(`grep -q 'Watch enabled' ${dir}/watch.out`, 'watch to start');
    const first = await pidOf(host, 'bldw', 'bldw-web-1');
    t.is(await sh(host, `cat /proc/${first}/root/msg`), 'first');
    fs.writeFileSync(path.join(app, 'msg'), 'second\n');
    await wait(`p=$(cut -d' ' -f1 ${stateDir('bldw', 'bldw-web-1')}/init.pid); [ "$p" != ${first} ] && grep -qx second /proc/$p/root/msg`, 'the rebuilt image to run');
    t.regex(fs.readFileSync(path.join(dir, 'watch.out'), 'utf8'), /Rebuilding service "web"/);
    await sh(host, `kill -INT $(cat ${dir}/watch.pid); while kill -0 $(cat ${dir}/watch.pid) 2>/dev/null; do sleep 0.05; done`);
    await ok(host, dir, ['down']);
    t.deepEqual(await ours(host), []);
  });
});
