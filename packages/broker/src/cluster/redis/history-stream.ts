// Room history in Redis for cluster mode (step 4 of issue 13): one
// stream per room (`<prefix>:{room:<id>}:hist`, entry id `<offset>-0`) and its meta hash
// (`<prefix>:{room:<id>}:meta`: `e` epoch, `s` top offset). Appending is one script call; a
// recovery read is one bounded script call. Both keys carry the room's hash tag (Redis Cluster).
import { randomBytes } from 'node:crypto';
import type { HistoryLimits, HistoryPosition, LostReason, Publication } from '../../core/history-store.js';
import type { RedisLink, RedisReply } from './redis-link.js';
import { defineRedisScript } from './redis-script.js';

/** How long a room's meta (its epoch and top offset) outlives its last message: offsets stay monotonic meanwhile (Centrifugo's lesson). */
export const HISTORY_META_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * KEYS: meta, hist. ARGV: message, binary (0/1), size, ttl ms, epoch if new, meta ttl ms.
 * A meta that expired (or never was) starts a new epoch from offset 1: the history was lost.
 * The body of both append scripts (APPEND returns, APPEND_PUBLISH publishes first).
 */
const APPEND_LUA = `local e = redis.call('HGET', KEYS[1], 'e')
if not e then
  e = ARGV[5]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', e, 's', 0)
end
local s = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], s .. '-0', 'm', ARGV[1], 'b', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
`;

const APPEND = defineRedisScript('history_append', `${APPEND_LUA}return {s, e}`);

/**
 * KEYS: meta, hist. ARGV: after offset, max. Returns {top, epoch, entries} with entries false
 * when more than max were missed (not read at all: a bounded read, never a partial replay).
 */
const SINCE = defineRedisScript(
  'history_since',
  `local e = redis.call('HGET', KEYS[1], 'e')
if not e then return {0, ''} end
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local after = tonumber(ARGV[1])
if s - after > tonumber(ARGV[2]) or after >= s then return {s, e} end
return {s, e, redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+', 'COUNT', ARGV[2])}`,
);

/**
 * The append script, then PUBLISH of the room record to the room's channel in the same call, with
 * the offset and epoch in its header: every broker gets them with the message (no read of its
 * own), and a room's messages reach every channel subscriber in offset order (the order Redis ran
 * the scripts). KEYS: meta, hist. ARGV: as APPEND, then channel, record head (a JSON object's
 * text without its closing brace), record tail (`,"len":..,"t":..}\n`).
 */
const APPEND_PUBLISH = defineRedisScript(
  'history_publish',
  `${APPEND_LUA}redis.call('PUBLISH', ARGV[7], ARGV[8] .. ',"offset":' .. s .. ',"epoch":"' .. e .. '"' .. ARGV[9] .. ARGV[1])
return {s, e}`,
);

/** KEYS: meta, hist. ARGV: epoch if new, meta ttl ms. Where the room stands; a room never written gets its epoch now, so a client told offset 0 can recover later. */
const POSITION = defineRedisScript(
  'history_position',
  `local e = redis.call('HGET', KEYS[1], 'e')
if not e then
  e = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', e, 's', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {redis.call('HGET', KEYS[1], 's'), e}`,
);

/** KEYS: meta, hist. ARGV: after offset (-1: the latest), limit. {top, epoch, entries} (entries oldest first). */
const READ = defineRedisScript(
  'history_read',
  `local e = redis.call('HGET', KEYS[1], 'e')
if not e then return {0, '', {}} end
local s = redis.call('HGET', KEYS[1], 's')
local after = tonumber(ARGV[1])
if after < 0 then return {s, e, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[2])} end
return {s, e, redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+', 'COUNT', ARGV[2])}`,
);

/** The answer to `since`, as the memory store gives it. */
export type StreamSinceResult =
  | { ok: true; position: HistoryPosition; publications: Publication[] }
  | { ok: false; position: HistoryPosition; reason: LostReason };

function text(reply: RedisReply | undefined): string {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply ?? '');
}

/** `[id, [field, value, ...]]` entries of XRANGE inside a script reply. */
function publications(entries: RedisReply[]): Publication[] {
  return entries.map((entry) => {
    const [id, flat] = entry as [RedisReply, RedisReply[]];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[text(flat[i])] = text(flat[i + 1]);
    return { offset: parseInt(text(id), 10), message: fields.m ?? '', binary: fields.b === '1' };
  });
}

/** Room history on Redis: what every broker of a cluster appends to and recovers from. */
export class RedisHistoryStream {
  private readonly epochPrefix = randomBytes(4).toString('hex');
  private epochs = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
  ) {}

  metaKey(roomId: string): string {
    return `${this.prefix}:{room:${roomId}}:meta`;
  }

  histKey(roomId: string): string {
    return `${this.prefix}:{room:${roomId}}:hist`;
  }

  /** The next offset of the room and its epoch (count-bounded by `size`; the whole stream expires `ttlMs` after its last message). */
  async append(roomId: string, message: string, binary: boolean, limits: HistoryLimits): Promise<HistoryPosition> {
    const args = [message, binary ? 1 : 0, limits.size, limits.ttlMs, this.nextEpoch(), HISTORY_META_TTL_MS];
    const reply = (await this.link.evalsha(APPEND, [this.metaKey(roomId), this.histKey(roomId)], args)) as RedisReply[];
    return { offset: Number(reply[0]), epoch: text(reply[1]) };
  }

  /**
   * Appends and publishes `body` to `channel` as one room record (`head` + offset and epoch +
   * `tail` + body) in one script call; resolves with the message's position.
   */
  async appendAndPublish(roomId: string, body: string, binary: boolean, limits: HistoryLimits, channel: string, head: string, tail: string): Promise<HistoryPosition> {
    const args = [body, binary ? 1 : 0, limits.size, limits.ttlMs, this.nextEpoch(), HISTORY_META_TTL_MS, channel, head, tail];
    const reply = (await this.link.evalsha(APPEND_PUBLISH, [this.metaKey(roomId), this.histKey(roomId)], args)) as RedisReply[];
    return { offset: Number(reply[0]), epoch: text(reply[1]) };
  }

  /** Where the room stands now (a room never written gets its epoch at offset 0). */
  async position(roomId: string): Promise<HistoryPosition> {
    const reply = (await this.link.evalsha(POSITION, [this.metaKey(roomId), this.histKey(roomId)], [this.nextEpoch(), HISTORY_META_TTL_MS])) as RedisReply[];
    return { offset: Number(text(reply[0])), epoch: text(reply[1]) };
  }

  /** Up to `limit` messages after `since` (oldest first), or without `since` the latest `limit`. */
  async read(roomId: string, since: number | undefined, limit: number): Promise<{ position: HistoryPosition; publications: Publication[] }> {
    const reply = (await this.link.evalsha(READ, [this.metaKey(roomId), this.histKey(roomId)], [since ?? -1, limit])) as RedisReply[];
    const found = publications(reply[2] as RedisReply[]);
    if (since === undefined) found.reverse();
    return { position: { offset: Number(text(reply[0])), epoch: text(reply[1]) }, publications: found };
  }

  private nextEpoch(): string {
    return `${this.epochPrefix}${(this.epochs++).toString(36)}`;
  }

  /** Everything after `offset` in `epoch`, oldest first, or why not (another epoch, trimmed, more than `max`). */
  async since(roomId: string, offset: number, epoch: string, max: number): Promise<StreamSinceResult> {
    const reply = (await this.link.evalsha(SINCE, [this.metaKey(roomId), this.histKey(roomId)], [offset, max])) as RedisReply[];
    const position = { offset: Number(reply[0]), epoch: text(reply[1]) };
    if (position.epoch !== epoch || offset > position.offset) return { ok: false, position, reason: 'epoch' };
    if (offset === position.offset) return { ok: true, position, publications: [] };
    const entries = reply[2];
    if (!Array.isArray(entries)) return { ok: false, position, reason: 'too_many' };
    const found = publications(entries);
    // The stream holds exactly offset+1..top, or the oldest of them were trimmed (or expired with the stream).
    if (found.length !== position.offset - offset || found[0]?.offset !== offset + 1) return { ok: false, position, reason: 'trimmed' };
    return { ok: true, position, publications: found };
  }
}
