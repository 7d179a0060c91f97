/**
 * The OCI distribution client for one registry: ping and scheme choice,
 * authentication on demand (401 → WWW-Authenticate → bearer token or Basic),
 * manifests (verified against the digest asked for or the one the registry
 * announces) and blobs (streamed; the caller verifies while it consumes, see
 * store/digest.ts).
 *
 * Equivalent to: curl -H 'Accept: …' https://REGISTRY/v2/REPO/manifests/REF
 *                curl -L https://REGISTRY/v2/REPO/blobs/DIGEST
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { RegistryError } from '../errors';
import { endpointHost } from '../reference';
import { parseChallenges } from './challenge';
import { lookupCredentials, type Credentials } from './credentials';
import { httpRequest, readBody, type HttpResponse } from './http';
import { MANIFEST_ACCEPT, parseManifest, type Manifest } from './manifest';
import type { OpenedBlob } from '../store/partial';

export interface ClientOptions {
  /** Registries (host[:port]) that may be spoken to over plain HTTP besides loopback ones. */
  insecure?: string[];
  /** Credentials lookup (default: ~/.docker/config.json and its helpers). */
  credentials?: (registry: string) => Credentials | undefined;
  idleTimeoutMs?: number;
}

export interface FetchedManifest {
  manifest: Manifest;
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

/** Docker treats 127.0.0.0/8, ::1 and `localhost` as loopback: plain HTTP is allowed there. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && host === '::1';
}

export function sha256(bytes: Buffer): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

function verify(bytes: Buffer, digest: string): boolean {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' && alg !== 'sha512') return false;
  return createHash(alg).update(bytes).digest('hex') === hex;
}

function systemCode(e: unknown): string {
  return (e as { code?: string })?.code ?? '';
}

export class RegistryClient {
  private base?: URL;
  /** Authorization header per repository scope. */
  private readonly auth = new Map<string, string>();
  /** Whose credentials those are, for error messages: `as alice`, `anonymously`. */
  private readonly who = new Map<string, string>();

  constructor(
    readonly registry: string,
    private readonly opts: ClientOptions = {},
  ) {}

  private fail(message: string, status?: number, cause?: unknown): RegistryError {
    return new RegistryError(this.registry, message, status, cause);
  }

  /** https://, or http:// for a loopback or listed-insecure registry that does not speak TLS. */
  private async baseUrl(): Promise<URL> {
    if (this.base) return this.base;
    const host = endpointHost(this.registry);
    const https = new URL(`https://${host}/v2/`);
    const plainAllowed = isLoopbackRegistry(this.registry) || (this.opts.insecure ?? []).includes(this.registry);
    try {
      const res = await httpRequest(https, { idleTimeoutMs: this.opts.idleTimeoutMs });
      res.body.resume();
      this.base = https;
    } catch (e) {
      if (!plainAllowed) throw this.fail(`cannot reach https://${host}/v2/: ${(e as Error).message}`, undefined, e);
      const code = systemCode(e);
      if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
        throw this.fail(`cannot reach ${host}: ${(e as Error).message}`, undefined, e);
      }
      this.base = new URL(`http://${host}/v2/`);
    }
    return this.base;
  }

  /** GET `path` (below /v2/) with auth for `repository`, retrying once after a 401 challenge. */
  private async get(repository: string, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const url = new URL(path, await this.baseUrl());
    const send = (authz?: string) =>
      httpRequest(url, { headers: { ...headers, ...(authz ? { Authorization: authz } : {}) }, idleTimeoutMs: this.opts.idleTimeoutMs }).catch(
        (e) => {
          throw this.fail(`${url.pathname}: ${(e as Error).message}`, undefined, e);
        },
      );
    let res = await send(this.auth.get(repository));
    if (res.status !== 401) return res;
    res.body.resume();
    const authz = await this.authenticate(repository, String(res.headers['www-authenticate'] ?? ''));
    this.auth.set(repository, authz);
    res = await send(authz);
    if (res.status === 401 || res.status === 403) {
      res.body.resume();
      throw this.fail(`access to ${repository || 'the registry'} denied (HTTP ${res.status}) ${this.who.get(repository)}`, res.status);
    }
    return res;
  }

  /** An Authorization header value answering `challenge`. */
  private async authenticate(repository: string, header: string): Promise<string> {
    const lookup = this.opts.credentials ?? ((r: string) => lookupCredentials(r));
    let creds: Credentials | undefined;
    try {
      creds = lookup(this.registry);
    } catch (e) {
      throw this.fail(`credentials: ${(e as Error).message}`, undefined, e);
    }
    this.who.set(repository, creds ? `as ${creds.username || 'the identity token'} (from ${'~/.docker/config.json'})` : 'anonymously');
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return `Bearer ${await this.token(bearer.params, repository, creds)}`;
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!creds) throw this.fail(`authentication required for ${repository || 'the registry'} (HTTP 401) and no credentials for it in ${'~/.docker/config.json'}`, 401);
      return basic(creds);
    }
    throw this.fail(`HTTP 401 with an authentication scheme we do not know: "${header}"`, 401);
  }

  /** The token server dance (distribution's token spec), with Basic credentials when we have some. */
  private async token(params: Record<string, string>, repository: string, creds?: Credentials): Promise<string> {
    if (!params.realm) throw this.fail('bearer challenge without a realm', 401);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (repository) url.searchParams.set('scope', `repository:${repository}:pull`);
    else if (creds?.username) url.searchParams.set('account', creds.username); // a login: no scope (Docker does the same)
    const local = isLoopbackRegistry(url.host) || (this.opts.insecure ?? []).includes(url.host);
    if (url.protocol !== 'https:' && !local) throw this.fail(`token realm ${url.href} is not HTTPS`);
    const headers: Record<string, string> = creds && !creds.identityToken ? { Authorization: basic(creds) } : {};
    const res = await httpRequest(url, { headers, idleTimeoutMs: this.opts.idleTimeoutMs }).catch((e) => {
      throw this.fail(`token server ${url.host}: ${(e as Error).message}`, undefined, e);
    });
    const body = await readBody(res, 1 << 20);
    if (res.status !== 200) throw this.fail(`token server ${url.host} answered ${res.status}${errorText(body)}`, res.status);
    let doc: { token?: string; access_token?: string };
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw this.fail(`token server ${url.host} sent no JSON`);
    }
    const token = doc.token ?? doc.access_token;
    if (!token) throw this.fail(`token server ${url.host} sent no token`);
    return token;
  }

  /** `login`: do the credentials get us past the registry's /v2/ check? Throws if not. */
  async checkCredentials(): Promise<void> {
    const res = await this.get('', '');
    res.body.resume();
    if (res.status !== 200) throw this.fail(`/v2/ answered HTTP ${res.status}`, res.status);
  }

  /** The manifest (or index) at `key` (a tag or a digest), its bytes verified. */
  async manifest(repository: string, key: string): Promise<FetchedManifest> {
    const res = await this.get(repository, `${repository}/manifests/${key}`, { Accept: MANIFEST_ACCEPT });
    const bytes = await readBody(res);
    if (res.status !== 200) throw this.fail(`manifest ${repository}:${key}: HTTP ${res.status}${errorText(bytes)}`, res.status);
    const announced = res.headers['docker-content-digest'];
    const digest = key.includes(':') ? key : typeof announced === 'string' ? announced : sha256(bytes);
    if (!verify(bytes, digest)) throw this.fail(`manifest ${repository}:${key} does not match its digest ${digest}`);
    let manifest: Manifest;
    try {
      manifest = parseManifest(bytes, res.headers['content-type']);
    } catch (e) {
      throw this.fail(`manifest ${repository}:${key}: ${(e as Error).message}`, undefined, e);
    }
    return { manifest, bytes, digest, mediaType: manifest.mediaType };
  }

  /** A blob's response (redirects followed); the caller streams and verifies it. */
  async blob(repository: string, digest: string): Promise<HttpResponse> {
    const res = await this.get(repository, `${repository}/blobs/${digest}`);
    if (res.status !== 200) {
      const body = await readBody(res).catch(() => Buffer.alloc(0));
      throw this.fail(`blob ${digest} of ${repository}: HTTP ${res.status}${errorText(body)}`, res.status);
    }
    return res;
  }

  /**
   * A blob's bytes from offset `from` (`Range: bytes=FROM-`, as `curl -C -`):
   * a 206 whose Content-Range starts there resumes; a 200 is the whole blob.
   */
  async blobFrom(repository: string, digest: string, from: number): Promise<OpenedBlob> {
    if (from <= 0) return { stream: (await this.blob(repository, digest)).body, from: 0 };
    const res = await this.get(repository, `${repository}/blobs/${digest}`, { Range: `bytes=${from}-` });
    if (res.status === 206 && String(res.headers['content-range'] ?? '').startsWith(`bytes ${from}-`)) return { stream: res.body, from };
    if (res.status === 200) return { stream: res.body, from: 0 };
    res.body.destroy();
    return { stream: (await this.blob(repository, digest)).body, from: 0 }; // 416 or an odd range: start again
  }

  /** A small blob (an image config) read whole and verified. */
  async smallBlob(repository: string, digest: string, limit = 16 << 20): Promise<Buffer> {
    const res = await this.blob(repository, digest);
    const bytes = await readBody(res, limit);
    if (!verify(bytes, digest)) throw this.fail(`blob ${digest} of ${repository} does not match its digest`);
    return bytes;
  }
}

function basic(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
}

/** The registry's error document, shortened: `: MANIFEST_UNKNOWN manifest unknown`. */
function errorText(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const first = doc.errors?.[0];
    if (first) return `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
  } catch {
    /* not JSON */
  }
  const text = body.toString('utf8').trim().slice(0, 200);
  return text ? `: ${text}` : '';
}
