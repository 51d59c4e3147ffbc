// The broker's Redis commands as argument arrays, and their replies parsed: library-neutral, so any client sends them.
import type { RedisArg, RedisReply, RedisSetOptions, RedisStreamEntry } from './redis-link.js';
import type { RedisScript } from './redis-script.js';

/** A command as sent: its name, then its arguments. */
export type RedisCommand = [name: string, ...args: RedisArg[]];

function flatten(fields: Readonly<Record<string, RedisArg>>): RedisArg[] {
  const out: RedisArg[] = [];
  for (const key of Object.keys(fields)) out.push(key, fields[key] as RedisArg);
  return out;
}

/** Argument builders, one per command of the RedisLink port. */
export const commands = {
  publish: (channel: string, message: string | Buffer): RedisCommand => ['publish', channel, message],
  evalsha: (script: RedisScript, keys: readonly string[], args: readonly RedisArg[] = []): RedisCommand => [
    'evalsha', script.sha, keys.length, ...keys, ...args,
  ],
  eval: (script: RedisScript, keys: readonly string[], args: readonly RedisArg[] = []): RedisCommand => [
    'eval', script.source, keys.length, ...keys, ...args,
  ],
  get: (key: string): RedisCommand => ['get', key],
  set: (key: string, value: RedisArg, options: RedisSetOptions = {}): RedisCommand => {
    const command: RedisCommand = ['set', key, value];
    if (options.px !== undefined) command.push('PX', Math.max(1, Math.round(options.px)));
    if (options.nx) command.push('NX');
    return command;
  },
  del: (keys: readonly string[]): RedisCommand => ['del', ...keys],
  pexpire: (key: string, ms: number): RedisCommand => ['pexpire', key, Math.max(1, Math.round(ms))],
  hset: (key: string, fields: Readonly<Record<string, RedisArg>>): RedisCommand => ['hset', key, ...flatten(fields)],
  hgetall: (key: string): RedisCommand => ['hgetall', key],
  hdel: (key: string, fields: readonly string[]): RedisCommand => ['hdel', key, ...fields],
  sadd: (key: string, members: readonly string[]): RedisCommand => ['sadd', key, ...members],
  smembers: (key: string): RedisCommand => ['smembers', key],
  srem: (key: string, members: readonly string[]): RedisCommand => ['srem', key, ...members],
  spop: (key: string, count: number): RedisCommand => ['spop', key, count],
  zadd: (key: string, score: number, member: string): RedisCommand => ['zadd', key, score, member],
  zrangebyscore: (
    key: string,
    min: number | string,
    max: number | string,
    limit?: { offset: number; count: number },
  ): RedisCommand =>
    limit ? ['zrangebyscore', key, min, max, 'LIMIT', limit.offset, limit.count] : ['zrangebyscore', key, min, max],
  zrem: (key: string, members: readonly string[]): RedisCommand => ['zrem', key, ...members],
  xadd: (key: string, id: string, fields: Readonly<Record<string, RedisArg>>): RedisCommand => [
    'xadd', key, id, ...flatten(fields),
  ],
  xrange: (key: string, start: string, end: string, count?: number): RedisCommand =>
    count === undefined ? ['xrange', key, start, end] : ['xrange', key, start, end, 'COUNT', count],
  xaddTrimmed: (key: string, maxLen: number, fields: Readonly<Record<string, RedisArg>>): RedisCommand => [
    'xadd', key, 'MAXLEN', '~', maxLen, '*', ...flatten(fields),
  ],
  xlen: (key: string): RedisCommand => ['xlen', key],
  xack: (key: string, group: string, ids: readonly string[]): RedisCommand => ['xack', key, group, ...ids],
  xdel: (key: string, ids: readonly string[]): RedisCommand => ['xdel', key, ...ids],
  xgroupCreate: (key: string, group: string, startId: string): RedisCommand => ['xgroup', 'CREATE', key, group, startId, 'MKSTREAM'],
  xgroupDelconsumer: (key: string, group: string, consumer: string): RedisCommand => ['xgroup', 'DELCONSUMER', key, group, consumer],
  xreadgroup: (key: string, group: string, consumer: string, id: string, count: number): RedisCommand => [
    'xreadgroup', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', key, id,
  ],
  xclaim: (key: string, group: string, consumer: string, minIdleMs: number, ids: readonly string[]): RedisCommand => [
    'xclaim', key, group, consumer, Math.max(0, Math.round(minIdleMs)), ...ids,
  ],
  xpending: (key: string, group: string, start: string, count: number, consumer: string): RedisCommand => [
    'xpending', key, group, start, '+', count, consumer,
  ],
  xinfoConsumers: (key: string, group: string): RedisCommand => ['xinfo', 'CONSUMERS', key, group],
  ping: (): RedisCommand => ['ping'],
} as const;

/** Commands with an empty member list are refused by Redis; the link answers them itself. */
export function isEmptyVariadic(command: RedisCommand): boolean {
  const [name] = command;
  const fixed = name === 'del' ? 1 : name === 'hset' || name === 'sadd' || name === 'srem' || name === 'hdel' || name === 'zrem' || name === 'xdel' ? 2
    : name === 'xack' ? 3 : name === 'xclaim' ? 5 : 0;
  return fixed > 0 && command.length <= fixed;
}

/** A field/value list (HGETALL, a stream entry) as a record; ioredis may already give a record. */
export function toRecord(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply)) return reply && typeof reply === 'object' ? { ...(reply as Record<string, string>) } : {};
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
  return record;
}

/** XRANGE's `[[id, [field, value, …]], …]` as entries. */
export function toStreamEntries(reply: unknown): RedisStreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((entry) => {
    const [id, fields] = entry as [string, RedisReply[]];
    return { id: String(id), fields: toRecord(fields) };
  });
}

/** XREADGROUP's `[[key, [[id, fields], …]]]` (or nil) as the entries of its one stream. */
export function toGroupEntries(reply: unknown): RedisStreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, unknown];
  return toLiveEntries(entries);
}

/** Stream entries, leaving out those deleted while pending (XCLAIM and XREADGROUP give them with nil fields). */
export function toLiveEntries(reply: unknown): RedisStreamEntry[] {
  return Array.isArray(reply) ? toStreamEntries(reply.filter((entry) => Array.isArray(entry) && entry[1] !== null)) : [];
}

/** XPENDING's extended form: `[[id, consumer, idle, deliveries], …]`. */
export function toPending(reply: unknown): { id: string; deliveries: number }[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((row) => {
    const [id, , , deliveries] = row as [string, string, number, number];
    return { id: String(id), deliveries: Number(deliveries) };
  });
}

/** XINFO CONSUMERS: a flat field list per consumer. */
export function toConsumers(reply: unknown): { name: string; pending: number }[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((row) => {
    const record = toRecord(row);
    return { name: record.name ?? '', pending: Number(record.pending ?? 0) };
  });
}

export function toStrings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map(String) : [];
}

export function toNumber(reply: unknown): number {
  return typeof reply === 'number' ? reply : Number(reply);
}
