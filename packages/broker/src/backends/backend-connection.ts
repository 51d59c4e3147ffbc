// One backend's TCP connection: line decoding in, batched writes out, and its liveness bookkeeping.
import type { Socket } from 'node:net';
import { LineDecoder, type FrameError } from '@strands/protocol/wire';
import type { EventConsumer } from '../core/consumers.js';
import { HTTP_REFUSAL, looksLikeHttp } from './http-sniff.js';
import { WriteProgress } from './backend-progress.js';

/** What a backend connection reports to the broker. */
export interface BackendConnectionEvents {
  line(backend: BackendConnection, line: string): void;
  oversize(backend: BackendConnection, error: FrameError): void;
  /** A write completed: the kernel took `events` more client events. */
  written(backend: BackendConnection, events: number): void;
  /** The socket is gone (closed by either side); called once. */
  closed(backend: BackendConnection, reason: string): void;
  /** Its unsent bytes passed the high-water mark: stop taking work for it (its clients are not read). */
  behind?(backend: BackendConnection): void;
  /** After `behind`: its unsent bytes are back under half the mark, or it is gone. */
  caughtUp?(backend: BackendConnection): void;
}

/**
 * Where a backend connection is in its life, moving only forward:
 * `unverified` (connected; a token is required and no `hello` with it came yet: nothing it
 * sends is acted on), `ready` (it may act and take work), `ending` (the broker half-closes it
 * once what is owed is written), `closed` (the socket is gone).
 */
export type BackendState = 'unverified' | 'ready' | 'ending' | 'closed';

/** Who ended a closed connection. */
export type ClosedBy = 'backend' | 'broker';

const STATE_ORDER: Readonly<Record<BackendState, number>> = { unverified: 0, ready: 1, ending: 2, closed: 3 };

// Bounds one write so that its completion is a meaningful sign of progress for the stall check.
const MAX_WRITE_BYTES = 1024 * 1024;

let nextId = 0;

/**
 * Outbound lines are collected during one event-loop turn and written with one `write`: the
 * single biggest throughput win on this link. Client events are counted per write so that the
 * event store learns, write by write, which events the kernel took; what it never took the store
 * gives to another backend when this one dies.
 */
export class BackendConnection implements EventConsumer {
  readonly id = ++nextId;
  readonly remote: string;
  readonly connectedAt = Date.now();
  /** Name given in `hello`, once said. */
  name: string | undefined;
  /** True once the backend said `hello`: it then gets `error_reply` frames. */
  saidHello = false;
  /** True once its `hello` announced the `ack` capability: events carry ids and wait for its `ack`. */
  acks = false;
  /**
   * True once it proved itself a backend (see BackendRegistry.accept); until then it gets no
   * connection requests and no events.
   */
  proven = false;
  /** Set when the socket is gone. */
  closedBy: ClosedBy | undefined;
  private current: BackendState;
  /** Connection requests sent and not yet answered. */
  pendingRequests = 0;
  /** Connection requests in a row that this backend let time out. */
  private lapses = 0;
  /** Until when it gets no new clients (ms since the epoch; 0: in rotation). */
  benchedUntil = 0;
  private readonly progress: WriteProgress;
  /** Client events in the write under way, once one is. */
  private inflightEvents: number | undefined;
  private lines: string[] = [];
  /** Parallel to `lines`: whether each is a client event (the rest are replies, requests, heartbeats). */
  private isEvent: boolean[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** True until the first bytes arrived (they are checked for HTTP). */
  private firstRead = true;
  private readonly decoder: LineDecoder;
  private readonly maxBufferBytes: number;
  private readonly flushNow = (): void => this.flush();
  private readonly afterWrite = (error?: Error | null): void => {
    const events = this.inflightEvents ?? 0;
    this.inflightEvents = undefined;
    if (error) return;
    this.progress.wrote();
    if (events > 0) this.events.written(this, events);
    this.flush();
    if (this.progress.backUnder(this.bufferedBytes)) this.events.caughtUp?.(this);
    this.endIfDrained();
    this.afterWriteHook();
  };
  private writtenHook: (() => void) | undefined;

  constructor(
    readonly socket: Socket,
    private readonly events: BackendConnectionEvents,
    options: { maxLineBytes: number; maxBufferBytes: number; authorized: boolean },
  ) {
    this.current = options.authorized ? 'ready' : 'unverified';
    this.maxBufferBytes = options.maxBufferBytes;
    this.progress = new WriteProgress(options.maxBufferBytes);
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new LineDecoder({ maxLineBytes: options.maxLineBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {
      // 'close' follows; the reason is logged there.
    });
    socket.on('close', (hadError) => this.gone(hadError ? 'socket error' : 'closed by backend'));
  }

  get state(): BackendState {
    return this.current;
  }

  /** True when the backend may act (no token configured, or a `hello` with the right token). */
  get authorized(): boolean {
    return this.current !== 'unverified';
  }

  /** False once the socket is gone; no more lines are accepted. */
  get alive(): boolean {
    return this.current !== 'closed';
  }

  /** True while nothing at all came from it (an HTTP client, the thing to keep out, speaks first). */
  get silent(): boolean {
    return this.firstRead;
  }

  /** True while its unsent bytes are past the high-water mark (between `behind` and `caughtUp`). */
  get isBehind(): boolean {
    return this.progress.behind;
  }

  /** True when the broker cut this backend (stalled, overflowing, unauthenticated). */
  get droppedByBroker(): boolean {
    return this.closedBy === 'broker';
  }

  /** The one place the state changes; it only moves forward. */
  private setState(next: BackendState): void {
    if (STATE_ORDER[next] > STATE_ORDER[this.current]) this.current = next;
  }

  /** The backend proved itself with the token: it may act now. */
  verify(): void {
    this.setState('ready');
  }

  /** It answered a connection request in time: back in rotation, lapses forgotten. */
  answeredInTime(): void {
    this.lapses = 0;
    this.benchedUntil = 0;
  }

  /**
   * It let a connection request time out; after `limit` in a row it is benched for `benchMs`.
   * Returns true when this lapse benched it.
   */
  missedDecision(now: number, limit: number, benchMs: number): boolean {
    this.lapses += 1;
    if (this.lapses < limit) return false;
    this.lapses = 0;
    this.benchedUntil = now + benchMs;
    return true;
  }

  /** Bytes not yet taken by the kernel, including this turn's batch. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.pendingBytes;
  }

  /**
   * Queues a line for this turn's write. Returns false, keeping nothing, when the backend is
   * closing or this line would take its unsent bytes past the bound (the backend is then dropped).
   */
  send(line: string): boolean {
    return this.queue(line, false);
  }

  /** Queues a client event line; like `send`, and counted for the event store. */
  sendEvent(line: string, _clientId: string): boolean {
    return this.queue(line, true);
  }

  private queue(line: string, isEvent: boolean): boolean {
    if (!this.alive) return false;
    const buffered = this.socket.writableLength + this.pendingBytes + line.length;
    if (buffered > this.maxBufferBytes) {
      // Past the high-water mark its clients are no longer read, so this takes what cannot be
      // paused (another broker's relayed clients, replies it does not read) piling up: the memory bound.
      this.drop('outbound buffer over maxBackendBufferBytes');
      return false;
    }
    this.lines.push(line);
    this.isEvent.push(isEvent);
    this.pendingBytes += line.length;
    if (this.progress.passedHighWater(buffered)) this.events.behind?.(this);
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
    if (this.inflightEvents !== undefined || this.lines.length === 0 || this.current === 'closed') return;
    let count = 0;
    let bytes = 0;
    let events = 0;
    while (count < this.lines.length && (count === 0 || bytes < MAX_WRITE_BYTES)) {
      bytes += (this.lines[count] as string).length;
      if (this.isEvent[count] === true) events += 1;
      count += 1;
    }
    let lines: string[];
    if (count === this.lines.length) {
      lines = this.lines;
      this.lines = [];
      this.isEvent = [];
    } else {
      lines = this.lines.splice(0, count);
      this.isEvent.splice(0, count);
    }
    this.pendingBytes -= bytes;
    this.inflightEvents = events;
    this.socket.write(lines.length === 1 ? (lines[0] as string) : lines.join(''), this.afterWrite);
  }

  /** Stops (false) or restarts (true) reading from the socket; writing goes on. */
  setReading(on: boolean): void {
    if (on) this.socket.resume();
    else this.socket.pause();
  }

  /** Calls `hook` once, after the next write completes (a paused queue flush resumes then). */
  onWritten(hook: () => void): void {
    this.writtenHook = hook;
    if (this.inflightEvents === undefined && this.lines.length === 0) queueMicrotask(() => this.afterWriteHook());
  }

  private afterWriteHook(): void {
    const hook = this.writtenHook;
    this.writtenHook = undefined;
    hook?.();
  }

  /** Heartbeat-time check: true when a write waited on the kernel for two beats without a byte of it taken. */
  checkStalled(): boolean {
    return this.progress.check(this.socket, this.inflightEvents !== undefined);
  }

  /** Cuts the connection now; `closed` follows with this reason. */
  drop(reason: string): void {
    if (this.current === 'closed') return;
    this.closedBy = 'broker';
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
      this.setState('ending');
      this.flush();
      this.endIfDrained();
    });
  }

  private endIfDrained(): void {
    if (this.current === 'ending' && this.inflightEvents === undefined && this.lines.length === 0) this.socket.end();
  }

  private onData(chunk: Buffer): void {
    if (!this.alive) return;
    if (this.firstRead) {
      this.firstRead = false;
      if (looksLikeHttp(chunk)) return this.refuseHttp();
    }
    for (const out of this.decoder.push(chunk)) {
      if (!this.alive) return;
      if ('line' in out) this.events.line(this, out.line);
      else this.events.oversize(this, out.error);
    }
  }

  /** Answers 400 and cuts the connection: an HTTP client is never taken for a backend. */
  private refuseHttp(): void {
    this.closedBy = 'broker';
    this.gone('HTTP request on the backend port');
    this.socket.end(HTTP_REFUSAL);
    this.socket.destroySoon();
  }

  private gone(reason: string): void {
    if (this.current === 'closed') return;
    this.closedBy ??= 'backend';
    this.setState('closed');
    this.events.closed(this, reason);
    // Its clients move to another backend (or the queue): they are read again.
    if (this.progress.backUnder(0)) this.events.caughtUp?.(this);
  }
}
