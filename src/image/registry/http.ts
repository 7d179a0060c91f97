/**
 * HTTP(S) for the registry client: one request, redirects followed by hand so
 * that credentials never follow a redirect to another host (blob storage
 * URLs carry their own signature), a timeout on silence, and HTTPS trusting
 * the system's CA bundle (Debian's /etc/ssl/certs) plus Node's own roots.
 *
 * Equivalent to: curl -L --cacert /etc/ssl/certs/ca-certificates.crt URL
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

export interface HttpRequest {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Milliseconds without any byte from the server before giving up. */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: URL;
  body: http.IncomingMessage;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];
const MAX_REDIRECTS = 10;

let agents: { http: http.Agent; https: https.Agent } | undefined;

/** System CAs (and NODE_EXTRA_CA_CERTS, which Node adds to its roots itself). */
function caList(): string[] {
  const cas = [...tls.rootCertificates];
  for (const f of SYSTEM_BUNDLES) {
    try {
      cas.push(fs.readFileSync(f, 'utf8'));
      break;
    } catch {
      /* not this distribution's path */
    }
  }
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) cas.push(fs.readFileSync(extra, 'utf8'));
  return cas;
}

function agentFor(protocol: string): http.Agent {
  agents ??= {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8, ca: caList() }),
  };
  return protocol === 'https:' ? agents.https : agents.http;
}

/** Close idle keep-alive sockets (so a CLI run can exit promptly). */
export function closeConnections(): void {
  agents?.http.destroy();
  agents?.https.destroy();
  agents = undefined;
}

function once(url: URL, req: HttpRequest): Promise<http.IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(url, { method: req.method ?? 'GET', headers: req.headers, agent: agentFor(url.protocol) }, resolve);
    r.setTimeout(req.idleTimeoutMs ?? 30_000, () => r.destroy(Object.assign(new Error(`no answer from ${url.host} in ${(req.idleTimeoutMs ?? 30_000) / 1000}s`), { code: 'ETIMEDOUT' })));
    r.on('error', reject);
    r.end();
  });
}

/**
 * GET/HEAD `url`, following redirects. The Authorization header is sent only
 * to the original host (and never over a redirect from HTTPS to HTTP).
 */
export async function httpRequest(url: URL, req: HttpRequest = {}): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = current.host === url.host && current.protocol === url.protocol;
    const headers = { ...req.headers };
    if (!sameOrigin) delete headers.Authorization;
    const res = await once(current, { ...req, headers });
    const location = res.headers.location;
    if (res.statusCode && [301, 302, 303, 307, 308].includes(res.statusCode) && location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.href}`);
      const next = new URL(location, current);
      if (current.protocol === 'https:' && next.protocol !== 'https:') throw new Error(`refusing redirect from HTTPS to ${next.href}`);
      current = next;
      continue;
    }
    const idle = req.idleTimeoutMs ?? 30_000;
    res.setTimeout(idle, () => res.destroy(Object.assign(new Error(`${current.host} sent nothing for ${idle / 1000}s`), { code: 'ETIMEDOUT' })));
    return { status: res.statusCode ?? 0, headers: res.headers, url: current, body: res };
  }
}

/** The whole body (for manifests, tokens and error documents: small), at most `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw new Error(`${res.url.host} sent more than ${limit} bytes for ${res.url.pathname}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
