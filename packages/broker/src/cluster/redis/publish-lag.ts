// How long cross-node messages take: the publish time a sender stamps on each message, against its receive time.

/** Upper bounds (ms) of the lag histogram's buckets; a lag above the last one is counted in `samples` only. */
export const PUBLISH_LAG_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000];

/**
 * The lag of the messages this node received from other nodes, since it started, shaped as a
 * Prometheus histogram. Lag is the receiver's clock minus the sender's: between machines it
 * includes their clock skew (a negative difference counts as 0).
 */
export interface PublishLag {
  /** Messages measured. */
  samples: number;
  /** Their lags added up (ms); `sumMs / samples` is the mean. */
  sumMs: number;
  /** The largest lag seen (ms). */
  maxMs: number;
  /** The lag of the last message measured (ms). */
  lastMs: number;
  /** `PUBLISH_LAG_BUCKETS_MS`, repeated here so a reader needs nothing else. */
  bucketsMs: readonly number[];
  /** Cumulative: `le[i]` messages had a lag of at most `bucketsMs[i]`. */
  le: number[];
}

export class PublishLagHistogram {
  private samples = 0;
  private sumMs = 0;
  private maxMs = 0;
  private lastMs = 0;
  /** Per bucket, not cumulative; the snapshot adds them up. */
  private readonly counts = new Array<number>(PUBLISH_LAG_BUCKETS_MS.length).fill(0);

  /** A message sent at `sentAt` (the sender's ms clock) arrived `now`. */
  observe(sentAt: number, now: number): void {
    const lag = Math.max(0, now - sentAt);
    this.samples += 1;
    this.sumMs += lag;
    this.lastMs = lag;
    if (lag > this.maxMs) this.maxMs = lag;
    for (let i = 0; i < PUBLISH_LAG_BUCKETS_MS.length; i++) {
      if (lag <= (PUBLISH_LAG_BUCKETS_MS[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  snapshot(): PublishLag {
    const le: number[] = [];
    let total = 0;
    for (const count of this.counts) le.push((total += count));
    return { samples: this.samples, sumMs: this.sumMs, maxMs: this.maxMs, lastMs: this.lastMs, bucketsMs: PUBLISH_LAG_BUCKETS_MS, le };
  }
}
