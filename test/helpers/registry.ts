/**
 * A real registry for tests: Debian's docker-registry (distribution 2.8)
 * started inside a throwaway host on 127.0.0.1, plain HTTP, or TLS with a
 * test CA, optionally behind htpasswd Basic auth or a token server (see
 * token-server.ts). It dies with the host. Images are pushed into it with
 * `skopeo copy --all` from OCI layouts the tests write (oci-layout.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Host } from './host';
import { TOKEN_ISSUER, TOKEN_SERVICE } from './token-server';

export interface RegistryOptions {
  port?: number;
  /** Listen address (default 127.0.0.1): another one makes a registry that is not on loopback. */
  address?: string;
  /** Serve HTTPS with a certificate for 127.0.0.1/localhost signed by a fresh test CA. */
  tls?: boolean;
  /** htpasswd Basic auth with these users (user → password). */
  users?: Record<string, string>;
  /** Token auth: the realm URL, and the PEM of the token signer's certificate. */
  token?: { realm: string; service: string; issuer: string; certFile: string };
  /** Keep the access log (combined format: request line and status), read with `accessLog()`. */
  accessLog?: boolean;
}

export interface TestRegistry {
  /** host:port, as an image reference's registry part. */
  name: string;
  dir: string;
  /** The test CA's certificate (PEM file), when TLS. */
  caFile?: string;
  /** Where the registry keeps blobs: blobs/sha256/XX/HEX/data. */
  blobData(digest: string): string;
  /** The access log so far (with `accessLog: true`). */
  accessLog(): string;
}

/**
 * The registry tests' programs, which scripts/setup installs: a missing one is
 * a broken setup, never a host that may lack it, so the test fails saying so.
 */
export function requireRegistryTools(): void {
  for (const tool of ['docker-registry', 'skopeo', 'openssl', 'zstd', 'busybox']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is not installed (scripts/setup installs it)`);
  }
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA and a server certificate for 127.0.0.1 and localhost, in `dir`. */
export function makeCertificates(dir: string, name = 'server'): { ca: string; cert: string; key: string } {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'ca.pem'))) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tscompose test CA'], dir);
  }
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  fs.writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
  // skopeo's --*-cert-dir wants CAs as *.crt files in a directory of their own.
  fs.mkdirSync(path.join(dir, 'trust'), { recursive: true });
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(dir, 'trust', 'ca.crt'));
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

function htpasswd(users: Record<string, string>): string {
  const lines = Object.entries(users).map(([u, p]) => {
    const r = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', p], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bcrypt: ${r.stderr}`);
    return `${u}:${r.stdout.trim()}`;
  });
  return lines.join('\n') + '\n';
}

export async function startRegistry(host: Host, opts: RegistryOptions = {}): Promise<TestRegistry> {
  const port = opts.port ?? 5000;
  const address = opts.address ?? '127.0.0.1';
  const dir = path.join(host.dir, `registry-${port}`);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const cfg: string[] = [
    'version: 0.1',
    `log: {level: error, accesslog: {disabled: ${!opts.accessLog}}}`,
    `storage: {filesystem: {rootdirectory: ${path.join(dir, 'data')}}, delete: {enabled: true}, cache: {}}`,
  ];
  let caFile: string | undefined;
  if (opts.tls) {
    const c = makeCertificates(path.join(host.dir, 'pki'), `registry-${port}`);
    caFile = c.ca;
    cfg.push(`http: {addr: ${address}:${port}, tls: {certificate: ${c.cert}, key: ${c.key}}}`);
  } else {
    cfg.push(`http: {addr: ${address}:${port}}`);
  }
  if (opts.users) {
    fs.writeFileSync(path.join(dir, 'htpasswd'), htpasswd(opts.users));
    cfg.push(`auth: {htpasswd: {realm: tscompose-test, path: ${path.join(dir, 'htpasswd')}}}`);
  } else if (opts.token) {
    const t = opts.token;
    cfg.push(`auth: {token: {realm: "${t.realm}", service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${t.certFile}}}`);
  }
  fs.writeFileSync(path.join(dir, 'config.yml'), cfg.join('\n') + '\n');
  const child = spawn(host.enter()[0]!, [...host.enter().slice(1), 'docker-registry', 'serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', opts.accessLog ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  let log = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => (log += d));
  const scheme = opts.tls ? 'https' : 'http';
  for (let i = 0; ; i++) {
    const r = await host.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', ...(caFile ? ['--cacert', caFile] : []), `${scheme}://${address}:${port}/v2/`]);
    if (r.stdout === '200' || r.stdout === '401') break;
    if (child.exitCode !== null || i > 100) throw new Error(`docker-registry did not start: ${stderr}`);
    await sleep(50);
  }
  return {
    name: `${address}:${port}`,
    dir,
    ...(caFile ? { caFile } : {}),
    accessLog: () => log,
    blobData: (digest) => path.join(dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7), 'data'),
  };
}

/**
 * Start the token server (token-server.ts) inside the host on `port`, with a
 * fresh self-signed ES256 signing certificate; returns the registry's
 * `token` options.
 */
export async function startTokenServer(host: Host, port: number, users: Record<string, string>): Promise<NonNullable<RegistryOptions['token']>> {
  const dir = path.join(host.dir, 'token');
  fs.mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'signer.key', '-out', 'signer.pem', '-days', '2', '-subj', '/CN=tsc token signer'], dir);
  const child = spawn(host.enter()[0]!, [...host.enter().slice(1), process.execPath, path.join(__dirname, 'token-server.js'), String(port), path.join(dir, 'signer.key'), path.join(dir, 'signer.pem'), JSON.stringify(users)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`token server exited ${code}: ${err}`)));
  });
  return { realm: `http://127.0.0.1:${port}/token`, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, certFile: path.join(dir, 'signer.pem') };
}

/** Push the OCI layout's `tag` (all platforms) to `registry` as `repo:tag` (converted to Docker's v2 schema 2 with `format`). */
export async function pushLayout(host: Host, registry: TestRegistry, layoutDir: string, tag: string, repo: string, creds?: string, format?: 'v2s2'): Promise<void> {
  const r = await host.run([
    'skopeo', 'copy', '--quiet', '--all', '--insecure-policy',
    ...(format ? ['--format', format] : []),
    ...(registry.caFile ? ['--dest-cert-dir', path.join(path.dirname(registry.caFile), 'trust')] : ['--dest-tls-verify=false']),
    ...(creds ? ['--dest-creds', creds] : []),
    `oci:${layoutDir}:${tag}`, `docker://${registry.name}/${repo}:${tag}`,
  ], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`skopeo copy: ${r.signal ? `killed by ${r.signal} ` : ''}${r.stderr}`);
}
