/**
 * `network_mode: bridge` (tsc0, Docker's docker0) has no name service, as
 * docker0: service names do not resolve there, not even across projects,
 * but `links:` do (in /etc/hosts). In its own throwaway host.
 */
import test from 'ava';
import { withHost, type Host } from '../helpers/host';
import { leftovers, ok, tsc, writeProject } from '../helpers/containers';

const STACK = `
name: lone
services:
  db:
    command: ["sleep", "infinity"]
    network_mode: bridge
  app:
    command: ["sleep", "infinity"]
    network_mode: bridge
    links: ["db:database"]
  other:
    command: ["sleep", "infinity"]
    network_mode: bridge
`;

const address = async (host: Host, ns: string) => (await host.ipJson(['-n', ns, 'addr', 'show', 'eth0']))[0].addr_info.find((a: any) => a.family === 'inet').local as string;
const hosts = async (host: Host, dir: string, svc: string, name: string) => (await tsc(host, dir, ['exec', '-T', svc, 'getent', 'hosts', name], { timeoutMs: 60_000 })).stdout.trim();

test('on tsc0, links resolve (by /etc/hosts) and plain service names do not (no DNS server, the host\'s resolv.conf)', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, STACK);
    await ok(host, dir, ['up', '-d']);
    const db = await address(host, 'tsc.lone.db.1');
    t.regex(await hosts(host, dir, 'app', 'database'), new RegExp(`^${db.replace(/\./g, '\\.')}\\s+database$`, 'm'), 'the link\'s alias');
    t.notRegex((await ok(host, dir, ['exec', '-T', 'other', 'cat', '/etc/resolv.conf'])).stdout, /nameserver 172\.17\.0\.1/);
    t.is((await host.run(['ss', '-Hlun', 'src', '172.17.0.1:53'])).stdout.trim(), '', 'no DNS server on tsc0');
    for (const name of ['db', 'lone-db-1']) t.is(await hosts(host, dir, 'other', name), '', `no ${name} without a link`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
