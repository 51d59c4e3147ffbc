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

/** Lines written together, with the client each concerns (null: meant for this backend alone). */
export interface Batch<O> {
  lines: string[];
  owners: (O | null)[];
}

// Bounds one write so that its completion is a meaningful sign of progress for the stall check.
const MAX_WRITE_BYTES = 1024 * 1024;

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
  private inflight: Batch<O> | undefined;
  private writing = false;
  private ending = false;
  private lines: string[] = [];
  private owners: (O | null)[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private readonly decoder: LineDecoder;
  private readonly maxBufferBytes: number;
  private readonly flushNow = (): void => this.flush();
  private readonly afterWrite = (error?: Error | null): void => {
    this.writing = false;
    if (error) return;
    this.inflight = undefined;
    this.progressed = true;
    this.flush();
    this.endIfDrained();
    this.afterWriteHook();
  };
  private writtenHook: (() => void) | undefined;

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

  /**
   * Queues a line for this turn's write. Returns false, keeping nothing, when the backend is
   * closing or this line would take its unsent bytes past the bound (the backend is then dropped).
   */
  send(line: string, owner: O | null): boolean {
    if (!this.alive) return false;
    if (this.socket.writableLength + this.pendingBytes + line.length > this.maxBufferBytes) {
      this.drop('outbound buffer overflow: the backend is not reading');
      return false;
    }
    this.lines.push(line);
    this.owners.push(owner);
    this.pendingBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
    return true;
  }

  /**
   * Writes queued lines as one write (at most MAX_WRITE_BYTES, at least one line). One write is
   * outstanding at a time: its batch is kept until the kernel took it, and its completion is
   * the progress the stall check looks for.
   */
  flush(): void {
    this.scheduled = false;
    if (this.writing || this.lines.length === 0 || !this.alive) return;
    let count = 0;
    let bytes = 0;
    while (count < this.lines.length && (count === 0 || bytes < MAX_WRITE_BYTES)) {
      bytes += (this.lines[count] as string).length;
      count += 1;
    }
    let batch: Batch<O>;
    if (count === this.lines.length) {
      batch = { lines: this.lines, owners: this.owners };
      this.lines = [];
      this.owners = [];
    } else {
      batch = { lines: this.lines.splice(0, count), owners: this.owners.splice(0, count) };
    }
    this.pendingBytes -= bytes;
    this.inflight = batch;
    this.writing = true;
    const data = batch.lines.length === 1 ? (batch.lines[0] as string) : batch.lines.join('');
    this.socket.write(data, this.afterWrite);
  }

  /**
   * Removes and returns, in order, the lines the kernel never took (the write in flight, then
   * the queued lines): what a dead backend certainly did not receive.
   */
  takeUnsent(): Batch<O> {
    const unsent: Batch<O> = {
      lines: [...(this.inflight?.lines ?? []), ...this.lines],
      owners: [...(this.inflight?.owners ?? []), ...this.owners],
    };
    this.inflight = undefined;
    this.lines = [];
    this.owners = [];
    this.pendingBytes = 0;
    return unsent;
  }

  /** Stops (false) or restarts (true) reading from the socket; writing goes on. */
  setReading(on: boolean): void {
    if (on) this.socket.resume();
    else this.socket.pause();
  }

  /** Calls `hook` once, after the next write completes (a paused queue flush resumes then). */
  onWritten(hook: () => void): void {
    this.writtenHook = hook;
    if (!this.writing && this.lines.length === 0) queueMicrotask(() => this.afterWriteHook());
  }

  private afterWriteHook(): void {
    const hook = this.writtenHook;
    this.writtenHook = undefined;
    hook?.();
  }

  /** Heartbeat-time check: true when a write has been waiting on the kernel since the previous check, twice in a row. */
  checkStalled(): boolean {
    if (this.writing && !this.progressed) this.stalledBeats += 1;
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

  /** Writes everything owed, then half-closes; resolves when the socket is closed or after `timeoutMs`. */
  async end(timeoutMs: number): Promise<void> {
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
      this.ending = true;
      this.flush();
      this.endIfDrained();
    });
  }

  private endIfDrained(): void {
    if (this.ending && !this.writing && this.lines.length === 0) this.socket.end();
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
