// Fan-out flow control: a message stops being in flight when its LAST receiver has it, wherever
// the sender sits in the room. Receivers on every worker thread count deliveries in shared
// memory; the one that completes a message tells the sender (directly, or over a channel).

/** Slots for messages in flight; far more than any sender keeps, so a slot is reused only long after. */
export const COMPLETION_SLOTS = 4_096;

const INT = Int32Array.BYTES_PER_ELEMENT;

/** The shared memory of one run's completion counts (made by the main thread, given to every worker). */
export function completionBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer((1 + COMPLETION_SLOTS * 2) * INT);
}

/** Counts each message's deliveries across threads. */
export class FanOutCompletion {
  /** [0]: receivers in the whole room. In shared memory too, so that no worker can see a delivery before it knows the count. */
  private readonly header: Int32Array;
  private readonly tags: Int32Array;
  private readonly counts: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 1);
    this.tags = new Int32Array(buffer, INT, COMPLETION_SLOTS);
    this.counts = new Int32Array(buffer, (1 + COMPLETION_SLOTS) * INT, COMPLETION_SLOTS);
  }

  /** Receivers in the whole room (every worker); the main thread sets it before load starts. */
  setReceivers(count: number): void {
    Atomics.store(this.header, 0, count);
  }

  /** The sender calls this before it sends message `seq` (a positive integer below 2^31). */
  begin(seq: number): void {
    const slot = seq % COMPLETION_SLOTS;
    Atomics.store(this.counts, slot, 0);
    Atomics.store(this.tags, slot, seq);
  }

  /**
   * A receiver calls this on each delivery of `seq`; true for exactly one call per message: the
   * delivery that completes it. A straggler from a message whose slot was reused is ignored.
   */
  deliver(seq: number): boolean {
    if (!(seq > 0)) return false; // readSeq gives -1 for a message not ours
    const slot = seq % COMPLETION_SLOTS;
    if (Atomics.load(this.tags, slot) !== seq) return false;
    return Atomics.add(this.counts, slot, 1) + 1 === Atomics.load(this.header, 0);
  }
}
