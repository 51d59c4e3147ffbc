// A fake broker at the frame level: a net.Server speaking newline JSON, for what the real broker
// cannot easily produce (split frames, silence, restarts, a broker that stops reading).
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

export interface Frame {
  action: string;
  request_id: string;
  params: Record<string, unknown>;
}

const GUARD_MS = 15_000;

/** One backend connected to the fake broker. */
export class FakeLink {
  readonly frames: Frame[] = [];
  private waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private buffer = '';
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const frame = JSON.parse(line) as Frame;
        this.frames.push(frame);
        this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
      }
    });
    socket.on('error', () => {});
    this.closed = once(socket, 'close').then(() => undefined);
  }

  /** Resolves with the first frame (already received or next) matching `test`. */
  waitFor(test: (frame: Frame) => boolean, what = 'a frame'): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return guard(new Promise<Frame>((resolve) => this.waiters.push({ test, resolve })), `waiting for ${what}`);
  }

  /** Resolves with the first frame of `action` (matching `predicate`), received before or after the call. */
  waitForAction(action: string, predicate: (frame: Frame) => boolean = () => true): Promise<Frame> {
    return this.waitFor((f) => f.action === action && predicate(f), `action ${action}`);
  }

  /** Resolves once `count` frames of `action` have arrived. */
  async waitForCount(action: string, count: number): Promise<Frame[]> {
    await guard(
      new Promise<void>((resolve) => {
        const check = () => this.frames.filter((f) => f.action === action).length >= count;
        if (check()) return resolve();
        const test = () => check();
        this.waiters.push({ test, resolve: () => resolve() });
      }),
      `${count} × ${action}`,
    );
    return this.frames.filter((f) => f.action === action);
  }

  send(frame: Frame | string): boolean {
    return this.socket.write(typeof frame === 'string' ? frame : `${JSON.stringify(frame)}\n`);
  }

  /** Writes `text` one byte per write, letting the event loop turn between writes. */
  async sendBytewise(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 1) {
      this.socket.write(bytes.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

export class FakeBroker {
  readonly links: FakeLink[] = [];
  private server: Server | undefined;
  private linkWaiters: (() => void)[] = [];
  port = 0;

  static async start(port = 0): Promise<FakeBroker> {
    const broker = new FakeBroker();
    await broker.listen(port);
    return broker;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async listen(port = this.port): Promise<void> {
    const server = createServer((socket) => {
      const link = new FakeLink(socket);
      this.links.push(link);
      const waiters = this.linkWaiters;
      this.linkWaiters = [];
      for (const check of waiters) check();
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Resolves with link number `index` (0 = first connection) once it exists. */
  link(index: number): Promise<FakeLink> {
    return guard(
      new Promise<FakeLink>((resolve) => {
        const check = (): void => {
          const link = this.links[index];
          if (link) resolve(link);
          else this.linkWaiters.push(check);
        };
        check();
      }),
      `backend connection #${index + 1}`,
    );
  }

  /** Closes the server and every connection (a broker crash, as backends see it). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const link of this.links) link.socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Rejects after a generous guard so a broken test fails with a message instead of hanging. */
export function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out ${what}`)), ms);
    }),
  ]);
}

/** Resolves once `condition()` holds, checking after each event-loop turn (guarded). */
export function until(condition: () => boolean, what = 'a condition'): Promise<void> {
  return guard(
    new Promise<void>((resolve) => {
      const check = () => (condition() ? resolve() : setTimeout(check, 5));
      check();
    }),
    `waiting for ${what}`,
  );
}

let seq = 0;
const id = () => `t${++seq}`;

export const frames = {
  connectionRequest(url: string, headers: Record<string, string[]> = {}, extra: Record<string, unknown> = {}): Frame {
    return { action: 'connection_request', request_id: id(), params: { headers, url, remote_addr: '10.0.0.1:5555', ...extra } };
  },
  newConnection(clientId: string, roomId = 'room', metadata: Record<string, unknown> = {}): Frame {
    return { action: 'new_connection', request_id: id(), params: { context: { client_id: clientId, room_id: roomId, metadata } } };
  },
  newMessage(clientId: string, message: string, roomId = 'room', metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Frame {
    return { action: 'new_message', request_id: id(), params: { message, context: { client_id: clientId, room_id: roomId, metadata }, ...extra } };
  },
  disconnected(clientId: string, roomId = 'room'): Frame {
    return { action: 'disconnected', request_id: id(), params: { context: { client_id: clientId, room_id: roomId, metadata: {} } } };
  },
  heartbeat(): Frame {
    return { action: 'heartbeat', request_id: 'heartbeat', params: {} };
  },
};
