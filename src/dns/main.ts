/**
 * `node dist/src/dns/main.js CONFIG`: the project's DNS server process,
 * started by `up` under a tsc-shim (which keeps its log and exit status).
 * Prints one line per event; a configuration that cannot be served is fatal
 * on start (exit 1), and logged on reload (the old one keeps answering).
 */
import { DnsServer } from './server';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: main.js CONFIG\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${line}\n`);
const server = new DnsServer(file, log);

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
