/**
 * The project's DNS server: one UDP socket and one TCP listener per bridge
 * gateway (port 53), answers from the configuration written by `up`
 * (plan/dns.ts decides what to answer), everything else relayed to the
 * upstream resolvers. Wire format by dns-packet; no hand-made packets.
 *
 * SIGHUP: re-read the configuration (new names, new networks); `ready` is
 * written next to it each time every address answers. SIGTERM: exit. The
 * other projects' published records (names on bridges shared with them) are
 * re-read whenever their directory changes (dns/main.ts watches it).
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as packet from 'dns-packet';
import { answer, type DnsAnswer } from '../plan/dns';
import { mergePeers } from '../plan/dns-peers';
import type { DnsConfig } from '../plan/model';

const PORT = 53;
const TTL = 10;
const UPSTREAM_TIMEOUT_MS = 2000;
/**
 * How long a gateway address may take to appear: `up` starts the server
 * while it is still creating the bridges, so that Node's start-up overlaps
 * that work (a bridge that could not be made fails `up` anyway).
 */
const ADDRESS_WAIT_MS = 10_000;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

type Reply = (buf: Buffer) => void;

interface Listener {
  network: string;
  udp: dgram.Socket;
  /** None on another project's gateway (UDP only: its owner's server holds TCP there). */
  tcp?: net.Server;
}

type Listen = DnsConfig['listen'][number];

export class DnsServer {
  private config!: DnsConfig;
  /** Our own configuration, before the other projects' records are merged in. */
  private own!: DnsConfig;
  private readonly listeners = new Map<string, Listener>();
  private readonly upstream4 = dgram.createSocket('udp4');
  private readonly upstream6 = dgram.createSocket('udp6');
  private readonly pending = new Map<number, { reply: Reply; clientId: number; query: Buffer; rest: string[]; timer: NodeJS.Timeout }>();
  private nextId = Math.floor(Math.random() * 65536);

  /**
   * `onBound`: called once, when the first configuration's sockets are all
   * bound and before `ready` is written (the privilege drop, dns/main.ts).
   */
  constructor(
    private readonly configFile: string,
    private readonly log: (line: string) => void,
    private onBound?: () => void,
    /** The directory where every project publishes its configuration (plan/dns-peers.ts); reachable as nobody. */
    private readonly peersDir?: string,
  ) {
    for (const s of [this.upstream4, this.upstream6]) {
      s.on('message', (msg) => this.fromUpstream(msg));
      s.on('error', (e) => this.log(`upstream socket: ${e.message}`));
    }
  }

  /** (Re)read the configuration and answer on exactly its addresses. */
  async load(): Promise<void> {
    this.own = JSON.parse(fs.readFileSync(this.configFile, 'utf8')) as DnsConfig;
    this.loadPeers();
    const wanted = new Map(this.config.listen.map((l) => [l.address, l]));
    for (const [address, l] of this.listeners) {
      if (wanted.get(address)?.network === l.network) continue;
      l.udp.close();
      l.tcp?.close();
      this.listeners.delete(address);
    }
    const todo = [...wanted.values()].filter((l) => !this.listeners.has(l.address));
    const opened = await Promise.allSettled(todo.map((l) => this.listen(l)));
    opened.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      // Another project's gateway (a server of an older tscompose holding it alone): its owner still answers there.
      if (!todo[i]!.shared) throw r.reason;
      this.log(`not answering on ${todo[i]!.address} (${todo[i]!.network}, another project's): ${(r.reason as Error).message}`);
    });
    const bound = this.onBound;
    this.onBound = undefined;
    bound?.();
    fs.writeFileSync(path.join(path.dirname(this.configFile), 'ready'), `${[...this.listeners.keys()].join(' ')}\n`);
    this.log(`answering on ${[...this.listeners.keys()].join(', ')}`);
  }

  /**
   * Re-read the other projects' published configurations (one of them
   * changed: an `up`, `down` or `rm` there). A file being replaced or
   * unreadable is skipped until the next change.
   */
  loadPeers(): void {
    const peers: DnsConfig[] = [];
    for (const f of this.peersDir ? safeReaddir(this.peersDir) : []) {
      if (!f.endsWith('.json') || f === `${this.own.project}.json`) continue;
      try {
        peers.push(JSON.parse(fs.readFileSync(path.join(this.peersDir!, f), 'utf8')) as DnsConfig);
      } catch (e: any) {
        this.log(`peer ${f}: ${e.message}`);
      }
    }
    this.config = mergePeers(this.own, peers);
  }

  /** Tell the waiting `up` that the new configuration could not be served. */
  markFailed(reason: string): void {
    fs.writeFileSync(path.join(path.dirname(this.configFile), 'ready'), `error ${reason}\n`);
  }

  private async listen(l: Listen): Promise<void> {
    const { address } = l;
    const family = address.includes(':') ? 'udp6' : 'udp4';
    const deadline = Date.now() + ADDRESS_WAIT_MS;
    for (let delay = 2; ; delay = Math.min(delay * 2, 20)) {
      try {
        return await this.listenOnce(l, family);
      } catch (e: any) {
        // EADDRNOTAVAIL: the bridge or its address is not there yet.
        if (e?.code !== 'EADDRNOTAVAIL' || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * UDP with SO_REUSEADDR: the servers of the projects on one bridge all
   * answer on its gateway (each with every project's records, so whichever
   * gets a query answers alike), and a joiner's keeps answering its
   * containers there after the owner's `down`. TCP stays the owner's alone.
   */
  private async listenOnce(l: Listen, family: 'udp4' | 'udp6'): Promise<void> {
    const { address, network } = l;
    const udp = dgram.createSocket({ type: family, reuseAddr: true });
    udp.on('message', (msg, rinfo) => this.handle(msg, rinfo.address, network, (buf) => udp.send(buf, rinfo.port, rinfo.address)));
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        udp.close();
        reject(e);
      };
      udp.once('error', fail);
      udp.bind({ address, port: PORT, exclusive: true }, () => {
        udp.off('error', fail);
        udp.on('error', (e) => this.log(`udp ${address}: ${e.message}`));
        resolve();
      });
    });
    if (l.shared) {
      this.listeners.set(address, { network, udp });
      return;
    }
    const tcp = net.createServer((conn) => this.tcpConnection(conn, network));
    tcp.on('error', (e) => this.log(`tcp ${address}: ${e.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: PORT, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    this.listeners.set(address, { network, udp, tcp });
  }

  private tcpConnection(conn: net.Socket, network: string): void {
    let buf = Buffer.alloc(0);
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        this.handle(msg, conn.remoteAddress ?? '', network, (out) => {
          if (!conn.destroyed) conn.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
        });
      }
    });
  }

  private handle(msg: Buffer, client: string, network: string, reply: Reply): void {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(msg);
    } catch {
      if (msg.length >= 2) reply(packet.encode({ type: 'response', id: msg.readUInt16BE(0), flags: RCODE.FORMERR }));
      return;
    }
    const q = query.questions?.[0];
    if (query.type !== 'query' || !q) return;
    const a = answer(this.config, client, network, q.name, q.type);
    if (a.kind === 'forward') {
      this.forward(msg, query.id ?? 0, a.upstream, reply);
      return;
    }
    reply(packet.encode(this.respond(query, q, a)));
  }

  private respond(query: packet.DecodedPacket, q: packet.Question, a: Exclude<DnsAnswer, { kind: 'forward' }>): packet.Packet {
    const base = packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | (query.flag_rd ? packet.RECURSION_DESIRED : 0);
    const res: packet.Packet = { type: 'response', id: query.id ?? 0, flags: base, questions: [q], answers: [] };
    if (a.kind === 'records') {
      res.answers = a.addresses.map((data) => ({ type: a.type, class: 'IN', name: q.name, ttl: TTL, data }) as packet.Answer);
    } else if (a.kind === 'ptr') {
      res.answers = [{ type: 'PTR', class: 'IN', name: q.name, ttl: TTL, data: a.name }];
    } else if (a.kind === 'nxdomain') res.flags = base | RCODE.NXDOMAIN;
    else if (a.kind === 'refused') res.flags = (base & ~packet.AUTHORITATIVE_ANSWER) | RCODE.REFUSED;
    return res;
  }

  /** Relay the query as it came (new id), to each upstream in turn until one answers. */
  private forward(msg: Buffer, clientId: number, upstream: string[], reply: Reply): void {
    const [first, ...rest] = upstream;
    if (first === undefined) {
      reply(servfail(msg, clientId));
      return;
    }
    const id = (this.nextId = (this.nextId + 1) & 0xffff);
    const out = Buffer.from(msg);
    out.writeUInt16BE(id, 0);
    const timer = setTimeout(() => {
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (p) this.forward(p.query, p.clientId, p.rest, p.reply);
    }, UPSTREAM_TIMEOUT_MS);
    this.pending.set(id, { reply, clientId, query: msg, rest, timer });
    const sock = first.includes(':') ? this.upstream6 : this.upstream4;
    sock.send(out, PORT, first, (err) => {
      if (err) this.log(`upstream ${first}: ${err.message}`);
    });
  }

  private fromUpstream(msg: Buffer): void {
    if (msg.length < 12) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p) return;
    this.pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    const back = Buffer.from(msg);
    back.writeUInt16BE(p.clientId, 0);
    p.reply(back);
  }

  close(): void {
    for (const l of this.listeners.values()) {
      l.udp.close();
      l.tcp?.close();
    }
    this.listeners.clear();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.upstream4.close();
    this.upstream6.close();
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function servfail(msg: Buffer, id: number): Buffer {
  try {
    const q = packet.decode(msg);
    return packet.encode({ type: 'response', id, flags: RCODE.SERVFAIL | packet.RECURSION_AVAILABLE, questions: q.questions ?? [] });
  } catch {
    return packet.encode({ type: 'response', id, flags: RCODE.SERVFAIL });
  }
}
