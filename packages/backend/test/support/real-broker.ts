// The real @strands/broker on port 0, real `ws` clients, and a backend wired to them.
import { createBroker, type Broker, type BrokerAddresses } from '@strands/broker';
import WebSocket from 'ws';
import type { BackendOptions, StrandsBackend } from '../../src/index.js';
import { cleanup, testBackend } from './backend.js';
import { guard, until } from './fake-broker.js';

/** Starts a real broker (silent) on free ports, or on `tcpPort` to restart one in place. */
export async function startBroker(tcpPort = 0): Promise<{ broker: Broker; addresses: BrokerAddresses }> {
  const broker = createBroker({ wsPort: 0, tcpPort, host: '127.0.0.1', logLevel: 'silent', connectionRequestTimeoutMs: 5000 });
  const addresses = await broker.start();
  return { broker, addresses };
}

/** A broker and a started backend connected to it, both cleaned up after the test. */
export async function brokerWithBackend(options: BackendOptions = {}): Promise<{
  broker: Broker;
  addresses: BrokerAddresses;
  backend: StrandsBackend;
}> {
  const { broker, addresses } = await startBroker();
  cleanup(broker);
  const backend = testBackend({ brokers: [`127.0.0.1:${addresses.tcpPort}`], ...options });
  await backend.start();
  return { broker, addresses, backend };
}

/** A `ws` client that records what it receives. */
export class TestClient {
  readonly received: string[] = [];
  /** Every frame as it came: binary or text, and its bytes. */
  readonly frames: { binary: boolean; bytes: Buffer }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.received.push(data.toString());
      this.frames.push({ binary: isBinary, bytes: Buffer.from(data as Buffer) });
    });
    // Not events.once: it would reject on 'error', which refused clients emit.
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  /** Opens a client; resolves when open, rejects with the HTTP status when refused. */
  static async open(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    const client = new TestClient(ws);
    cleanup({ close: async () => client.close() });
    await guard(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (req, res) => {
          req.destroy();
          reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
        });
        ws.once('error', reject);
      }),
      `opening ${url}`,
    );
    return client;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first received message matching `test` (already received or next). */
  async next(test: (message: string) => boolean = () => true, what = 'a message'): Promise<string> {
    await until(() => this.received.some(test), what);
    return this.received.find(test)!;
  }

  /** Received messages parsed as JSON. */
  json(): unknown[] {
    return this.received.map((m) => JSON.parse(m) as unknown);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState !== WebSocket.OPEN) {
      this.ws.terminate();
      return;
    }
    this.ws.close();
    await guard(this.closed, 'the client to close');
  }
}
