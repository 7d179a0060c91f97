/**
 * docker0 fidelity end to end, each test in its own throwaway host that also
 * holds an "outside" host (test/helpers/outside.ts): masquerade, published
 * ports from everywhere (but 127.0.0.1 ones only from the host), hairpin,
 * isolation, internal networks, service DNS queried with dig inside the
 * containers, drift of the nftables rules, IPv6, and Docker's FORWARD DROP.
 * Asserted with nft, ip, iptables, dig and socat, never with tscompose's code.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testNeeding, withHost, type Host } from '../helpers/host';
import { addOutside, fakeUpstream, OUTSIDE, outside, outsideDaemon, routeLoopbackToHost } from '../helpers/outside';

const O = OUTSIDE;
/** Debian's nft (under npx, node_modules/.bin holds an unrelated `nft`). */
const NFT = '/usr/sbin/nft';

const STACK = `
name: d0
services:
  web:
    command: ["socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo web"]
    ports:
      - "8080:80"
      - "127.0.0.1:8081:80"
    networks:
      front:
        aliases: [www]
  client:
    networks: [front]
  peer:
    scale: 2
    networks: [front]
  other:
    command: ["socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo other"]
    networks: [back]
  vault:
    container_name: vault
    networks: [secret]
networks:
  front: {}
  back: {}
  secret:
    internal: true
`;

function writeCompose(host: Host, text: string): string {
  const dir = path.join(host.dir, 'project');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
  return dir;
}

async function ok(host: Host, dir: string, args: string[]) {
  const r = await host.tscompose(args, { cwd: dir });
  if (r.code !== 0) throw new Error(`tscompose ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

/** stdout of a command in a service's container (exit code ignored: callers assert on output). */
async function inside(host: Host, dir: string, service: string, cmd: string, index = 1): Promise<string> {
  const r = await host.tscompose(['exec', '-T', '--index', String(index), service, 'sh', '-c', cmd], { cwd: dir, timeoutMs: 30_000 });
  return r.stdout.trim();
}

/** One TCP exchange (socat), or '' when it cannot connect within 2 s. */
const fetch = (target: string) => `socat -u TCP:${target},connect-timeout=2 - 2>/dev/null`;
const dig = (args: string) => `dig +time=3 +tries=3 +short ${args}`;

/**
 * For what must work: ask again (a few times, briefly apart) until the answer
 * is the expected one, and return the last answer. Other engineers' tests
 * load this machine heavily; a slow first try is not a failure. What must
 * NOT work is asked once (a timeout is the expected answer there).
 */
async function settled(get: () => Promise<string>, want: string): Promise<string> {
  let got = '';
  for (let i = 0; i < 5; i++) {
    got = await get();
    if (got === want) return got;
    await new Promise((res) => setTimeout(res, 300));
  }
  return got;
}

/** `up -d` returns once the commands are exec'd: wait (bounded) until a server listens before talking to it. */
async function listening(host: Host, netns: string, port: number, proto: 't' | 'u' = 't'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await host.sh(`ip netns exec ${netns} ss -H -l${proto}n 'sport = :${port}'`);
    if (r.stdout.trim()) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`nothing listens on ${port} in ${netns}`);
}

async function addressOf(host: Host, netns: string, family: 'inet' | 'inet6' = 'inet'): Promise<string> {
  const links = await host.ipJson(['-n', netns, 'addr', 'show', 'dev', 'eth0']);
  return links[0].addr_info.find((a: any) => a.family === family && a.scope === 'global').local;
}

async function ruleset(host: Host): Promise<string> {
  return (await host.run([NFT, 'list', 'ruleset'])).stdout;
}

/** Links, namespaces (but the outside's), state, processes and nft tables of ours left in a host. */
async function leftovers(host: Host): Promise<string[]> {
  const out: string[] = [];
  const links = (await host.ipJson(['link', 'show'])).map((l: any) => l.ifname).filter((n: string) => n !== 'lo' && n !== 'tscout0');
  if (links.length) out.push(`links: ${links.join(' ')}`);
  const ns = (await host.sh('ls -A /run/netns')).stdout.split('\n').filter((n) => n && n !== O.ns);
  if (ns.length) out.push(`netns: ${ns.join(' ')}`);
  const st = await host.sh('ls -A /run/tscompose | grep -v "^\\." || true');
  if (st.stdout.trim()) out.push(`state: ${st.stdout.trim()}`);
  if (/tscompose/.test(await ruleset(host))) out.push(`nft: ${await ruleset(host)}`);
  const ps = await host.sh('ps -e -o pid=,args= | grep -E "tsc-shim|dns/main.js" | grep -v grep || true');
  if (ps.stdout.trim()) out.push(`processes: ${ps.stdout.trim()}`);
  return out;
}

test('docker0: masquerade, published ports, 127.0.0.1 only from the host, hairpin, isolation, internal, service DNS', async (t) => {
  await withHost(t, async (host) => {
    await addOutside(host);
    await fakeUpstream(host, { 'outside.test': O.ip });
    await outsideDaemon(host, `exec socat TCP-LISTEN:9000,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'`);
    const dir = writeCompose(host, STACK);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Firewall tscompose-d0 {2}Applied/);
    t.regex(up.stderr, /Sysctl net\.ipv4\.ip_forward=1 {2}Set/);
    await listening(host, 'tsc.d0.web.1', 80);
    await listening(host, 'tsc.d0.other.1', 80);
    await listening(host, O.ns, 9000);
    const web = await addressOf(host, 'tsc.d0.web.1');
    const other = await addressOf(host, 'tsc.d0.other.1');

    // Egress is masqueraded: the outside sees the host's address.
    t.is(await settled(() => inside(host, dir, 'client', fetch(`${O.ip}:9000`)), O.hostIp), O.hostIp);
    // The outside reaches the published port; the host reaches it on its own address and on 127.0.0.1.
    t.is(await settled(() => outside(host, fetch(`${O.hostIp}:8080`)).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is(await settled(() => host.sh(fetch(`${O.hostIp}:8080`)).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is(await settled(() => host.sh(fetch('127.0.0.1:8080')).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is(await settled(() => host.sh(fetch('127.0.0.1:8081')).then((r) => r.stdout.trim()), 'web'), 'web');
    // A port published on 127.0.0.1 is not reachable from another host, not even by sending to 127.0.0.1
    // through this host (moby#41872). The counter proves those packets did arrive.
    await routeLoopbackToHost(host);
    await host.sh(`${NFT} add table ip tsctest && ${NFT} add chain ip tsctest pre '{ type filter hook prerouting priority -400; }' && ${NFT} add rule ip tsctest pre iifname tscout0 ip daddr 127.0.0.1 tcp dport 8081 counter`);
    t.is((await outside(host, fetch('127.0.0.1:8081'))).stdout.trim(), '');
    t.regex((await host.sh(`${NFT} list table ip tsctest`)).stdout, /counter packets [1-9]/);
    t.is((await outside(host, fetch(`${O.hostIp}:8081`))).stdout.trim(), '');
    await host.sh(`${NFT} delete table ip tsctest`);

    // Hairpin: containers reach published ports through the host's address, their own included.
    t.is(await settled(() => inside(host, dir, 'client', fetch(`${O.hostIp}:8080`)), 'web'), 'web');
    t.is(await settled(() => inside(host, dir, 'web', fetch(`${O.hostIp}:8080`)), 'web'), 'web');
    // Networks are isolated, except through published ports.
    t.is(await inside(host, dir, 'client', fetch(`${other}:80`)), '');
    t.is(await inside(host, dir, 'other', fetch(`${web}:80`)), '');
    t.is(await settled(() => inside(host, dir, 'other', fetch(`${O.hostIp}:8080`)), 'web'), 'web');
    // Internal: no way out, not even to published ports through its gateway.
    t.deepEqual(await host.ipJson(['-n', 'tsc.d0.vault.1', 'route', 'show', 'default']), []);
    t.is(await inside(host, dir, 'vault', fetch(`${O.ip}:9000`)), '');
    const secretGw = (await host.ipJson(['-n', 'tsc.d0.vault.1', 'route', 'show'])).find((r: any) => r.dev === 'eth0').prefsrc.replace(/\.\d+$/, '.1');
    t.is(await inside(host, dir, 'vault', fetch(`${secretGw}:8080`)), '');

    // Service DNS, over UDP and TCP, from dig inside the containers (not /etc/hosts).
    t.is(await settled(() => inside(host, dir, 'client', dig('web')), web), web);
    t.is(await settled(() => inside(host, dir, 'client', dig('+tcp www')), web), web);
    t.is(await settled(() => inside(host, dir, 'client', dig('d0-web-1')), web), web);
    const peers = [await addressOf(host, 'tsc.d0.peer.1'), await addressOf(host, 'tsc.d0.peer.2')];
    t.deepEqual((await inside(host, dir, 'client', dig('peer'))).split('\n').sort(), [...peers].sort());
    t.is(await settled(() => inside(host, dir, 'client', dig('peer-2')), peers[1]), peers[1]);
    t.is(await settled(() => inside(host, dir, 'client', dig(`-x ${web}`)), 'd0-web-1.'), 'd0-web-1.');
    // Only names of shared networks; other names go to the host's resolvers.
    t.is(await inside(host, dir, 'client', dig('other')), '');
    t.is(await settled(() => inside(host, dir, 'client', dig('outside.test')), O.ip), O.ip);
    t.is(await settled(() => inside(host, dir, 'vault', dig('vault')), await addressOf(host, 'tsc.d0.vault.1')), await addressOf(host, 'tsc.d0.vault.1'));
    t.is(await inside(host, dir, 'vault', dig('web')), '');
    t.regex(await inside(host, dir, 'vault', 'dig +time=3 +tries=3 outside.test | grep status:'), /REFUSED/, 'internal: no names from outside either');
    t.regex(await inside(host, dir, 'client', 'cat /etc/resolv.conf'), /^nameserver 172\.\d+\.0\.1$/m);

    const check = await host.tscompose(['check'], { cwd: dir });
    t.is(check.code, 0, check.stdout + check.stderr);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a flushed ruleset is reported by check and restored by up; the DNS server follows services; down leaves no rule', async (t) => {
  await withHost(t, async (host) => {
    await addOutside(host);
    await fakeUpstream(host, {});
    const dir = writeCompose(host, STACK.replace('scale: 2', 'scale: 1'));
    await ok(host, dir, ['up', '-d']);
    await listening(host, 'tsc.d0.web.1', 80);
    t.regex(await ruleset(host), /table inet tscompose-d0/);
    await host.run([NFT, 'flush', 'ruleset']);
    t.is((await outside(host, fetch(`${O.hostIp}:8080`))).stdout.trim(), '', 'flushed: the port is gone');
    const check = await host.tscompose(['check'], { cwd: dir });
    t.is(check.code, 7);
    t.regex(check.stdout, /firewall\.apply +tscompose-d0 +drifted: table inet tscompose-d0 missing/);
    t.is(await ruleset(host), '', 'check changes nothing');
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Firewall tscompose-d0 {2}Restored \(drifted: table inet tscompose-d0 missing; table bridge tscompose-d0 missing\)/);
    t.is(await settled(() => outside(host, fetch(`${O.hostIp}:8080`)).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is((await host.tscompose(['check'], { cwd: dir })).code, 0);

    // One rule deleted by hand is drift too.
    const handle = /handle (\d+)/.exec((await host.sh(`${NFT} -a list chain inet tscompose-d0 published`)).stdout.split('\n').find((l) => l.includes('dnat'))!)![1];
    await host.sh(`${NFT} delete rule inet tscompose-d0 published handle ${handle}`);
    const check2 = await host.tscompose(['check'], { cwd: dir });
    t.is(check2.code, 7);
    t.regex(check2.stdout, /1 rule\(s\) missing/);
    await ok(host, dir, ['up', '-d']);

    // Names follow the services: a second replica appears without restarting the DNS server.
    const dnsPid = fs.readFileSync(path.join('/proc', String(host.pid), 'root/run/tscompose/d0/dns/init.pid'), 'utf8');
    t.is(await inside(host, dir, 'client', dig('peer-2')), '');
    writeCompose(host, STACK);
    const scaled = await ok(host, dir, ['up', '-d']);
    t.regex(scaled.stderr, /DNS d0 DNS {2}Reloaded/);
    t.is(await settled(() => inside(host, dir, 'client', dig('peer-2')), await addressOf(host, 'tsc.d0.peer.2')), await addressOf(host, 'tsc.d0.peer.2'));
    t.is(fs.readFileSync(path.join('/proc', String(host.pid), 'root/run/tscompose/d0/dns/init.pid'), 'utf8'), dnsPid);
    writeCompose(host, STACK.replace(/ {2}peer:\n {4}scale: 2\n {4}networks: \[front\]\n/, ''));
    await ok(host, dir, ['up', '-d']);
    t.is(await inside(host, dir, 'client', dig('peer')), '');

    await ok(host, dir, ['down']);
    t.is(await ruleset(host), '', 'nothing of ours in nft list ruleset');
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('ipv6')('IPv6 dual stack: ULA and explicit subnets, ipv6_address, AAAA, v6 masquerade and published ports, no RAs into the host', async (t) => {
  await withHost(t, async (host) => {
    await addOutside(host);
    await outsideDaemon(host, `exec socat TCP6-LISTEN:9000,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'`);
    const dir = writeCompose(
      host,
      `
name: v6
services:
  web:
    command: ["socat", "TCP6-LISTEN:80,fork,reuseaddr,ipv6only=0", "SYSTEM:echo web"]
    ports: ["8080:80"]
    networks:
      lab:
        ipv6_address: fd42:77::10
  client:
    networks: [lab, auto]
networks:
  lab:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.66.0.0/24
        - subnet: fd42:77::/64
  auto:
    enable_ipv6: true
`,
    );
    await ok(host, dir, ['up', '-d']);
    await listening(host, 'tsc.v6.web.1', 80);
    await listening(host, O.ns, 9000);
    const bridges = (await host.ipJson(['-d', 'link', 'show', 'type', 'bridge'])).map((l: any) => l.ifname);
    for (const b of bridges) t.is((await host.sh(`cat /proc/sys/net/ipv6/conf/${b}/accept_ra`)).stdout.trim(), '0', `accept_ra on ${b}`);
    const lab = (await host.ipJson(['-j', 'addr', 'show'])).flatMap((l: any) => l.addr_info).map((a: any) => `${a.local}/${a.prefixlen}`);
    t.true(lab.includes('fd42:77::1/64'), 'the v6 gateway is on the bridge');
    t.true(lab.some((a: string) => /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::1\/64$/.test(a) && !a.startsWith('fd42:')), 'an automatic ULA /64');
    t.is(await addressOf(host, 'tsc.v6.web.1', 'inet6'), 'fd42:77::10');
    const routes = await host.ipJson(['-6', '-n', 'tsc.v6.client.1', 'route', 'show', 'default']);
    // client's first network (attachment order: by name) is auto: its gateway gives the v6 default route.
    t.is(routes.length, 1);
    t.regex(routes[0].gateway, /^fd[0-9a-f]{2}:[0-9a-f:]+::1$/);
    t.not(routes[0].gateway, 'fd42:77::1');
    t.is((await host.sh('cat /proc/sys/net/ipv6/conf/all/forwarding')).stdout.trim(), '1');

    t.is(await settled(() => inside(host, dir, 'client', dig('AAAA web')), 'fd42:77::10'), 'fd42:77::10');
    t.is(await settled(() => inside(host, dir, 'client', 'socat -u TCP6:web:80,connect-timeout=2 - 2>/dev/null'), 'web'), 'web');
    t.is(await settled(() => inside(host, dir, 'client', 'socat -u TCP4:web:80,connect-timeout=2 - 2>/dev/null'), 'web'), 'web');
    // v6 egress is masqueraded too; the outside reaches the port published on the host's v6 address.
    // (socat prints the peer unabbreviated: [fd42:0018:0000:…:0001])
    t.regex(await inside(host, dir, 'client', `socat -u TCP6:[${O.ip6}]:9000,connect-timeout=2 - 2>/dev/null`), /^\[fd42:0*18(:0+){5}:0*1\]$/);
    t.is(await settled(() => outside(host, `socat -u TCP6:[${O.hostIp6}]:8080,connect-timeout=2 - 2>/dev/null`).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is(await settled(() => outside(host, fetch(`${O.hostIp}:8080`)).then((r) => r.stdout.trim()), 'web'), 'web');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('br_netfilter')("Docker's iptables FORWARD DROP with br_netfilter: detected, our traffic kept flowing, said, and undone by down", async (t) => {
  await withHost(t, async (host) => {
    await addOutside(host);
    await outsideDaemon(host, `exec socat TCP-LISTEN:9000,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'`);
    t.is((await host.sh('cat /proc/sys/net/bridge/bridge-nf-call-iptables')).stdout.trim(), '1', 'br_netfilter sees bridged traffic here');
    // What dockerd does on start (iptables-nft, as on Debian 12).
    await host.sh('iptables -N DOCKER-USER && iptables -A DOCKER-USER -j RETURN && iptables -A FORWARD -j DOCKER-USER && iptables -P FORWARD DROP && ip6tables -P FORWARD DROP');
    const dir = writeCompose(host, STACK);
    const plan = await ok(host, dir, ['plan']);
    t.regex(plan.stdout, /firewall\.apply .*table ip filter chain FORWARD drops our traffic \(policy drop\)/);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /! table ip filter chain FORWARD drops traffic we accept \(policy drop\): inserted accept rules for our bridges/);
    await listening(host, 'tsc.d0.web.1', 80);
    await listening(host, 'tsc.d0.other.1', 80);
    await listening(host, O.ns, 9000);
    const web = await addressOf(host, 'tsc.d0.web.1');

    // Between ports of one bridge (br_netfilter), out through masquerade, in through a published port.
    t.is(await settled(() => inside(host, dir, 'client', fetch(`${web}:80`)), 'web'), 'web');
    t.is(await settled(() => inside(host, dir, 'client', fetch(`${O.ip}:9000`)), O.hostIp), O.hostIp);
    t.is(await settled(() => outside(host, fetch(`${O.hostIp}:8080`)).then((r) => r.stdout.trim()), 'web'), 'web');
    // Isolation is still ours to enforce.
    t.is(await inside(host, dir, 'client', fetch(`${await addressOf(host, 'tsc.d0.other.1')}:80`)), '');
    // iptables can still read its table (our rules are iptables-compatible) and shows ours, tagged.
    const rules = await host.sh('iptables -S FORWARD');
    t.is(rules.code, 0, rules.stderr);
    t.regex(rules.stdout, /-P FORWARD DROP/);
    t.regex(rules.stdout, /-A FORWARD -i tsc-b-\w+ -m comment --comment "tscompose:d0:\w+" -j ACCEPT/);
    t.is((await host.sh('ip6tables -S FORWARD')).code, 0);

    // Without those rules Docker's policy drops traffic inside our bridge: remove them, check sees it, up restores.
    await host.sh(`for h in $(${NFT} -a list chain ip filter FORWARD | grep 'tscompose:d0' | sed 's/.*handle //'); do ${NFT} delete rule ip filter FORWARD handle $h; done`);
    t.is(await inside(host, dir, 'client', fetch(`${web}:80`)), '', 'the drop is real');
    const check = await host.tscompose(['check'], { cwd: dir });
    t.is(check.code, 7);
    t.regex(check.stdout, /table ip filter chain FORWARD drops our traffic/);
    await ok(host, dir, ['up', '-d']);
    t.is(await settled(() => inside(host, dir, 'client', fetch(`${web}:80`)), 'web'), 'web');

    await ok(host, dir, ['down']);
    const after = await host.sh('iptables -S FORWARD');
    t.notRegex(after.stdout, /tscompose/);
    t.regex(after.stdout, /-P FORWARD DROP/, "Docker's policy is left as it was");
    t.regex(after.stdout, /-A FORWARD -j DOCKER-USER/);
    t.notRegex(await ruleset(host), /tscompose/);
  });
});

test('a port a socket of the host holds is refused before anything is made; a host range passes over it', async (t) => {
  await withHost(t, async (host) => {
    await host.sh(`setsid socat TCP-LISTEN:8090,bind=127.0.0.1,fork,reuseaddr SYSTEM:'echo host' </dev/null >/dev/null 2>&1 &`);
    for (let i = 0; i < 200 && !(await host.sh(`ss -H -ltn 'sport = :8090'`)).stdout.trim(); i++) await new Promise((res) => setTimeout(res, 25));
    const web = (ports: string) => `
name: hp
services:
  web:
    command: ["socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo web"]
    ports: ["${ports}"]
`;
    const dir = writeCompose(host, web('8090:80'));
    const refused = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(refused.code, 4, refused.stderr);
    t.regex(refused.stderr, /compose\.yaml:6:13 services\.web\.ports\.0: host port 0\.0\.0\.0:8090\/tcp is in use on the host: a socket is bound to 127\.0\.0\.1:8090/);
    t.deepEqual(await leftovers(host), []);
    t.is((await host.sh(fetch('127.0.0.1:8090'))).stdout.trim(), 'host');

    writeCompose(host, web('8090-8091:80'));
    await ok(host, dir, ['up', '-d']);
    await listening(host, 'tsc.hp.web.1', 80);
    t.is(await settled(() => host.sh(fetch('127.0.0.1:8091')).then((r) => r.stdout.trim()), 'web'), 'web');
    t.is((await host.sh(fetch('127.0.0.1:8090'))).stdout.trim(), 'host');
    // Its own DNS server's sockets on the gateway are no conflict for the project: a second up plans nothing.
    t.is((await ok(host, dir, ['plan'])).stdout, 'Project hp is up to date: nothing to do.\n');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a service publishing port 53 does not take the project its own service DNS', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(
      host,
      `
name: dp
services:
  fake:
    command: ["socat", "UDP4-RECVFROM:53,fork", "SYSTEM:echo not-dns"]
    ports: ["53:53/udp"]
  client: {}
`,
    );
    await ok(host, dir, ['up', '-d']);
    await listening(host, 'tsc.dp.fake.1', 53, 'u');
    const fake = await addressOf(host, 'tsc.dp.fake.1');
    // The client asks the gateway, as its resolv.conf says: our server answers, not the published service.
    t.is(await settled(() => inside(host, dir, 'client', dig('fake')), fake), fake);
    // From the host too, to the gateway; while the host's own address still leads to the service.
    const gateway = (await inside(host, dir, 'client', "awk '/^nameserver/{print $2; exit}' /etc/resolv.conf")).trim();
    t.is(await settled(() => host.sh(dig(`@${gateway} fake`)).then((r) => r.stdout.trim()), fake), fake);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
