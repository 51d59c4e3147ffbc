// The queue's Lua scripts: a bounded batch append that lands each entry in the writer's pending list at once.
import { defineRedisScript } from '../redis/redis-script.js';

/**
 * KEYS[1] the partition stream; ARGV: group, consumer, max length (entries), then a triple per
 * event: client id, line, event id ('' for none). Appends each while the stream is below the bound
 * and claims them for `consumer` (XCLAIM FORCE: pending with one delivery, no XREADGROUP round
 * trip, and no other consumer can read them with `>`: LASTID moves the group past them).
 * Creates the group when Redis lost it (a restart without persistence). Returns, per event, its
 * entry id or 0 when the stream was full. The bound is checked, never trimmed: MAXLEN would delete
 * entries still pending.
 */
export const enqueueScript = defineRedisScript(
  'queue_enqueue',
  `local key, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])
local len = redis.call('XLEN', key)
local out, ids = {}, {}
for i = 4, #ARGV, 3 do
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
return out`,
);

/** Redis' clock in ms: the entries a consumer wrote before this moment are those of an earlier run. */
export const timeScript = defineRedisScript('queue_time', `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`);
