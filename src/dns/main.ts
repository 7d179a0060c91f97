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
 */
import * as path from 'node:path';
import { DnsServer } from './server';
import { dropToNobody } from './privileges';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: main.js CONFIG\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${line}\n`);
// Equivalent to: cd $(dirname CONFIG)  (paths relative from here on: the parents are closed to nobody)
process.chdir(path.dirname(file));
const server = new DnsServer(path.basename(file), log, () => {
  const who = dropToNobody();
  if (who) log(`bound: now running as ${who}`);
});

// Registered before the first load: a SIGHUP must never kill the server (its default action).
let chain: Promise<void> = server.load().catch((e: Error) => {
  log(`cannot start: ${e.message}`);
  process.exit(1);
});
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
