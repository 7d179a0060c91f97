/**
 * The registry client against small in-process HTTP servers on 127.0.0.1
 * (loopback: plain HTTP allowed): statuses, timeouts, redirects (credentials
 * stay home), the bearer-token flow, digest checks, platform errors. Serial:
 * they share the client's keep-alive agents, which each teardown closes.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, isLoopbackRegistry } from '../../../src/image/registry/client';
import { closeConnections } from '../../../src/image/registry/http';
import { MEDIA, selectPlatform } from '../../../src/image/registry/manifest';

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

async function serve(t: { teardown(fn: () => unknown): void }, handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    closeConnections();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
    layers: [],
  }),
);

test.serial('loopback registries: 127.0.0.0/8, ::1, localhost; nothing else', (t) => {
  for (const r of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', 'localhost', '[::1]:5000']) t.true(isLoopbackRegistry(r), r);
  for (const r of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1', '[::2]:5000']) t.false(isLoopbackRegistry(r), r);
});

test.serial('HTTP 500 and 404: errors naming the registry, the repository and the status', async (t) => {
  const name = await serve(t, (req, res) => {
    if (req.url === '/v2/') {
      res.end('{}');
      return;
    }
    res.writeHead(req.url!.includes('missing') ? 404 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: req.url!.includes('missing') ? 'MANIFEST_UNKNOWN' : 'UNKNOWN', message: 'boom' }] }));
  });
  const client = new RegistryClient(name);
  const e500 = await t.throwsAsync(client.manifest('a/b', 'v1'));
  t.is(e500!.message, `registry ${name}: manifest a/b:v1: HTTP 500: UNKNOWN boom`);
  const e404 = await t.throwsAsync(client.manifest('a/missing', 'v1'));
  t.regex(e404!.message, /HTTP 404: MANIFEST_UNKNOWN/);
});

test.serial('a registry that stops answering: a timeout error, not a hang', async (t) => {
  const name = await serve(t, (req, res) => {
    if (req.url === '/v2/') {
      res.end('{}');
      return;
    }
    // never answers
  });
  const client = new RegistryClient(name, { idleTimeoutMs: 300 });
  const e = await t.throwsAsync(client.manifest('a/b', 'v1'));
  t.regex(e!.message, new RegExp(`registry ${name}: .*no answer from ${name}`));
});

test.serial('manifests are verified: against the digest asked for, and the one announced', async (t) => {
  const name = await serve(t, (req, res) => {
    if (req.url === '/v2/') {
      res.end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': MEDIA.ociManifest, ...(req.url!.endsWith('lying') ? { 'docker-content-digest': sha('other') } : {}) });
    res.end(manifest);
  });
  const client = new RegistryClient(name);
  const ok = await client.manifest('a/b', sha(manifest));
  t.is(ok.digest, sha(manifest));
  t.is(ok.manifest.kind, 'manifest');
  const byTag = await client.manifest('a/b', 'v1');
  t.is(byTag.digest, sha(manifest), 'no announced digest: computed');
  const wrong = sha('something else');
  t.regex((await t.throwsAsync(client.manifest('a/b', wrong)))!.message, /does not match its digest/);
  t.regex((await t.throwsAsync(client.manifest('a/b', 'lying')))!.message, /does not match its digest/);
});

test.serial('bearer tokens from the WWW-Authenticate challenge; Basic credentials go to the token server only', async (t) => {
  const seen: { path: string; auth?: string }[] = [];
  let realm = '';
  const name = await serve(t, (req, res) => {
    seen.push({ path: req.url!, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    if (req.url!.startsWith('/token')) {
      const u = new URL(req.url!, 'http://x');
      t.is(u.searchParams.get('service'), 'test-registry');
      t.is(u.searchParams.get('scope'), 'repository:team/app:pull');
      res.end(JSON.stringify({ token: 'tok-123' }));
      return;
    }
    if (req.headers.authorization !== 'Bearer tok-123') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:team/app:pull"` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': MEDIA.ociManifest });
    res.end(manifest);
  });
  realm = `http://${name}/token`;
  const client = new RegistryClient(name, { credentials: () => ({ username: 'u', password: 'p' }) });
  await client.manifest('team/app', 'v1');
  const tokenReq = seen.find((s) => s.path.startsWith('/token'))!;
  t.is(tokenReq.auth, 'Basic ' + Buffer.from('u:p').toString('base64'));
  t.is(seen[seen.length - 1]!.auth, 'Bearer tok-123');
  const before = seen.filter((s) => s.path.startsWith('/token')).length;
  await client.manifest('team/app', 'v2');
  t.is(seen.filter((s) => s.path.startsWith('/token')).length, before, 'the token is reused for the same repository');
});

test.serial('blob redirects are followed, and the Authorization header is not sent to the other host', async (t) => {
  const storageSeen: (string | undefined)[] = [];
  const storage = await serve(t, (req, res) => {
    storageSeen.push(req.headers.authorization);
    res.end('blob-bytes');
  });
  const name = await serve(t, (req, res) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('u:p').toString('base64')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
      res.end();
      return;
    }
    res.writeHead(307, { location: `http://${storage}/signed?sig=1` });
    res.end();
  });
  const client = new RegistryClient(name, { credentials: () => ({ username: 'u', password: 'p' }) });
  const bytes = await client.smallBlob('a/b', sha('blob-bytes'));
  t.is(bytes.toString(), 'blob-bytes');
  t.deepEqual(storageSeen, [undefined]);
  const e = await t.throwsAsync(client.smallBlob('a/b', sha('other')));
  t.regex(e!.message, /does not match its digest/);
});

test.serial('platform selection: exact match, arm64 without variant, and an error listing what is offered', (t) => {
  const d = (os: string, architecture: string, variant?: string) => ({
    mediaType: MEDIA.ociManifest,
    digest: sha(`${os}/${architecture}/${variant}`),
    size: 1,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  });
  const index = { kind: 'index' as const, mediaType: MEDIA.ociIndex, manifests: [d('linux', 'amd64'), d('linux', 'arm64'), d('linux', 'arm', 'v7'), d('unknown', 'unknown')] };
  t.is(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, index.manifests[0]!.digest);
  t.is(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest, index.manifests[1]!.digest);
  t.is(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, index.manifests[2]!.digest);
  t.throws(() => selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' }), { message: 'no linux/arm/v6 image: it offers linux/amd64, linux/arm64, linux/arm/v7' });
});
