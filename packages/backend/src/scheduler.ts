// Runs event handlers: one client's events strictly in order, different clients concurrently up
// to a limit. A lane per busy client (deleted when empty) keeps idle clients free of cost.

/** One unit of work; may return a promise. Its failure is reported through `onError`. */
export type Task = () => unknown;

interface Lane {
  key: string;
  tasks: Task[];
  head: number;
  running: boolean;
}

export class Scheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly ready: Lane[] = [];
  private readyHead = 0;
  /** Handlers running now. */
  active = 0;
  /** Tasks received but not started. */
  queued = 0;
  private idleWaiters: (() => void)[] = [];
  /** Key of the task running now without a lane (see `push`). */
  private direct: string | undefined;

  constructor(
    private readonly limit: number,
    private readonly onError: (error: unknown) => void,
    private readonly onProgress: () => void,
  ) {}

  /** Adds `task` to the lane of `key`; it runs after every earlier task of that key. */
  push(key: string, task: Task): void {
    let lane = this.lanes.get(key);
    // An idle client and a free slot (then nobody waits for one): run now, with no lane unless the
    // task goes on past this call or the same client gets more work meanwhile.
    if (lane === undefined && this.direct === undefined && this.active < this.limit) {
      this.runDirect(key, task);
      return;
    }
    if (lane === undefined && key === this.direct) {
      // Runs once the task running for this key without a lane is done.
      this.lanes.set(key, { key, tasks: [task], head: 0, running: true });
      this.queued += 1;
      return;
    }
    if (lane === undefined) {
      lane = { key, tasks: [task], head: 0, running: false };
      this.lanes.set(key, lane);
    } else {
      lane.tasks.push(task);
    }
    this.queued += 1;
    if (lane.running || lane.tasks.length - lane.head > 1) return;
    if (this.active < this.limit) this.start(lane);
    else this.ready.push(lane);
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private runDirect(key: string, task: Task): void {
    this.active += 1;
    this.direct = key;
    let result: unknown;
    try {
      result = task();
    } catch (error) {
      this.onError(error);
    }
    this.direct = undefined;
    const nested = this.lanes.get(key);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      let lane = nested;
      if (lane === undefined) {
        lane = { key, tasks: [], head: 0, running: true };
        this.lanes.set(key, lane);
      }
      const held = lane;
      (result as PromiseLike<unknown>).then(
        () => this.finish(held),
        (error: unknown) => {
          this.onError(error);
          this.finish(held);
        },
      );
      return;
    }
    if (nested !== undefined) {
      this.finish(nested);
      return;
    }
    this.active -= 1;
    if (this.active === 0 && this.queued === 0 && this.idleWaiters.length > 0) this.wakeIdle();
  }

  private start(lane: Lane): void {
    this.active += 1;
    lane.running = true;
    // Synchronous handlers are run in a loop here instead of recursing through promises.
    for (;;) {
      const task = lane.tasks[lane.head]!;
      lane.tasks[lane.head] = undefined as unknown as Task;
      lane.head += 1;
      this.queued -= 1;
      let result: unknown;
      try {
        result = task();
      } catch (error) {
        this.onError(error);
      }
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(
          () => this.finish(lane),
          (error: unknown) => {
            this.onError(error);
            this.finish(lane);
          },
        );
        return;
      }
      // Keep the slot for this lane only while nobody else is waiting for one.
      if (lane.head < lane.tasks.length && this.ready.length === this.readyHead) continue;
      this.finish(lane);
      return;
    }
  }

  private finish(lane: Lane): void {
    lane.running = false;
    this.active -= 1;
    if (lane.head < lane.tasks.length) {
      this.ready.push(lane);
    } else {
      this.lanes.delete(lane.key);
    }
    while (this.active < this.limit && this.readyHead < this.ready.length) {
      const next = this.ready[this.readyHead]!;
      this.ready[this.readyHead] = undefined as unknown as Lane;
      this.readyHead += 1;
      this.start(next);
    }
    if (this.readyHead === this.ready.length) {
      this.ready.length = 0;
      this.readyHead = 0;
    }
    if (lane.head > 64 && lane.head * 2 > lane.tasks.length) {
      lane.tasks = lane.tasks.slice(lane.head);
      lane.head = 0;
    }
    this.onProgress();
    if (this.active === 0 && this.queued === 0 && this.idleWaiters.length > 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
