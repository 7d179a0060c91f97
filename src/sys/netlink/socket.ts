/**
 * One rtnetlink socket (the `netlink` package's), bound to the network
 * namespace it was opened in, and the rules every request follows on it:
 * how many are in flight, that dumps run alone, and what happens when the
 * kernel drops replies.
 *
 * Overruns. The kernel queues each reply in the socket's receive buffer;
 * when that is full it drops the reply and flags the socket (ENOBUFS,
 * netlink_overrun). The `netlink` package cannot survive that: the flag makes
 * the socket poll as POLLERR, libuv reports EBADF, and the package's native
 * poll handler aborts the process (seen under gdb: Napi::String::New(NULL) in
 * ErrnoException, called from Socket::PollHandler). So overruns are
 * prevented rather than repaired: the receive buffer is raised at open, the
 * requests in flight are bounded by what it holds (REPLY_TRUESIZE each), and
 * a dump starts only once every reply before it has been read (a dump itself
 * is flow-controlled by the kernel: it only fills a buffer that has room).
 * Should an ENOBUFS still be read (the race the package survives), the
 * requests waiting then are failed instead of waiting forever, the window
 * halves, and reads and idempotent changes are re-sent (bounded).
 *
 * Interrupted dumps. A dump the kernel marks NLM_F_DUMP_INTR (the table
 * changed under it, so entries may be missing or repeated) is redone, up to
 * MAX_ATTEMPTS times, a little later each time; the last one is then used as
 * it is, as iproute2 does ("Dump was interrupted and may be inconsistent"):
 * on a host whose links never stop changing (other projects coming up, the
 * crash matrix's six at once) a dump may never come out whole, and failing
 * would make `down` leave what it could have removed. vishvananda/netlink
 * returns ErrDumpInterrupted with the results and leaves it to its caller.
 */
// The rtnetlink part only: the package's index also loads its nl80211, WireGuard and genl codecs (~15 ms).
import { createRtNetlink, type RtNetlinkSocket } from 'netlink/dist/rt/rt';
import { constants as osConstants } from 'node:os';
import { dumpInterrupted } from './wire';

export type NetlinkError = Error & { code?: string; errno?: number; syscall: string };

/**
 * The netlink package rejects with a bare `Error('Request rejected: EEXIST')`;
 * give it Node's shape (`code`, `errno`, `syscall`) so callers can branch on
 * the code and messages can say which request failed.
 */
export function asErrno(e: unknown, syscall: string): NetlinkError {
  const err = (e instanceof Error ? e : new Error(String(e))) as NetlinkError;
  const m = /Request rejected: (\w+)/.exec(err.message);
  if (m && !err.code) {
    err.code = m[1];
    const n = (osConstants.errno as Record<string, number>)[m[1]!];
    if (n !== undefined) err.errno = -n;
  }
  if (!err.syscall) err.syscall = syscall;
  return err;
}

function errnoError(code: string, syscall: string, message: string): NetlinkError {
  const err = new Error(message) as NetlinkError;
  err.code = code;
  err.errno = -((osConstants.errno as Record<string, number>)[code] ?? 0);
  err.syscall = syscall;
  return err;
}

/** How a request may be repeated after its reply was lost. */
export type Retry = 'idempotent' | 'once';

/** Attempts per request or dump before giving up with a clear error. */
export const MAX_ATTEMPTS = 5;

export class RtnlSocket {
  /**
   * The netlink package reassembles one multipart (dump) reply at a time, and
   * an ACK arriving in the middle of a dump breaks it: dumps run alone, and
   * other requests wait while one is in progress. Plain requests still run
   * concurrently with each other.
   */
  private dumping: Promise<unknown> = Promise.resolve();

  /** At most this many requests in flight, however big the receive buffer. */
  static readonly MAX_IN_FLIGHT = 32;
  /** Requests in flight: as many as the receive buffer holds replies, at most MAX_IN_FLIGHT. */
  private window = 1;
  private inflight = 0;
  private readonly queue: Array<() => void> = [];
  private readonly idle: Array<() => void> = [];

  /** Overruns seen on this socket (ENOBUFS reads). */
  overruns = 0;
  /** Dumps redone because the kernel marked them interrupted. */
  interruptedDumps = 0;
  private sawDumpIntr = false;

  /**
   * The socket's netlink port, read once: the package would otherwise ask the
   * kernel (getsockname) for it on every message it sends.
   */
  private readonly port: number;

  protected constructor(protected readonly sock: RtNetlinkSocket) {
    this.port = sock.socket.address().port;
    this.setReceiveBuffer(receiveBufferWanted());
    sock.socket.on('error', (e: Error) => this.onSocketError(e));
    // Listeners run in order: the package has parsed and settled this datagram's request before we look at its flags.
    sock.socket.socket.on('message', (b: Buffer) => {
      if (dumpInterrupted(b)) this.sawDumpIntr = true;
    });
  }

  /** A socket in the calling thread's current network namespace. */
  protected static openSocket(): RtNetlinkSocket {
    return createRtNetlink();
  }

  close(): void {
    this.sock.socket.close();
  }

  /**
   * Set SO_RCVBUF (the kernel caps it at net.core.rmem_max, then doubles it
   * for its bookkeeping) and size the in-flight window to what it holds.
   */
  // Equivalent to: setsockopt(fd, SOL_SOCKET, SO_RCVBUF, bytes)
  setReceiveBuffer(bytes: number): void {
    this.sock.socket.setRecvBufferSize(bytes);
    this.window = windowFor(this.sock.socket.getRecvBufferSize());
  }

  /** The receive buffer the kernel granted, and how many requests may be in flight. */
  get receiveBuffer(): { bytes: number; window: number } {
    return { bytes: this.sock.socket.getRecvBufferSize(), window: this.window };
  }

  /**
   * The package's pending requests, by sequence number. It keeps them
   * `protected` and offers no way to fail them; an overrun needs to.
   */
  private pending(): Map<number, (err: Error | null) => unknown> {
    return (this.sock.socket as unknown as { requests: Map<number, (err: Error | null) => unknown> }).requests;
  }

  private onSocketError(e: Error & { code?: string }): void {
    // Whatever the error, the replies awaited may never come: fail them rather than wait forever (or let the process die).
    const err = e.code === 'ENOBUFS' ? errnoError('ENOBUFS', 'recvmsg', 'the netlink receive buffer overran and replies were dropped') : e;
    if (e.code === 'ENOBUFS') {
      this.overruns++;
      this.window = Math.max(1, this.window >> 1);
    }
    for (const cb of [...this.pending().values()]) cb(err);
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.inflight >= this.window) await new Promise<void>((r) => this.queue.push(r));
    this.inflight++;
    try {
      return await fn();
    } finally {
      this.inflight--;
      this.queue.shift()?.();
      if (this.inflight === 0) for (const r of this.idle.splice(0)) r();
    }
  }

  /** Once every request in flight has its reply: the receive buffer is empty then. */
  private async drained(): Promise<void> {
    if (this.inflight > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  /** Run one request once no dump is in progress, within the in-flight window; re-sent after an overrun if `retry` allows. */
  async call<T>(syscall: string, fn: (s: RtNetlinkSocket, localPort: number) => Promise<T>, retry: Retry = 'idempotent'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // A dump queued while we waited may already be sending: wait for it too.
      for (let d = this.dumping; ; d = this.dumping) {
        await d;
        if (d === this.dumping) break;
      }
      try {
        return await this.slot(() => fn(this.sock, this.port));
      } catch (e) {
        const err = asErrno(e, syscall);
        if (err.code !== 'ENOBUFS') throw err;
        if (retry === 'once') throw overrunError(syscall, err, 'not re-sent: the kernel may have made the object; the next run observes it');
        if (attempt >= MAX_ATTEMPTS) throw overrunError(syscall, err, `given up after ${attempt} attempts`);
      }
    }
  }

  /** Run a dump alone, redone while the kernel reports it interrupted or overran, or an abandoned dump still drains. */
  dump<T>(syscall: string, fn: (s: RtNetlinkSocket, localPort: number) => Promise<T>): Promise<T> {
    const go = async (): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.drained();
          this.sawDumpIntr = false;
          const out = await this.slot(() => fn(this.sock, this.port));
          if (!this.sawDumpIntr) return out;
          this.interruptedDumps++;
          if (attempt >= MAX_ATTEMPTS) return out;
          await new Promise((r) => setTimeout(r, 2 * attempt));
        } catch (e) {
          const err = asErrno(e, syscall);
          if (err.code !== 'ENOBUFS' && err.code !== 'EBUSY') throw err;
          if (attempt >= MAX_ATTEMPTS) throw overrunError(syscall, err, `dump given up after ${attempt} attempts`);
          // EBUSY: the kernel still runs a dump whose request we abandoned; it ends as we read, so yield to the reader.
          if (err.code === 'EBUSY') await new Promise((r) => setTimeout(r, 10 * attempt));
        }
      }
    };
    const run = this.dumping.then(go, go);
    this.dumping = run.catch(() => undefined);
    return run;
  }
}

/** SO_RCVBUF asked for at open: 1 MiB, which the kernel caps at rmem_max (208 KiB by default). */
const RCVBUF_WANTED = 1 << 20;

/**
 * TSCOMPOSE_NETLINK_RCVBUF (bytes) asks for a smaller buffer: the tests use
 * it to run whole projects on sockets that would overrun without the window,
 * as a host with a low net.core.rmem_max would give.
 */
function receiveBufferWanted(): number {
  const asked = Number(process.env.TSCOMPOSE_NETLINK_RCVBUF);
  return Number.isInteger(asked) && asked > 0 ? asked : RCVBUF_WANTED;
}

/**
 * Receive buffer one request may take: a link reply and its ACK take ~3.3 KB
 * of it (skb truesize, measured: 10 concurrent RTM_GETLINKs fit a 32 KiB
 * buffer, 12 overran it); twice that leaves room for bigger links (bridges).
 */
export const REPLY_TRUESIZE = 8192;

export function windowFor(rcvbuf: number): number {
  return Math.max(1, Math.min(RtnlSocket.MAX_IN_FLIGHT, Math.floor(rcvbuf / REPLY_TRUESIZE)));
}

function overrunError(syscall: string, cause: NetlinkError, what: string): NetlinkError {
  const err = errnoError(
    cause.code ?? 'ENOBUFS',
    syscall,
    `${syscall}: the netlink receive buffer overran (${cause.code}) and the kernel dropped the reply; ${what}`,
  );
  err.cause = cause;
  return err;
}
