// The one test helper: a broker on port 0, raw newline-JSON backends, WebSocket clients, and a cleanup.
import { connect, type Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import { createBroker, type Broker, type BrokerAddresses, type BrokerOptions, type BrokerParts } from '../../src/index.js';

/** A frame as it travels on the backend link. */
export interface WireFrame {
  action: string;
  request_id: string;
  params: Record<string, any>;
}

/** Waits until `check` returns a truthy value (polled), or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a raw backend answers to a connection request: response params, or null to stay silent. */
export type Decide = (frame: WireFrame) => Record<string, unknown> | null;

/** Accepts everyone; client id from `?id=`, room from the last path segment. */
export const acceptAll: Decide = (frame) => {
  const id = frame.params.query?.id?.[0];
  const segments = String(frame.params.url).split('/').filter(Boolean);
  return { accepted: true, client_id: id, room_id: segments.at(-1) ?? 'lobby', metadata: { url: frame.params.url } };
};

/** A backend written against the bare wire: newline-delimited JSON over TCP, no SDK. */
export class RawBackend {
  readonly frames: WireFrame[] = [];
  readonly badLines: string[] = [];
  closed = false;
  private buffer = '';
  private seq = 0;

  constructor(
    readonly socket: Socket,
    public decide: Decide = acceptAll,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, decide?: Decide): Promise<RawBackend> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawBackend(socket, decide);
  }

  /** Frames received with this action. */
  of(action: string): WireFrame[] {
    return this.frames.filter((f) => f.action === action);
  }

  /** Sends one frame. */
  send(action: string, params: Record<string, unknown>, requestId = `t-${++this.seq}`): string {
    this.raw(`${JSON.stringify({ action, request_id: requestId, params })}\n`);
    return requestId;
  }

  /** Writes text as is (for malformed input). */
  raw(text: string): void {
    this.socket.write(text);
  }

  /** Waits for a frame matching `match`, received after `from` frames. */
  waitFrame(match: (f: WireFrame) => boolean, what: string, from = 0): Promise<WireFrame> {
    return waitFor(() => this.frames.slice(from).find(match), `${what} at backend`);
  }

  /** Says hello and waits for the reply. */
  async hello(token?: string): Promise<WireFrame> {
    const id = this.send('hello', { name: 'test-backend', protocol_version: 1, ...(token === undefined ? {} : { token }) });
    return this.waitFrame((f) => f.action === 'hello_reply' && f.request_id === id, 'hello_reply');
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    let start = 0;
    // Only the new chunk is searched, so long lines arriving in many chunks cost linear time.
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const line = this.buffer + chunk.slice(start, nl);
      this.buffer = '';
      start = nl + 1;
      this.onLine(line);
    }
    this.buffer += chunk.slice(start);
  }

  private onLine(line: string): void {
    let frame: WireFrame;
    try {
      frame = JSON.parse(line) as WireFrame;
    } catch {
      this.badLines.push(line);
      return;
    }
    this.frames.push(frame);
    if (frame.action === 'connection_request') {
      const answer = this.decide(frame);
      if (answer !== null) this.send('response', answer, frame.request_id);
    }
  }
}

/** A WebSocket client that records what it receives. */
export class TestClient {
  readonly messages: string[] = [];
  closeCode: number | undefined;
  closeReason = '';
  protocol = '';

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => this.messages.push(isBinary ? `binary:${(data as Buffer).toString('base64')}` : data.toString()));
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    ws.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.closeCode !== undefined;
  }

  send(text: string | Buffer): void {
    this.ws.send(text);
  }

  waitMessage(match: string | ((m: string) => boolean), from = 0): Promise<string> {
    const test = typeof match === 'string' ? (m: string) => m === match : match;
    return waitFor(() => this.messages.slice(from).find(test), `client message ${String(match)}`);
  }

  waitClose(): Promise<number> {
    return waitFor(() => this.closeCode, 'client close');
  }

  close(): void {
    this.ws.close();
  }
}

/** How an upgrade attempt ended. */
export type Attempt =
  | { kind: 'open'; client: TestClient }
  | { kind: 'http'; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { kind: 'closed'; code: number; reason: string; protocol: string };

/** The close code and reason of an attempt that must end closed (a rejection by close code may follow open). */
export async function closeOf(result: Attempt): Promise<{ code: number; reason: string }> {
  if (result.kind === 'closed') return { code: result.code, reason: result.reason };
  if (result.kind === 'http') throw new Error(`expected a close, got HTTP ${result.status}`);
  const code = await result.client.waitClose();
  return { code, reason: result.client.closeReason };
}

/**
 * Opens a WebSocket by hand on a raw TCP socket and returns it after the 101: a client that
 * reads nothing more (and so never answers pings) unless the test reads.
 */
export async function rawUpgrade(port: number, path: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.removeListener('data', onData);
      socket.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
  });
  return socket;
}

/** A running broker and everything a test opened against it; `cleanup` closes it all. */
export interface Harness {
  broker: Broker;
  addresses: BrokerAddresses;
  url(path?: string): string;
  backend(decide?: Decide): Promise<RawBackend>;
  attempt(path?: string, options?: ClientOptions & { protocols?: string[] }): Promise<Attempt>;
  client(path?: string, options?: ClientOptions & { protocols?: string[] }): Promise<TestClient>;
  http(path: string): Promise<{ status: number; body: string; headers: Headers }>;
  cleanup(): Promise<void>;
}

/** Starts a broker on port 0 (silent logs unless given), with helpers bound to it. */
export async function startBroker(options: BrokerOptions & BrokerParts = {}): Promise<Harness> {
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent', ...options });
  const addresses = await broker.start();
  const backends: RawBackend[] = [];
  const sockets: WebSocket[] = [];
  const url = (path = '/ws/lobby') => `${addresses.wsUrl}${path}`;

  const attempt = (path?: string, opts: ClientOptions & { protocols?: string[] } = {}): Promise<Attempt> =>
    new Promise((resolve) => {
      const { protocols, ...rest } = opts;
      const ws = new WebSocket(url(path), protocols ?? [], rest);
      sockets.push(ws);
      let client: TestClient | undefined;
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ kind: 'http', status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', () => resolve({ kind: 'http', status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      ws.on('open', () => {
        client = new TestClient(ws);
        client.protocol = ws.protocol;
        // A rejection by close code arrives right after open: give the close frame a chance first.
        setImmediate(() => {
          if (client?.closed) resolve({ kind: 'closed', code: client.closeCode as number, reason: client.closeReason, protocol: ws.protocol });
          else resolve({ kind: 'open', client: client as TestClient });
        });
      });
      ws.on('close', (code, reason) => resolve({ kind: 'closed', code, reason: reason.toString(), protocol: ws.protocol }));
      ws.on('error', () => undefined);
    });

  return {
    broker,
    addresses,
    url,
    async backend(decide?: Decide) {
      const before = broker.stats().backends;
      const b = await RawBackend.connect(addresses.tcpPort, decide);
      backends.push(b);
      await waitFor(() => broker.stats().backends > before, 'backend registered');
      return b;
    },
    attempt,
    async client(path?: string, opts?: ClientOptions & { protocols?: string[] }) {
      const result = await attempt(path, opts);
      if (result.kind !== 'open') throw new Error(`expected the client to be accepted, got ${JSON.stringify(result)}`);
      return result.client;
    },
    async http(path: string) {
      const res = await fetch(`http://127.0.0.1:${addresses.wsPort}${path}`);
      return { status: res.status, body: await res.text(), headers: res.headers };
    },
    async cleanup() {
      for (const ws of sockets) ws.terminate();
      for (const b of backends) b.close();
      await broker.stop();
    },
  };
}
