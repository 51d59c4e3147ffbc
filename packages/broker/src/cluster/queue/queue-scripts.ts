// The queue's Lua scripts: a bounded batch append that lands each entry in the writer's pending list at once.
import { defineRedisScript } from '../redis/redis-script.js';

/**
 * One event-loop turn of the queue, in one call: KEYS the partition streams the turn touched;
 * ARGV: group, consumer, max length (entries), then per key: the number of entries to release,
 * the number of new events, those entry ids, then a triple per new event: client id, line, event
 * id ('' for none). Per key:
 * - releases first (XACK + XDEL): events done with leave the pending list and the stream;
 * - appends each new event while the stream is below the bound and claims them for `consumer`
 *   (XCLAIM FORCE: pending with one delivery, no XREADGROUP round trip, and no other consumer
 *   can read them with `>`: LASTID moves the group past them); creates the group when Redis lost
 *   it (a restart without persistence).
 * Returns per key the list of its new events' entry ids, 0 where the stream was full. The bound is
 * checked, never trimmed: MAXLEN would delete entries still pending. One call for every partition:
 * a round trip costs the broker far more than the commands (on Redis Cluster, one call per slot).
 */
export const turnScript = defineRedisScript(
  'queue_turn',
  `local group, consumer = ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])
local at = 4
local result = {}
for k = 1, #KEYS do
  local key = KEYS[k]
  local releases, appends = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  at = at + 2
  if releases > 0 then
    local ids = {}
    for i = at, at + releases - 1 do ids[#ids + 1] = ARGV[i] end
    redis.call('XACK', key, group, unpack(ids))
    redis.call('XDEL', key, unpack(ids))
    at = at + releases
  end
  local out, ids = {}, {}
  if appends > 0 then
    local len = redis.call('XLEN', key)
    for i = at, at + 3 * appends - 1, 3 do
      if len >= max then
        out[#out + 1] = 0
      else
        local id
        if ARGV[i + 2] == '' then
          id = redis.call('XADD', key, '*', 'c', ARGV[i], 'l', ARGV[i + 1])
        else
          id = redis.call('XADD', key, '*', 'c', ARGV[i], 'l', ARGV[i + 1], 'i', ARGV[i + 2])
        end
        ids[#ids + 1] = id
        out[#out + 1] = id
        len = len + 1
      end
    end
    at = at + 3 * appends
  end
  if #ids > 0 then
    local claim = {'XCLAIM', key, group, consumer, 0}
    for _, id in ipairs(ids) do claim[#claim + 1] = id end
    for _, word in ipairs({'FORCE', 'JUSTID', 'LASTID', ids[#ids]}) do claim[#claim + 1] = word end
    local claimed = redis.pcall(unpack(claim))
    if type(claimed) == 'table' and claimed.err then
      redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
      redis.call(unpack(claim))
    end
  end
  result[k] = out
end
return result`,
);

/**
 * The id of a stream's newest entry ('0-0' when it has none). Read at start before this run writes:
 * every entry of this consumer at or below it is an earlier run's. (Redis' clock would not do: a
 * restart within the same millisecond as the last write leaves entries `<now>-<n>` that are not
 * before `<now>-0`.)
 */
export const lastIdScript = defineRedisScript(
  'queue_last_id',
  `local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1) if last[1] then return last[1][1] end return '0-0'`,
);
