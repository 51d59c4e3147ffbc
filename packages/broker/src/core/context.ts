// What every part of a broker shares: its options, logger, counters, and whether it is stopping.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { ResolvedOptions } from '../options.js';

/** Read-only for the parts; only the broker's lifecycle (broker.ts) sets `stopping`. */
export interface BrokerContext {
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** True once `stop()` began: nothing new is accepted or queued. */
  readonly stopping: boolean;
}
