/**
 * Names across projects on a shared network, as Docker's embedded DNS
 * resolves per network whoever started the containers: project join joins
 * own's network (`external: true`, by its Compose name); each side resolves
 * the other's service names, aliases and container names there, never the
 * names of a network they do not share; join's `rm` and `down` take its
 * names out of own's server. Lookups go to the containers' own resolvers (dig and
 * getent inside them); the throwaway host has no way out, so nothing leaves
 * the machine. Each test in its own throwaway host.
 */
import test from 'ava';
import { withHost, type Host } from '../helpers/host';
import { leftovers, ok, tsc, writeProject } from '../helpers/containers';

const OWN = `
name: own
services:
  api:
    command: ["sleep", "infinity"]
    networks:
      front:
        aliases: [backend]
  vault:
    command: ["sleep", "infinity"]
    networks: [priv]
networks:
  front: {}
  priv: {}
`;

// client: only on own's network (own's server answers it there); worker: on its own network first.
const JOIN = `
name: join
services:
  client:
    command: ["sleep", "infinity"]
    networks:
      ext:
        aliases: [cli]
  worker:
    command: ["sleep", "infinity"]
    networks: [mine, ext]
  hidden:
    command: ["sleep", "infinity"]
    networks: [mine]
networks:
  ext:
    external: true
    name: own_front
  mine: {}
`;

/** The A records a container's resolver gives for a name (no search list, one short try: a miss is forwarded nowhere). */
const lookup = async (host: Host, dir: string, svc: string, name: string) =>
  (await tsc(host, dir, ['exec', '-T', svc, 'dig', '+short', '+time=3', '+tries=1', name])).stdout.trim().split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l));

const addressOn = async (host: Host, ns: string, ifname: string) =>
  (await host.ipJson(['-n', ns, 'addr', 'show', ifname]))[0].addr_info.find((a: any) => a.family === 'inet').local as string;

/** A container's IPv4 address on the /16 of `peer` (its interface on that network, whatever its name). */
const addressBeside = async (host: Host, ns: string, peer: string) =>
  (await host.ipJson(['-n', ns, '-4', 'addr', 'show'])).flatMap((l: any) => l.addr_info.map((a: any) => a.local as string)).find((a: string) => a.split('.').slice(0, 2).join('.') === peer.split('.').slice(0, 2).join('.'));

test('two projects on one network resolve each other\'s names there, not the names of networks they do not share; join\'s rm and down take its names away', async (t) => {
  await withHost(t, async (host) => {
    const own = writeProject(host, OWN, 'own');
    const join = writeProject(host, JOIN, 'join');
    await ok(host, own, ['up', '-d']);
    await ok(host, join, ['up', '-d']);
    const api = await addressOn(host, 'tsc.own.api.1', 'eth0');
    const client = await addressOn(host, 'tsc.join.client.1', 'eth0');
    const workerExt = await addressBeside(host, 'tsc.join.worker.1', api);

    // own's containers resolve join's service, alias and container names on front.
    for (const name of ['client', 'cli', 'join-client-1']) t.deepEqual(await lookup(host, own, 'api', name), [client], `api resolves ${name}`);
    t.deepEqual(await lookup(host, own, 'api', 'worker'), [workerExt], 'worker at its address on the shared network');
    const getent = await ok(host, own, ['exec', '-T', 'api', 'getent', 'hosts', 'cli']);
    t.regex(getent.stdout, new RegExp(`^${client.replace(/\./g, '\\.')}\\s+cli$`, 'm'));
    t.deepEqual(await lookup(host, own, 'api', 'hidden'), [], 'join\'s other network is not own\'s');

    // join's containers resolve own's names on front: client asks own's server, worker its own project's.
    for (const svc of ['client', 'worker']) {
      for (const name of ['api', 'backend', 'own-api-1']) t.deepEqual(await lookup(host, join, svc, name), [api], `${svc} resolves ${name}`);
      t.deepEqual(await lookup(host, join, svc, 'vault'), [], `${svc} does not see own's other network`);
    }
    t.deepEqual(await lookup(host, join, 'client', 'worker'), [workerExt], 'join\'s names on front, asked at own\'s server');
    t.deepEqual((await lookup(host, join, 'worker', 'hidden')).length, 1, 'worker still sees its own network');
    t.deepEqual(await lookup(host, own, 'vault', 'client'), [], 'vault is not on front');

    // join's rm of worker: its names go from join's server and, through what join publishes, from own's.
    await ok(host, join, ['rm', '-s', 'worker']);
    let removed = false;
    for (let i = 0; i < 40 && !removed; i++) removed = (await lookup(host, own, 'api', 'worker')).length === 0;
    t.true(removed, 'api no longer resolves the removed worker');
    t.deepEqual(await lookup(host, own, 'api', 'client'), [client], 'the rest of join stays');

    // join goes: own's server drops its names (it reloads when join's published records go).
    await ok(host, join, ['down']);
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++) gone = (await lookup(host, own, 'api', 'client')).length === 0;
    t.true(gone, 'api no longer resolves client');
    t.deepEqual(await lookup(host, own, 'api', 'backend'), [api], 'own\'s names stay');
    await ok(host, own, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('own\'s down while join stays on its network: join\'s containers there still resolve join\'s names (its server shares the gateway), own\'s are gone, and back with its next up', async (t) => {
  await withHost(t, async (host) => {
    const own = writeProject(host, OWN, 'own');
    const join = writeProject(host, JOIN, 'join');
    await ok(host, own, ['up', '-d']);
    await ok(host, join, ['up', '-d']);
    const api = await addressOn(host, 'tsc.own.api.1', 'eth0');
    const workerExt = await addressBeside(host, 'tsc.join.worker.1', api);
    t.deepEqual(await lookup(host, join, 'client', 'api'), [api]);
    const down = await ok(host, own, ['down']);
    t.regex(down.stderr, /is left in place: project join is attached to it/);
    t.deepEqual(await lookup(host, join, 'client', 'worker'), [workerExt], 'client (only on own\'s network) still has a resolver');
    t.deepEqual(await lookup(host, join, 'client', 'cli'), [await addressOn(host, 'tsc.join.client.1', 'eth0')]);
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++) gone = (await lookup(host, join, 'client', 'api')).length === 0;
    t.true(gone, 'own\'s names went with it');
    t.deepEqual(await lookup(host, join, 'worker', 'api'), [], 'for worker too');
    // own comes back onto its bridge: its new server shares the gateway with join's, names flow both ways again.
    await ok(host, own, ['up', '-d']);
    const api2 = await addressOn(host, 'tsc.own.api.1', 'eth0');
    let back = false;
    for (let i = 0; i < 40 && !back; i++) back = (await lookup(host, join, 'client', 'api')).join() === api2;
    t.true(back, 'client resolves api again');
    t.deepEqual(await lookup(host, own, 'api', 'worker'), [workerExt]);
    await ok(host, own, ['down']);
    await ok(host, join, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
