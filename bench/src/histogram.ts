// A fixed-size latency histogram (log-linear buckets, HDR-style): recording is O(1) with no
// allocation, so the load generator can record every message; histograms merge by adding counts.

/** Sub-buckets per power of two: 128 gives under 0.8% error on any recorded value. */
const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS;
const HALF = SUB_COUNT >> 1;
/** Values are microseconds; anything from 2^31 µs (about 36 minutes) up lands in the last bucket. */
const MAX_EXPONENT = 30;
/** Number of buckets; exported so that workers can allocate compatible arrays. */
export const HISTOGRAM_BUCKETS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * HALF;

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

function bucketOf(micros: number): number {
  const v = micros < 0 ? 0 : Math.floor(micros);
  if (v < SUB_COUNT) return v;
  if (v >= 2 ** (MAX_EXPONENT + 1)) return HISTOGRAM_BUCKETS - 1;
  const exponent = 31 - Math.clz32(v);
  const shift = exponent - (SUB_BITS - 1);
  return SUB_COUNT + (exponent - SUB_BITS) * HALF + ((v >>> shift) - HALF);
}

/** The middle of a bucket's range, in microseconds. */
function valueOf(bucket: number): number {
  if (bucket < SUB_COUNT) return bucket;
  const k = bucket - SUB_COUNT;
  const exponent = SUB_BITS + Math.floor(k / HALF);
  const shift = exponent - (SUB_BITS - 1);
  const lower = (HALF + (k % HALF)) * 2 ** shift;
  return lower + 2 ** shift / 2;
}

/**
 * Records latencies in microseconds.
 * @example
 * const h = new LatencyHistogram();
 * h.record(1234);
 * h.summary().p99Ms; // about 1.234
 */
export class LatencyHistogram {
  readonly counts: Uint32Array;
  private total = 0;
  private sumMicros = 0;
  private maxMicros = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(HISTOGRAM_BUCKETS);
    if (this.counts.length !== HISTOGRAM_BUCKETS) throw new RangeError('histogram counts have the wrong length');
    if (counts !== undefined) this.recount();
  }

  /** Records one latency, in microseconds. */
  record(micros: number): void {
    const bucket = bucketOf(micros);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total += 1;
    this.sumMicros += micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  /** Number of values recorded. */
  get count(): number {
    return this.total;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i += 1) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.total += other.total;
    this.sumMicros += other.sumMicros;
    if (other.maxMicros > this.maxMicros) this.maxMicros = other.maxMicros;
  }

  /** The value at quantile `q` (0..1), in microseconds; 0 when empty. */
  quantileMicros(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i += 1) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(valueOf(i), this.maxMicros);
    }
    return this.maxMicros;
  }

  /** p50/p95/p99/max/mean in milliseconds. */
  summary(): LatencySummary {
    const ms = (micros: number) => Math.round(micros) / 1000;
    return {
      count: this.total,
      p50Ms: ms(this.quantileMicros(0.5)),
      p95Ms: ms(this.quantileMicros(0.95)),
      p99Ms: ms(this.quantileMicros(0.99)),
      maxMs: ms(this.maxMicros),
      meanMs: this.total === 0 ? 0 : ms(this.sumMicros / this.total),
    };
  }

  /** Plain data for postMessage; rebuild with `LatencyHistogram.from`. */
  toJSON(): { counts: Uint32Array; sumMicros: number; maxMicros: number } {
    return { counts: this.counts, sumMicros: this.sumMicros, maxMicros: this.maxMicros };
  }

  /** Rebuilds a histogram sent by `toJSON`. */
  static from(data: { counts: Uint32Array; sumMicros: number; maxMicros: number }): LatencyHistogram {
    const h = new LatencyHistogram(new Uint32Array(data.counts));
    h.sumMicros = data.sumMicros;
    h.maxMicros = data.maxMicros;
    return h;
  }

  private recount(): void {
    let total = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i += 1) total += this.counts[i] ?? 0;
    this.total = total;
  }
}
