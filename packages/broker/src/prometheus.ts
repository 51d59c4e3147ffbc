// prom-client's share of /metrics: the runtime metrics every Node dashboard expects, build info, and the latency histograms.
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RejectReason } from './metrics.js';
import { VERSION } from './version.js';

/** Label of `strands_connection_decision_seconds`: `accepted`, or why the upgrade was refused (a bounded set). */
export type DecisionOutcome = 'accepted' | RejectReason;

/** Upper bounds in seconds: a backend answers in milliseconds; the default timeout is 10 s. */
const DECISION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processRegistry: Registry | undefined;

/**
 * The process's runtime metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `process_open_fds`, `nodejs_eventloop_lag_*`, `nodejs_heap_*`, `nodejs_gc_duration_seconds`,
 * `nodejs_version_info`, ...), made on first use in a private registry (never prom-client's
 * global one, which an application embedding the broker may use for itself).
 *
 * One per process, shared by every broker in it: these values describe the process, and
 * `collectDefaultMetrics` starts a GC observer and an event-loop delay monitor that prom-client
 * never stops, so one per broker would leak both for each broker created and stopped.
 */
function runtimeRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * A broker's own prom-client registry: build info and the latency histograms. Observations
 * happen once per upgrade (never per message); the per-message counters stay plain fields of
 * `Metrics`.
 */
export class BrokerHistograms {
  private readonly registry = new Registry();
  private readonly decision: Histogram<'outcome'>;
  // One child per outcome, made once: observe() then hashes no labels.
  private readonly byOutcome = new Map<DecisionOutcome, { observe(value: number): void }>();

  constructor() {
    runtimeRegistry();
    const build = new Gauge({
      name: 'strands_build_info',
      help: 'Version of @strands/broker and of Node.js running it (always 1).',
      labelNames: ['version', 'node_version'],
      registers: [this.registry],
    });
    build.set({ version: VERSION, node_version: process.version }, 1);
    this.decision = new Histogram({
      name: 'strands_connection_decision_seconds',
      help: 'Time from a WebSocket upgrade to its decision (a backend round trip, forwarded in a cluster), by outcome.',
      labelNames: ['outcome'],
      buckets: DECISION_BUCKETS_S,
      registers: [this.registry],
    });
  }

  /** Records how long the decision of one upgrade took. */
  observeDecision(outcome: DecisionOutcome, seconds: number): void {
    let child = this.byOutcome.get(outcome);
    if (child === undefined) {
      child = this.decision.labels({ outcome });
      this.byOutcome.set(outcome, child);
    }
    child.observe(seconds);
  }

  /** The runtime metrics of the process, then this broker's build info and histograms, as Prometheus text. */
  async render(): Promise<string> {
    const [runtime, own] = await Promise.all([runtimeRegistry().metrics(), this.registry.metrics()]);
    return `${runtime}\n${own}`;
  }
}
