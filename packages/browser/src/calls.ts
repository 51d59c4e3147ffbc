// Reactive-route calls over one client: ids, matching replies to requests, stream credits,
// cancellation, and failing whatever a dropped connection leaves unanswered.
import { decodeIncoming, encodeEnvelope, type ReplyEnvelope } from './envelope.js';
import { RemoteError, StrandsClientError } from './errors.js';
import type { CallState } from './send-buffer.js';

interface Call extends CallState {
  reply(envelope: ReplyEnvelope): void;
  fail(error: StrandsClientError): void;
}

/** Hands an envelope to the client's send path (socket or buffer). */
export type Transmit = (text: string, call?: CallState) => Promise<void>;

const ignore = (): void => {};
// setTimeout fires at once for delays past 2^31 - 1 ms, so longer ones mean "no limit".
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The calls in flight on one client, keyed by envelope id. */
export class Calls {
  private readonly calls = new Map<string, Call>();
  private seq = 0;

  constructor(
    private readonly transmit: Transmit,
    private readonly credits: number,
    /** Receives the contract events the backend pushes (`event` envelopes). */
    private readonly onEvent: (event: string, data: unknown) => void = ignore,
  ) {}

  /** Sends a `request` envelope; settles with the `response` data, or a typed error. */
  request(route: string, data: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextId();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const call = this.track(
        id,
        (envelope) => {
          if (envelope.strands === 'response') resolve(envelope.data);
          else if (envelope.strands === 'error') reject(new RemoteError(envelope.code, envelope.message));
          else return false;
          clearTimeout(timer);
          return true;
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
      if (timeoutMs <= MAX_TIMER_MS) {
        timer = setTimeout(() => call.fail(new StrandsClientError('timeout', `request "${route}" timed out after ${timeoutMs} ms`)), timeoutMs);
      }
      this.transmit(encodeEnvelope({ strands: 'request', id, route, data }), call).catch((e) => call.fail(e));
    });
  }

  /** Sends a `fire` envelope (no reply). */
  fire(route: string, data: unknown): Promise<void> {
    return this.transmit(encodeEnvelope({ strands: 'fire', route, data }));
  }

  /** A stream per iteration: opened with `credits`, topped up as items are consumed, cancelled on break. */
  stream(route: string, data: unknown): AsyncIterable<unknown> {
    return { [Symbol.asyncIterator]: () => this.openStream(route, data) };
  }

  /** Routes a reply envelope to its call and an event to `onEvent`; true when the message was one (even a late reply). */
  handle(message: string): boolean {
    const envelope = decodeIncoming(message);
    if (!envelope) return false;
    if (envelope.strands === 'event') this.onEvent(envelope.event, envelope.data);
    else this.calls.get(envelope.id)?.reply(envelope);
    return true;
  }

  /** Fails the calls whose envelope went out on the connection that just dropped. */
  dropSent(error: StrandsClientError): void {
    for (const call of [...this.calls.values()]) if (call.sent) call.fail(error);
  }

  /** Fails every call (the client closed for good). */
  failAll(error: StrandsClientError): void {
    for (const call of [...this.calls.values()]) call.fail(error);
  }

  private nextId(): string {
    return (++this.seq).toString(36);
  }

  // Registers a call; `onReply` returns false for envelopes that do not end it.
  private track(id: string, onReply: (envelope: ReplyEnvelope) => boolean, onFail: (error: Error) => void): Call {
    const end = (): boolean => {
      if (call.done) return false;
      call.done = true;
      this.calls.delete(id);
      return true;
    };
    const call: Call = {
      sent: false,
      done: false,
      reply: (envelope) => {
        if (!call.done && onReply(envelope)) end();
      },
      fail: (error) => {
        if (end()) onFail(error);
      },
    };
    this.calls.set(id, call);
    return call;
  }

  private openStream(route: string, data: unknown): AsyncIterator<unknown> {
    const id = this.nextId();
    const credits = this.credits;
    const items: unknown[] = [];
    let error: Error | undefined;
    let consumed = 0;
    let changed: Promise<void> | undefined;
    let notify = ignore;
    const wake = (): void => {
      notify();
      changed = undefined;
    };
    const call = this.track(
      id,
      (envelope) => {
        if (envelope.strands === 'next') items.push(envelope.data);
        else if (envelope.strands === 'error') error = new RemoteError(envelope.code, envelope.message);
        wake();
        return envelope.strands !== 'next';
      },
      (e) => {
        error = e;
        wake();
      },
    );
    this.transmit(encodeEnvelope({ strands: 'stream', id, route, data, n: credits }), call).catch((e) => call.fail(e));
    return {
      next: async () => {
        while (!items.length && !call.done) await (changed ??= new Promise<void>((r) => (notify = r)));
        if (items.length) {
          const value = items.shift();
          // Top up once half the window is used, so the backend rarely waits for credits.
          if (++consumed * 2 >= credits && !call.done) {
            this.transmit(encodeEnvelope({ strands: 'request_n', id, n: consumed })).catch(ignore);
            consumed = 0;
          }
          return { value, done: false };
        }
        const e = error;
        error = undefined;
        if (e) throw e;
        return { value: undefined, done: true };
      },
      return: async () => {
        const sent = call.sent;
        if (!call.done) {
          call.fail(new StrandsClientError('closed', 'stream cancelled'));
          error = undefined;
          // An unsent stream is skipped by the buffer; a sent one must be cancelled remotely.
          if (sent) this.transmit(encodeEnvelope({ strands: 'cancel', id })).catch(ignore);
        }
        items.length = 0;
        return { value: undefined, done: true };
      },
    };
  }
}
