/**
 * `include`: an included file's services come up with the project, their
 * relative paths resolved against the included file's directory and their
 * variables from its env_file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, tsc, writeProject } from '../helpers/containers';

test('include: the included service runs, with its bind mount beside its own file and its env_file variables; a clash names both files', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: inc
include:
  - path: lib/compose.yaml
    env_file: lib/vars.env
services:
  web:
    command: ["sleep", "1000"]
    depends_on: [db]
`,
    );
    fs.mkdirSync(path.join(dir, 'lib', 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'data', 'f'), 'beside the included file\n');
    fs.writeFileSync(path.join(dir, 'lib', 'vars.env'), 'GREETING=hello-from-include\n');
    fs.writeFileSync(path.join(dir, 'lib', 'compose.yaml'), 'services:\n  db:\n    command: ["sleep", "1000"]\n    environment: {G: "${GREETING}"}\n    volumes: ["./data:/data:ro"]\n');
    await ok(host, dir, ['up', '-d']);
    t.is((await ok(host, dir, ['exec', '-T', 'db', 'cat', '/data/f'])).stdout, 'beside the included file\n');
    t.is((await ok(host, dir, ['exec', '-T', 'db', 'sh', '-c', 'echo $G'])).stdout, 'hello-from-include\n');
    t.regex((await ok(host, dir, ['ps'])).stdout, /inc-db-1[\s\S]*inc-web-1|inc-web-1[\s\S]*inc-db-1/);
    await ok(host, dir, ['down']);
    // The same service in both files: refused before anything is made.
    fs.writeFileSync(path.join(dir, 'lib', 'compose.yaml'), 'services:\n  web:\n    command: ["true"]\n  db:\n    command: ["true"]\n');
    const r = await tsc(host, dir, ['up', '-d']);
    t.not(r.code, 0, r.stderr);
    t.regex(r.stderr, /service "web" is defined both in compose\.yaml and in lib\/compose\.yaml/);
    t.deepEqual(await leftovers(host), []);
  });
});
