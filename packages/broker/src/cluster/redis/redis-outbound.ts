// The write path of the Redis transport: every publish of this node, in order, batched per channel.
import { OrderedPublisher, type Publish } from './ordered-publisher.js';
import { PublishBatcher } from './publish-batcher.js';
import type { RedisLink } from './redis-link.js';

/** What the write path needs of its backplane. */
export interface OutboundHost {
  /** The link while the transport is open. */
  link(): RedisLink | undefined;
  /** Runs before every publish: pending presence changes go first, so a reply never overtakes the change it reports. */
  beforePublish(): void;
  readonly counters: { messagesOut: number; publishFailures: number; lostPublishes: number };
  /** The error a publish without a link fails with. */
  unavailable(): Error;
}

/**
 * This node's publishes: in the order they were made (`out`, where a direct message waiting for
 * its directory lookup holds its place), then joined per channel into as few PUBLISHes as the
 * order allows (`PublishBatcher`). Failures are counted, never thrown at the caller.
 */
export class RedisOutbound {
  readonly out: OrderedPublisher;
  private readonly batcher: PublishBatcher;

  constructor(
    private readonly host: OutboundHost,
    maxWaitingPublishes: number,
  ) {
    const { counters } = host;
    this.batcher = new PublishBatcher({
      publish: (channel, payload) => {
        const link = host.link();
        return link === undefined ? Promise.reject(host.unavailable()) : link.publish(channel, payload);
      },
      failed: (records) => {
        counters.lostPublishes += records;
        counters.publishFailures += records;
      },
    });
    const publish: Publish = (channel, payload, receivers) => this.publish(channel, payload, receivers);
    this.out = new OrderedPublisher(publish, maxWaitingPublishes, () => {
      counters.publishFailures++;
    });
  }

  /** Publishes waiting behind a directory lookup. */
  get waiting(): number {
    return this.out.waiting;
  }

  send(channel: string, record: string, receivers?: (count: number) => void): void {
    this.out.send(channel, record, receivers);
  }

  /** A stop: lets out what waits behind lookups (at most `ms`), drops the rest, sends what is batched. */
  async drain(ms: number): Promise<void> {
    await Promise.race([this.out.idle(), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    this.out.clear();
    this.batcher.flush();
  }

  private publish(channel: string, record: string, receivers?: (count: number) => void): void {
    const host = this.host;
    host.beforePublish();
    if (host.link() === undefined) {
      host.counters.publishFailures++;
      return;
    }
    host.counters.messagesOut++;
    this.batcher.add(channel, record, receivers);
  }
}
