/**
 * `tscompose pull / images / rmi` against a real registry (docker-registry)
 * inside a throwaway host: images the test builds (several layers with a
 * whiteout, an opaque dir, a capability, a hardlink, a zstd layer; a
 * multi-platform index), pushed with skopeo. The store lives in the host's
 * directory (TSCOMPOSE_IMAGE_ROOT) so the test can inspect it. Serial: each
 * test runs a registry, skopeo and pulls; all at once overload a small machine.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createInterface } from 'node:readline';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { native } from '../../src/sys/native';
import { cliPath, withHost, type Host } from '../helpers/host';
import { busyboxLayer, makeTar, writeLayout, type ImageSpec } from '../helpers/oci-layout';
import { requireRegistryTools, pushLayout, startRegistry, startTokenServer, type TestRegistry } from '../helpers/registry';

const CAPS = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

const base: ImageSpec['layers'][number] = {
  entries: [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'etc/old.conf', content: 'old' },
    { name: 'var/cache/', type: 'directory' },
    { name: 'var/cache/stale', content: 'stale' },
    { name: 'bin/ping', content: 'ELF', mode: 0o4755, xattrs: { 'security.capability': CAPS } },
    { name: 'bin/ping6', type: 'link', linkname: 'bin/ping' },
  ],
};
const app: ImageSpec['layers'][number] = {
  entries: [
    { name: 'etc/.wh.old.conf', content: '' },
    { name: 'var/cache/.wh..wh..opq', content: '' },
    { name: 'var/cache/fresh', content: 'fresh' },
  ],
};
const zstdLayer: ImageSpec['layers'][number] = { compression: 'zstd', entries: [{ name: 'app/main', content: 'x'.repeat(100_000), mode: 0o755 }] };

interface Ctx {
  host: Host;
  registry: TestRegistry;
  store: string;
  env: Record<string, string>;
}

type RegistrySetup = Parameters<typeof startRegistry>[1] | ((host: Host) => Promise<Parameters<typeof startRegistry>[1]>);

async function withRegistry(t: ExecutionContext, fn: (c: Ctx) => Promise<void>, setup: RegistrySetup = {}) {
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host, typeof setup === 'function' ? await setup(host) : setup);
    const store = path.join(host.dir, 'images');
    await fn({ host, registry, store, env: { TSCOMPOSE_IMAGE_ROOT: store, HOME: host.dir, DOCKER_CONFIG: path.join(host.dir, 'docker') } });
  });
}

async function push(c: Ctx, repo: string, tag: string, images: ImageSpec[], creds?: string, format?: 'v2s2') {
  const dir = path.join(c.host.dir, `layout-${repo.replace(/\W/g, '_')}-${tag}`);
  const r = await writeLayout(dir, tag, images);
  await pushLayout(c.host, c.registry, dir, tag, repo, creds, format);
  return r;
}

function events(stdout: string): any[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const layerDirs = (store: string) => (fs.existsSync(path.join(store, 'layers')) ? fs.readdirSync(path.join(store, 'layers')) : []);
const tmpLeft = (store: string) => (fs.existsSync(path.join(store, 'tmp')) ? fs.readdirSync(path.join(store, 'tmp')) : []);

test.serial('pull: layers verified and unpacked (whiteout, opaque dir, capability, hardlink, zstd); again: nothing fetched', async (t) => {
  await withRegistry(t, async (c) => {
    const { built } = await push(c, 'tsc/app', 'v1', [{ layers: [base, app, zstdLayer] }]);
    const ref = `${c.registry.name}/tsc/app:v1`;
    const r = await c.host.tscompose(['pull', '--json', ref], { env: c.env });
    t.is(r.code, 0, r.stderr);
    const ev = events(r.stdout);
    t.deepEqual(ev.filter((e) => e.type === 'layer' && e.phase === 'done').map((e) => e.digest).sort(), [...built[0]!.layerDigests].sort());
    const pulled = ev.find((e) => e.type === 'pulled');
    t.is(pulled.manifestDigest, built[0]!.manifestDigest);
    t.false(pulled.upToDate);

    const dirs = layerDirs(c.store);
    t.is(dirs.length, 3);
    t.deepEqual(tmpLeft(c.store), [], 'no work left in tmp/');
    const diff = (i: number) => {
      // Chain ID of layer i: find the layer dir whose layer.json has this diff ID.
      const want = built[0]!.diffIds[i];
      const d = dirs.find((h) => JSON.parse(fs.readFileSync(path.join(c.store, 'layers', h, 'layer.json'), 'utf8')).diffId === want);
      return path.join(c.store, 'layers', d!, 'diff');
    };
    t.deepEqual(native.lgetxattr(path.join(diff(0), 'bin/ping'), 'security.capability'), CAPS);
    t.is(fs.statSync(path.join(diff(0), 'bin/ping')).mode & 0o7777, 0o4755);
    t.is(fs.statSync(path.join(diff(0), 'bin/ping6')).ino, fs.statSync(path.join(diff(0), 'bin/ping')).ino);
    t.is(diff(0), path.join(c.store, 'layers', built[0]!.diffIds[0]!.slice(7), 'diff'), 'the bottom layer’s chain ID is its diff ID');
    const wh = fs.lstatSync(path.join(diff(1), 'etc/old.conf'));
    t.true(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout as a 0/0 character device');
    t.is(native.lgetxattr(path.join(diff(1), 'var/cache'), 'trusted.overlay.opaque').toString(), 'y');
    t.is(fs.readFileSync(path.join(diff(2), 'app/main'), 'utf8').length, 100_000, 'zstd layer unpacked');

    const again = await c.host.tscompose(['pull', '--json', ref], { env: c.env });
    t.is(again.code, 0, again.stderr);
    const ev2 = events(again.stdout);
    t.true(ev2.filter((e) => e.type === 'layer').every((e) => e.phase === 'exists'), 'nothing downloaded the second time');
    t.true(ev2.find((e) => e.type === 'pulled').upToDate);

    const list = await c.host.tscompose(['images', '--json'], { env: c.env });
    const doc = JSON.parse(list.stdout);
    t.deepEqual(doc.images.map((i: any) => i.name), [ref]);
    t.is(doc.disk.layers, 3);
    const table = await c.host.tscompose(['images'], { env: c.env });
    t.regex(table.stdout, new RegExp(`${c.registry.name.replace(/\./g, '\\.')}/tsc/app\\s+v1`));
  });
});

test.serial('a layer shared by two images is stored once; rmi keeps what the other image uses', async (t) => {
  await withRegistry(t, async (c) => {
    await push(c, 'tsc/one', 'v1', [{ layers: [base, app] }]);
    await push(c, 'tsc/two', 'v1', [{ layers: [base, zstdLayer] }]);
    const one = `${c.registry.name}/tsc/one:v1`;
    const two = `${c.registry.name}/tsc/two:v1`;
    t.is((await c.host.tscompose(['pull', '-q', one], { env: c.env })).code, 0);
    const r = await c.host.tscompose(['pull', '--json', two], { env: c.env });
    t.is(r.code, 0, r.stderr);
    const phases = events(r.stdout).filter((e) => e.type === 'layer' && e.phase !== 'downloading').map((e) => e.phase);
    t.deepEqual(phases.sort(), ['done', 'exists'], 'the base layer is not fetched again');
    t.is(layerDirs(c.store).length, 3);
    const rm = await c.host.tscompose(['rmi', one], { env: c.env });
    t.is(rm.code, 0, rm.stderr);
    t.is(layerDirs(c.store).length, 2, 'the layer only `one` used is gone, the shared one stays');
    const bad = await c.host.tscompose(['rmi', one, two], { env: c.env });
    t.not(bad.code, 0);
    t.regex(bad.stderr, /no such image: .*tsc\/one/);
    t.is(layerDirs(c.store).length, 2, 'an unknown name removes nothing');
    t.is((await c.host.tscompose(['rmi', two], { env: c.env })).code, 0);
    t.deepEqual(layerDirs(c.store), []);
  });
});

test.serial('multi-platform index: --platform picks; a missing platform lists what is offered', async (t) => {
  await withRegistry(t, async (c) => {
    const { built } = await push(c, 'tsc/multi', 'v1', [
      { layers: [base], platform: { os: 'linux', architecture: 'amd64' } },
      { layers: [zstdLayer], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    const ref = `${c.registry.name}/tsc/multi:v1`;
    const r = await c.host.tscompose(['pull', '--json', '--platform', 'linux/arm64', ref], { env: c.env });
    t.is(r.code, 0, r.stderr);
    t.is(events(r.stdout).find((e) => e.type === 'pulled').manifestDigest, built[1]!.manifestDigest);
    const list = JSON.parse((await c.host.tscompose(['images', '--json'], { env: c.env })).stdout);
    t.is(list.images[0].platform, 'linux/arm64');

    const bad = await c.host.tscompose(['pull', '--platform', 'linux/s390x', `${c.registry.name}/tsc/multi:v1`], { env: { ...c.env, TSCOMPOSE_IMAGE_ROOT: path.join(c.host.dir, 'other') } });
    t.not(bad.code, 0);
    t.regex(bad.stderr, /no linux\/s390x image: it offers linux\/amd64, linux\/arm64\/v8/);
    t.true(bad.stderr.includes(ref), 'the error names the image');
    t.deepEqual(layerDirs(path.join(c.host.dir, 'other')), []);
  });
});

test.serial('a blob whose digest does not match is refused and nothing is stored', async (t) => {
  await withRegistry(t, async (c) => {
    const { built } = await push(c, 'tsc/bad', 'v1', [{ layers: [base, app] }]);
    const data = c.registry.blobData(built[0]!.layerDigests[1]!);
    // A valid gzip'd tar, but not the one the manifest names.
    fs.writeFileSync(data, gzipSync(await makeTar([{ name: 'evil', content: 'not what was pushed' }])));
    const r = await c.host.tscompose(['pull', `${c.registry.name}/tsc/bad:v1`], { env: c.env });
    t.not(r.code, 0);
    t.true(r.stderr.includes(`pull ${c.registry.name}/tsc/bad:v1: layer ${built[0]!.layerDigests[1]}`), r.stderr);
    t.regex(r.stderr, /refused/);
    t.false(layerDirs(c.store).some((h) => h !== built[0]!.diffIds[0]!.slice(7)), 'the bad layer is not in the store');
    t.deepEqual(tmpLeft(c.store), []);
    t.false(fs.existsSync(path.join(c.store, 'images.json')) && fs.readFileSync(path.join(c.store, 'images.json'), 'utf8').includes('tsc/bad'));
  });
});

test.serial('unknown image or tag: a clear error naming the image and the registry, nothing created', async (t) => {
  await withRegistry(t, async (c) => {
    const r = await c.host.tscompose(['pull', `${c.registry.name}/tsc/nope:v9`], { env: c.env });
    t.not(r.code, 0);
    t.regex(r.stderr, new RegExp(`pull ${c.registry.name.replace(/\./g, '\\.')}/tsc/nope:v9: registry ${c.registry.name.replace(/\./g, '\\.')}: manifest tsc/nope:v9: HTTP 404`));
    t.false(fs.existsSync(path.join(c.store, 'layers')));
    const noRegistry = await c.host.tscompose(['pull', '127.0.0.1:5999/tsc/x'], { env: c.env });
    t.not(noRegistry.code, 0);
    t.regex(noRegistry.stderr, /registry 127\.0\.0\.1:5999: cannot reach/);
    const badRef = await c.host.tscompose(['pull', 'Bad/Name'], { env: c.env });
    t.not(badRef.code, 0);
    t.regex(badRef.stderr, /invalid image reference "Bad\/Name"/);
  });
});

test.serial('TLS with a test CA and htpasswd Basic auth: credentials from config.json auths or a credential helper', async (t) => {
  await withRegistry(
    t,
    async (c) => {
      await push(c, 'tsc/private', 'v1', [{ layers: [base] }], 'alice:s3cret');
      const ref = `${c.registry.name}/tsc/private:v1`;
      const env: Record<string, string> = { ...c.env, NODE_EXTRA_CA_CERTS: c.registry.caFile! };
      const anon = await c.host.tscompose(['pull', ref], { env });
      t.not(anon.code, 0);
      t.regex(anon.stderr, /authentication required for tsc\/private \(HTTP 401\)/);

      const untrusted = await c.host.tscompose(['pull', ref], { env: c.env });
      t.not(untrusted.code, 0, 'without the test CA the certificate is not trusted');

      fs.mkdirSync(env.DOCKER_CONFIG!, { recursive: true });
      const cfg = path.join(env.DOCKER_CONFIG!, 'config.json');
      fs.writeFileSync(cfg, JSON.stringify({ auths: { [c.registry.name]: { auth: Buffer.from('alice:wrong').toString('base64') } } }));
      const wrong = await c.host.tscompose(['pull', ref], { env });
      t.not(wrong.code, 0);
      t.regex(wrong.stderr, /denied \(HTTP 401\)/);

      fs.writeFileSync(cfg, JSON.stringify({ auths: { [c.registry.name]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
      const ok = await c.host.tscompose(['pull', ref], { env });
      t.is(ok.code, 0, ok.stderr);

      const bin = path.join(c.host.dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, 'docker-credential-tsctest'),
        `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${c.registry.name}" ] && echo '{"Username":"alice","Secret":"s3cret"}' && exit 0\necho "credentials not found in native keychain"; exit 1\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(cfg, JSON.stringify({ credHelpers: { [c.registry.name]: 'tsctest' } }));
      fs.rmSync(c.store, { recursive: true, force: true });
      const helper = await c.host.tscompose(['pull', ref], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
      t.is(helper.code, 0, helper.stderr);
    },
    { tls: true, users: { alice: 's3cret' } },
  );
});

test.serial('token auth (the Docker Hub flow): anonymous pull with a bearer token; a private repository is refused clearly', async (t) => {
  await withRegistry(
    t,
    async (c) => {
      await push(c, 'tsc/public', 'v1', [{ layers: [base] }], 'alice:s3cret');
      await push(c, 'private/app', 'v1', [{ layers: [app] }], 'alice:s3cret');
      const pub = await c.host.tscompose(['pull', `${c.registry.name}/tsc/public:v1`], { env: c.env });
      t.is(pub.code, 0, pub.stderr);
      const priv = await c.host.tscompose(['pull', `${c.registry.name}/private/app:v1`], { env: c.env });
      t.not(priv.code, 0);
      t.regex(priv.stderr, new RegExp(`pull ${c.registry.name.replace(/\./g, '\\.')}/private/app:v1: registry .*: access to private/app denied \\(HTTP 401\\)`));
      fs.mkdirSync(c.env.DOCKER_CONFIG!, { recursive: true });
      fs.writeFileSync(path.join(c.env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: { [c.registry.name]: { username: 'alice', password: 's3cret' } } }));
      const authed = await c.host.tscompose(['pull', `${c.registry.name}/private/app:v1`], { env: c.env });
      t.is(authed.code, 0, authed.stderr);
    },
    async (host) => ({ token: await startTokenServer(host, 5002, { alice: 's3cret' }) }),
  );
});

test.serial('a pull killed mid-layer leaves nothing visible; the next pull resumes the blob (HTTP Range) and redoes only what is missing', async (t) => {
  await withRegistry(
    t,
    async (c) => {
    const big = { entries: [{ name: 'blob.bin', content: randomBytes(3 << 20) }] };
    const { built } = await push(c, 'tsc/big', 'v1', [{ layers: [base, big] }]);
    // Slow loopback down (tc tbf, 4 Mbit/s; the burst must exceed lo's 64k MTU) so that the kill lands while the big layer streams.
    const tc = await c.host.run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '4mbit', 'burst', '128kb', 'latency', '2s']);
    t.is(tc.code, 0, tc.stderr);
    const ref = `${c.registry.name}/tsc/big:v1`;
    const envArgs = Object.entries(c.env).map(([k, v]) => `${k}=${v}`);
    const child = spawn(c.host.enter()[0]!, [...c.host.enter().slice(1), 'bash', '-c', 'echo $$; exec env "$@"', 'pull', ...envArgs, process.execPath, cliPath, 'pull', '--json', ref], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: child.stdout! });
    let inner: string | undefined;
    let midLayer = false;
    for await (const line of lines) {
      if (!inner) {
        inner = line.trim();
        continue;
      }
      const e = line.startsWith('{"type"') ? JSON.parse(line) : {};
      if (e.type === 'layer' && e.digest === built[0]!.layerDigests[1] && e.phase === 'downloading' && e.bytes > 0) {
        midLayer = true;
        break;
      }
    }
    t.truthy(inner);
    await c.host.run(['kill', '-KILL', inner!]);
    if (!midLayer) {
      t.fail(`the pull ended before it was killed: ${stderr}`);
      return;
    }
    // nsenter dies of the same signal as the pull: then exitCode stays null and signalCode tells.
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    t.false(layerDirs(c.store).includes(built[0]!.diffIds[1]!.slice(7)), 'the half layer is not in layers/');
    t.false(fs.existsSync(path.join(c.store, 'images.json')), 'no image record');
    t.true(tmpLeft(c.store).some((n) => n.startsWith('layer-')), 'the kill landed mid-layer: its work is in tmp/');
    const bigDigest = built[0]!.layerDigests[1]!;
    const partial = tmpLeft(c.store).find((n) => n.startsWith('partial-') && n.endsWith(bigDigest.slice(7)));
    t.truthy(partial, `the bytes received are kept for a resume (${tmpLeft(c.store)})`);
    const received = fs.statSync(path.join(c.store, 'tmp', partial!)).size;
    t.true(received > 0);

    await c.host.run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    const again = await c.host.tscompose(['pull', '--json', ref], { env: c.env });
    t.is(again.code, 0, again.stderr);
    const layerEvents = events(again.stdout).filter((e) => e.type === 'layer' && e.digest === bigDigest);
    t.deepEqual(
      layerEvents.filter((e) => e.phase === 'resuming').map((e) => e.bytes),
      [received],
      'the interrupted layer resumes where the killed pull stopped',
    );
    t.is(layerEvents.at(-1).phase, 'done');
    t.regex(c.registry.accessLog(), new RegExp(`"GET /v2/tsc/big/blobs/${bigDigest} HTTP/1.1" 206 ${(await blobSize(c, bigDigest)) - received} `), 'only the rest was sent');
    t.deepEqual(tmpLeft(c.store), [], 'what the killed pull left in tmp/ is gone');
    t.is(fs.readFileSync(path.join(c.store, 'layers', layerDirs(c.store).find((h) => fs.existsSync(path.join(c.store, 'layers', h, 'diff', 'blob.bin')))!, 'diff', 'blob.bin')).length, 3 << 20);
    t.is(await c.host.sh(`sha256sum < ${c.store}/blobs/sha256/${bigDigest.slice(7)} | cut -d' ' -f1`).then((r) => r.stdout.trim()), bigDigest.slice(7), 'the blob is kept, whole');

    // A kept prefix that is not the blob's (damaged on disk): refused, dropped, and the next pull starts over.
    const smallDigest = built[0]!.layerDigests[0]!;
    fs.rmSync(c.store, { recursive: true });
    fs.mkdirSync(path.join(c.store, 'tmp'), { recursive: true });
    const chain = built[0]!.diffIds[0]!.slice(7); // the bottom layer's chain ID is its diff ID
    fs.writeFileSync(path.join(c.store, 'tmp', `partial-${chain}-${smallDigest.slice(7)}`), Buffer.alloc(64, 7));
    const refused = await c.host.tscompose(['pull', ref], { env: c.env });
    t.not(refused.code, 0, 'a resumed blob that does not verify is refused');
    t.regex(refused.stderr, new RegExp(`layer ${smallDigest}`));
    t.false(tmpLeft(c.store).some((n) => n.startsWith('partial-')), 'and its bytes are dropped');
    const fresh = await c.host.tscompose(['pull', ref], { env: c.env });
    t.is(fresh.code, 0, fresh.stderr);
    },
    { accessLog: true },
  );
});

async function blobSize(c: Ctx, digest: string): Promise<number> {
  return fs.statSync(c.registry.blobData(digest)).size;
}

test.serial('plain HTTP only for loopback registries and the ones listed as insecure', async (t) => {
  await withRegistry(
    t,
    async (c) => {
      await push(c, 'tsc/app', 'v1', [{ layers: [base] }]);
      const ref = `${c.registry.name}/tsc/app:v1`;
      const refused = await c.host.tscompose(['pull', ref], { env: c.env });
      t.not(refused.code, 0);
      t.regex(refused.stderr, new RegExp(`registry ${c.registry.name.replace(/\./g, '\\.')}: cannot reach https://`));
      t.false(fs.existsSync(path.join(c.store, 'layers')));
      const flag = await c.host.tscompose(['pull', '--insecure-registry', c.registry.name, ref], { env: c.env });
      t.is(flag.code, 0, flag.stderr);
      fs.rmSync(c.store, { recursive: true });
      const env = await c.host.tscompose(['pull', ref], { env: { ...c.env, TSCOMPOSE_INSECURE_REGISTRIES: `example.com,${c.registry.name}` } });
      t.is(env.code, 0, env.stderr);
    },
    async (host) => {
      // An address of the host's own (on lo, inside its namespace) that is not loopback.
      const r = await host.run(['ip', 'addr', 'add', '198.18.7.1/32', 'dev', 'lo']);
      if (r.code !== 0) throw new Error(r.stderr);
      return { address: '198.18.7.1' };
    },
  );
});

test.serial('a full disk during unpack: a clear error, nothing half-visible, no work left behind', async (t) => {
  await withRegistry(t, async (c) => {
    const big = { entries: [{ name: 'blob.bin', content: randomBytes(3 << 20) }] };
    await push(c, 'tsc/big', 'v1', [{ layers: [base, big] }]);
    // A 2 MiB file system for the store (tmpfs, inside the host's mount namespace).
    const small = '/var/lib/tscompose/small';
    const m = await c.host.sh(`mkdir -p ${small} && mount -t tmpfs -o size=2m tmpfs ${small}`);
    t.is(m.code, 0, m.stderr);
    const r = await c.host.tscompose(['pull', `${c.registry.name}/tsc/big:v1`], { env: { ...c.env, TSCOMPOSE_IMAGE_ROOT: small } });
    t.not(r.code, 0);
    t.regex(r.stderr, /ENOSPC/);
    t.regex(r.stderr, /pull 127\.0\.0\.1:5000\/tsc\/big:v1: layer sha256:/);
    const left = await c.host.sh(`cd ${small} && find layers tmp -mindepth 1 -maxdepth 1 2>/dev/null | grep -v '^layers/[0-9a-f]*$' ; ls layers 2>/dev/null | wc -l; test -e images.json && echo has-images`);
    const lines = left.stdout.trim().split('\n');
    t.deepEqual(lines, ['1'], `only the small base layer is complete; nothing in tmp/; no image record (${left.stdout})`);
  });
});

test.serial('Docker v2 schema 2: a manifest list and Docker media types pull like OCI ones', async (t) => {
  await withRegistry(t, async (c) => {
    await push(c, 'tsc/docker', 'v1', [
      { layers: [base, app], platform: { os: 'linux', architecture: 'amd64' } },
      { layers: [base], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ], undefined, 'v2s2');
    const ref = `${c.registry.name}/tsc/docker:v1`;
    const raw = await c.host.run(['curl', '-s', '-H', 'Accept: application/vnd.docker.distribution.manifest.list.v2+json', `http://${c.registry.name}/v2/tsc/docker/manifests/v1`]);
    t.is(JSON.parse(raw.stdout).mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json', 'the registry really serves a Docker manifest list');
    const r = await c.host.tscompose(['pull', '--json', ref], { env: c.env });
    t.is(r.code, 0, r.stderr);
    t.is(events(r.stdout).filter((e) => e.type === 'layer' && e.phase === 'done').length, 2);
    t.is(layerDirs(c.store).length, 2);
  });
});

test.serial('two pulls at once of images sharing a layer: it is fetched and unpacked once', async (t) => {
  await withRegistry(t, async (c) => {
    const shared = { entries: [{ name: 'shared.bin', content: randomBytes(3 << 20) }] };
    await push(c, 'tsc/one', 'v1', [{ layers: [shared, app] }]);
    await push(c, 'tsc/two', 'v1', [{ layers: [shared, zstdLayer] }]);
    // Slow loopback down so that the two downloads of the shared layer overlap.
    const tc = await c.host.run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '8mbit', 'burst', '128kb', 'latency', '2s']);
    t.is(tc.code, 0, tc.stderr);
    const [one, two] = await Promise.all(
      ['one', 'two'].map((n) => c.host.tscompose(['pull', '--json', `${c.registry.name}/tsc/${n}:v1`], { env: c.env })),
    );
    t.is(one!.code, 0, one!.stderr);
    t.is(two!.code, 0, two!.stderr);
    const all = [...events(one!.stdout), ...events(two!.stdout)];
    const sharedDigest = all.find((e) => e.type === 'layer' && e.total > 1 << 20).digest;
    t.is(all.filter((e) => e.type === 'layer' && e.digest === sharedDigest && e.phase === 'done').length, 1, 'unpacked by one pull only');
    t.is(layerDirs(c.store).length, 3);
    t.deepEqual(tmpLeft(c.store), []);
  });
});

test.serial('login checks the credentials and writes config.json (or a credential helper); logout forgets them', async (t) => {
  await withRegistry(
    t,
    async (c) => {
      await push(c, 'tsc/app', 'v1', [{ layers: [base] }], 'alice:s3cret');
      const cfg = path.join(c.env.DOCKER_CONFIG!, 'config.json');
      const ref = `${c.registry.name}/tsc/app:v1`;
      const wrong = await c.host.tscompose(['login', '-u', 'alice', '--password-stdin', c.registry.name], { env: c.env, input: 'nope\n' });
      t.not(wrong.code, 0);
      t.regex(wrong.stderr, new RegExp(`login ${c.registry.name.replace(/\./g, '\\.')}: .*denied \\(HTTP 401\\)`));
      t.false(fs.existsSync(cfg), 'refused credentials are not stored');

      fs.mkdirSync(c.env.DOCKER_CONFIG!, { recursive: true });
      fs.writeFileSync(cfg, JSON.stringify({ auths: {}, psFormat: 'kept' }));
      const ok = await c.host.tscompose(['login', '-u', 'alice', '--password-stdin', c.registry.name], { env: c.env, input: 's3cret\n' });
      t.is(ok.code, 0, ok.stderr);
      const written = JSON.parse(fs.readFileSync(cfg, 'utf8'));
      t.is(written.auths[c.registry.name].auth, Buffer.from('alice:s3cret').toString('base64'));
      t.is(written.psFormat, 'kept', 'keys we do not know survive');
      t.is(fs.statSync(cfg).mode & 0o777, 0o600);
      t.is((await c.host.tscompose(['pull', '-q', ref], { env: c.env })).code, 0);

      t.is((await c.host.tscompose(['logout', c.registry.name], { env: c.env })).code, 0);
      t.deepEqual(JSON.parse(fs.readFileSync(cfg, 'utf8')).auths, {});
      fs.rmSync(c.store, { recursive: true, force: true });
      t.not((await c.host.tscompose(['pull', '-q', ref], { env: c.env })).code, 0, 'logged out: refused again');

      const bin = path.join(c.host.dir, 'bin');
      const saved = path.join(c.host.dir, 'helper-store');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'docker-credential-tsctest'), `#!/bin/sh\ncat > ${saved}.$1\n`, { mode: 0o755 });
      fs.writeFileSync(cfg, JSON.stringify({ credsStore: 'tsctest' }));
      const env = { ...c.env, PATH: `${bin}:${process.env.PATH}` };
      const viaHelper = await c.host.tscompose(['login', '-u', 'alice', '-p', 's3cret', c.registry.name], { env });
      t.is(viaHelper.code, 0, viaHelper.stderr);
      t.deepEqual(JSON.parse(fs.readFileSync(`${saved}.store`, 'utf8')), { ServerURL: c.registry.name, Username: 'alice', Secret: 's3cret' });
      t.deepEqual(JSON.parse(fs.readFileSync(cfg, 'utf8')), { credsStore: 'tsctest' }, 'nothing in config.json itself');
      t.is((await c.host.tscompose(['logout', c.registry.name], { env })).code, 0);
      t.is(fs.readFileSync(`${saved}.erase`, 'utf8'), c.registry.name);
    },
    { users: { alice: 's3cret' } },
  );
});

test.serial('a 128-layer image (busybox base): every layer stored, chain IDs in order', async (t) => {
  await withRegistry(t, async (c) => {
    const layers = [busyboxLayer(), ...Array.from({ length: 127 }, (_, i) => ({ entries: [{ name: `layers/${i}`, content: `layer ${i}` }, ...(i ? [{ name: `layers/.wh.${i - 1}`, content: '' }] : [])] }))];
    const { built } = await push(c, 'tsc/tall', 'v1', [{ layers }]);
    const r = await c.host.tscompose(['pull', '-q', `${c.registry.name}/tsc/tall:v1`], { env: c.env });
    t.is(r.code, 0, r.stderr);
    t.is(layerDirs(c.store).length, 128);
    const image = JSON.parse((await c.host.tscompose(['images', '--json'], { env: c.env })).stdout).images[0];
    t.is(image.layers.length, 128);
    t.is(image.layers[0], built[0]!.diffIds[0], 'the bottom chain ID is its diff ID');
    const metas = image.layers.map((chain: string) => JSON.parse(fs.readFileSync(path.join(c.store, 'layers', chain.slice(7), 'layer.json'), 'utf8')));
    t.deepEqual(metas.map((m: any) => m.diffId), built[0]!.diffIds, 'layer i holds diff ID i');
    const bb = path.join(c.store, 'layers', image.layers[0].slice(7), 'diff', 'bin');
    t.is(fs.readlinkSync(path.join(bb, 'sh')), 'busybox');
    t.is(fs.statSync(path.join(bb, 'busybox')).size, fs.statSync('/bin/busybox').size);
  });
});
