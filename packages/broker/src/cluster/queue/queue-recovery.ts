// The background side of the Redis queue: this consumer's lease, its own entries of an earlier run
// taken back at start, and the entries of dead consumers claimed, all within the store's bound.
import { RateLimitedLog } from '../../logger.js';
import type { RedisLink } from '../redis/redis-link.js';
import { QUEUE_BATCH, type ResolvedRedisQueueOptions } from './queue-options.js';
import { lastIdScript } from './queue-scripts.js';
import type { RedisEventStore } from './redis-event-store.js';

/** What recovery logs through (pino's Logger fits). */
export interface QueueLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** `a <= b` for stream ids `<ms>-<seq>`. */
function idAtOrBefore(a: string, b: string): boolean {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) < Number(bm) || (am === bm && Number(as) <= Number(bs));
}

/**
 * Every third of `leaseMs`: renews this consumer's lease, takes back this consumer's entries written
 * before this run started (while the store has room), and claims the entries of consumers whose
 * lease lapsed (XPENDING for that consumer, then XCLAIM with a minimum idle time, so two brokers
 * claiming at once cannot both get one). XAUTOCLAIM is not used: it claims by idle time whoever the
 * holder is, and would take events a live broker keeps waiting for a backend, out of their order.
 */
export class QueueRecovery<O extends { readonly id: string }> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Per partition: where the reading of this consumer's earlier entries is, or null once done. */
  private cursors: (string | null)[] = [];
  /** Per partition: entries of this consumer at or below this id are an earlier run's. */
  private boundaries: string[] = [];
  private readonly errorLog = new RateLimitedLog(5000);

  constructor(
    private readonly store: RedisEventStore<O>,
    private readonly link: RedisLink,
    private readonly options: ResolvedRedisQueueOptions,
    private readonly logger: QueueLogger,
  ) {}

  /**
   * Reads where each partition stream ends, then lets the store write (`attach`), so that nothing of
   * this run is at or below those ids; takes the lease and the earlier run's entries (what fits), then
   * keeps going in the background.
   */
  async open(attach: () => void): Promise<void> {
    const partitions = Array.from({ length: this.options.partitions }, (_, p) => this.store.keys.partition(p));
    this.boundaries = await Promise.all(partitions.map(async (key) => String(await this.link.evalsha(lastIdScript, [key]))));
    attach();
    this.cursors = Array.from({ length: this.options.partitions }, () => '0');
    await this.tick();
    const every = Math.max(50, Math.floor(this.options.leaseMs / 3));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  /** Stops; the lease is given up so that other brokers claim what this one still holds without waiting for it to lapse. */
  async close(release: boolean): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (release) await this.link.del([this.store.keys.lease(this.options.consumer)]).catch(() => undefined);
  }

  tick(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      await this.link.set(this.store.keys.lease(this.options.consumer), String(Date.now()), { px: this.options.leaseMs });
      await this.recoverOwn();
      await this.reclaimDead();
    } catch (error) {
      this.errorLog.hit((suppressed) => this.logger.warn({ err: (error as Error).message, suppressed }, 'event queue: recovery step failed (retried)'));
    }
  }

  private async recoverOwn(): Promise<void> {
    const { group, consumer } = this.options;
    for (let p = 0; p < this.cursors.length; p += 1) {
      let cursor = this.cursors[p];
      while (cursor !== null && cursor !== undefined && this.store.room > 0) {
        const read = await this.link.xreadgroup(this.store.keys.partition(p), group, consumer, cursor, Math.min(QUEUE_BATCH, this.store.room))
          .catch(() => []);
        const earlier = read.filter((entry) => idAtOrBefore(entry.id, this.boundaries[p] ?? '0-0'));
        this.store.claimed(p, earlier);
        this.store.counters.recovered += earlier.length;
        if (earlier.length > 0) this.logger.info({ partition: p, events: earlier.length }, 'event queue: events of an earlier run taken back');
        cursor = read.length === 0 || earlier.length < read.length ? null : (read.at(-1)?.id as string);
      }
      this.cursors[p] = cursor ?? null;
    }
  }

  private async reclaimDead(): Promise<void> {
    const { group, consumer, leaseMs } = this.options;
    const minIdle = Math.max(1, Math.floor(leaseMs / 4));
    for (let p = 0; p < this.options.partitions; p += 1) {
      const key = this.store.keys.partition(p);
      const consumers = await this.link.xinfoConsumers(key, group).catch(() => []);
      for (const other of consumers) {
        if (other.name === consumer) continue;
        if ((await this.link.get(this.store.keys.lease(other.name))) !== null) continue;
        if (other.pending === 0) {
          await this.link.xgroupDelconsumer(key, group, other.name);
          continue;
        }
        if (this.store.room === 0) return;
        const pending = await this.link.xpending(key, group, '-', Math.min(QUEUE_BATCH, this.store.room), other.name);
        const entries = await this.link.xclaim(key, group, consumer, minIdle, pending.map((entry) => entry.id));
        this.store.claimed(p, entries);
        this.store.counters.reclaimed += entries.length;
        if (entries.length > 0) this.logger.info({ partition: p, from: other.name, events: entries.length }, 'event queue: events of a dead broker claimed');
      }
    }
  }
}
