// Options of a Redis link, declared once with their defaults, and the one check of them.
import { randomBytes } from 'node:crypto';
import { OptionsError } from '../../errors.js';

export const DEFAULT_REDIS_SUBSCRIBE_BATCH_SIZE = 512;
export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 5_000;
export const DEFAULT_REDIS_RECONNECT_BASE_DELAY_MS = 50;
export const DEFAULT_REDIS_RECONNECT_MAX_DELAY_MS = 2_000;
export const DEFAULT_REDIS_KEEP_ALIVE_MS = 10_000;
export const DEFAULT_REDIS_PROBE_SILENCE_MS = 30_000;
export const DEFAULT_REDIS_PROBE_ANSWER_TIMEOUT_MS = 30_000;
export const DEFAULT_REDIS_CONNECTION_NAME = 'strands';

/** Options of a Redis link; only `url` is required. */
export interface RedisLinkOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /**
   * Channel the link publishes its liveness probes to; it stays subscribed to it. Must be unique
   * per link (cluster-notes: `strands:node:<nodeId>:probe`).
   * @default `strands:probe:<16 random hex digits>`
   */
  probeChannel?: string;
  /** How long the subscription may be silent before a probe is published. @default 30000 */
  probeSilenceMs?: number;
  /** How long a probe may go unanswered before the subscriber connection is rebuilt. @default 30000 */
  probeAnswerTimeoutMs?: number;
  /** Channels per SUBSCRIBE / UNSUBSCRIBE command. @default 512 (Centrifugo's batch) */
  subscribeBatchSize?: number;
  /** How long `connect` waits for both connections before it gives up. @default 5000 */
  connectTimeoutMs?: number;
  /** A command not answered in this time rejects with `redis_timeout`. @default 5000 */
  commandTimeoutMs?: number;
  /** First reconnect delay; it doubles per failed attempt (with ±20% jitter). @default 50 */
  reconnectBaseDelayMs?: number;
  /** Ceiling of the reconnect delay. @default 2000 */
  reconnectMaxDelayMs?: number;
  /** TCP keep-alive initial delay, so a half-open socket is noticed by the kernel eventually. @default 10000 */
  keepAliveMs?: number;
  /** CLIENT SETNAME prefix; connections are named `<name>-cmd` and `<name>-sub` for operators. @default 'strands' */
  connectionName?: string;
}

export type ResolvedRedisLinkOptions = Required<RedisLinkOptions>;

/** Fills defaults and rejects values that cannot work (an OptionsError naming the option). */
export function resolveRedisLinkOptions(options: RedisLinkOptions): ResolvedRedisLinkOptions {
  if (!/^rediss?:\/\//.test(options.url ?? '')) {
    throw new OptionsError(`url must start with redis:// or rediss://, got ${JSON.stringify(options.url)}`, 'url');
  }
  const resolved: ResolvedRedisLinkOptions = {
    url: options.url,
    probeChannel: options.probeChannel ?? `strands:probe:${randomBytes(8).toString('hex')}`,
    probeSilenceMs: options.probeSilenceMs ?? DEFAULT_REDIS_PROBE_SILENCE_MS,
    probeAnswerTimeoutMs: options.probeAnswerTimeoutMs ?? DEFAULT_REDIS_PROBE_ANSWER_TIMEOUT_MS,
    subscribeBatchSize: options.subscribeBatchSize ?? DEFAULT_REDIS_SUBSCRIBE_BATCH_SIZE,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    reconnectBaseDelayMs: options.reconnectBaseDelayMs ?? DEFAULT_REDIS_RECONNECT_BASE_DELAY_MS,
    reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? DEFAULT_REDIS_RECONNECT_MAX_DELAY_MS,
    keepAliveMs: options.keepAliveMs ?? DEFAULT_REDIS_KEEP_ALIVE_MS,
    connectionName: options.connectionName ?? DEFAULT_REDIS_CONNECTION_NAME,
  };
  for (const name of [
    'probeSilenceMs',
    'probeAnswerTimeoutMs',
    'subscribeBatchSize',
    'connectTimeoutMs',
    'commandTimeoutMs',
    'reconnectBaseDelayMs',
    'reconnectMaxDelayMs',
  ] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) throw new OptionsError(`${name} must be a positive number, got ${value}`, name);
  }
  if (!Number.isFinite(resolved.keepAliveMs) || resolved.keepAliveMs < 0) {
    throw new OptionsError(`keepAliveMs must be 0 or more, got ${resolved.keepAliveMs}`, 'keepAliveMs');
  }
  if (!Number.isInteger(resolved.subscribeBatchSize)) {
    throw new OptionsError(`subscribeBatchSize must be an integer, got ${resolved.subscribeBatchSize}`, 'subscribeBatchSize');
  }
  if (resolved.reconnectMaxDelayMs < resolved.reconnectBaseDelayMs) {
    throw new OptionsError('reconnectMaxDelayMs must not be below reconnectBaseDelayMs', 'reconnectMaxDelayMs');
  }
  if (resolved.probeChannel === '') throw new OptionsError('probeChannel must not be empty', 'probeChannel');
  return resolved;
}

/** The delay before reconnect attempt `attempt` (1-based): doubling from the base, capped, ±20% so nodes spread out. */
export function reconnectDelayMs(options: ResolvedRedisLinkOptions, attempt: number, random = Math.random): number {
  const exact = Math.min(options.reconnectMaxDelayMs, options.reconnectBaseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exact * (0.8 + 0.4 * random()));
}
