// The subscriber connection of a Redis link on ioredis: the channels it should hold, SUBSCRIBE in batches,
// resubscription on every new socket (ioredis' own autoResubscribe is off: it sends one unbounded command).
import type { Redis, RedisOptions } from 'ioredis';
import { closedError, fromIoredisError, unavailableError } from './ioredis-errors.js';
import type { ResubscribeCause } from './redis-link.js';

/** The ioredis constructor, passed in because the module is loaded lazily. */
export type IoredisConstructor = new (url: string, options: RedisOptions) => Redis;

export interface SubscriberHooks {
  /** Every published message, probe echoes included; must return at once. */
  message(channel: Buffer, payload: Buffer): void;
  /** The socket is subscribed to every wanted channel again (`first` on the link's first connect). */
  subscribed(info: { channels: number; cause: ResubscribeCause; first: boolean }): void;
  /** The socket was lost (or torn down by the probe). */
  lost(reason: string): void;
}

export class IoredisSubscriber {
  /** Channels the link was asked for; what every new socket subscribes to. */
  private readonly wanted = new Set<string>();
  private connection: Redis;
  /** The current socket answered 'ready' (commands can be written). */
  private writable = false;
  /** ...and every wanted channel is confirmed on it. */
  private subscribedAll = false;
  private everSubscribed = false;
  private nextCause: ResubscribeCause = 'reconnect';
  private lastError: string | undefined;
  private closed = false;

  constructor(
    private readonly Redis: IoredisConstructor,
    private readonly url: string,
    private readonly connectionOptions: () => RedisOptions,
    private readonly probeChannel: string,
    private readonly batchSize: number,
    private readonly hooks: SubscriberHooks,
  ) {
    this.connection = this.open();
  }

  /** Connected and every wanted channel subscribed. */
  get ready(): boolean {
    return this.subscribedAll;
  }

  get channels(): number {
    return this.wanted.size;
  }

  async subscribe(channels: readonly string[]): Promise<void> {
    if (this.closed) throw closedError('subscribe');
    const fresh = channels.filter((channel) => !this.wanted.has(channel) && channel !== this.probeChannel);
    for (const channel of fresh) this.wanted.add(channel);
    if (fresh.length === 0) return;
    // Not writable: the channels stay wanted and the next socket subscribes them.
    if (!this.writable) throw unavailableError('subscribe', this.lastError);
    await this.inBatches('subscribe', fresh);
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const gone = channels.filter((channel) => this.wanted.delete(channel));
    if (gone.length === 0 || !this.writable || this.closed) return;
    // A failure means the socket is gone, and its subscriptions with it: nothing is left to undo.
    await this.inBatches('unsubscribe', gone).catch(() => undefined);
  }

  /** Drops the current socket without waiting for it and subscribes everything on a new one. */
  rebuild(reason: string): void {
    if (this.closed) return;
    const old = this.connection;
    old.removeAllListeners();
    old.on('error', () => undefined); // a late socket error of the old one must not be uncaught
    old.disconnect();
    this.nextCause = 'probe';
    this.markLost(reason);
    this.connection = this.open();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writable = false;
    this.subscribedAll = false;
    const connection = this.connection;
    connection.removeAllListeners();
    connection.on('error', () => undefined);
    await connection.quit().catch(() => undefined);
    connection.disconnect();
  }

  private open(): Redis {
    const connection = new this.Redis(this.url, this.connectionOptions());
    connection.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.hooks.message(channel, payload));
    connection.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    connection.on('ready', () => {
      if (connection === this.connection) this.onReady(connection);
    });
    connection.on('close', () => {
      if (connection === this.connection) this.markLost(this.lastError ?? 'connection closed');
    });
    connection.connect().catch(() => undefined); // failures are retried by ioredis and seen as 'error'
    return connection;
  }

  private onReady(connection: Redis): void {
    this.writable = true;
    // The snapshot is taken now; a subscribe() from here on writes its own SUBSCRIBE on this socket.
    const channels = [this.probeChannel, ...this.wanted];
    this.inBatches('subscribe', channels).then(
      () => {
        if (connection !== this.connection || !this.writable || this.closed) return;
        this.subscribedAll = true;
        const first = !this.everSubscribed;
        this.everSubscribed = true;
        const cause = this.nextCause;
        this.nextCause = 'reconnect';
        this.hooks.subscribed({ channels: this.wanted.size, cause, first });
      },
      (error: unknown) => {
        // A connection lost mid-way resubscribes on its next 'ready'. A refusal on a live socket
        // (an ACL forbidding a channel) is not cured by retrying; it shows as a link that stays down.
        this.lastError = (error as Error).message;
      },
    );
  }

  private markLost(reason: string): void {
    const was = this.writable;
    this.writable = false;
    this.subscribedAll = false;
    if (was && !this.closed) this.hooks.lost(reason);
  }

  private async inBatches(command: 'subscribe' | 'unsubscribe', channels: readonly string[]): Promise<void> {
    const connection = this.connection;
    const sends: Promise<unknown>[] = [];
    // All batches are written in one go: order on the socket is what keeps subscribe/unsubscribe right.
    for (let i = 0; i < channels.length; i += this.batchSize) {
      const batch = channels.slice(i, i + this.batchSize);
      sends.push(command === 'subscribe' ? connection.subscribe(...batch) : connection.unsubscribe(...batch));
    }
    try {
      await Promise.all(sends);
    } catch (error) {
      throw fromIoredisError(error, command, this.closed);
    }
  }
}
