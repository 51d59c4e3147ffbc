// Writes clients' pending frames: one write per client per flush, in slices that let input in between.
import type { ClientConnection } from './client-connection.js';

/** Clients written per slice; between slices the event loop reads sockets (backends, clients). */
export const FLUSH_SLICE_CLIENTS = 64;

/** Hooks the hub registers to stop and restart reading from backends. */
export interface BacklogHooks {
  /** The outbox holds more than its bound: stop taking new work. */
  full(): void;
  /** The outbox is back under half its bound. */
  drained(): void;
}

/**
 * Collects clients with frames pending and writes each one's frames with one write.
 *
 * The work is done in slices of `FLUSH_SLICE_CLIENTS` clients, one slice per event-loop turn.
 * In a busy room this matters: while a pass over a thousand receivers is under way, the next
 * messages are read and queued, so every receiver still waiting gets them in the same write.
 * Frames per write go up and writes (each a syscall of several µs) go down. A client touched
 * again after its write simply goes to the back of the queue: its frames stay in order.
 *
 * The backlog is bounded: past `maxBacklogBytes` (frame bytes owed, counted per recipient)
 * the hub stops reading backends until the outbox has written half of it.
 *
 * With a write delay, a pass starts that long after the first frame queued while nothing was:
 * whatever comes meanwhile shares each client's write (Centrifuge's `WriteDelay`).
 */
export class ClientOutbox {
  private queue: (ClientConnection | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private backlogBytes = 0;
  private full = false;
  private readonly run = (): void => this.flush(FLUSH_SLICE_CLIENTS);

  constructor(
    private readonly maxBacklogBytes: number,
    private readonly hooks: BacklogHooks,
    /** Wait before the first slice when the outbox was empty (`clientWriteDelayMs`; 0: the next turn). */
    private readonly writeDelayMs = 0,
  ) {}

  /** Frame bytes waiting to be written, counted per recipient. */
  get pendingBytes(): number {
    return this.backlogBytes;
  }

  /** Marks a client as having `bytes` more frame bytes pending. */
  touch(client: ClientConnection, bytes: number): void {
    this.backlogBytes += bytes;
    if (!this.full && this.backlogBytes > this.maxBacklogBytes) {
      this.full = true;
      this.hooks.full();
    }
    if (client.dirty) return;
    client.dirty = true;
    this.queue.push(client);
    if (!this.scheduled) {
      this.scheduled = true;
      // Only a pass that starts waits: one under way goes on slice by slice, never held back.
      if (this.writeDelayMs > 0) setTimeout(this.run, this.writeDelayMs);
      else setImmediate(this.run);
    }
  }

  /** A client's frames were discarded (it is being dropped). */
  forget(bytes: number): void {
    this.settle(bytes);
  }

  /** Writes pending frames of up to `limit` clients now (all by default), in the order they were touched. */
  flush(limit = Infinity): void {
    this.scheduled = false;
    const queue = this.queue;
    let written = 0;
    let bytes = 0;
    while (this.head < queue.length && written < limit) {
      const client = queue[this.head] as ClientConnection;
      queue[this.head] = undefined;
      this.head += 1;
      bytes += client.flush();
      written += 1;
    }
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
    this.settle(bytes);
  }

  private settle(bytes: number): void {
    this.backlogBytes -= bytes;
    if (this.full && this.backlogBytes <= this.maxBacklogBytes / 2) {
      this.full = false;
      this.hooks.drained();
    }
  }
}
