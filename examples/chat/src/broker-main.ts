// The broker process of `pnpm start`: a Strands broker on the given ports, reporting the ports it
// really bound (0 picks free ones) to the launcher; with `--cluster redis://…` one broker of a cluster.
import { createBroker } from '@strands/broker';
import { runUntilSignal } from '@strands/example-shared';
import { parseOrExit, readFlags, reportReady } from './cli.js';
import { DEFAULT_HOST, DEFAULT_TCP_PORT, DEFAULT_WS_PORT } from './options.js';

const USAGE = `flags: --ws-port n (${DEFAULT_WS_PORT}) --tcp-port n (${DEFAULT_TCP_PORT}) --host address (${DEFAULT_HOST}) --cluster redis://host:port/db (off)`;
const flags = parseOrExit('chat broker', USAGE, () =>
  readFlags({ wsPort: 'integer', tcpPort: 'integer', host: 'string', cluster: 'string' }, process.argv.slice(2)),
);
const broker = createBroker({
  wsPort: flags.wsPort ?? DEFAULT_WS_PORT,
  tcpPort: flags.tcpPort ?? DEFAULT_TCP_PORT,
  host: flags.host ?? DEFAULT_HOST,
  tcpHost: '127.0.0.1',
  logLevel: 'warn',
  ...(flags.cluster === undefined ? {} : { cluster: { url: flags.cluster } }),
});
try {
  const addresses = await broker.start();
  console.log(`chat broker: clients ${addresses.wsUrl}, backends tcp://${addresses.tcpHost}:${addresses.tcpPort}${flags.cluster ? ', cluster on Redis' : ''}`);
  reportReady('broker', { ...addresses });
} catch (error) {
  console.error(`chat broker: could not start: ${(error as Error).message}`);
  process.exit(1);
}
runUntilSignal(() => broker.stop());
