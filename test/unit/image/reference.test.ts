import test from 'ava';
import { canonical, endpointHost, familiar, manifestKey, parseReference, ReferenceError } from '../../../src/image/reference';

const D = 'sha256:' + 'ab'.repeat(32);

const cases: [string, string, string][] = [
  // written, canonical, familiar
  ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['nginx:1.27', 'docker.io/library/nginx:1.27', 'nginx:1.27'],
  ['library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['docker.io/library/nginx:1.27-alpine', 'docker.io/library/nginx:1.27-alpine', 'nginx:1.27-alpine'],
  ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2', 'bitnami/redis:7.2'],
  ['ghcr.io/owner/repo:tag', 'ghcr.io/owner/repo:tag', 'ghcr.io/owner/repo:tag'],
  ['ghcr.io/owner/sub/repo', 'ghcr.io/owner/sub/repo:latest', 'ghcr.io/owner/sub/repo:latest'],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost:5000/app:v1', 'localhost:5000/app:v1', 'localhost:5000/app:v1'],
  [`host:5000/path/img@${D}`, `host:5000/path/img@${D}`, `host:5000/path/img@${D}`],
  [`127.0.0.1:5000/a_b/c-d.e@${D}`, `127.0.0.1:5000/a_b/c-d.e@${D}`, `127.0.0.1:5000/a_b/c-d.e@${D}`],
  [`nginx:1.27@${D}`, `docker.io/library/nginx:1.27@${D}`, `nginx:1.27@${D}`],
  [`nginx@${D}`, `docker.io/library/nginx@${D}`, `nginx@${D}`],
  ['[::1]:5000/img:x', '[::1]:5000/img:x', '[::1]:5000/img:x'],
  ['Registry/img', 'Registry/img:latest', 'Registry/img:latest'],
  ['a__b/c---d', 'docker.io/a__b/c---d:latest', 'a__b/c---d:latest'],
];

for (const [written, canon, fam] of cases) {
  test(`reference ${written}`, (t) => {
    const ref = parseReference(written);
    t.is(canonical(ref), canon);
    t.is(familiar(ref), fam);
    t.is(parseReference(canonical(ref)).registry, ref.registry, 'canonical form parses back to the same registry');
  });
}

test('Docker Hub: endpoint registry-1.docker.io, library/ only for single names', (t) => {
  const ref = parseReference('nginx');
  t.is(ref.registry, 'docker.io');
  t.is(ref.repository, 'library/nginx');
  t.is(endpointHost(ref.registry), 'registry-1.docker.io');
  t.is(endpointHost('ghcr.io'), 'ghcr.io');
  t.is(parseReference('owner/repo').repository, 'owner/repo');
});

test('manifest key: the digest wins over the tag; latest by default', (t) => {
  t.is(manifestKey(parseReference(`nginx:1.27@${D}`)), D);
  t.is(manifestKey(parseReference('nginx')), 'latest');
  t.is(parseReference(`nginx@${D}`).tag, undefined);
  t.is(parseReference('localhost:5000/app').tag, 'latest', 'a port is not a tag');
});

const bad: [string, RegExp][] = [
  ['', /empty/],
  ['Nginx', /lowercase/],
  ['docker.io/Library/nginx', /lowercase/],
  ['nginx:', /invalid tag/],
  ['nginx:-bad', /invalid tag/],
  [`nginx:${'x'.repeat(129)}`, /invalid tag/],
  ['nginx@sha256:abc', /sha256 digest/],
  ['nginx@md5:' + 'a'.repeat(32), /unsupported digest algorithm/],
  ['nginx@', /invalid digest/],
  ['a//b', /invalid repository name/],
  ['-a/b', /invalid repository name/],
  ['a/b-', /invalid repository name/],
  ['host:port/x', /invalid registry/],
  ['ghcr.io/', /invalid repository name/],
  ['ab'.repeat(32), /hexadecimal/],
  ['x/' + 'a'.repeat(260), /longer than 255/],
  ['a b', /invalid repository name/],
];

for (const [written, why] of bad) {
  test(`invalid reference "${written.slice(0, 40)}"`, (t) => {
    const e = t.throws(() => parseReference(written), { instanceOf: ReferenceError });
    t.regex(e!.message, why);
    t.true(e!.message.includes(`"${written}"`), 'the message quotes what was written');
  });
}
