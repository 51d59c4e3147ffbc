// One TCP link to one broker: connects and reconnects with backoff, says hello, decodes frames,
// batches writes once per event-loop turn, holds sends while down or congested, pauses on demand.
import type { Socket } from 'node:net';
import { LineDecoder, type BrokerFrame } from '@strands/protocol';
import { CLUSTER_CAPABILITY, readNewMessageLine, type NewMessageView } from '@strands/protocol/wire';
import { reconnectDelayMs } from './backoff.js';
import { openBrokerSocket } from './broker-socket.js';
import { ContextCache, type KnownClient } from './context-cache.js';
import { BrokerError, SendError, type BackendError } from './errors.js';
import { HeldSends } from './held-sends.js';
import { IdleWatch } from './idle-watch.js';
import { PendingRequests } from './pending-requests.js';
import { attachTicket, type SendTicket } from './send-ticket.js';
import type { BackendLogger } from './logger.js';
import type { BrokerAddress, ResolvedOptions } from './options.js';
import { ackLine, decodeBrokerLine, helloLine } from './wire.js';

/** Where a broker link stands. `rejected`: the broker refused our hello; no more attempts. */
export type BrokerLinkStatus = 'idle' | 'connecting' | 'connected' | 'waiting' | 'rejected' | 'closed';

/** What a link tells its owner. */
export interface LinkOwner {
  onFrame(link: BrokerLink, frame: BrokerFrame): void;
  /** A `new_message` read by the fast reader, its context known. */
  onNewMessage(link: BrokerLink, view: NewMessageView, known: KnownClient): void;
  onConnected(link: BrokerLink): void;
  onDisconnected(link: BrokerLink, error: Error | undefined): void;
  onRejected(link: BrokerLink, error: BrokerError): void;
  /** The link became congested or drained; the owner recomputes whether to pause reading. */
  onPressureChange(): void;
  /** A send a handler returned (so nobody else waits on it) failed. */
  onSendFailed(link: BrokerLink, error: Error): void;
}

interface Batch extends SendTicket {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

const noop = (): void => {};

/** The capability a clustered broker states in `hello_reply` (from the protocol: the broker states the same). */
export { CLUSTER_CAPABILITY };

export class BrokerLink {
  status: BrokerLinkStatus = 'idle';
  /**
   * True once this broker's `hello_reply` announced the `cluster` capability: it carries every
   * command cluster-wide, so a command sent to it must not also go to the other brokers.
   */
  cluster = false;
  /** True once this broker's `hello_reply` announced `history`: it answers `room_history`. */
  history = false;
  /** Failed attempts since the last successful connection. */
  reconnectAttempts = 0;
  /** Set while the socket holds more than `maxWriteBufferBytes` unsent. */
  congested = false;
  lastError: Error | undefined;
  private socket: Socket | undefined;
  private decoder: LineDecoder | undefined;
  private out = '';
  /** Ids of events handled since the last write: one `ack` frame per write. */
  private acks: string[] = [];
  private batch: Batch | undefined;
  private readonly held: HeldSends;
  private paused = false;
  private readonly requests: PendingRequests;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly idle: IdleWatch;
  private closed: Promise<void> | undefined;
  private readonly flushNow = (): void => this.flush();
  /** Contexts of this broker's clients by their JSON text. */
  private readonly contexts: ContextCache;

  constructor(
    readonly broker: BrokerAddress,
    private readonly options: ResolvedOptions,
    private readonly owner: LinkOwner,
    private readonly log: BackendLogger,
  ) {
    this.held = new HeldSends(broker.address, options.maxBufferedSends, options.sendTimeoutMs);
    this.requests = new PendingRequests(broker.address);
    this.contexts = new ContextCache(broker.address);
    this.idle = new IdleWatch(options.brokerIdleTimeoutMs, () => this.paused, () => {
      this.lastError = new Error(`broker ${this.address} sent nothing for ${options.brokerIdleTimeoutMs} ms`);
      this.socket?.destroy();
    });
  }

  get address(): string {
    return this.broker.address;
  }

  /** Sends waiting for this link (down or congested). */
  get heldSends(): number {
    return this.held.size;
  }

  start(): void {
    if (this.status === 'idle') this.connect();
  }

  /**
   * Writes `line` in this turn's batch, or holds it while the link is down or congested.
   * Resolves once handed to the kernel. The returned promise is marked handled: a caller that
   * drops it gets no unhandled rejection (the failure is logged at debug level).
   */
  send(line: string): Promise<void> {
    if (this.status === 'rejected' || this.status === 'closed') {
      const refused = Promise.reject(
        this.status === 'rejected' && this.lastError ? this.lastError : new SendError('closed', `broker ${this.address} link is closed`, this.address),
      );
      refused.catch(noop);
      return refused;
    }
    return this.status === 'connected' && !this.congested && this.held.size === 0 ? this.enqueue(line) : this.hold(line);
  }

  /**
   * Acknowledges a handled event in this turn's write (one `ack` for all of them). Dropped while
   * the link is down: the broker took back what that connection held and redelivers it.
   */
  ack(id: string): void {
    if (this.status !== 'connected') return;
    this.acks.push(id);
    if (this.batch === undefined) this.enqueue('');
  }

  /** Sends `line` and waits for the broker's reply frame with `requestId` (or its `error_reply`). */
  request(line: string, requestId: string, timeoutMs: number): Promise<BrokerFrame> {
    const answer = this.requests.wait(requestId, timeoutMs);
    this.send(line).catch((error: Error) => this.requests.fail(requestId, error));
    return answer;
  }

  /** Stops or restarts reading from the broker (backpressure toward it). */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) this.socket?.pause();
    else this.socket?.resume();
  }

  /** Flushes what is owed, ends the socket, rejects what could not go out. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    const wasConnected = this.status === 'connected';
    this.status = 'closed';
    clearTimeout(this.reconnectTimer);
    this.idle.stop();
    const socket = this.socket;
    if (socket !== undefined && wasConnected) {
      // Frames still arriving are not taken any more; reading on lets the socket see the broker's end.
      this.decoder = undefined;
      socket.resume();
      if (!this.congested) for (const held of this.held.takeAll()) this.enqueue(held.line).then(held.resolve, held.reject);
      this.flush();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => socket.destroy(), 2000);
        socket.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        socket.end();
      });
    } else {
      socket?.destroy();
    }
    this.held.rejectAll(new SendError('closed', 'the backend closed before this send went out', this.address));
  }

  private enqueue(line: string): Promise<void> {
    this.out += line;
    if (this.batch === undefined) {
      let resolve = noop;
      let reject: (error: Error) => void = noop;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(noop);
      this.batch = { promise, resolve, reject, returned: false };
      attachTicket(promise, this.batch);
      setImmediate(this.flushNow);
    }
    return this.batch.promise;
  }

  private hold(line: string): Promise<void> {
    const promise = this.held.hold(line);
    const ticket: SendTicket = { returned: false };
    attachTicket(promise, ticket);
    promise.catch((error: Error) => {
      if (ticket.returned) this.owner.onSendFailed(this, error);
      else this.log.debug({ err: error, broker: this.address }, 'send failed');
    });
    return promise;
  }

  /** Rejects a batch's sends; reported here when a handler returned one of them. */
  private failBatch(batch: Batch, error: SendError): void {
    batch.reject(error);
    if (batch.returned) this.owner.onSendFailed(this, error);
  }

  private flush(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    let data = this.out;
    this.out = '';
    this.batch = undefined;
    if (this.acks.length > 0) {
      // After the sends of the same turn: a handler's replies leave before its acknowledgement.
      data += ackLine(this.acks);
      this.acks = [];
    }
    const socket = this.socket;
    if (socket === undefined || this.status === 'closed' && socket.writableEnded) {
      this.failBatch(batch, new SendError('connection_lost', `broker ${this.address} link dropped before the write`, this.address));
      return;
    }
    socket.write(data, (error) => {
      if (error) this.failBatch(batch, new SendError('connection_lost', `write to broker ${this.address} failed`, this.address, { cause: error }));
      else batch.resolve();
    });
    if (!this.congested && socket.writableLength > this.options.maxWriteBufferBytes) {
      this.congested = true;
      this.log.warn({ broker: this.address, bytes: socket.writableLength }, 'broker is not reading; holding sends');
      this.owner.onPressureChange();
    }
  }

  private connect(): void {
    this.status = 'connecting';
    // Plain TCP or TLS (the address's `tls`); a TLS failure arrives as a TlsError, already logged with its reason.
    const socket = openBrokerSocket(
      this.broker,
      this.options.connectTimeoutMs,
      {
        opened: (s) => this.opened(s),
        failed: (error) => {
          this.lastError = error;
        },
      },
      this.log,
    );
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => this.drained());
    socket.on('close', () => this.lost(socket));
  }

  private opened(socket: Socket): void {
    socket.setTimeout(0);
    socket.setKeepAlive(true, 10_000);
    this.status = 'connected';
    this.reconnectAttempts = 0;
    this.lastError = undefined;
    this.decoder = new LineDecoder({ maxLineBytes: this.options.maxLineBytes });
    if (this.paused) socket.pause();
    // hello goes first; PyStrands brokers ignore the unknown action and never answer it.
    this.enqueue(helloLine(this.options.name, this.options.token, this.options.acknowledge));
    for (const held of this.held.takeAll()) this.enqueue(held.line).then(held.resolve, held.reject);
    this.idle.start();
    this.log.info({ broker: this.address }, 'connected to broker');
    this.owner.onConnected(this);
  }

  private received(chunk: Buffer): void {
    this.idle.touch();
    const decoder = this.decoder;
    if (decoder === undefined) return;
    for (const out of decoder.push(chunk)) {
      if ('error' in out) {
        this.log.warn({ broker: this.address, err: out.error }, 'skipped an oversize frame');
        continue;
      }
      // Client messages, nearly every line, in the shape Strands brokers write them: read by position.
      const view = readNewMessageLine(out.line);
      const known = view === undefined ? undefined : this.contexts.read(view.contextJson);
      if (known !== undefined) {
        this.owner.onNewMessage(this, view!, known);
        if (this.status !== 'connected') return;
        continue;
      }
      const decoded = decodeBrokerLine(out.line);
      if (decoded === null) continue;
      if ('error' in decoded) {
        this.log.warn({ broker: this.address, err: decoded.error }, 'skipped a malformed frame');
        continue;
      }
      const frame = decoded.frame;
      if (frame.action === 'heartbeat') continue;
      if (frame.action === 'hello_reply') {
        if (!frame.params.accepted) this.rejected(frame.params.reason);
        else {
          this.cluster = frame.params.capabilities?.includes(CLUSTER_CAPABILITY) ?? false;
          this.history = frame.params.capabilities?.includes('history') ?? false;
        }
        continue;
      }
      if (this.requests.settle(frame)) continue;
      this.owner.onFrame(this, frame);
      if (this.status !== 'connected') return;
    }
  }

  private rejected(reason: string | undefined): void {
    const error = new BrokerError('hello_rejected', `broker ${this.address} refused this backend: ${reason ?? 'no reason given'}`, this.address);
    this.status = 'rejected';
    this.lastError = error;
    this.held.rejectAll(error);
    this.socket?.destroy();
    this.owner.onRejected(this, error);
  }

  private drained(): void {
    if (!this.congested) return;
    this.congested = false;
    for (const held of this.held.takeAll()) this.enqueue(held.line).then(held.resolve, held.reject);
    this.owner.onPressureChange();
  }

  private lost(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.decoder = undefined;
    this.acks = [];
    this.contexts.clear();
    this.idle.stop();
    const wasConnected = this.status === 'connected';
    if (this.batch !== undefined) this.flush();
    const wasCongested = this.congested;
    this.congested = false;
    if (wasConnected) this.requests.failAll();
    if (wasCongested) this.owner.onPressureChange();
    if (this.status === 'closed' || this.status === 'rejected') return;
    this.status = 'waiting';
    if (wasConnected) {
      this.log.warn({ broker: this.address, err: this.lastError }, 'lost the broker; reconnecting');
      this.owner.onDisconnected(this, this.lastError);
    }
    const delay = reconnectDelayMs(this.reconnectAttempts, this.options);
    this.reconnectAttempts += 1;
    this.log.debug({ broker: this.address, delayMs: delay, attempt: this.reconnectAttempts }, 'reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      if (this.status === 'waiting') this.connect();
    }, delay);
  }
}
