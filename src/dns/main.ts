/**
 * `node dist/src/dns/main.js CONFIG`: the project's DNS server process,
 * started by `up` under a tsc-shim (which keeps its log and exit status).
 * Prints one line per event; a configuration that cannot be served is fatal
 * on start (exit 1), and logged on reload (the old one keeps answering).
 *
 * It answers every container, in the host's namespaces: once its port-53
 * sockets are bound it needs no privilege, so it becomes nobody (65534,
 * no groups, no capabilities; the shim already set no_new_privs and left
 * only what the start needs). From then on it works in its directory (its
 * cwd: the parents are root's 0700) and reads `config.json` and writes
 * `ready` there, which `up` makes readable and writable for it. A reload
 * that needs a new address cannot bind it: `up` restarts the server then
 * (plan/hostdiff.ts).
 *
 * PEERS_DIR: where every project publishes its configuration; the others'
 * names on bridges we share are merged in, again whenever it changes.
 */
import * as path from 'node:path';
import { DnsServer } from './server';
import { dropToNobody } from './privileges';
import { openPeers, watchPeers } from './peers';

const [file, peers] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: main.js CONFIG [PEERS_DIR]\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${line}\n`);
// Opened while root: nobody reaches it only through this descriptor (dns/peers.ts).
const peersDir = peers ? openPeers(peers, log) : undefined;
// Equivalent to: cd $(dirname CONFIG)  (paths relative from here on: the parents are closed to nobody)
process.chdir(path.dirname(file));
const server = new DnsServer(
  path.basename(file),
  log,
  () => {
    const who = dropToNobody();
    if (who) log(`bound: now running as ${who}`);
  },
  peersDir,
);

// Registered before the first load: a SIGHUP must never kill the server (its default action).
let chain: Promise<void> = server.load().catch((e: Error) => {
  log(`cannot start: ${e.message}`);
  process.exit(1);
});
if (peersDir) {
  watchPeers(peersDir, log, () => {
    chain = chain.then(() => server.loadPeers());
  });
}
process.on('SIGHUP', () => {
  chain = chain.then(() =>
    server.load().catch((e: Error) => {
      log(`reload failed: ${e.message}`);
      server.markFailed(e.message);
    }),
  );
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
