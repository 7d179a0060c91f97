/**
 * A small token server following the Docker registry token spec
 * (distribution's docs/spec/auth/token.md), run inside a test host next to
 * a docker-registry configured with `auth.token`:
 *   GET /token?service=S&scope=repository:NAME:pull,push  [Authorization: Basic …]
 *   → {"token": JWT, "access_token": JWT, "expires_in": 300}
 * The JWT is ES256-signed with the key whose certificate (self-signed, also
 * the registry's rootcertbundle) rides in the `x5c` header.
 * Policy: anonymous may pull anything but `private/…`; known users may pull
 * and push everything; wrong credentials get 401.
 *
 * Run: node token-server.js PORT KEY.pem CERT.pem '{"user":"password"}'
 */
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

export const TOKEN_ISSUER = 'tsc-token-issuer';
export const TOKEN_SERVICE = 'tsc-registry';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function jwt(keyPem: string, certPem: string, claims: Record<string, unknown>): string {
  const der = new X509Certificate(certPem).raw.toString('base64');
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [der] }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: createPrivateKey(keyPem), dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${b64url(sig)}`;
}

function user(req: http.IncomingMessage, users: Record<string, string>): string | null | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined; // anonymous
  const [name, password] = Buffer.from(h.replace(/^Basic /, ''), 'base64').toString().split(':');
  return name && users[name] === password ? name : null; // null: wrong credentials
}

export function tokenServer(keyPem: string, certPem: string, users: Record<string, string>): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://token');
    const who = user(req, users);
    if (who === null) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      const wanted = (actions ?? '').split(',');
      const allowed = who ? wanted : name!.startsWith('private/') ? [] : wanted.filter((a) => a === 'pull');
      return [{ type, name, actions: allowed }];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = jwt(keyPem, certPem, {
      iss: TOKEN_ISSUER,
      sub: who ?? '',
      aud: url.searchParams.get('service'),
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
}

if (require.main === module) {
  const [port, keyFile, certFile, usersJson] = process.argv.slice(2);
  tokenServer(fs.readFileSync(keyFile!, 'utf8'), fs.readFileSync(certFile!, 'utf8'), JSON.parse(usersJson ?? '{}')).listen(Number(port), '127.0.0.1', () =>
    process.stdout.write('ready\n'),
  );
}
