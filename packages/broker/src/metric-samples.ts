// Metric samples a part reports for /metrics (a backplane, say): plain values the broker renders, so a port needs no metrics library.

/** One sample: a counter or gauge, or a histogram in Prometheus' cumulative form. */
export type BackplaneMetric =
  | { kind: 'counter' | 'gauge'; name: string; help: string; value: number }
  | {
      kind: 'histogram';
      name: string;
      help: string;
      /** Upper bounds of the buckets, in the metric's unit. */
      buckets: readonly number[];
      /** Cumulative counts, one per bucket. */
      cumulative: readonly number[];
      count: number;
      sum: number;
    };
