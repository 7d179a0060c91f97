import test from 'ava';
import { resolve } from '../../../src/plan';
import { answer } from '../../../src/plan/dns';
import { mergePeers } from '../../../src/plan/dns-peers';
import type { Action } from '../../../src/plan/actions';
import { journalAfter } from '../../../src/plan/journal';
import { removalPlan } from '../../../src/plan/remove';
import type { Desired, Observed } from '../../../src/plan/model';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

// Project pa: web on front (which pb joins), secret on a network of its own.
const owner = () =>
  resolve(
    project('pa', [service('web', { networks: [attach('front', { aliases: ['www'] })] }), service('secret', { networks: [attach('priv')] })], [
      network('front', { ipam: [{ subnet: '10.50.0.0/24', auxAddresses: {} }] }),
      network('priv', { ipam: [{ subnet: '10.51.0.0/24', auxAddresses: {} }] }),
    ]),
    emptyObserved(),
  );

const joinerObserved = (a: Desired): Observed =>
  emptyObserved({
    hostLinks: [...emptyObserved().hostLinks, { name: a.networks.front!.bridge, index: 9, kind: 'bridge', up: true, addresses: [{ address: '10.50.0.1', prefixLen: 24 }] }],
    otherProjects: [{ project: 'pa', subnets: ['10.50.0.0/24', '10.51.0.0/24'], addresses: [{ bridge: a.networks.front!.bridge, address: addr(a, 'pa-web-1', 'front') }], networks: [{ name: 'pa_front', bridge: a.networks.front!.bridge }] }],
  });

// Project pb: client on pa's front (joined) and on its own network, where hidden is too.
const joiner = (a: Desired, clientNets = [attach('ext', { aliases: ['cli'] }), attach('mine')]) =>
  resolve(
    project('pb', [service('client', { networks: clientNets }), ...(clientNets.length > 1 ? [service('hidden', { networks: [attach('mine')] })] : [])], [
      network('ext', { external: true, externalName: 'pa_front' }),
      network('mine', { ipam: [{ subnet: '10.60.0.0/24', auxAddresses: {} }] }),
    ]),
    joinerObserved(a),
  );

const addr = (d: Desired, container: string, net: string) => d.containers[container]!.interfaces.find((i) => i.network === net)!.address!;

test('a joined tscompose network: our names on it are published (by bridge), our server shares its gateway (UDP) with its owner\'s', (t) => {
  const a = owner();
  const b = joiner(a);
  t.deepEqual(b.networks.ext!.joined, 'pa');
  t.deepEqual(b.dns!.listen, [{ network: 'ext', address: '10.50.0.1', shared: true }, { network: 'mine', address: '10.60.0.1' }]);
  t.is(b.dns!.bridges!.ext, a.networks.front!.bridge);
  t.deepEqual(b.dns!.names.ext!.cli, { a: [addr(b, 'pb-client-1', 'ext')], aaaa: [] });
  t.deepEqual(b.dns!.clients[addr(b, 'pb-client-1', 'ext')]!.networks, ['ext', 'mine']);
  // Its first network of ours is mine: its nameserver is our gateway there.
  t.regex(b.containers['pb-client-1']!.files.resolvConf, /^nameserver 10\.60\.0\.1$/m);
  // Only on the joined network: its gateway, where the owner's server and ours answer.
  const only = joiner(a, [attach('ext')]);
  t.regex(only.containers['pb-client-1']!.files.resolvConf, /^nameserver 10\.50\.0\.1$/m);
  t.deepEqual(only.dns!.listen, [{ network: 'ext', address: '10.50.0.1', shared: true }]);
  t.deepEqual(a.dns!.subnets, ['10.50.0.0/24', '10.51.0.0/24']);
  t.deepEqual(mergePeers(only.dns!, [a.dns!]).subnets, ['10.50.0.0/24', '10.51.0.0/24'], 'reverse lookups in the owner\'s subnets are ours too');
});

test('merged records: each side resolves the other\'s names on the shared bridge only, per the asking container\'s networks', (t) => {
  const a = owner();
  const b = joiner(a);
  const web = addr(a, 'pa-web-1', 'front');
  const clientOnA = addr(b, 'pb-client-1', 'ext');
  const clientMine = addr(b, 'pb-client-1', 'mine');
  // pa's server, with pb's records: web resolves pb's service, alias and container names on front.
  const atA = mergePeers(a.dns!, [b.dns!]);
  for (const name of ['client', 'cli', 'pb-client-1']) t.deepEqual(answer(atA, web, 'front', name, 'A'), { kind: 'records', type: 'A', addresses: [clientOnA] }, name);
  t.deepEqual(answer(atA, web, 'front', reverse(clientOnA), 'PTR'), { kind: 'ptr', name: 'pb-client-1' });
  t.is(answer(atA, web, 'front', 'hidden', 'A').kind, 'forward', 'pb\'s other network is not pa\'s');
  // pb's client asking pa's server (on front): its own view, both its networks.
  t.deepEqual(answer(atA, clientOnA, 'front', 'www', 'A'), { kind: 'records', type: 'A', addresses: [web] });
  t.deepEqual(answer(atA, clientOnA, 'front', 'hidden', 'A'), { kind: 'records', type: 'A', addresses: [addr(b, 'pb-hidden-1', 'mine')] });
  t.is(answer(atA, clientOnA, 'front', 'secret', 'A').kind, 'forward', 'pa\'s other network is not the client\'s');
  // pb's server, with pa's records: the client (asking on mine) resolves pa's web by the shared network.
  const atB = mergePeers(b.dns!, [a.dns!]);
  t.deepEqual(answer(atB, clientMine, 'mine', 'web', 'A'), { kind: 'records', type: 'A', addresses: [web] });
  t.deepEqual(answer(atB, clientMine, 'mine', 'www', 'A'), { kind: 'records', type: 'A', addresses: [web] });
  t.is(answer(atB, clientMine, 'mine', 'secret', 'A').kind, 'forward');
  t.is(answer(atB, addr(b, 'pb-hidden-1', 'mine'), 'mine', 'web', 'A').kind, 'forward', 'hidden is not on front');
  // Without the peer: nothing of the other side.
  t.is(answer(a.dns!, web, 'front', 'client', 'A').kind, 'forward');
});

const reverse = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

test('rm: the running server is reloaded without the removed containers\' names, reverse names and client entries', (t) => {
  const a = owner();
  const b = joiner(a);
  const state = journalAfter(undefined, b, { now: 'x' });
  const reload = removalPlan(state, ['pb-client-1'], { dns: b.dns! }).waves.flat().find((x) => x.kind === 'dns.reload');
  t.truthy(reload);
  const config = (reload as Extract<Action, { kind: 'dns.reload' }>).config;
  const gone = [addr(b, 'pb-client-1', 'ext'), addr(b, 'pb-client-1', 'mine')];
  t.falsy(config.names.ext!.client ?? config.names.ext!.cli ?? config.names.mine!['pb-client-1']);
  t.truthy(config.names.mine!.hidden);
  for (const g of gone) t.falsy(config.clients[g] ?? config.ptr.ext![g] ?? config.ptr.mine![g]);
  t.falsy(removalPlan(state, ['pb-client-1']).waves.flat().some((x) => x.kind === 'dns.reload'), 'no server running: nothing to reload');
});

test('a joiner\'s container only on an internal network of another project gets no way out by DNS either (its owner says it is internal)', (t) => {
  const a = resolve(
    project('pa', [service('web', { networks: [attach('front')] })], [network('front', { internal: true, ipam: [{ subnet: '10.50.0.0/24', auxAddresses: {} }] })]),
    emptyObserved(),
  );
  t.deepEqual(a.dns!.internal, ['front']);
  const b = joiner(a, [attach('ext')]);
  const client = addr(b, 'pb-client-1', 'ext');
  t.like(b.dns!.clients[client], { forward: false, joined: ['ext'] });
  for (const merged of [mergePeers(a.dns!, [b.dns!]), mergePeers(b.dns!, [a.dns!])]) {
    t.deepEqual(answer(merged, client, 'front', 'example.org', 'A'), { kind: 'refused' });
    t.is(answer(merged, client, 'front', 'web', 'A').kind, 'records');
  }
  // Its owner gone (or a network that is not internal): as any network.
  t.is(answer(mergePeers(b.dns!, []), client, 'ext', 'example.org', 'A').kind, 'forward');
  t.is(answer(mergePeers(joiner(owner(), [attach('ext')]).dns!, [owner().dns!]), client, 'ext', 'example.org', 'A').kind, 'forward');
});
