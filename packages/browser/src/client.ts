// The connection: one WebSocket at a time, reconnected with backoff until it is rejected,
// closed by the user, or out of attempts; sends are buffered across the gaps.
import type { Contract } from '@strands/protocol';
import { RESERVED_EVENT_NAMES } from '@strands/protocol/wire';
import { backoffDelayMs } from './backoff.js';
import { Calls } from './calls.js';
import type { ConfirmLayer, Refusal } from './confirm-layer.js';
import { STRANDS_REFUSAL_SUBPROTOCOL, STRANDS_SUBPROTOCOL, finalCloseError } from './close-codes.js';
import { Emitter } from './emitter.js';
import { StrandsClientError } from './errors.js';
import { type Lifecycle, move, publicState, retryState } from './lifecycle.js';
import { type ConnectOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { SendBuffer, type CallState } from './send-buffer.js';
import type { SessionEvents, SessionLayer } from './session.js';
import type {
  ClientState,
  ContractEvents,
  FireRoute,
  InputOf,
  ItemOf,
  OutputOf,
  RequestRoute,
  SendData,
  StreamRoute,
  WebSocketLike,
} from './types.js';

/** The events of a client and what their listeners receive. */
export interface ClientEvents extends SessionEvents {
  /** The connection is up; buffered sends go out right after. A rejection may still follow at once. */
  open: { reconnected: boolean; protocol: string };
  /** A message that is not a reply to one of this client's requests or streams. */
  message: string | ArrayBuffer;
  /** A socket closed; `willReconnect` false means the client is now `closed`. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** A reconnect is scheduled: `attempt` counts from 1, `delayMs` is the jittered wait. */
  reconnecting: { attempt: number; delayMs: number };
  /** The client ended for a reason other than `close()`: rejected, replaced, or gave up. */
  error: StrandsClientError;
  /**
   * The broker refused or dropped a message of this client that no promise reports: a plain
   * send (no `id`), or a confirmed one dropped after it was accepted (queue overflow, dead letter).
   */
  refused: Refusal;
}

/** Per-send options. */
export interface SendOptions {
  /**
   * Resolve only once the broker passed the message to a backend or queued it; reject with
   * `overloaded` or `no_backend` when it refused it, `closed` when the connection closed first.
   */
  confirm?: boolean;
}

/** Per-request options. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs` for this request. */
  timeoutMs?: number;
}

const OPEN = 1;

/** A Strands connection; create it with {@link connect}. Its events: the client's own, and the contract's (pushed by the backend). */
export class StrandsClient<C extends Contract = Contract> extends Emitter<ClientEvents, ClientEvents & ContractEvents<C>> {
  private socket: WebSocketLike | undefined;
  /** Changed only by setState(). */
  private lifecycle: Lifecycle = 'connecting';
  /** Why the client is `closed`; set by end(), with that state. */
  private ended: StrandsClientError | undefined;
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly buffer: SendBuffer;
  private readonly calls: Calls;
  /** Confirmed sends (the `confirms` option). */
  private readonly confirms: ConfirmLayer | undefined;
  /** Positions per room and the resume token (the `session` option); only where strands.v1 is offered. */
  private readonly session: SessionLayer | undefined;
  /** The socket now got its first `session` envelope (later ones only refresh the token). */
  private sessionSeen = false;
  /** Sockets opened so far: the index into a list of broker URLs. */
  private sockets = 0;

  constructor(
    private readonly url: string | readonly string[] | (() => string),
    private readonly options: ResolvedOptions,
  ) {
    super();
    this.buffer = new SendBuffer(options.maxBufferedMessages);
    // A pushed event named like one of the client's own (`error`, `open`...) is dropped, never emitted as it.
    this.calls = new Calls((text, call) => this.write(text, call), options.streamCredits, (name, data) => {
      if (!RESERVED_EVENT_NAMES.includes(name)) this.emit(name as never, data as never);
    });
    if (options.protocols.includes(STRANDS_SUBPROTOCOL)) this.session = options.session;
    (this.confirms = options.confirms)?.bind((refusal) => this.emit('refused', refusal));
    this.openSocket();
  }

  /** Where the client is now: `connecting`, `open`, `reconnecting`, or `closed` (final). */
  get state(): ClientState {
    return publicState(this.lifecycle);
  }

  /**
   * Sends text or binary. Resolves once handed to an accepted connection (not a delivery
   * receipt); while disconnected it waits in the buffer. Rejects with `buffer_full`, `closed`,
   * or the error that ended the client; an unhandled rejection is the only way a send is lost.
   * With `{ confirm: true }` (and the `confirms` option) it resolves once the broker handed it to a
   * backend or queued it, and rejects with `overloaded`, `no_backend` or `closed` (README: *Confirmed sends*).
   * @example
   * await client.send('hello', { confirm: true }); // the broker has it: show "sent"
   */
  send(data: SendData, options?: SendOptions): Promise<void> {
    if (!options?.confirm) return this.write(data);
    return this.confirms?.start((call) => this.write(data, call)) ?? Promise.reject(new TypeError('no confirms option'));
  }

  /** `send(JSON.stringify(value))`. */
  sendJson(value: unknown): Promise<void> {
    return this.write(JSON.stringify(value));
  }

  /**
   * Calls a request/response route and resolves to its output. Fails with `timeout`,
   * `remote_error` (the backend's error envelope), or `disconnected` if the connection drops
   * after the request went out.
   * @example
   * const who = await client.request('chat.who', {}, { timeoutMs: 5000 });
   */
  request<K extends RequestRoute<C>>(route: K, input: InputOf<C, K>, options: RequestOptions = {}): Promise<OutputOf<C, K>> {
    return this.calls.request(route, input, options.timeoutMs ?? this.options.requestTimeoutMs) as Promise<OutputOf<C, K>>;
  }

  /**
   * Opens a stream route per iteration. Credits go out as items are consumed; leaving the loop
   * cancels the stream on the backend.
   * @example
   * for await (const item of client.stream('chat.feed', { room: 'lobby' })) if (done(item)) break;
   */
  stream<K extends StreamRoute<C>>(route: K, input: InputOf<C, K>): AsyncIterable<ItemOf<C, K>> {
    return this.calls.stream(route, input) as AsyncIterable<ItemOf<C, K>>;
  }

  /** Calls a fire-and-forget route; settles like `send`. */
  fire<K extends FireRoute<C>>(route: K, input: InputOf<C, K>): Promise<void> {
    return this.calls.fire(route, input);
  }

  /**
   * Closes for good: no reconnect; buffered sends and pending calls fail with `closed`.
   * `code` must be 1000 or 3000-4999 (a browser rule).
   */
  close(code = 1000, reason = ''): void {
    if (this.lifecycle === 'closed') return;
    const socket = this.socket;
    this.buffer.confirm(); // written before close(): sent, as far as anyone can tell
    this.end(new StrandsClientError('closed', 'client closed'));
    socket?.close(code, reason);
    this.emit('close', { code, reason, willReconnect: false });
  }

  // The one place the lifecycle changes; move() refuses what TRANSITIONS does not allow.
  private setState(next: Lifecycle): void {
    this.lifecycle = move(this.lifecycle, next);
  }

  // The socket sends may go out on: past open() (so not a refusal about to close) and still open.
  private live(): WebSocketLike | undefined {
    const state = this.lifecycle;
    return (state === 'open' || state === 'unconfirmed') && this.socket?.readyState === OPEN ? this.socket : undefined;
  }

  private write(data: SendData, call?: CallState): Promise<void> {
    if (this.lifecycle === 'closed') return Promise.reject(this.ended);
    const live = this.live() !== undefined;
    const sent = this.buffer.push(data, call, !live);
    if (live) this.flush();
    return sent;
  }

  private flush(): void {
    this.buffer.flush((data, call) => {
      const socket = this.live();
      if (!socket) return false;
      // A confirmed send: its `confirm` frame right before it, on the same socket.
      const frame = this.confirms?.frame(call);
      if (frame) socket.send(frame);
      socket.send(data);
      return true;
    }, this.lifecycle !== 'open');
  }

  // The connection is accepted: sends written on it count as sent, and backoff starts over.
  private confirm(): void {
    if (this.lifecycle !== 'unconfirmed') return;
    this.setState('open');
    clearTimeout(this.confirmTimer);
    this.attempts = 0;
    this.buffer.confirm();
  }

  private openSocket(): void {
    const o = this.options;
    const url = this.url;
    // A list of brokers: each new socket tries the next one.
    const base = typeof url === 'function' ? url() : typeof url === 'string' ? url : (url[this.sockets % url.length] as string);
    this.sockets += 1;
    this.sessionSeen = false;
    const socket = new o.WebSocket(this.session ? this.session.url(base) : base, o.protocols);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    // A Strands broker tells at "open" whether the upgrade carries a refusal (the refusal
    // subprotocol: wait for its close code, write nothing) or an acceptance (strands.v1).
    // Elsewhere a refusal may be a close right after "open", so "open" waits a macrotask and
    // the connection counts as accepted only at its first message or after confirmAfterMs: a
    // rejection before that sends what was written on it again (4500-4599) or fails it.
    const open = (): void => {
      const from = this.lifecycle;
      if (this.socket !== socket || from === 'unconfirmed' || from === 'open' || socket.readyState !== OPEN) return;
      this.setState('unconfirmed');
      this.confirmTimer = setTimeout(() => this.confirm(), o.confirmAfterMs);
      this.flush();
      this.emit('open', { reconnected: from === 'reconnecting', protocol: socket.protocol });
    };
    socket.onopen = () => {
      if (socket.protocol === STRANDS_REFUSAL_SUBPROTOCOL) return;
      if (socket.protocol !== STRANDS_SUBPROTOCOL) return void setTimeout(open);
      open();
      this.confirm();
    };
    socket.onmessage = (event: { data: string | ArrayBuffer }) => {
      if (this.socket !== socket) return;
      open();
      this.confirm();
      const data = event.data;
      const read = typeof data === 'string' ? this.session?.read(data, !this.sessionSeen) : undefined;
      if (read === undefined) return this.deliver(data);
      if (read === null) return;
      if ('message' in read) return this.deliver(read.message);
      if (read.event === 'session') this.sessionSeen = true;
      this.emit(read.event, read.payload as never);
    };
    socket.onerror = () => {}; // A close event always follows, with the code that matters.
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.socket === socket) this.closed(event.code, event.reason);
    };
  }

  /** A room message (unwrapped from its history envelope), a reply to a call, or a pushed event. */
  private deliver(data: string | ArrayBuffer): void {
    if (typeof data !== 'string' || !(this.confirms?.handle(data) || this.calls.handle(data))) this.emit('message', data);
  }

  private closed(code: number, reason: string): void {
    const o = this.options;
    const from = this.lifecycle;
    // No socket: nothing is live from here on, though the state moves only below.
    this.socket = undefined;
    clearTimeout(this.confirmTimer);
    const final = finalCloseError(code, reason);
    if (from !== 'open') {
      if (code >= 4500 && code < 4600) this.buffer.requeue();
      else if (!final) this.buffer.confirm();
    }
    this.calls.dropSent(final ?? new StrandsClientError('disconnected', `connection lost (${code})`));
    this.confirms?.drop();
    if (final || !o.reconnect || this.attempts >= o.maxReconnectAttempts) {
      this.end(
        final ??
          new StrandsClientError('disconnected', o.reconnect ? `gave up after ${this.attempts} reconnect attempts` : 'connection lost'),
      );
      this.emit('error', this.ended!);
      this.emit('close', { code, reason, willReconnect: false });
      return;
    }
    const delayMs = backoffDelayMs(this.attempts++, o.initialBackoffMs, o.maxBackoffMs);
    this.setState(retryState(from));
    this.timer = setTimeout(() => {
      try {
        this.openSocket();
      } catch (cause) {
        this.end(new StrandsClientError('disconnected', 'could not reconnect', { cause }));
        this.emit('error', this.ended!);
      }
    }, delayMs);
    this.emit('close', { code, reason, willReconnect: true });
    this.emit('reconnecting', { attempt: this.attempts, delayMs });
  }

  private end(error: StrandsClientError): void {
    this.ended = error;
    this.setState('closed');
    this.socket = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.confirmTimer);
    this.buffer.fail(error);
    this.calls.failAll(error);
    this.confirms?.drop(error);
  }
}

/**
 * Connects to a Strands broker and keeps the connection up. Pass a contract type for typed
 * routes (`connect<typeof chat>(...)`); `@strands/browser/contract` adds runtime validation.
 * `url` may be a function, called before every attempt (e.g. to put a fresh token in it).
 * @example
 * const client = connect('wss://example.com/ws/lobby');
 * client.on('message', (data) => console.log(data));
 * await client.send('hello');
 */
export function connect<C extends Contract = Contract>(url: string | readonly string[] | (() => string), options?: ConnectOptions): StrandsClient<C> {
  return new StrandsClient<C>(url, resolveOptions(options));
}
