import test from 'ava';
import { PeerDirectory, type Member } from '../../../src/plan/hosts';

const member = (container: string, service: string, order: number, on: Record<string, [string, string[]]>): Member => ({
  container,
  service,
  order,
  on: new Map(Object.entries(on).map(([n, [address, aliases]]) => [n, { address, aliases }])),
});

const dir = new PeerDirectory([
  member('p-web-1', 'web', 0, { front: ['10.0.1.2', []] }),
  member('p-api-1', 'api', 1, { front: ['10.0.1.3', ['backend']], back: ['10.0.2.3', ['api-internal']] }),
  member('p-db-1', 'db', 2, { back: ['10.0.2.4', ['postgres']] }),
]);

test('members of the given networks, names on the first shared network, aliases per network', (t) => {
  t.deepEqual(dir.entriesFor(['back', 'front']), [
    { address: '10.0.1.2', names: ['web', 'p-web-1'] },
    { address: '10.0.2.3', names: ['api', 'p-api-1', 'api-internal'] },
    { address: '10.0.1.3', names: ['backend'] },
    { address: '10.0.2.4', names: ['db', 'p-db-1', 'postgres'] },
  ]);
  t.deepEqual(dir.entriesFor(['front']), [
    { address: '10.0.1.2', names: ['web', 'p-web-1'] },
    { address: '10.0.1.3', names: ['api', 'p-api-1', 'backend'] },
  ]);
  t.false(dir.entriesFor(['front']).some((e) => e.names.includes('db')), 'db shares no network with front');
});

test('one computation per distinct list of networks', (t) => {
  t.is(dir.entriesFor(['back']), dir.entriesFor(['back']));
  t.not(dir.entriesFor(['back']), dir.entriesFor(['back', 'front']));
});
