// How a backend's writes are moving: behind (its clients wait) or stalled (it is dropped), told apart.

/**
 * Unsent bytes past which a backend counts as behind and the clients whose events go to it stop
 * being read (a quarter of `maxBackendBufferBytes` when that is lower). About 7,000 events of
 * 100 bytes: a fraction of a second of a backend's work, so a backend that falls behind delays
 * its clients instead of collecting seconds of events (or being dropped at the buffer bound).
 */
export const BACKEND_HIGH_WATER_BYTES = 1024 * 1024;

/** Heartbeats in a row without progress after which a backend with a write outstanding is stalled. */
export const STALLED_AFTER_BEATS = 2;

/** The libuv handle's count of bytes not yet handed to the kernel; it falls with every partial write. */
interface WriteQueue {
  writeQueueSize?: number;
}

/**
 * A backend that reads slowly makes progress (a write completes, or the bytes its socket owes
 * the kernel go down) and is never stalled, however far behind it is: its clients wait instead.
 * Only one whose outstanding write did not move by a single byte for STALLED_AFTER_BEATS
 * heartbeats is stalled.
 */
export class WriteProgress {
  /** Heartbeats in a row at which a write waited and not a byte of it had left since the previous one. */
  stalledBeats = 0;
  private progressed = false;
  /** Bytes the socket's handle owed the kernel at the previous check (-1: unknown). */
  private owedAtCheck = -1;
  private lagging = false;
  readonly highWater: number;

  constructor(maxBufferBytes: number) {
    this.highWater = Math.min(BACKEND_HIGH_WATER_BYTES, Math.floor(maxBufferBytes / 4));
  }

  /** True between `passedHighWater` and `backUnder` returning true. */
  get behind(): boolean {
    return this.lagging;
  }

  /** A write completed. */
  wrote(): void {
    this.progressed = true;
  }

  /** True once per crossing, when `buffered` bytes first exceed the high-water mark. */
  passedHighWater(buffered: number): boolean {
    if (this.lagging || buffered <= this.highWater) return false;
    this.lagging = true;
    return true;
  }

  /** True once per crossing, when a backend that was behind has `buffered` bytes back under half the mark (or is gone: `buffered` 0). */
  backUnder(buffered: number): boolean {
    if (!this.lagging || buffered > this.highWater / 2) return false;
    this.lagging = false;
    return true;
  }

  /** Heartbeat-time check; true when stalled. `writing`: a write is outstanding now. */
  check(socket: object, writing: boolean): boolean {
    const owed = (socket as { _handle?: WriteQueue | null })._handle?.writeQueueSize;
    const drained = typeof owed === 'number' && this.owedAtCheck >= 0 && owed < this.owedAtCheck;
    this.owedAtCheck = typeof owed === 'number' ? owed : -1;
    if (writing && !this.progressed && !drained) this.stalledBeats += 1;
    else this.stalledBeats = 0;
    this.progressed = false;
    return this.stalledBeats >= STALLED_AFTER_BEATS;
  }
}
