// Broker child: runs @strands/broker on loopback, port 0, silent, and reports its addresses.
// argv: nothing, `--cluster <redis-url> <prefix> [memory-queue]` for cluster mode (the cluster scenario;
// `memory-queue`: client events queued in memory instead of the cluster's default Redis queue), or
// `--queue <redis-url> <prefix>` for one broker with the Redis Streams queue (the queue scenario);
// `--client-rate-limits [off]` first keeps the broker's default rate limits (or turns them off, explicitly);
// `--history-rooms <patterns>` first gives rooms matching them history (the history scenario);
// `--client-write-delay-ms <n>` first sets clientWriteDelayMs (the cluster scenario's fan-out row without the wait).
import * as brokerPackage from '@strands/broker';
import { reportReady, reportUnavailable, serveControl } from './ipc.js';

type BrokerModule = {
  createBroker?: (options: Record<string, unknown>) => {
    start(): Promise<{ wsUrl: string; tcpHost: string; tcpPort: number; wsPort: number; host: string }>;
    stop(): Promise<void>;
  };
};

const { createBroker } = brokerPackage as BrokerModule;
if (typeof createBroker !== 'function') reportUnavailable('@strands/broker does not export createBroker yet');

// A load client stands for many real ones (a ping-pong client here sends hundreds of messages a
// second): with the broker's per-client rate limits on, the bench would measure the limits. The
// flood scenario keeps the broker's defaults (`--client-rate-limits`, optionally `off`).
const args = process.argv.slice(2);
const limitsAt = args.indexOf('--client-rate-limits');
const limits = limitsAt === -1 ? 'off-for-load' : args[limitsAt + 1] === 'off' ? 'off' : 'defaults';
if (limitsAt !== -1) args.splice(limitsAt, limits === 'off' ? 2 : 1);
const rateLimits = limits === 'defaults' ? {} : { clientMessagesPerSecond: 0, clientBytesPerSecond: 0 };
/** Takes `flag <value>` out of args; the value, or undefined when the flag is not there. */
function takeValue(flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : (args.splice(at, 2)[1] ?? '');
}
// Only when asked: a tree from before room history, or before clientWriteDelayMs, would refuse the option.
const historyRooms = takeValue('--history-rooms');
const history = historyRooms === undefined ? {} : { historyRooms: historyRooms.split(',') };
const writeDelayMs = takeValue('--client-write-delay-ms');
const writeDelay = writeDelayMs === undefined ? {} : { clientWriteDelayMs: Number(writeDelayMs) };
const [flag, clusterUrl, clusterPrefix, clusterQueue] = args;
const cluster =
  flag === '--cluster' && clusterUrl !== undefined
    ? { cluster: { url: clusterUrl, prefix: clusterPrefix ?? 'bench' }, ...(clusterQueue === 'memory-queue' ? { queue: 'memory' } : {}) }
    : flag === '--queue' && clusterUrl !== undefined
      ? { queue: { url: clusterUrl, prefix: clusterPrefix ?? 'bench' } }
      : {};

const broker = createBroker({
  host: '127.0.0.1',
  wsPort: 0,
  tcpHost: '127.0.0.1',
  tcpPort: 0,
  logLevel: 'silent',
  ...rateLimits,
  ...history,
  ...writeDelay,
  ...cluster,
});
const addresses = await broker.start();
// The broker may report its bind host (0.0.0.0 or ::); clients here always dial loopback.
reportReady({
  wsUrl: `ws://127.0.0.1:${addresses.wsPort}`,
  wsPort: addresses.wsPort,
  tcpHost: '127.0.0.1',
  tcpPort: addresses.tcpPort,
});
serveControl(() => broker.stop());
