// Keeps this node's publishes in the order they were made, when some must first look up where they go.

/** A place in the order, held while its channel is looked up. */
export interface PublishSlot {
  ready: boolean;
  channel?: string;
  payload?: string;
  receivers?: (count: number) => void;
}

/** Sends one message; must not throw (failures are the sender's to count). */
export type Publish = (channel: string, payload: string, receivers?: (count: number) => void) => void;

/**
 * A FIFO of publishes. With nothing waiting, a publish goes out at once; a direct message whose
 * node must be looked up first `reserve`s a slot, and everything published after it waits behind
 * it until the slot is filled or dropped. So a backend's `message_to_connection` then `broadcast`
 * reach a remote client in that order, as they would on one broker. Bounded: past `maxQueued`
 * waiting entries a publish is refused (`overflowed`).
 */
export class OrderedPublisher {
  private queue: PublishSlot[] = [];
  private head = 0;
  private idlers: Array<() => void> = [];

  constructor(
    private readonly publish: Publish,
    private readonly maxQueued: number,
    private readonly overflowed: () => void,
  ) {}

  /** Entries waiting behind a lookup. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  send(channel: string, payload: string, receivers?: (count: number) => void): void {
    if (this.waiting === 0) return this.publish(channel, payload, receivers);
    if (this.waiting >= this.maxQueued) return this.overflowed();
    this.queue.push({ ready: true, channel, payload, receivers });
  }

  /** Holds a place for a publish whose channel is not known yet; undefined when the queue is full. */
  reserve(): PublishSlot | undefined {
    if (this.waiting >= this.maxQueued) {
      this.overflowed();
      return undefined;
    }
    const slot: PublishSlot = { ready: false };
    this.queue.push(slot);
    return slot;
  }

  fill(slot: PublishSlot, channel: string, payload: string, receivers?: (count: number) => void): void {
    slot.channel = channel;
    slot.payload = payload;
    slot.receivers = receivers;
    slot.ready = true;
    this.drain();
  }

  /** The slot's publish is not needed after all (no node holds the client, the lookup failed). */
  drop(slot: PublishSlot): void {
    slot.ready = true;
    this.drain();
  }

  /** Resolves once nothing waits (at once when nothing does): a stop lets its goodbye out first. */
  idle(): Promise<void> {
    if (this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  /** Forgets everything waiting (stop). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.wake();
  }

  private wake(): void {
    const idlers = this.idlers;
    this.idlers = [];
    for (const resolve of idlers) resolve();
  }

  private drain(): void {
    const queue = this.queue;
    while (this.head < queue.length) {
      const slot = queue[this.head] as PublishSlot;
      if (!slot.ready) {
        // Long-waiting heads are rare; compact now and then so the array does not only grow.
        if (this.head > 1024) {
          this.queue = queue.slice(this.head);
          this.head = 0;
        }
        return;
      }
      this.head += 1;
      if (slot.channel !== undefined) this.publish(slot.channel, slot.payload as string, slot.receivers);
    }
    this.queue = [];
    this.head = 0;
    this.wake();
  }
}
