import test from 'ava';
import { parseChallenges } from '../../../src/image/registry/challenge';
import { authKey, lookupCredentials } from '../../../src/image/registry/credentials';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('auths: base64 user:password, Docker Hub under https://index.docker.io/v1/, URL-shaped keys', (t) => {
  const config = {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:pw') },
      'ghcr.io': { auth: b64('gh:to:ken') },
      'https://quay.io/v2/': { username: 'q', password: 'qp' },
      'reg.example:5000': { identitytoken: 'refresh' },
    },
  };
  t.deepEqual(lookupCredentials('docker.io', config), { username: 'hub', password: 'pw' });
  t.deepEqual(lookupCredentials('ghcr.io', config), { username: 'gh', password: 'to:ken' }, 'the password may hold colons');
  t.deepEqual(lookupCredentials('quay.io', config), { username: 'q', password: 'qp' });
  t.deepEqual(lookupCredentials('reg.example:5000', config), { username: '', password: '', identityToken: 'refresh' });
  t.is(lookupCredentials('other.io', config), undefined);
  t.is(authKey('docker.io'), 'https://index.docker.io/v1/');
  t.throws(() => lookupCredentials('bad.io', { auths: { 'bad.io': { auth: b64('nocolon') } } }), { message: /not base64 of user:password/ });
});

test('credential helpers: a missing docker-credential-NAME is a clear error', (t) => {
  t.throws(() => lookupCredentials('ghcr.io', { credHelpers: { 'ghcr.io': 'tsc-does-not-exist' } }), {
    message: /docker-credential-tsc-does-not-exist/,
  });
  t.is(lookupCredentials('docker.io', { credHelpers: { 'ghcr.io': 'tsc-does-not-exist' } }), undefined, 'helpers are per registry');
});

test('WWW-Authenticate: Docker Hub bearer challenge, Basic, quoted commas and escapes', (t) => {
  t.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull,push' } },
  ]);
  t.deepEqual(parseChallenges('Basic realm="Registry \\"Realm\\""'), [{ scheme: 'basic', params: { realm: 'Registry "Realm"' } }]);
  t.deepEqual(parseChallenges('Basic realm=x, Bearer realm="y"').map((c) => c.scheme), ['basic', 'bearer']);
});
