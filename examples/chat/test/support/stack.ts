// The chat for tests, all on port 0 in this process: a real broker, the chat backend and the
// page server. One helper returning the running pieces and one cleanup.
import { createBroker, type BrokerAddresses } from '@strands/broker';
import { createChatBackend, type ChatBackend } from '../../src/chat-backend.js';
import type { ChatBackendOptions } from '../../src/options.js';
import { startPageServer } from '../../src/page-server.js';

export const ADMIN_TOKEN = 'test-admin';

export interface ChatStack {
  /** `ws://127.0.0.1:port` of the broker. */
  wsUrl: string;
  broker: BrokerAddresses;
  backend: ChatBackend;
  /** The page's URL, when started with `page: true`. */
  pageUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startChatStack(options: { page?: boolean; backend?: ChatBackendOptions } = {}): Promise<ChatStack> {
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent' });
  const addresses = await broker.start();
  const backend = createChatBackend({ broker: `127.0.0.1:${addresses.tcpPort}`, adminToken: ADMIN_TOKEN, logLevel: 'silent', ...options.backend });
  await backend.start();
  const page = options.page ? await startPageServer({ port: 0, wsPort: addresses.wsPort }) : undefined;
  return {
    wsUrl: addresses.wsUrl,
    broker: addresses,
    backend,
    pageUrl: page?.url,
    async stop() {
      await page?.close();
      await backend.close({ timeoutMs: 1000 });
      await broker.stop();
    },
  };
}
