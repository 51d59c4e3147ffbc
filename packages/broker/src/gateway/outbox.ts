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
 * With a write delay, a pass started by a fan-out frame (a room's or a broadcast's) starts that
 * long after it: the fan-out frames that come meanwhile share each client's write (Centrifuge's
 * `WriteDelay`). Any other frame (a reply to one client, an ack) is never held: its client is
 * written in the next turn, taking the fan-out frames it has waiting along, in order.
 */
export class ClientOutbox {
  private queue: (ClientConnection | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  /** The scheduled pass waits out the write delay. */
  private delayed = false;
  /** Clients given a frame that does not wait while a delayed pass is pending: written next turn. */
  private hurried: ClientConnection[] = [];
  private backlogBytes = 0;
  private full = false;
  private readonly run = (): void => this.flush(FLUSH_SLICE_CLIENTS);
  private readonly runHurried = (): void => this.flushHurried();

  constructor(
    private readonly maxBacklogBytes: number,
    private readonly hooks: BacklogHooks,
    /** Wait before the first slice of a pass a fan-out frame starts (`clientWriteDelayMs`; 0: the next turn). */
    private readonly writeDelayMs = 0,
  ) {}

  /** Frame bytes waiting to be written, counted per recipient. */
  get pendingBytes(): number {
    return this.backlogBytes;
  }

  /** Marks a client as having `bytes` more frame bytes pending; `fanOut` for a room's or a broadcast's frame, which may wait out the write delay. */
  touch(client: ClientConnection, bytes: number, fanOut = false): void {
    this.backlogBytes += bytes;
    if (!this.full && this.backlogBytes > this.maxBacklogBytes) {
      this.full = true;
      this.hooks.full();
    }
    if (!client.dirty) {
      client.dirty = true;
      this.queue.push(client);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      // Only a pass that starts waits: one under way goes on slice by slice, never held back.
      this.delayed = fanOut && this.writeDelayMs > 0;
      if (this.delayed) setTimeout(this.run, this.writeDelayMs);
      else setImmediate(this.run);
    } else if (this.delayed && !fanOut) this.hurry(client);
  }

  /** A client's frames were discarded (it is being dropped). */
  forget(bytes: number): void {
    this.settle(bytes);
  }

  /** Writes pending frames of up to `limit` clients now (all by default), in the order they were touched. */
  flush(limit = Infinity): void {
    this.scheduled = false;
    this.delayed = false;
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

  /** A frame that does not wait came while the pass waits out the delay: this client is written next turn. */
  private hurry(client: ClientConnection): void {
    const hurried = this.hurried;
    if (hurried.length === 0) setImmediate(this.runHurried);
    if (hurried[hurried.length - 1] !== client) hurried.push(client);
  }

  /**
   * Writes the hurried clients that still have frames waiting. Each keeps its place in the
   * queue: the pass finds it written (or with later frames) and costs it no extra write.
   */
  private flushHurried(): void {
    const hurried = this.hurried;
    this.hurried = [];
    let bytes = 0;
    for (const client of hurried) if (client.dirty) bytes += client.flush();
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
