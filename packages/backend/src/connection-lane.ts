// Connection decisions in a lane of their own: up to `limit` connection-request handlers run at
// once, the rest wait in arrival order. Client events never wait behind them (they have the
// scheduler and its slots to themselves), so a slow `onConnectionRequest` delays new clients only.

/** One decision: resolves when the broker has been answered (never rejects). */
export type Decision = () => Promise<void>;

export class ConnectionLane {
  /** Decisions running now. */
  active = 0;
  private waiting: Decision[] = [];
  private head = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly next = (): void => this.finished();

  constructor(private readonly limit: number) {}

  /** Decisions received but not started. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  push(decision: Decision): void {
    if (this.active < this.limit) this.run(decision);
    else this.waiting.push(decision);
  }

  /** Resolves when no decision runs or waits. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private run(decision: Decision): void {
    this.active += 1;
    decision().then(this.next, this.next);
  }

  private finished(): void {
    this.active -= 1;
    while (this.active < this.limit && this.head < this.waiting.length) {
      const decision = this.waiting[this.head]!;
      this.waiting[this.head] = undefined as unknown as Decision;
      this.head += 1;
      this.run(decision);
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    }
    if (this.active === 0 && this.queued === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
