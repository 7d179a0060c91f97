/**
 * The Docker Compose verbs that read or wait on existing containers:
 * `wait`, `port`, `ls`. Each test in its own throwaway host.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

import { NFT } from '../helpers/leaks';

test('wait: blocks until the services stop, prints each exit code, exits with the first one’s', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: wt
services:
  quick:
    command: ["sh", "-c", "sleep 0.3; exit 3"]
  slow:
    command: ["sh", "-c", "sleep 1; exit 5"]
  forever:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const started = Date.now();
    const r = await tsc(host, dir, ['wait', 'slow', 'quick']);
    t.is(r.code, 3, r.stderr);
    t.true(Date.now() - started >= 700, 'it waited for the slow one too');
    t.is(r.stdout, 'wt-quick-1 exited with code 3\nwt-slow-1 exited with code 5\n');
    // Already stopped: at once, in the order of their names.
    const json = await tsc(host, dir, ['wait', '--json', 'slow']);
    t.is(json.code, 5);
    t.deepEqual(JSON.parse(json.stdout), { name: 'wt-slow-1', service: 'slow', exitCode: 5 });
    t.is((await tsc(host, dir, ['wait'])).code, 2, 'a service is required');
    t.is((await tsc(host, dir, ['wait', 'nope'])).code, 2);
    // --down-project: the first to stop takes the project down.
    const killer = host.sh(`sleep 0.5; kill -KILL $(cut -d' ' -f1 /run/tscompose/wt/containers/wt-forever-1/init.pid)`);
    const down = await tsc(host, dir, ['wait', '--down-project', 'forever']);
    await killer;
    t.is(down.code, 137, down.stderr);
    t.deepEqual(await leftovers(host), []);
  });
});

test('port: the host address of a published port, ephemeral ones too; ls lists the project', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: pt
services:
  web:
    init: true
    command: ["sleep", "infinity"]
    ports: ["127.0.0.1:8080-8081:80", "443", "5353-5354:53/udp"]
    scale: 2
    networks: [front]
networks:
  front: {}
`,
    );
    await ok(host, dir, ['up', '-d']);
    t.is((await ok(host, dir, ['port', 'web', '80'])).stdout, '127.0.0.1:8080\n');
    const eph = (await ok(host, dir, ['port', 'web', '443'])).stdout.trim();
    t.regex(eph, /^0\.0\.0\.0:\d+$/);
    const second = (await ok(host, dir, ['port', '--index', '2', 'web', '443'])).stdout.trim();
    t.not(second, eph, 'each replica its own ephemeral port');
    // The port is the one the firewall DNATs.
    const nft = await host.run([NFT, 'list', 'table', 'inet', 'tscompose-pt']);
    t.regex(nft.stdout, new RegExp(`dport ${eph.split(':')[1]}\\b.*dnat`), 'the DNAT rule uses it');
    t.is((await ok(host, dir, ['port', '--protocol', 'udp', 'web', '53'])).stdout, '0.0.0.0:5353\n');
    t.is((await ok(host, dir, ['port', 'web', '53/udp'])).stdout, '0.0.0.0:5353\n');
    const notPublished = await tsc(host, dir, ['port', 'web', '81']);
    t.is(notPublished.code, 1);
    t.regex(notPublished.stderr, /pt-web-1 does not publish 81\/tcp/);
    t.is((await tsc(host, dir, ['port', 'web', '53', '--protocol', 'icmp'])).code, 2);
    t.is((await tsc(host, dir, ['port', '--index', '3', 'web', '80'])).code, 2);

    // ls: from anywhere (no file needed).
    const rows = JSON.parse((await ok(host, '/', ['ls', '--json'])).stdout);
    t.deepEqual(rows.map((r: any) => [r.name, r.status, r.configFiles]), [['pt', 'running(2)', [`${dir}/compose.yaml`]]]);
    await ok(host, dir, ['stop']);
    t.deepEqual(JSON.parse((await ok(host, '/', ['ls', '--json'])).stdout), [], 'no running project');
    t.regex((await ok(host, '/', ['ls', '-a'])).stdout, /^NAME +STATUS +CONFIG FILES\npt +exited\(2\) +\/\S+compose\.yaml\n$/);
    await ok(host, dir, ['down']);
    t.is((await ok(host, '/', ['ls', '-a', '-q'])).stdout, '');
    t.deepEqual(await leftovers(host), []);
  });
});

test('create makes containers without starting them; start runs them; rm removes stopped ones and what is theirs alone', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: cr
services:
  a:
    init: true
    command: ["sleep", "infinity"]
    networks: [front]
  b:
    command: ["sh", "-c", "echo hi > /tmp/x; exit 0"]
    networks: [front]
networks:
  front: {}
`,
    );
    const psRows = async () => JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as Array<{ name: string; state: string }>;
    await ok(host, dir, ['create']);
    t.deepEqual((await psRows()).map((r) => [r.name, r.state]), [['cr-a-1', 'created'], ['cr-b-1', 'created']]);
    t.is((await sh(host, 'ls /run/netns | wc -l')), '2', 'their namespaces are ready');
    await ok(host, dir, ['start']);
    t.is((await psRows()).find((r) => r.name === 'cr-a-1')!.state, 'running');
    await waitFor(host, `test -e ${stateDir('cr', 'cr-b-1')}/exit.json`, 'b to exit');

    // Without -s a running container stays; b (exited) goes with its namespace, layer and cgroup.
    const bNetns = JSON.parse(await sh(host, 'cat /run/tscompose/cr/state.json')).containers['cr-b-1'].netns as string;
    const r = await ok(host, dir, ['rm', '-f']);
    t.regex(r.stderr, /cr-a-1 +running: not removed/);
    t.deepEqual((await psRows()).map((x) => x.name), ['cr-a-1']);
    t.is((await host.sh(`test -e /run/netns/${bNetns}`)).code, 1, 'its namespace is gone');
    t.is((await host.sh(`test -e ${stateDir('cr', 'cr-b-1')}`)).code, 1, 'its directory is gone');
    t.false(JSON.stringify(host.cgroupLeftovers()).includes('/b-1'), 'its cgroup is gone');
    t.false('cr-b-1' in JSON.parse(await sh(host, 'cat /run/tscompose/cr/state.json')).containers);
    const types = (await ok(host, dir, ['events', '--no-follow', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.container === 'cr-b-1').map((e) => e.type);
    t.is(types.at(-1), 'destroy');
    // up brings b back (a new container); rm -s stops and removes a.
    await ok(host, dir, ['up', '-d']);
    t.deepEqual((await psRows()).map((x) => x.name), ['cr-a-1', 'cr-b-1']);
    await ok(host, dir, ['rm', '-s', '-t', '1', 'a']);
    t.deepEqual((await psRows()).map((x) => x.name), ['cr-b-1']);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
