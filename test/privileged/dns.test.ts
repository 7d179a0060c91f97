/**
 * The project's DNS server on its own: `up` starts it before the bridges
 * exist (its Node start-up then overlaps the namespace work), so it must
 * wait for a gateway address to appear and then answer there. Once bound
 * it is nobody, with no capabilities (dns/main.ts).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, withHost } from '../helpers/host';
import { leftovers, ok, sh, status, tsc, writeProject } from '../helpers/containers';

const server = path.join(repoRoot, 'dist', 'src', 'dns', 'main.js');

test('the DNS server waits for its gateway address, then answers names on it', async (t) => {
  await withHost(t, async (host) => {
    const dir = `/run/tscompose/${host.tag}-dns`;
    const config = {
      version: 1,
      project: 'p',
      listen: [{ network: 'front', address: '10.213.7.1' }],
      upstream: [],
      names: { front: { web: { a: ['10.213.7.2'], aaaa: [] } } },
      ptr: { front: { '10.213.7.2': 'p-web-1' } },
      clients: {},
      subnets: ['10.213.7.0/24'],
    };
    const br = `${host.tag}b`;
    const r = await host.sh(
      [
        'set -e',
        // As up prepares it: the server fills `ready` once it is nobody (dns/main.ts).
        `mkdir -p ${dir} && chmod 711 ${dir} && install -m 644 -o 65534 -g 65534 /dev/null ${dir}/ready`,
        `cat > ${dir}/config.json <<'EOC'\n${JSON.stringify(config)}\nEOC`,
        `${process.execPath} ${server} ${dir}/config.json > ${dir}/log 2>&1 &`,
        // The address appears only after the server has tried to bind it.
        'sleep 0.6',
        `test ! -s ${dir}/ready || { echo "ready before the address existed"; exit 1; }`,
        `ip link add ${br} type bridge && ip addr add 10.213.7.1/24 dev ${br} && ip link set ${br} up`,
        `for i in $(seq 100); do [ -s ${dir}/ready ] && break; sleep 0.05; done`,
        `cat ${dir}/ready`,
        'dig +time=2 +tries=2 +short @10.213.7.1 web',
        'dig +time=2 +tries=2 +short +tcp @10.213.7.1 web',
        `cat ${dir}/log`,
      ].join('\n'),
    );
    t.is(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.is(lines[0], '10.213.7.1', 'ready lists the address it answers on');
    t.is(lines[1], '10.213.7.2', 'A over UDP');
    t.is(lines[2], '10.213.7.2', 'A over TCP');
    t.notRegex(r.stdout, /EADDRNOTAVAIL/, 'waiting for the address is not logged as an error');
  });
});

test('under up the DNS server is nobody without capabilities once bound, still answers containers, and is restarted for a new network', async (t) => {
  await withHost(t, async (host) => {
    const compose = (nets: string[]) => `name: dnsp
services:
  web:
    command: ["sleep", "infinity"]
    networks: [${nets.join(', ')}]
  probe:
    command: ["sleep", "infinity"]
    networks: [${nets.join(', ')}]
networks:
${nets.map((n, i) => `  ${n}:\n    ipam:\n      config: [{subnet: 10.214.${i}.0/24}]`).join('\n')}
`;
    const dir = writeProject(host, compose(['front']));
    await ok(host, dir, ['up', '-d']);
    const dnsPid = async () => Number((await sh(host, `awk '{print $1}' /run/tscompose/dnsp/dns/init.pid`)).trim());
    const pid = await dnsPid();
    t.is((await status(host, pid, 'Uid')).split('\t').join(' '), '65534 65534 65534 65534');
    t.is((await status(host, pid, 'Gid')).split('\t').join(' '), '65534 65534 65534 65534');
    t.is(await status(host, pid, 'Groups'), '');
    t.is(await status(host, pid, 'CapEff'), '0000000000000000');
    t.is(await status(host, pid, 'CapPrm'), '0000000000000000');
    t.is(await status(host, pid, 'NoNewPrivs'), '1');
    const ask = async (svc: string, name: string) => (await tsc(host, dir, ['exec', '-T', svc, 'dig', '+time=2', '+tries=2', '+short', name])).stdout.trim();
    t.regex(await ask('probe', 'web'), /^10\.214\.0\.\d+$/, 'it answers from a container');

    // A new network: the server, nobody now, could not bind its gateway: up restarts it.
    fs.writeFileSync(path.join(dir, 'compose.yaml'), compose(['front', 'back']));
    const plan = (await ok(host, dir, ['plan'])).stdout;
    t.regex(plan, /new addresses to answer on/);
    await ok(host, dir, ['up', '-d']);
    const again = await dnsPid();
    t.not(again, pid);
    t.is(await status(host, again, 'CapEff'), '0000000000000000');
    const both = (await sh(host, 'cat /run/tscompose/dnsp/dns/srv/ready')).trim().split(' ').sort();
    t.deepEqual(both, ['10.214.0.1', '10.214.1.1']);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
