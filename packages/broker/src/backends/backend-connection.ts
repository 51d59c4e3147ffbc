// One backend's TCP connection: line decoding in, batched writes out, and its liveness bookkeeping.
import type { Socket } from 'node:net';
import { LineDecoder, type FrameError } from '@strands/protocol';

/** What a backend connection reports to the broker. */
export interface BackendConnectionEvents<O> {
  line(backend: BackendConnection<O>, line: string): void;
  oversize(backend: BackendConnection<O>, error: FrameError): void;
  /** The socket is gone (closed by either side); called once. */
  closed(backend: BackendConnection<O>, reason: string): void;
}

let nextId = 0;

/**
 * Outbound lines are collected during one event-loop turn and written with one `write`: the
 * single biggest throughput win on this link. `O` is the client an event concerns, kept beside
 * each unsent line so that a dying backend's unsent events can go elsewhere, in order.
 */
export class BackendConnection<O> {
  readonly id = ++nextId;
  readonly remote: string;
  readonly connectedAt = Date.now();
  /** Name given in `hello`, once said. */
  name: string | undefined;
  /** True once the backend said `hello`: it then gets `error_reply` frames. */
  saidHello = false;
  /** True when the backend may act (no token configured, or a `hello` with the right token). */
  authorized: boolean;
  /** False once the connection is closing; no more lines are accepted. */
  alive = true;
  /** True when the broker cut this backend (stalled, overflowing, unauthenticated). */
  droppedByBroker = false;
  /** Connection requests sent and not yet answered. */
  pendingRequests = 0;
  /** Heartbeats in a row at which unsent bytes waited and none had left since the previous one. */
  stalledBeats = 0;
  private progressed = false;
  private lines: string[] = [];
  private owners: (O | null)[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private readonly decoder: LineDecoder;
  private readonly maxBufferBytes: number;
  private readonly afterWrite = (error?: Error | null): void => {
    if (!error) this.progressed = true;
  };

  constructor(
    readonly socket: Socket,
    private readonly events: BackendConnectionEvents<O>,
    options: { maxLineBytes: number; maxBufferBytes: number; authorized: boolean },
  ) {
    this.authorized = options.authorized;
    this.maxBufferBytes = options.maxBufferBytes;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new LineDecoder({ maxLineBytes: options.maxLineBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {
      // 'close' follows; the reason is logged there.
    });
    socket.on('close', (hadError) => this.gone(hadError ? 'socket error' : 'closed by backend'));
  }

  /** Bytes not yet taken by the kernel, including this turn's batch. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.pendingBytes;
  }

  /** Queues a line for this turn's write. Returns false when the backend is closing or its buffer overflowed. */
  send(line: string, owner: O | null): boolean {
    if (!this.alive) return false;
    this.lines.push(line);
    this.owners.push(owner);
    this.pendingBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.socket.writableLength + this.pendingBytes > this.maxBufferBytes) {
      this.drop('outbound buffer overflow: the backend is not reading');
      return false;
    }
    return true;
  }

  /** Writes every queued line now, as one write. */
  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0 || !this.alive) return;
    const data = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join('');
    this.lines = [];
    this.owners = [];
    this.pendingBytes = 0;
    this.socket.write(data, this.afterWrite);
  }

  /** Removes and returns the lines never handed to the socket (the backend died before its flush). */
  takeUnsent(): { lines: string[]; owners: (O | null)[] } {
    const unsent = { lines: this.lines, owners: this.owners };
    this.lines = [];
    this.owners = [];
    this.pendingBytes = 0;
    return unsent;
  }

  /** Heartbeat-time check: true when bytes wait and none left since the last check, twice in a row. */
  checkStalled(): boolean {
    if (this.socket.writableLength > 0 && !this.progressed) this.stalledBeats += 1;
    else this.stalledBeats = 0;
    this.progressed = false;
    return this.stalledBeats >= 2;
  }

  /** Cuts the connection now; `closed` follows with this reason. */
  drop(reason: string): void {
    if (!this.alive) return;
    this.droppedByBroker = true;
    this.gone(reason);
    this.socket.destroy();
  }

  /** Flushes what is owed, then half-closes; resolves when the socket is closed or after `timeoutMs`. */
  async end(timeoutMs: number): Promise<void> {
    this.flush();
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  private onData(chunk: Buffer): void {
    if (!this.alive) return;
    for (const out of this.decoder.push(chunk)) {
      if (!this.alive) return;
      if ('line' in out) this.events.line(this, out.line);
      else this.events.oversize(this, out.error);
    }
  }

  private gone(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.events.closed(this, reason);
  }
}
