// The chat on a cluster for tests, all in this process on port 0: a real redis-server, two real
// brokers in cluster mode, one chat backend serving both, and the page server listing both.
import { createBroker, type Broker, type BrokerAddresses } from '@strands/broker';
import type { StrandsBackend } from '@strands/backend';
import { startRedis, type TestRedis } from '@strands/testing';
import { createChatBackend } from '../../src/chat-backend.js';
import { startPageServer } from '../../src/page-server.js';
import { ADMIN_TOKEN } from './stack.js';

export interface ChatClusterStack {
  redis: TestRedis;
  brokers: BrokerAddresses[];
  backend: StrandsBackend;
  pageUrl: string;
  /** Stops broker `index` (0-based) alone, as an operator taking it down would. */
  stopBroker(index: number): Promise<void>;
  stop(): Promise<void>;
}

let prefixes = 0;

/** Starts Redis, `count` brokers sharing a fresh key prefix, the backend on all of them, and the page. */
export async function startChatCluster(count = 2): Promise<ChatClusterStack> {
  const redis = await startRedis();
  const cluster = { url: redis.url, prefix: `chat-test-${process.pid}-${++prefixes}` };
  const brokers: Broker[] = Array.from({ length: count }, () => createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent', cluster }));
  const addresses = await Promise.all(brokers.map((broker) => broker.start()));
  const backend = createChatBackend({ broker: addresses.map((a) => `127.0.0.1:${a.tcpPort}`), adminToken: ADMIN_TOKEN, logLevel: 'silent' });
  // start() resolves at the first broker; a client of another one before its link is up would get 503.
  const connected = new Set<string>();
  const allConnected = new Promise<void>((resolve) =>
    backend.onBrokerConnect(({ broker }) => {
      connected.add(broker);
      if (connected.size === count) resolve();
    }),
  );
  await backend.start();
  await allConnected;
  const page = await startPageServer({ port: 0, wsPort: addresses.map((a) => a.wsPort) });
  return {
    redis,
    brokers: addresses,
    backend,
    pageUrl: page.url,
    stopBroker: (index) => brokers[index]!.stop(),
    async stop() {
      await page.close();
      await backend.close({ timeoutMs: 1000 });
      await Promise.all(brokers.map((broker) => broker.stop()));
      await redis.stop();
    },
  };
}
