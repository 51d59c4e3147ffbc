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

/** `now` in ms from Redis' clock: every broker's messages are aged by the same clock. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * An entry's text and time (field `t`, Redis ms; an entry written before there was one has none:
 * it never ages on its own, its stream still expires whole).
 */
const ENTRY_LUA = `local function entry_of(entry)
  local f = entry[2]
  local m, at = '', nil
  for i = 1, #f, 2 do
    if f[i] == 'm' then m = f[i + 1] elseif f[i] == 't' then at = tonumber(f[i + 1]) end
  end
  return m, at
end
local function live(at, ttl)
  return at == nil or ttl == nil or now - at <= ttl
end
`;

/**
 * KEYS: meta, hist. ARGV: message, binary (0/1), size, bytes (0: unbounded), ttl ms, epoch if new,
 * meta ttl ms. A meta that expired (or never was) starts a new epoch from offset 1: the history
 * was lost. The meta keeps `n`, the UTF-8 bytes the stream holds (Lua's #), and `l`, the time to
 * live the stream was last trimmed with, so reads honour it too. Trims the oldest entries while
 * over `size`, over `bytes` or older than the ttl, as the memory store does (a message larger than
 * `bytes` alone is not kept either: its offset is used, a recovery that needs it is trimmed), with
 * one XTRIM MINID. The whole stream still expires ttl after its last message (an idle room's memory).
 * The body of both append scripts (APPEND returns, APPEND_PUBLISH publishes first).
 */
const APPEND_LUA = `${NOW}${ENTRY_LUA}local e = redis.call('HGET', KEYS[1], 'e')
if not e then
  e = ARGV[6]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', e, 's', 0)
end
local n = tonumber(redis.call('HGET', KEYS[1], 'n')) or 0
if redis.call('EXISTS', KEYS[2]) == 0 then n = 0 end
local s = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('XADD', KEYS[2], s .. '-0', 'm', ARGV[1], 'b', ARGV[2], 't', now)
n = n + #ARGV[1]
local size, bytes, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local count = redis.call('XLEN', KEYS[2])
local cut = nil
local cursor = '-'
-- Oldest first, one at a time: an entry may be large, and most appends drop one entry or none.
while count > 0 do
  local oldest = redis.call('XRANGE', KEYS[2], cursor, '+', 'COUNT', 1)[1]
  if not oldest then break end
  local m, at = entry_of(oldest)
  if count <= size and (bytes <= 0 or n <= bytes) and live(at, ttl) then break end
  n = n - #m
  count = count - 1
  cut = oldest[1]
  cursor = '(' .. cut
end
if cut then redis.call('XTRIM', KEYS[2], 'MINID', (tonumber(string.match(cut, '^%d+')) + 1) .. '-0') end
if n < 0 then n = 0 end
redis.call('HSET', KEYS[1], 'n', n, 'l', ttl)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
`;

const APPEND = defineRedisScript('history_append', `${APPEND_LUA}return {s, e}`);

/**
 * KEYS: meta, hist. ARGV: after offset, max. Returns {top, epoch, entries} with entries false
 * when more than max were missed (not read at all: a bounded read, never a partial replay), and
 * empty when the first one missed is older than the room's ttl (gone, even before the next
 * append trims it, as in the memory store).
 */
const SINCE = defineRedisScript(
  'history_since',
  `${NOW}${ENTRY_LUA}local e = redis.call('HGET', KEYS[1], 'e')
if not e then return {0, ''} end
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local after = tonumber(ARGV[1])
if s - after > tonumber(ARGV[2]) or after >= s then return {s, e} end
local entries = redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+', 'COUNT', ARGV[2])
local ttl = tonumber(redis.call('HGET', KEYS[1], 'l'))
if #entries > 0 then
  local _, at = entry_of(entries[1])
  if not live(at, ttl) then return {s, e, {}} end
end
return {s, e, entries}`,
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
  `${APPEND_LUA}redis.call('PUBLISH', ARGV[8], ARGV[9] .. ',"offset":' .. s .. ',"epoch":"' .. e .. '"' .. ARGV[10] .. ARGV[1])
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

/**
 * KEYS: meta, hist. ARGV: after offset (-1: the latest), limit. {top, epoch, entries}: the latest
 * newest first, or those after the offset oldest first; entries older than the room's ttl are
 * left out (they are the oldest, so past them a read goes on until `limit`).
 */
const READ = defineRedisScript(
  'history_read',
  `${NOW}${ENTRY_LUA}local e = redis.call('HGET', KEYS[1], 'e')
if not e then return {0, '', {}} end
local s = redis.call('HGET', KEYS[1], 's')
local ttl = tonumber(redis.call('HGET', KEYS[1], 'l'))
local after = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local out = {}
if after < 0 then
  for _, entry in ipairs(redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)) do
    local _, at = entry_of(entry)
    if not live(at, ttl) then break end
    out[#out + 1] = entry
  end
  return {s, e, out}
end
local cursor = (after + 1) .. '-0'
while #out < limit do
  local batch = redis.call('XRANGE', KEYS[2], cursor, '+', 'COUNT', limit - #out)
  if #batch == 0 then break end
  for _, entry in ipairs(batch) do
    local _, at = entry_of(entry)
    if live(at, ttl) then out[#out + 1] = entry end
  end
  cursor = '(' .. batch[#batch][1]
end
return {s, e, out}`,
);

/** size, bytes (0: unbounded, what Lua can parse for Infinity), ttl ms: the script's ARGV[3..5]. */
function limitArgs(limits: HistoryLimits): number[] {
  return [limits.size, Number.isFinite(limits.bytes) ? limits.bytes : 0, limits.ttlMs];
}

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

  /** The next offset of the room and its epoch (bounded by `size`, `bytes` and each message's age; the whole stream expires `ttlMs` after its last message). */
  async append(roomId: string, message: string, binary: boolean, limits: HistoryLimits): Promise<HistoryPosition> {
    const args = [message, binary ? 1 : 0, ...limitArgs(limits), this.nextEpoch(), HISTORY_META_TTL_MS];
    const reply = (await this.link.evalsha(APPEND, [this.metaKey(roomId), this.histKey(roomId)], args)) as RedisReply[];
    return { offset: Number(reply[0]), epoch: text(reply[1]) };
  }

  /**
   * Appends and publishes `body` to `channel` as one room record (`head` + offset and epoch +
   * `tail` + body) in one script call; resolves with the message's position.
   */
  async appendAndPublish(roomId: string, body: string, binary: boolean, limits: HistoryLimits, channel: string, head: string, tail: string): Promise<HistoryPosition> {
    const args = [body, binary ? 1 : 0, ...limitArgs(limits), this.nextEpoch(), HISTORY_META_TTL_MS, channel, head, tail];
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

  /** Writes a room's `set_room_history` setting (JSON) into the hash of settings. */
  async keepSetting(settingsKey: string, roomId: string, json: string): Promise<void> {
    await this.link.hset(settingsKey, { [roomId]: json });
  }

  /** Drops the room's stream and meta: its offsets start again from 1 in a new epoch. */
  async drop(roomId: string): Promise<void> {
    await this.link.del([this.metaKey(roomId), this.histKey(roomId)]);
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
