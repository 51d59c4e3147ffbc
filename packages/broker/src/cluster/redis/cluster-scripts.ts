// The Lua scripts of presence and the node registry. Each touches the keys of one hash slot only
// (a room's `{room:<id>}` keys, one conn key, the node registry), so they run on Redis Cluster too;
// times come from Redis' own clock (TIME), so nodes with skewed clocks still agree on expiry.
import { defineRedisScript } from './redis-script.js';

/** `now` in milliseconds from Redis' clock (scripts are effect-replicated since Redis 5, the default in 7). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Adds or refreshes presence entries of one room; both keys then expire with their newest entry.
 * KEYS: pres, pexp. ARGV: ttlMs, node, refresh (`1`: leave an entry another node wrote, which is
 * a newer connection of that client), then clientId, JSON pairs. Returns the entries written.
 */
export const presenceAdd = defineRedisScript(
  'pres_add',
  `${NOW}
local ttl = tonumber(ARGV[1])
local written = 0
for i = 4, #ARGV, 2 do
  local write = true
  if ARGV[3] == '1' then
    local value = redis.call('HGET', KEYS[1], ARGV[i])
    if value then
      local ok, entry = pcall(cjson.decode, value)
      write = (not ok) or type(entry) ~= 'table' or entry.node == ARGV[2]
    end
  end
  if write then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[2], now + ttl, ARGV[i])
    written = written + 1
  end
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return written`,
);

/**
 * Removes presence entries of one room, but only those `node` wrote: a client that reconnected to
 * another node meanwhile keeps that node's entry. KEYS: pres, pexp. ARGV: node, then clientIds.
 */
export const presenceRemove = defineRedisScript(
  'pres_rem',
  `local removed = 0
for i = 2, #ARGV do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  local mine = true
  if value then
    local ok, entry = pcall(cjson.decode, value)
    mine = (not ok) or type(entry) ~= 'table' or entry.node == ARGV[1]
  end
  if mine then
    removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('ZREM', KEYS[2], ARGV[i])
  end
end
return removed`,
);

/** Drops a room's expired entries, then answers HGETALL. KEYS: pres, pexp. */
export const presenceGet = defineRedisScript(
  'pres_get',
  `${NOW}
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for i = 1, #expired do
  redis.call('HDEL', KEYS[1], expired[i])
end
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
return redis.call('HGETALL', KEYS[1])`,
);

/** Deletes a connection directory entry if it still names `node`. KEYS: conn. ARGV: node. */
export const connectionRemove = defineRedisScript(
  'conn_rem',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

/** Refreshes a connection directory entry unless it names another node (a newer connection). KEYS: conn. ARGV: node, ttlMs. */
export const connectionRefresh = defineRedisScript(
  'conn_refresh',
  `local value = redis.call('GET', KEYS[1])
if value and value ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1`,
);

/**
 * A node's beat in the registry, and the nodes silent for too long.
 * KEYS: nodes. ARGV: nodeId, silentAfterMs, max silent ids returned.
 * Returns `{added, silentIds}`: added is 1 when the node was not registered (first beat, or it was reaped, or Redis lost its data).
 */
export const nodeBeat = defineRedisScript(
  'node_beat',
  `${NOW}
local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
local silent = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'LIMIT', 0, tonumber(ARGV[3]))
return {added, silent}`,
);
