// Per-client inbound rate limits: token buckets for messages and bytes, and the verdict the gateway acts on.

/** The limits, from the broker options; a rate of 0 turns that bucket off. */
export interface RateLimits {
  /** Messages per second a client may sustain (0: no limit). */
  readonly clientMessagesPerSecond: number;
  /** Messages a client may send at once above the rate. */
  readonly clientMessageBurst: number;
  /** Payload bytes per second a client may sustain (0: no limit). */
  readonly clientBytesPerSecond: number;
  /** Payload bytes a client may send at once above the rate. */
  readonly clientByteBurst: number;
}

/** True when at least one bucket is on (otherwise no client ever gets an `InboundRate`). */
export function limited(limits: RateLimits): boolean {
  return limits.clientMessagesPerSecond > 0 || limits.clientBytesPerSecond > 0;
}

/**
 * Two token buckets, messages and bytes, refilled by elapsed time and capped at their burst.
 * A message is always taken, even past the tokens left (nothing a client sent is dropped): the
 * buckets go into debt, and the debt is how long the client's socket stays unread. A message
 * larger than the byte burst therefore still passes, and is paid for by a longer pause.
 * Allocated on a client's first message, so idle clients cost nothing.
 */
export class InboundRate {
  private messages: number;
  private bytes: number;
  private last: number;
  /** When the client first went over and has not refilled its buckets since (0: it is within its limits). */
  overSince = 0;
  /** The timer that reads the client again once its debt is paid. */
  resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: RateLimits,
    now: number,
  ) {
    this.messages = limits.clientMessageBurst;
    this.bytes = limits.clientByteBurst;
    this.last = now;
  }

  /** Counts one message of `size` bytes at `now` (ms); returns what `debtMs` returns after it. */
  take(now: number, size: number): number {
    this.refill(now);
    if (this.limits.clientMessagesPerSecond > 0) this.messages -= 1;
    if (this.limits.clientBytesPerSecond > 0) this.bytes -= size;
    return this.waitMs();
  }

  /** 0 while the client is within its limits, else the milliseconds until its debt is paid (at least 1). */
  debtMs(now: number): number {
    this.refill(now);
    return this.waitMs();
  }

  private refill(now: number): void {
    const { clientMessagesPerSecond: mps, clientMessageBurst, clientBytesPerSecond: bps, clientByteBurst } = this.limits;
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    const messages = this.messages + (elapsed * mps) / 1000;
    const bytes = this.bytes + (elapsed * bps) / 1000;
    // Buckets refilled to the brim mean the client kept under its rates for a while: forgiven.
    if ((mps === 0 || messages >= clientMessageBurst) && (bps === 0 || bytes >= clientByteBurst)) this.overSince = 0;
    this.messages = Math.min(clientMessageBurst, messages);
    this.bytes = Math.min(clientByteBurst, bytes);
  }

  private waitMs(): number {
    const { clientMessagesPerSecond: mps, clientBytesPerSecond: bps } = this.limits;
    let waitMs = 0;
    if (mps > 0 && this.messages < 0) waitMs = (-this.messages * 1000) / mps;
    if (bps > 0 && this.bytes < 0) waitMs = Math.max(waitMs, (-this.bytes * 1000) / bps);
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs));
  }
}
