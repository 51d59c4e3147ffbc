// A tiny real WebSocket server standing in for the broker in unit tests: it speaks the
// strands.v1 rejection convention and can drop, restart and reject on demand.
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { Inbox } from './inbox.js';

export class Peer {
  readonly messages = new Inbox<string>();
  readonly closed: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => this.messages.push(isBinary ? `binary:${(data as Buffer).toString('hex')}` : data.toString()));
    this.closed = new Promise((resolve) => ws.on('close', () => resolve()));
  }

  send(text: string): void {
    this.ws.send(text);
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** The next message, parsed as JSON. */
  async nextJson<T = Record<string, unknown>>(): Promise<T> {
    return JSON.parse(await this.messages.next()) as T;
  }
}

export interface TestServerOptions {
  /** Close code and reason to reject a connection with, or undefined to accept it. */
  reject?: (request: IncomingMessage) => [code: number, reason: string] | undefined;
}

export class TestServer {
  readonly peers = new Inbox<Peer>();
  readonly attempts: string[] = [];
  private server: WebSocketServer | undefined;
  private port = 0;

  constructor(private readonly options: TestServerOptions = {}) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    // As the broker does: decide before the upgrade, and select the refusal subprotocol for a
    // refused client that offers it.
    const rejections = new WeakMap<IncomingMessage, [code: number, reason: string]>();
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: this.port,
      handleProtocols: (protocols, request) => {
        const rejection = this.options.reject?.(request);
        if (rejection) rejections.set(request, rejection);
        if (rejection && protocols.has('strands.v1.refusal')) return 'strands.v1.refusal';
        return protocols.has('strands.v1') ? 'strands.v1' : false;
      },
    });
    server.on('connection', (ws, request) => {
      this.attempts.push(request.url ?? '');
      const rejection = rejections.get(request) ?? (ws.protocol === '' ? this.options.reject?.(request) : undefined);
      if (rejection) ws.close(...rejection);
      else this.peers.push(new Peer(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops every client abruptly (as a crashed broker would). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Starts a server; stop it in afterEach. */
export function startServer(options?: TestServerOptions): Promise<TestServer> {
  return new TestServer(options).start();
}

export { WebSocket };
