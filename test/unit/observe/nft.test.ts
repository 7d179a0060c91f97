import test from 'ava';
import { parseRuleset } from '../../../src/observe/nft';

// What `nft -j list ruleset` shows with Docker's iptables-nft rules, firewalld's table, ours, and our rule in Docker's chain.
const RULESET = [
  { metainfo: { version: '1.0.6', json_schema_version: 1 } },
  { table: { family: 'ip', name: 'filter', handle: 1 } },
  { chain: { family: 'ip', table: 'filter', name: 'FORWARD', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
  { chain: { family: 'ip', table: 'filter', name: 'DOCKER-USER', handle: 2 } },
  { chain: { family: 'ip', table: 'filter', name: 'INPUT', handle: 3, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
  { rule: { family: 'ip', table: 'filter', chain: 'FORWARD', handle: 9, comment: 'tscompose:app:1a2b', expr: [{ accept: null }] } },
  { rule: { family: 'ip', table: 'filter', chain: 'FORWARD', handle: 4, expr: [{ jump: { target: 'DOCKER-USER' } }] } },
  { table: { family: 'inet', name: 'firewalld', handle: 2 } },
  { chain: { family: 'inet', table: 'firewalld', name: 'filter_INPUT', handle: 1, type: 'filter', hook: 'input', prio: 10, policy: 'accept' } },
  { rule: { family: 'inet', table: 'firewalld', chain: 'filter_INPUT', handle: 5, expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'lo' } }, { accept: null }] } },
  { rule: { family: 'inet', table: 'firewalld', chain: 'filter_INPUT', handle: 6, expr: [{ reject: { type: 'icmpx', expr: 'admin-prohibited' } }] } },
  { chain: { family: 'inet', table: 'firewalld', name: 'nat_PREROUTING', handle: 2, type: 'nat', hook: 'prerouting', prio: -90, policy: 'accept' } },
  { table: { family: 'inet', name: 'tscompose-app', handle: 3 } },
  { chain: { family: 'inet', table: 'tscompose-app', name: 'forward', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } },
  { chain: { family: 'inet', table: 'tscompose-app', name: 'digest-0123456789ab', handle: 2 } },
  { rule: { family: 'inet', table: 'tscompose-app', chain: 'forward', handle: 3, expr: [{ drop: null }] } },
  { rule: { family: 'inet', table: 'tscompose-app', chain: 'forward', handle: 4, expr: [{ drop: null }] } },
  { table: { family: 'inet', name: 'tscompose-other', handle: 4 } },
  { chain: { family: 'inet', table: 'tscompose-other', name: 'forward', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
];

test('our tables with rule counts, dropping chains of others, our rules inside them', (t) => {
  const f = parseRuleset(RULESET, 'app');
  t.deepEqual(f.tables, [{ family: 'inet', name: 'tscompose-app', chains: { forward: 2, 'digest-0123456789ab': 0 } }]);
  t.deepEqual(f.drops, [
    { family: 'ip', table: 'filter', chain: 'FORWARD', hook: 'forward', why: 'policy drop' },
    { family: 'inet', table: 'firewalld', chain: 'filter_INPUT', hook: 'input', why: 'ends with an unconditional reject' },
  ]);
  t.deepEqual(f.inserted, [{ family: 'ip', table: 'filter', chain: 'FORWARD', handle: 9, comment: 'tscompose:app:1a2b' }]);
  t.deepEqual(parseRuleset(RULESET, 'nothing').inserted, [], 'another project sees none of ours');
});
