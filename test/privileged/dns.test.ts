/**
 * The project's DNS server on its own: `up` starts it before the bridges
 * exist (its Node start-up then overlaps the namespace work), so it must
 * wait for a gateway address to appear and then answer there.
 */
import test from 'ava';
import * as path from 'node:path';
import { repoRoot, withHost } from '../helpers/host';

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
        `mkdir -p ${dir}`,
        `cat > ${dir}/config.json <<'EOC'\n${JSON.stringify(config)}\nEOC`,
        `${process.execPath} ${server} ${dir}/config.json > ${dir}/log 2>&1 &`,
        // The address appears only after the server has tried to bind it.
        'sleep 0.6',
        `test ! -e ${dir}/ready || { echo "ready before the address existed"; exit 1; }`,
        `ip link add ${br} type bridge && ip addr add 10.213.7.1/24 dev ${br} && ip link set ${br} up`,
        `for i in $(seq 100); do [ -e ${dir}/ready ] && break; sleep 0.05; done`,
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
