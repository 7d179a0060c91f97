/**
 * Runs that meet: two `up`s of one project at once, `up` racing `down`,
 * and four projects started at once that all ask for automatic subnets and
 * ephemeral host ports. Whatever the interleaving, the result is one
 * consistent project (or none), and projects never share a subnet, an
 * address or a host port. Checked with ip, nft and files.
 */
import test from 'ava';
import { withHost, type Host, type RunResult } from '../helpers/host';
import { ok, tsc, writeProject } from '../helpers/containers';
import { baseline, leaks, NFT } from '../helpers/leaks';

const APP = (name: string) => `
name: ${name}
services:
  web:
    ports: ["80", "443"]
    networks: [front, back]
    scale: 2
  db:
    networks: [back]
networks:
  front: {}
  back: {}
`;

const BUSY = /project \S+ is busy: another tscompose run holds its lock/;

function settled(what: string, r: RunResult, allowBusy: boolean): 'done' | 'busy' {
  if (r.code === 0) return 'done';
  if (allowBusy && r.code === 6 && BUSY.test(r.stderr)) return 'busy';
  throw new Error(`${what} exited ${r.signal ?? r.code}:\n${r.stderr}`);
}

/** The project is up as the file says: a second up would do nothing, every container runs. */
async function consistent(host: Host, dir: string): Promise<void> {
  const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
  if (plan.waves.flat().length) throw new Error(`up would still do: ${JSON.stringify(plan.waves.flat().map((a: any) => `${a.kind} ${a.target} (${a.reason})`))}`);
  const ps = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout);
  if (ps.length !== 3 || ps.some((c: any) => c.state !== 'running')) throw new Error(`ps: ${JSON.stringify(ps)}`);
}

test('two ups of one project at once: the other waits or exits 6 with a clear message, and the project is whole', async (t) => {
  await withHost(t, async (host) => {
    const base = await baseline(host);
    const dir = writeProject(host, APP('tscdup'));
    const outcomes = [];
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([tsc(host, dir, ['up', '-d']), tsc(host, dir, ['up', '-d'])]);
      outcomes.push([settled('first up', a, true), settled('second up', b, true)].sort().join('+'));
      await consistent(host, dir);
      if (round < 2) await ok(host, dir, ['down']);
    }
    t.log(`outcomes: ${outcomes.join(', ')}`);
    t.false(outcomes.includes('busy+busy'), 'one of the two ran');
    await ok(host, dir, ['down']);
    t.deepEqual(await leaks(host, base), []);
  });
});

test('up racing down: either order, the project ends whole or gone, and down then leaves nothing', async (t) => {
  await withHost(t, async (host) => {
    const base = await baseline(host);
    const dir = writeProject(host, APP('tscrace'));
    const seen: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Half the rounds race a fresh up; half race an up that changes nothing against down.
      if (round % 2) await ok(host, dir, ['up', '-d']);
      const delay = (round * 150) % 700;
      const [u, d] = await Promise.all([
        tsc(host, dir, ['up', '-d']),
        new Promise((r) => setTimeout(r, delay)).then(() => tsc(host, dir, ['down'])),
      ]);
      const su = settled('up', u, true);
      const sd = settled('down', d, true);
      seen.push(`up ${su}, down ${sd}`);
      // What is left must be a whole project or nothing: `up` converges it, `down` removes it.
      const state = await host.sh(`test -e /run/tscompose/tscrace/state.json`);
      if (state.code === 0) await ok(host, dir, ['up', '-d']).then(() => consistent(host, dir));
      await ok(host, dir, ['down']);
      t.deepEqual(await leaks(host, base), [], `round ${round}: up ${su}, down ${sd}`);
    }
    t.log(seen.join('; '));
  });
});

/** Host ports of the DNAT rules in a project's table. */
async function hostPorts(host: Host, project: string): Promise<number[]> {
  const r = await host.run([NFT, 'list', 'table', 'inet', `tscompose-${project}`]);
  if (r.code !== 0) throw new Error(r.stderr);
  return [...new Set(r.stdout.split('\n').filter((l) => l.includes('dnat')).flatMap((l) => [...l.matchAll(/dport (\d+)/g)].map((m) => Number(m[1]))))];
}

test('four projects started at once with automatic subnets and ephemeral ports share no subnet, address or host port', async (t) => {
  await withHost(t, async (host) => {
    const base = await baseline(host);
    const names = ['tscp1', 'tscp2', 'tscp3', 'tscp4'];
    const dirs = names.map((n) => writeProject(host, APP(n), n));
    const ups = await Promise.all(dirs.map((d) => tsc(host, d, ['up', '-d'])));
    ups.forEach((r, i) => settled(`up of ${names[i]}`, r, false));

    // Bridges: one subnet each (the gateway's prefix), none shared.
    const links = await host.ipJson(['-d', 'addr', 'show']);
    const bridges = links.filter((l: any) => l.linkinfo?.info_kind === 'bridge');
    t.is(bridges.length, 8);
    const subnets = bridges.map((b: any) => {
      const a = b.addr_info.find((x: any) => x.family === 'inet');
      return `${a.local}/${a.prefixlen}`;
    });
    const range = (cidr: string) => {
      const [ip, len] = cidr.split('/');
      const n = ip!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(len));
      return [n - (n % size), n - (n % size) + size] as const;
    };
    const overlapping = subnets.flatMap((a: string, i: number) =>
      subnets.slice(i + 1).filter((b: string) => range(a)[0] < range(b)[1] && range(b)[0] < range(a)[1]).map((b: string) => `${a} ${b}`),
    );
    t.deepEqual(overlapping, [], `subnets: ${subnets.join(' ')}`);

    // Containers: every address unique across projects.
    const addresses: string[] = [];
    for (const d of dirs) {
      for (const c of JSON.parse((await ok(host, d, ['ps', '--json'])).stdout)) addresses.push(...c.networks.map((n: any) => n.address));
    }
    t.is(addresses.length, 4 * (2 * 2 + 1));
    t.is(new Set(addresses).size, addresses.length, `addresses: ${addresses.join(' ')}`);

    // Host ports: 2 ports × 2 replicas per project, none shared.
    const ports = (await Promise.all(names.map((n) => hostPorts(host, n)))).flat();
    t.is(ports.length, 16, `ports: ${ports.join(' ')}`);
    t.is(new Set(ports).size, ports.length, `ports: ${ports.join(' ')}`);

    for (const d of dirs) await consistent(host, d);
    await Promise.all(dirs.map((d) => ok(host, d, ['down'])));
    t.deepEqual(await leaks(host, base), []);
  });
});
