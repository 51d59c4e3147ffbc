// Sends waiting for a broker link to take them (disconnected or congested): bounded, in order,
// each rejected with a typed error after a timeout, so nothing is dropped silently.
import { SendError, type BackendError } from './errors.js';

interface Held {
  line: string;
  deadline: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A FIFO of frames with one timer for the oldest deadline (all share one timeout, so order = deadline order). */
export class HeldSends {
  private items: Held[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly broker: string,
    private readonly capacity: number,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Holds `line`; the promise settles when the line is written, or rejects when full or too old. */
  hold(line: string): Promise<void> {
    if (this.size >= this.capacity) {
      return Promise.reject(
        new SendError('send_buffer_full', `${this.capacity} sends already wait for broker ${this.broker}`, this.broker),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.items.push({ line, deadline: Date.now() + this.timeoutMs, resolve, reject });
      if (this.timer === undefined) this.arm();
    });
  }

  /** Removes every held send, in order, for the caller to write. */
  takeAll(): Held[] {
    const taken = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.disarm();
    return taken;
  }

  /** Rejects every held send with `error`. */
  rejectAll(error: BackendError): void {
    for (const held of this.takeAll()) held.reject(error);
  }

  private arm(): void {
    const first = this.items[this.head];
    if (first === undefined) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.deadline - Date.now()));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.items.length) {
      const held = this.items[this.head]!;
      if (held.deadline > now) break;
      this.head += 1;
      held.reject(new SendError('send_timeout', `no broker took the send within ${this.timeoutMs} ms`, this.broker));
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.size === 0) {
      this.items = [];
      this.head = 0;
    } else {
      this.arm();
    }
  }
}
