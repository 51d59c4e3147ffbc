// RedisPipeline on ioredis: commands queued, sent in one write, results in order, scripts loaded first where needed.
import { commands, isEmptyVariadic, type RedisCommand } from './commands.js';
import { fromIoredisError, isNoScript } from './ioredis-errors.js';
import type { RedisArg, RedisPipeline, RedisPipelineResult, RedisReply, RedisSetOptions } from './redis-link.js';
import type { RedisScript } from './redis-script.js';

/** What ioredis' `pipeline(commands).exec()` resolves with: `[error, reply]` per command. */
export type PipelineReplies = Array<[error: Error | null, reply: unknown]>;

/** Sends a batch on the command connection; rejects when it cannot be sent at all. */
export type PipelineSender = (batch: RedisCommand[]) => Promise<PipelineReplies>;

/** A queued command, or a result known without asking Redis (an empty member list). */
type Entry = { command: RedisCommand; script?: RedisScript } | { known: RedisReply };

export class IoredisPipeline implements RedisPipeline {
  private readonly entries: Entry[] = [];

  /**
   * @param loadedScripts SHAs known to be cached on the current command connection (the link
   *   clears it on every reconnect). A batch prepends `SCRIPT LOAD` for any other script it holds,
   *   so its scripts run in order; NOSCRIPT is then only the backstop for an operator's SCRIPT FLUSH.
   */
  constructor(
    private readonly send: PipelineSender,
    private readonly isClosed: () => boolean,
    private readonly loadedScripts: Set<string>,
  ) {}

  get length(): number {
    return this.entries.length;
  }

  private add(command: RedisCommand, script?: RedisScript): this {
    this.entries.push(isEmptyVariadic(command) ? { known: 0 } : script ? { command, script } : { command });
    return this;
  }

  publish(channel: string, message: string | Buffer): this {
    return this.add(commands.publish(channel, message));
  }
  evalsha(script: RedisScript, keys: readonly string[], args?: readonly RedisArg[]): this {
    return this.add(commands.evalsha(script, keys, args), script);
  }
  get(key: string): this {
    return this.add(commands.get(key));
  }
  set(key: string, value: RedisArg, options?: RedisSetOptions): this {
    return this.add(commands.set(key, value, options));
  }
  del(keys: readonly string[]): this {
    return this.add(commands.del(keys));
  }
  pexpire(key: string, ms: number): this {
    return this.add(commands.pexpire(key, ms));
  }
  hset(key: string, fields: Readonly<Record<string, RedisArg>>): this {
    return this.add(commands.hset(key, fields));
  }
  hdel(key: string, fields: readonly string[]): this {
    return this.add(commands.hdel(key, fields));
  }
  sadd(key: string, members: readonly string[]): this {
    return this.add(commands.sadd(key, members));
  }
  srem(key: string, members: readonly string[]): this {
    return this.add(commands.srem(key, members));
  }
  zadd(key: string, score: number, member: string): this {
    return this.add(commands.zadd(key, score, member));
  }
  zrem(key: string, members: readonly string[]): this {
    return this.add(commands.zrem(key, members));
  }
  xadd(key: string, id: string, fields: Readonly<Record<string, RedisArg>>): this {
    return this.add(commands.xadd(key, id, fields));
  }

  async exec(): Promise<RedisPipelineResult[]> {
    const sent: Array<{ index: number; command: RedisCommand; script?: RedisScript }> = [];
    const results: RedisPipelineResult[] = this.entries.map((entry, index) => {
      if ('known' in entry) return { ok: true, value: entry.known };
      sent.push({ index, ...entry });
      return { ok: true, value: null };
    });
    if (sent.length === 0) return results;
    const loads = new Map<string, RedisScript>();
    for (const s of sent) if (s.script && !this.loadedScripts.has(s.script.sha)) loads.set(s.script.sha, s.script);
    const preamble: RedisCommand[] = [...loads.values()].map((script) => ['script', 'load', script.source]);
    const all = await this.send([...preamble, ...sent.map((s) => s.command)]);
    all.slice(0, preamble.length).forEach(([error], i) => {
      if (!error) this.loadedScripts.add([...loads.keys()][i] as string);
    });
    const replies = all.slice(preamble.length);

    // Scripts Redis did not know (restart, SCRIPT FLUSH): one more batch with their sources.
    const retry: Array<{ index: number; command: RedisCommand; sha: string }> = [];
    sent.forEach((s, i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply in pipeline'), null];
      if (error && s.script && isNoScript(error)) {
        const [, , ...rest] = s.command; // drop 'evalsha' and the SHA, keep numkeys, keys, args
        this.loadedScripts.delete(s.script.sha);
        retry.push({ index: s.index, command: ['eval', s.script.source, ...rest], sha: s.script.sha });
      } else {
        results[s.index] = this.result(s.command, error, reply);
      }
    });
    if (retry.length > 0) {
      // The first batch ran, so a failure now is reported per script rather than for the whole batch.
      const again = await this.send(retry.map((r) => r.command)).catch((error: Error) =>
        retry.map((): [Error, null] => [error, null]),
      );
      retry.forEach((r, i) => {
        const [error, reply] = again[i] ?? [new Error('no reply in pipeline'), null];
        results[r.index] = this.result(r.command, error, reply);
        if (!error) this.loadedScripts.add(r.sha);
      });
    }
    return results;
  }

  private result(command: RedisCommand, error: Error | null, reply: unknown): RedisPipelineResult {
    return error
      ? { ok: false, error: fromIoredisError(error, command[0], this.isClosed()) }
      : { ok: true, value: reply as RedisReply };
  }
}
