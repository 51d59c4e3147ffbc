// Sends made while disconnected: held in order, bounded, and each one settles its promise
// exactly once (sent, skipped because its call ended, or failed with a typed error). Sends
// written on a connection not yet known to be accepted stay "unconfirmed": a rejection that
// follows the upgrade means the broker never read them.
import { StrandsClientError } from './errors.js';
import type { SendData } from './types.js';

/** The call (request or stream) a buffered envelope belongs to, if any. */
export interface CallState {
  /** Set once the envelope went out; a drop then fails the call. */
  sent: boolean;
  /** Set when the call ended (timed out, cancelled); its envelope is skipped. */
  done: boolean;
}

interface Entry {
  data: SendData;
  call: CallState | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A bounded FIFO of pending sends. */
export class SendBuffer {
  private entries: Entry[] = [];
  private unconfirmed: Entry[] = [];

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.length;
  }

  /**
   * Queues `data`; the promise settles when it is written, skipped, or failed. `bounded` is
   * false for a send about to be flushed onto an open socket, which the bound must not refuse.
   */
  push(data: SendData, call?: CallState, bounded = true): Promise<void> {
    if (bounded && this.entries.length >= this.max) {
      return Promise.reject(new StrandsClientError('buffer_full', `send buffer full (${this.max} messages)`));
    }
    return new Promise((resolve, reject) => this.entries.push({ data, call, resolve, reject }));
  }

  /**
   * Writes entries in order while `write` accepts them (it returns false when the socket is
   * no longer open; the rest stay queued). A write that throws fails only its own entry.
   * With `hold`, written entries settle only at `confirm()`, `requeue()` or `fail()`.
   */
  flush(write: (data: SendData, call: CallState | undefined) => boolean, hold = false): void {
    let entry: Entry | undefined;
    while ((entry = this.entries[0])) {
      if (entry.call?.done) {
        this.entries.shift();
        entry.resolve();
        continue;
      }
      try {
        if (!write(entry.data, entry.call)) return;
      } catch (error) {
        this.entries.shift();
        entry.reject(new StrandsClientError('disconnected', 'send failed', { cause: error }));
        continue;
      }
      this.entries.shift();
      if (entry.call) entry.call.sent = true;
      if (hold) this.unconfirmed.push(entry);
      else entry.resolve();
    }
  }

  /** The connection was accepted: what was written on it counts as sent. */
  confirm(): void {
    for (const entry of this.unconfirmed.splice(0)) entry.resolve();
  }

  /** The connection was refused after all: what was written on it goes out again, first. */
  requeue(): void {
    for (const entry of this.unconfirmed) if (entry.call) entry.call.sent = false;
    this.entries.unshift(...this.unconfirmed.splice(0));
  }

  /** Fails every queued send with `error` (the client closed for good). */
  fail(error: Error): void {
    const entries = [...this.unconfirmed.splice(0), ...this.entries.splice(0)];
    for (const entry of entries) entry.reject(error);
  }
}
