// RedisLink on ioredis 5, loaded lazily (a broker without cluster options never loads Redis code).
import type { Redis, RedisOptions } from 'ioredis';
import {
  commands, isEmptyVariadic, toConsumers, toGroupEntries, toLiveEntries, toNumber, toPending, toRecord, toStreamEntries, toStrings, type RedisCommand,
} from './commands.js';
import { RedisLinkError } from './errors.js';
import { closedError, fromIoredisError, unavailableError } from './ioredis-errors.js';
import { IoredisPipeline, type PipelineReplies } from './ioredis-pipeline.js';
import { IoredisSubscriber, type IoredisConstructor } from './ioredis-subscriber.js';
import { LinkEvents } from './link-events.js';
import { reconnectDelayMs, resolveRedisLinkOptions, type RedisLinkOptions, type ResolvedRedisLinkOptions } from './link-options.js';
import type {
  RedisArg, RedisConnectionRole, RedisLink, RedisLinkEvents, RedisLinkState, RedisLinkStats, RedisMessageHandler,
  RedisPipeline, RedisReply, RedisSetOptions, RedisStreamEntry,
} from './redis-link.js';
import type { RedisScript } from './redis-script.js';
import { SubscriberProbe } from './subscriber-probe.js';

/**
 * Connects both connections and resolves once they are up and subscribed to the probe channel.
 * Rejects with `redis_unavailable` (and closes everything) when that takes longer than
 * `connectTimeoutMs`: a broker asked for cluster mode should not start without its Redis.
 * @example
 * const link = await createIoredisLink({ url: 'redis://127.0.0.1:6379', probeChannel: `strands:node:${id}:probe` });
 * link.onMessage((channel, payload) => route(channel, payload));
 * await link.subscribe(['strands:bcast']);
 */
export async function createIoredisLink(options: RedisLinkOptions): Promise<RedisLink> {
  const resolved = resolveRedisLinkOptions(options);
  const { Redis } = await import('ioredis');
  const link = new IoredisLink(Redis, resolved);
  await link.connected();
  return link;
}

class IoredisLink implements RedisLink {
  private currentState: RedisLinkState = 'connecting';
  private readonly command: Redis;
  private readonly subscriber: IoredisSubscriber;
  private readonly probe: SubscriberProbe;
  private commandReady = false;
  private commandEverReady = false;
  private commandLastError: string | undefined;
  private readonly events = new LinkEvents();
  private stringHandler: RedisMessageHandler<string> | undefined;
  private bufferHandler: RedisMessageHandler<Buffer> | undefined;
  /** SHAs cached on the current command connection, as far as this link knows; cleared on reconnect. */
  private readonly loadedScripts = new Set<string>();
  private readonly counters = { subscriberReconnects: 0, commandReconnects: 0, probesSent: 0, probeRestarts: 0 };

  constructor(
    Redis: IoredisConstructor,
    private readonly options: ResolvedRedisLinkOptions,
  ) {
    this.probe = new SubscriberProbe(
      { silenceMs: options.probeSilenceMs, answerTimeoutMs: options.probeAnswerTimeoutMs },
      {
        publish: () => {
          this.counters.probesSent++;
          return this.publish(options.probeChannel, String(Date.now()));
        },
        restart: (reason) => {
          this.counters.probeRestarts++;
          this.subscriber.rebuild(reason);
        },
      },
    );
    this.command = new Redis(options.url, this.connectionOptions('command'));
    this.command.on('error', (error: Error) => {
      this.commandLastError = error.message;
    });
    this.command.on('ready', () => {
      if (this.commandEverReady) this.counters.commandReconnects++;
      this.loadedScripts.clear(); // a new connection may be a restarted Redis with an empty script cache
      this.commandEverReady = true;
      this.commandReady = true;
      this.updateState();
    });
    this.command.on('close', () => {
      if (!this.commandReady) return;
      this.commandReady = false;
      this.emit('down', { role: 'command', reason: this.commandLastError ?? 'connection closed' });
      this.updateState();
    });
    this.command.connect().catch(() => undefined); // retried by ioredis, seen as 'error'
    this.subscriber = new IoredisSubscriber(Redis, options.url, () => this.connectionOptions('subscriber'),
      options.probeChannel, options.subscribeBatchSize, {
        message: (channel, payload) => this.onMessageArrived(channel, payload),
        subscribed: ({ channels, cause, first }) => {
          if (!first) {
            this.counters.subscriberReconnects++;
            this.emit('resubscribed', { channels, cause });
          }
          this.probe.resume();
          this.updateState();
        },
        lost: (reason) => {
          this.probe.pause();
          this.emit('down', { role: 'subscriber', reason });
          this.updateState();
        },
      });
    this.probe.start();
  }

  /**
   * The connection settings, chosen so a lost Redis never piles work up in memory:
   * - `enableOfflineQueue: false`: a command sent while the socket is not ready rejects at once
   *   (`redis_unavailable`) instead of waiting in an unbounded queue for Redis to come back; the
   *   broker keeps its own bounded buffers and repairs from history streams.
   * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight when
   *   the socket drops rejects at once too; resending a PUBLISH or XADD blindly could double it.
   * - `autoResubscribe: false`: the subscriber resubscribes itself, in batches.
   * - `commandTimeout`: a silent socket makes commands fail with `redis_timeout` instead of hanging.
   * - `enableAutoPipelining: false`: what the broker sends often is batched already (a turn's
   *   publishes per channel, a turn's queue writes in one script call, presence in pipelines), and
   *   ioredis' auto-pipeline cost a Pipeline object and a promise chain per tick: about 40 µs of CPU
   *   per PUBLISH against 50 µs for the whole plain round trip (3.3 KB payload, this machine), and
   *   a sixth of a relayed round trip's broker CPU. Each command now goes out when it is made, so
   *   the connection carries them in the order they were made (the auto-pipeline held them to the
   *   next tick, behind any explicit pipeline made meanwhile).
   */
  private connectionOptions(role: RedisConnectionRole): RedisOptions {
    const o = this.options;
    return {
      lazyConnect: true,
      enableAutoPipelining: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      enableReadyCheck: true,
      connectTimeout: o.connectTimeoutMs,
      commandTimeout: o.commandTimeoutMs,
      keepAlive: o.keepAliveMs,
      connectionName: `${o.connectionName}-${role === 'command' ? 'cmd' : 'sub'}`,
      retryStrategy: (attempt: number) => {
        const delayMs = reconnectDelayMs(o, attempt);
        this.emit('reconnecting', { role, attempt, delayMs });
        return delayMs;
      },
    };
  }

  get state(): RedisLinkState {
    return this.currentState;
  }

  /** Resolves on the first `up`; rejects (and quits) after `connectTimeoutMs`. */
  connected(): Promise<void> {
    if (this.currentState === 'up') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        const reason = this.commandLastError ?? 'no answer';
        void this.quit();
        reject(new RedisLinkError(`could not connect to ${redactUrl(this.options.url)} within ${this.options.connectTimeoutMs} ms: ${reason}`,
          'redis_unavailable', 'connect'));
      }, this.options.connectTimeoutMs);
      const off = this.on('up', () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  on<E extends keyof RedisLinkEvents>(event: E, listener: RedisLinkEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  onMessage(handler: RedisMessageHandler<string>): void {
    this.stringHandler = handler;
  }

  onMessageBuffer(handler: RedisMessageHandler<Buffer>): void {
    this.bufferHandler = handler;
  }

  publish(channel: string, message: string | Buffer): Promise<number> {
    return this.send(commands.publish(channel, message)).then(toNumber);
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.subscriber.subscribe(channels);
  }

  unsubscribe(channels: readonly string[]): Promise<void> {
    return this.subscriber.unsubscribe(channels);
  }

  async evalsha(script: RedisScript, keys: readonly string[], args: readonly RedisArg[] = []): Promise<RedisReply> {
    if (!this.loadedScripts.has(script.sha)) {
      // Not known to be cached on this connection: EVAL runs it and caches it, so the EVALSHAs sent
      // after it on the same connection find it and every call runs in the order it was made. An
      // EVALSHA answered NOSCRIPT would run its fallback after calls made meanwhile (the durable
      // queue's appends then landed out of order in a stream).
      this.loadedScripts.add(script.sha);
      return (await this.send(commands.eval(script, keys, args))) as RedisReply;
    }
    try {
      return (await this.send(commands.evalsha(script, keys, args))) as RedisReply;
    } catch (error) {
      if ((error as RedisLinkError).reply !== 'NOSCRIPT') throw error;
      // Flushed behind this link's back (an operator's SCRIPT FLUSH): EVAL runs it and caches it for the next EVALSHA.
      this.loadedScripts.delete(script.sha);
      const reply = (await this.send(commands.eval(script, keys, args))) as RedisReply;
      this.loadedScripts.add(script.sha);
      return reply;
    }
  }

  pipeline(): RedisPipeline {
    return new IoredisPipeline((batch) => this.sendBatch(batch), () => this.isClosed(), this.loadedScripts);
  }

  get(key: string): Promise<string | null> {
    return this.send(commands.get(key)).then((reply) => (reply === null ? null : String(reply)));
  }
  set(key: string, value: RedisArg, options?: RedisSetOptions): Promise<boolean> {
    return this.send(commands.set(key, value, options)).then((reply) => reply !== null);
  }
  del(keys: readonly string[]): Promise<number> {
    return this.send(commands.del(keys)).then(toNumber);
  }
  pexpire(key: string, ms: number): Promise<boolean> {
    return this.send(commands.pexpire(key, ms)).then((reply) => toNumber(reply) === 1);
  }
  hset(key: string, fields: Readonly<Record<string, RedisArg>>): Promise<number> {
    return this.send(commands.hset(key, fields)).then(toNumber);
  }
  hgetall(key: string): Promise<Record<string, string>> {
    return this.send(commands.hgetall(key)).then(toRecord);
  }
  hdel(key: string, fields: readonly string[]): Promise<number> {
    return this.send(commands.hdel(key, fields)).then(toNumber);
  }
  sadd(key: string, members: readonly string[]): Promise<number> {
    return this.send(commands.sadd(key, members)).then(toNumber);
  }
  smembers(key: string): Promise<string[]> {
    return this.send(commands.smembers(key)).then(toStrings);
  }
  srem(key: string, members: readonly string[]): Promise<number> {
    return this.send(commands.srem(key, members)).then(toNumber);
  }
  spop(key: string, count: number): Promise<string[]> {
    return this.send(commands.spop(key, count)).then(toStrings);
  }
  zadd(key: string, score: number, member: string): Promise<number> {
    return this.send(commands.zadd(key, score, member)).then(toNumber);
  }
  zrangebyscore(key: string, min: number | string, max: number | string, limit?: { offset: number; count: number }): Promise<string[]> {
    return this.send(commands.zrangebyscore(key, min, max, limit)).then(toStrings);
  }
  zrem(key: string, members: readonly string[]): Promise<number> {
    return this.send(commands.zrem(key, members)).then(toNumber);
  }
  xadd(key: string, id: string, fields: Readonly<Record<string, RedisArg>>): Promise<string> {
    return this.send(commands.xadd(key, id, fields)).then(String);
  }
  xrange(key: string, start: string, end: string, count?: number): Promise<RedisStreamEntry[]> {
    return this.send(commands.xrange(key, start, end, count)).then(toStreamEntries);
  }
  xaddTrimmed(key: string, maxLen: number, fields: Readonly<Record<string, RedisArg>>): Promise<string> {
    return this.send(commands.xaddTrimmed(key, maxLen, fields)).then(String);
  }
  xlen(key: string): Promise<number> {
    return this.send(commands.xlen(key)).then(toNumber);
  }
  xack(key: string, group: string, ids: readonly string[]): Promise<number> {
    return this.send(commands.xack(key, group, ids)).then(toNumber);
  }
  xdel(key: string, ids: readonly string[]): Promise<number> {
    return this.send(commands.xdel(key, ids)).then(toNumber);
  }
  async xgroupCreate(key: string, group: string, startId: string): Promise<boolean> {
    try {
      await this.send(commands.xgroupCreate(key, group, startId));
      return true;
    } catch (error) {
      if ((error as RedisLinkError).reply === 'BUSYGROUP') return false;
      throw error;
    }
  }
  xgroupDelconsumer(key: string, group: string, consumer: string): Promise<number> {
    return this.send(commands.xgroupDelconsumer(key, group, consumer)).then(toNumber);
  }
  xreadgroup(key: string, group: string, consumer: string, id: string, count: number): Promise<RedisStreamEntry[]> {
    return this.send(commands.xreadgroup(key, group, consumer, id, count)).then(toGroupEntries);
  }
  xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: readonly string[]): Promise<RedisStreamEntry[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.send(commands.xclaim(key, group, consumer, minIdleMs, ids)).then(toLiveEntries);
  }
  xpending(key: string, group: string, start: string, count: number, consumer: string): Promise<{ id: string; deliveries: number }[]> {
    return this.send(commands.xpending(key, group, start, count, consumer)).then(toPending);
  }
  xinfoConsumers(key: string, group: string): Promise<{ name: string; pending: number }[]> {
    return this.send(commands.xinfoConsumers(key, group)).then(toConsumers);
  }
  async ping(): Promise<void> {
    await this.send(commands.ping());
  }

  stats(): RedisLinkStats {
    return { ...this.counters, channels: this.subscriber.channels };
  }

  async quit(): Promise<void> {
    if (this.isClosed()) return;
    this.setState('closed');
    this.probe.stop();
    this.command.removeAllListeners();
    this.command.on('error', () => undefined);
    await Promise.all([this.command.quit().catch(() => undefined), this.subscriber.close()]);
    this.command.disconnect();
  }

  /** A method, not a narrowed field read: the state can change across an await. */
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  /** One command on the command connection; refused here, at once, when it is not up. */
  private async send(command: RedisCommand): Promise<unknown> {
    const [name, ...args] = command;
    if (this.isClosed()) throw closedError(name);
    if (isEmptyVariadic(command)) return 0;
    if (!this.commandReady) throw unavailableError(name, this.commandLastError);
    try {
      return await this.command.call(name, ...args);
    } catch (error) {
      throw fromIoredisError(error, name, this.isClosed());
    }
  }

  private async sendBatch(batch: RedisCommand[]): Promise<PipelineReplies> {
    if (this.isClosed()) throw closedError('pipeline');
    if (!this.commandReady) throw unavailableError('pipeline', this.commandLastError);
    const replies = await this.command.pipeline(batch).exec();
    if (!replies) throw unavailableError('pipeline', this.commandLastError);
    return replies as PipelineReplies;
  }

  private onMessageArrived(channel: Buffer, payload: Buffer): void {
    this.probe.activity();
    const name = channel.toString('utf8');
    if (name === this.options.probeChannel) return;
    this.bufferHandler?.(name, payload);
    this.stringHandler?.(name, payload.toString('utf8'));
  }

  private updateState(): void {
    if (this.isClosed()) return;
    if (this.commandReady && this.subscriber.ready) this.setState('up');
    else this.setState(this.currentState === 'connecting' ? 'connecting' : 'reconnecting');
  }

  /** The one place the state changes. */
  private setState(next: RedisLinkState): void {
    if (next === this.currentState) return;
    this.currentState = next;
    if (next === 'up') this.emit('up');
  }

  private emit<E extends keyof RedisLinkEvents>(event: E, ...args: Parameters<RedisLinkEvents[E]>): void {
    this.events.emit(event, ...args);
  }
}

/** The url without its password, for messages and logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*:)?[^@/]*@/, '//***@');
}
