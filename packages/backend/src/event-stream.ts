// A bounded async iterable of events. It never drops: when its buffer is full it reports "full"
// and the backend stops reading from brokers until the consumer catches up.

/** An event subscription: iterate it with `for await`; breaking out of the loop unsubscribes. */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  /** Events waiting for the consumer. */
  readonly buffered: number;
  /** Ends the iteration and unsubscribes. */
  close(): void;
}

export class BoundedEventStream<T> implements EventStream<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private done = false;
  private closed = false;

  constructor(
    readonly capacity: number,
    private readonly onChange: (stream: BoundedEventStream<T>) => void,
    private readonly onClose: (stream: BoundedEventStream<T>) => void,
  ) {}

  get buffered(): number {
    return this.items.length - this.head;
  }

  /** True once the consumer is `capacity` events behind. */
  get full(): boolean {
    return this.items.length - this.head >= this.capacity;
  }

  /** Delivers one event. Past capacity it is still kept (what was already read must go somewhere). */
  push(item: T): void {
    if (this.done) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length - this.head === this.capacity) this.onChange(this);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const wasFull = this.full;
      const value = this.items[this.head]!;
      this.items[this.head] = undefined as T;
      this.head += 1;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      if (wasFull && !this.full) this.onChange(this);
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the iteration once the consumer has taken what is buffered (the backend closed). */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.head === this.items.length) {
      this.waiter?.({ value: undefined, done: true });
      this.waiter = undefined;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.done = true;
    const wasFull = this.full;
    this.items = [];
    this.head = 0;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    this.onClose(this);
    if (wasFull) this.onChange(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
