// Frames a client sent that were read after its rate pause took effect, kept in order until its debt is paid.

/**
 * ws parses a whole socket read at once, so pausing the socket leaves the rest of that read
 * (up to 64 KiB, some 650 frames of 100 bytes) still to come. Passed on at once, that rest is a
 * burst the client's rate did not allow, and every other client of the same backend waits
 * behind it. Held here, it goes on at the client's rate. Bounded by what one read carries: the
 * socket stays paused while anything is held.
 */
export class HeldFrames {
  private frames: Buffer[] = [];
  private binary: boolean[] = [];
  private head = 0;

  get size(): number {
    return this.frames.length - this.head;
  }

  push(data: Buffer, isBinary: boolean): void {
    this.frames.push(data);
    this.binary.push(isBinary);
  }

  /** Hands the oldest held frame to `take`; false when none is held. */
  shift(take: (data: Buffer, isBinary: boolean) => void): boolean {
    if (this.head === this.frames.length) return false;
    const data = this.frames[this.head] as Buffer;
    const isBinary = this.binary[this.head] as boolean;
    this.head += 1;
    if (this.head === this.frames.length) {
      this.frames = [];
      this.binary = [];
      this.head = 0;
    }
    take(data, isBinary);
    return true;
  }
}
