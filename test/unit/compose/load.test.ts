import test from 'ava';
import { SpecError } from '../../../src/errors';
import { loadProject } from '../../../src/compose';
import { generateLargeCompose, load } from './helpers';

test('a generated file with 1,000 services loads completely', (t) => {
  const p = load(generateLargeCompose(1000));
  t.is(Object.keys(p.services).length, 1000);
  t.is(Object.keys(p.networks).length, 10);
  const s = p.services.svc999!;
  t.is(s.hostname, 'host-999');
  t.deepEqual(s.environment, { INDEX: '999', SHARED: 'yes' });
  t.deepEqual(s.networks, [{ network: 'net9', ipv4Address: '10.9.4.209', aliases: ['alias-999'], gwPriority: 0, priority: 0 }]);
  t.deepEqual(Object.keys(s.dependsOn), ['svc998']);
  t.deepEqual(s.extensions, { 'x-rootfs': '/rootfs' });
  // 6 header lines, svc0 takes 11 lines, every later service 13; hostname is the third line of svc999.
  t.is(p.sources.get('services.svc999.hostname')?.line, 6 + 11 + 998 * 13 + 3);
});

test('the reader is asked only for what is needed, and each file once', (t) => {
  const asked: string[] = [];
  const files: Record<string, string> = { '/p/compose.yaml': 'services:\n  a:\n    env_file: [x.env]\n', '/p/x.env': 'A=1\n' };
  const p = loadProject({
    files: [],
    cwd: '/p',
    environment: {},
    reader: {
      readText: (f) => {
        asked.push(f);
        return files[f];
      },
    },
  });
  t.deepEqual(p.services.a!.environment, { A: '1' });
  t.deepEqual(asked, ['/p/compose.yaml', '/p/compose.override.yaml', '/p/compose.override.yml', '/p/.env', '/p/x.env']);
});

test('loadProject throws only SpecError for bad input, never a crash', (t) => {
  const bad = ['', ':', '[', 'services: 5', 'services: [a]', 'networks: {a: [1]}', 'services: {a: {networks: 5}}', 'services: {a: {depends_on: 5, environment: 5, env_file: 5, extra_hosts: 5, dns: {}}}', '{"services": {"a": {"command": {}}}}', 'x: !!binary aGk=', '? a'];
  for (const text of bad) t.throws(() => load(text), { instanceOf: SpecError }, JSON.stringify(text));
});
