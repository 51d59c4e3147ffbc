// The RedisLink port: exactly the Redis commands the broker uses, so the client library (ioredis today) is one file.
import type { RedisLinkError } from './errors.js';
import type { RedisScript } from './redis-script.js';

/** A reply as Redis sends it (RESP2): status and bulk strings, integers, nil, nested arrays. */
export type RedisReply = string | number | null | Buffer | RedisReply[];

/** An argument of a command: strings and numbers as text, Buffers as they are. */
export type RedisArg = string | number | Buffer;

/** One entry of a stream, as XRANGE returns it. */
export interface RedisStreamEntry {
  id: string;
  fields: Record<string, string>;
}

/**
 * Where a link is. `connecting`: before the first `up`; `up`: both connections ready and every
 * channel subscribed; `reconnecting`: one of them lost and being rebuilt; `closed`: after `quit()`.
 */
export type RedisLinkState = 'connecting' | 'up' | 'reconnecting' | 'closed';

/** The two connections of a link: commands (written in the order they are made) and subscriptions (a dedicated socket). */
export type RedisConnectionRole = 'command' | 'subscriber';

/** Why the subscriber connection was (re)subscribed: a reconnect of its own, or a probe restart. */
export type ResubscribeCause = 'reconnect' | 'probe';

/** What a link reports; listeners must not throw. */
export interface RedisLinkEvents {
  /** Both connections are ready again (also the first time) and every channel is subscribed. */
  up: () => void;
  /** A connection was lost; commands fail with `redis_unavailable` until `up`. */
  down: (info: { role: RedisConnectionRole; reason: string }) => void;
  /** A connection will be retried after `delayMs` (attempt counts from 1 per outage). */
  reconnecting: (info: { role: RedisConnectionRole; attempt: number; delayMs: number }) => void;
  /**
   * Every channel was subscribed again on a new subscriber connection. Messages published while
   * it was away are lost: this is the moment for gap repair from history streams.
   */
  resubscribed: (info: { channels: number; cause: ResubscribeCause }) => void;
}

/** Counters for metrics (`pubsub_reconnects`, `probe_restarts`) and tests. */
export interface RedisLinkStats {
  /** Subscriber connections re-established after a loss, probe restarts included. */
  subscriberReconnects: number;
  /** Command connections re-established after a loss. */
  commandReconnects: number;
  /** Probes published because the subscription was silent. */
  probesSent: number;
  /** Subscriber connections torn down and rebuilt because a probe went unanswered. */
  probeRestarts: number;
  /** Channels asked for with `subscribe` and not unsubscribed (the probe channel not counted). */
  channels: number;
}

/** Receives a published message; called on the socket's read path, so it must return at once. */
export type RedisMessageHandler<P extends string | Buffer> = (channel: string, payload: P) => void;

/** Options of SET the broker uses: create-only and a millisecond expiry. */
export interface RedisSetOptions {
  /** Only set when the key does not exist (SET NX). @default false */
  nx?: boolean;
  /** Expiry in milliseconds (SET PX). @default no expiry */
  px?: number;
}

/** One result of a pipeline: the raw reply, or the error Redis (or the connection) gave that command. */
export type RedisPipelineResult = { ok: true; value: RedisReply } | { ok: false; error: RedisLinkError };

/**
 * Commands queued for one write; `exec` sends them together and answers in order. Replies are
 * raw (`SET` gives `'OK'` or `null`, `HGETALL` a flat array). Scripts not yet loaded on this
 * connection are loaded at the head of the batch, so everything runs in order; only after an
 * outside `SCRIPT FLUSH` is a script re-sent with EVAL once the rest of the batch ran.
 */
export interface RedisPipeline {
  readonly length: number;
  publish(channel: string, message: string | Buffer): this;
  evalsha(script: RedisScript, keys: readonly string[], args?: readonly RedisArg[]): this;
  get(key: string): this;
  set(key: string, value: RedisArg, options?: RedisSetOptions): this;
  del(keys: readonly string[]): this;
  pexpire(key: string, ms: number): this;
  hset(key: string, fields: Readonly<Record<string, RedisArg>>): this;
  hdel(key: string, fields: readonly string[]): this;
  sadd(key: string, members: readonly string[]): this;
  srem(key: string, members: readonly string[]): this;
  zadd(key: string, score: number, member: string): this;
  zrem(key: string, members: readonly string[]): this;
  xadd(key: string, id: string, fields: Readonly<Record<string, RedisArg>>): this;
  /** Rejects (`redis_unavailable`) only when the batch could not be sent at all. */
  exec(): Promise<RedisPipelineResult[]>;
}

/**
 * A connection to one Redis: a command connection, where commands go out in the order they are
 * made, and a dedicated subscriber connection. It reconnects with backoff on its own and never
 * throws on a lost connection: commands reject with a {@link RedisLinkError} instead (no offline
 * queue, so nothing piles up while Redis is away), and subscriptions are restored in batches when
 * Redis is back.
 */
export interface RedisLink {
  readonly state: RedisLinkState;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof RedisLinkEvents>(event: E, listener: RedisLinkEvents[E]): () => void;

  /** The one handler of published messages, payload decoded as UTF-8 (replaces a previous one). */
  onMessage(handler: RedisMessageHandler<string>): void;
  /** The one handler of published messages, payload as the bytes Redis sent (replaces a previous one). */
  onMessageBuffer(handler: RedisMessageHandler<Buffer>): void;
  /** Resolves with the number of subscribers that got it (0: nobody listens on that channel). */
  publish(channel: string, message: string | Buffer): Promise<number>;
  /**
   * Subscribes, in SUBSCRIBE commands of at most `subscribeBatchSize` channels. Resolves once
   * Redis confirmed; rejects with `redis_unavailable` when the subscriber is down, but the
   * channels stay wanted and are subscribed on reconnect (`resubscribed`).
   */
  subscribe(channels: readonly string[]): Promise<void>;
  /** Unsubscribes in batches; never rejects for a lost connection (its subscriptions are gone anyway). */
  unsubscribe(channels: readonly string[]): Promise<void>;

  /** Runs a script by SHA; on NOSCRIPT sends its source once with EVAL, which also caches it. */
  evalsha(script: RedisScript, keys: readonly string[], args?: readonly RedisArg[]): Promise<RedisReply>;
  pipeline(): RedisPipeline;

  get(key: string): Promise<string | null>;
  /** True when the key was set; false when `nx` found it there. */
  set(key: string, value: RedisArg, options?: RedisSetOptions): Promise<boolean>;
  del(keys: readonly string[]): Promise<number>;
  /** Sets a key's expiry in milliseconds; true when the key exists. */
  pexpire(key: string, ms: number): Promise<boolean>;
  hset(key: string, fields: Readonly<Record<string, RedisArg>>): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, fields: readonly string[]): Promise<number>;
  sadd(key: string, members: readonly string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  srem(key: string, members: readonly string[]): Promise<number>;
  /** Removes and returns up to `count` random members (an empty list once the set is empty or gone). */
  spop(key: string, count: number): Promise<string[]>;
  zadd(key: string, score: number, member: string): Promise<number>;
  /** Members with `min <= score <= max`; bounds as numbers or Redis syntax (`'-inf'`, `'(5'`). */
  zrangebyscore(key: string, min: number | string, max: number | string, limit?: { offset: number; count: number }): Promise<string[]>;
  zrem(key: string, members: readonly string[]): Promise<number>;
  /** Appends an entry with `id` (`'*'` for Redis to choose); resolves with the id. */
  xadd(key: string, id: string, fields: Readonly<Record<string, RedisArg>>): Promise<string>;
  /** Entries from `start` to `end` inclusive (`'-'`, `'+'`, `'(5-0'`), at most `count`. */
  xrange(key: string, start: string, end: string, count?: number): Promise<RedisStreamEntry[]>;
  /** XADD with `MAXLEN ~ maxLen` (the DLQ): appended, the oldest trimmed in whole nodes; resolves with the id. */
  xaddTrimmed(key: string, maxLen: number, fields: Readonly<Record<string, RedisArg>>): Promise<string>;
  /** Stream entries and consumer groups (the durable event queue). */
  xlen(key: string): Promise<number>;
  /** Removes ids from the group's pending lists; resolves with how many were pending. */
  xack(key: string, group: string, ids: readonly string[]): Promise<number>;
  xdel(key: string, ids: readonly string[]): Promise<number>;
  /** XGROUP CREATE … MKSTREAM; false when the group existed already (BUSYGROUP). */
  xgroupCreate(key: string, group: string, startId: string): Promise<boolean>;
  /** XGROUP DELCONSUMER; resolves with the pending entries it had. */
  xgroupDelconsumer(key: string, group: string, consumer: string): Promise<number>;
  /** XREADGROUP without BLOCK, one stream; `'0'` reads the consumer's own pending entries, `'>'` new ones. */
  xreadgroup(key: string, group: string, consumer: string, id: string, count: number): Promise<RedisStreamEntry[]>;
  /** XCLAIM of `ids` idle at least `minIdleMs` to `consumer`; resolves with the entries claimed (deleted ones left out). */
  xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: readonly string[]): Promise<RedisStreamEntry[]>;
  /** XPENDING extended form for one consumer: ids (with their delivery counts) from `start`, at most `count`. */
  xpending(key: string, group: string, start: string, count: number, consumer: string): Promise<{ id: string; deliveries: number }[]>;
  /** XINFO CONSUMERS: each consumer of the group with its pending count. */
  xinfoConsumers(key: string, group: string): Promise<{ name: string; pending: number }[]>;
  /** Resolves when the command connection answers PING. */
  ping(): Promise<void>;

  stats(): RedisLinkStats;
  /** Closes both connections; pending commands reject with `redis_closed`. Idempotent. */
  quit(): Promise<void>;
}
