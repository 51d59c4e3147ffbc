// The Lua scripts of presence and the node registry. Each touches the keys of one hash slot only
// (a room's `{room:<id>}` keys, one conn key, the node registry), so they run on Redis Cluster too;
// times come from Redis' own clock (TIME), so nodes with skewed clocks still agree on who is silent.
import { defineRedisScript } from './redis-script.js';

/** `now` in milliseconds from Redis' clock (scripts are effect-replicated since Redis 5, the default in 7). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Adds or re-writes presence entries of one room. Entries carry no expiry of their own: they live
 * as long as their node's lease, its entry in the node registry (presence.ts says why).
 * KEYS: pres. ARGV: node, refresh (`1`: leave an entry another node wrote, which is a newer
 * connection of that client), then clientId, JSON pairs. Returns the entries written.
 */
export const presenceAdd = defineRedisScript(
  'pres_add',
  `local written = 0
for i = 3, #ARGV, 2 do
  local write = true
  if ARGV[2] == '1' then
    local value = redis.call('HGET', KEYS[1], ARGV[i])
    if value then
      local ok, entry = pcall(cjson.decode, value)
      write = (not ok) or type(entry) ~= 'table' or entry.node == ARGV[1]
    end
  end
  if write then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
return written`,
);

/**
 * Removes presence entries of one room, but only those `node` wrote: a client that reconnected to
 * another node meanwhile keeps that node's entry. KEYS: pres. ARGV: node, then clientIds.
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
  end
end
return removed`,
);

/** Deletes a connection directory entry if it still names `node`. KEYS: conn. ARGV: node. */
export const connectionRemove = defineRedisScript(
  'conn_rem',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
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
