// The node registry in Redis and crash cleanup (cluster-notes "Crash cleanup"): each node beats into
// `<prefix>:nodes`, which is its lease on everything it wrote; a survivor that finds a node silent
// takes its reap lock and removes what it left in Redis (nothing else does: those entries never expire).
import { connectionRemove, nodeBeat, presenceRemove } from './cluster-scripts.js';
import { parseMemberEntry, type ClusterKeys } from './keys.js';
import type { RedisLink, RedisReply } from './redis-link.js';

/** Index entries taken per SPOP while reaping: a big node is cleaned in bounded steps. */
const REAP_BATCH = 256;
/** Silent nodes looked at per beat. */
const SILENT_PER_BEAT = 16;

export interface ReaperSettings {
  nodeId: string;
  keys: ClusterKeys;
  beatIntervalMs: number;
  /** A node whose last beat is older than this (Redis time) is reaped. */
  reapAfterMs: number;
  /** Lifetime of the reap lock: one reaper per dead node in that time. */
  reapLockMs: number;
}

export interface ReaperHooks {
  link(): RedisLink | undefined;
  /** The beat found this node unregistered although it had beaten before (it was reaped, or Redis lost its data). */
  reregistered(): void;
  /** Called on every beat, answered or not: the backplane's other periodic work. */
  tick(): void;
  failed(error: unknown): void;
  reaped(nodeId: string, entries: number): void;
}

/** What the registry and reaper count, for `redisStats()`. */
export interface ReaperCounters {
  /** Silent nodes this node reaped (it won their reap lock). */
  nodesReaped: number;
  /** Index entries (memberships and connections) of reaped nodes this node removed. */
  reapedEntries: number;
  /** Beats Redis did not take. */
  beatFailures: number;
}

export class NodeReaper {
  readonly counters: ReaperCounters = { nodesReaped: 0, reapedEntries: 0, beatFailures: 0 };
  private timer: NodeJS.Timeout | undefined;
  private beaten = false;
  private beating = false;
  private readonly reaping = new Set<string>();

  constructor(
    private readonly settings: ReaperSettings,
    private readonly hooks: ReaperHooks,
  ) {}

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.settings.beatIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One beat now: register, then reap whoever is silent. */
  beat(): void {
    this.hooks.tick();
    const link = this.hooks.link();
    if (link === undefined || this.beating) return;
    const { keys, nodeId, reapAfterMs } = this.settings;
    this.beating = true;
    // The one command that keeps this node's lease, and with it every entry it wrote (presence.ts).
    link
      .evalsha(nodeBeat, [keys.nodes], [nodeId, reapAfterMs, SILENT_PER_BEAT])
      .then((reply) => {
        const [added, silent] = reply as [number, RedisReply[]];
        if (Number(added) === 1 && this.beaten) this.hooks.reregistered();
        this.beaten = true;
        for (const id of silent ?? []) {
          const dead = String(id);
          if (dead !== nodeId) void this.reap(link, dead);
        }
      })
      .catch((error: unknown) => {
        this.counters.beatFailures++;
        this.hooks.failed(error);
      })
      .finally(() => {
        this.beating = false;
      });
  }

  /** Takes the node's reap lock; the winner removes its presence entries and conn keys, then the node's own keys. */
  private async reap(link: RedisLink, dead: string): Promise<void> {
    if (this.reaping.has(dead)) return;
    this.reaping.add(dead);
    const { keys, nodeId, reapLockMs } = this.settings;
    try {
      if (!(await link.set(keys.reapLock(dead), nodeId, { nx: true, px: reapLockMs }))) return;
      this.counters.nodesReaped++;
      let entries = 0;
      for (;;) {
        const batch = await link.spop(keys.nodeMembers(dead), REAP_BATCH);
        if (batch.length === 0) break;
        entries += batch.length;
        const byRoom = new Map<string, string[]>();
        const pipeline = link.pipeline();
        for (const raw of batch) {
          const entry = parseMemberEntry(raw);
          if (entry === undefined) continue;
          if (entry.roomId === '') {
            pipeline.evalsha(connectionRemove, [keys.connection(entry.clientId)], [dead]);
            continue;
          }
          let clients = byRoom.get(entry.roomId);
          if (clients === undefined) byRoom.set(entry.roomId, (clients = []));
          clients.push(entry.clientId);
        }
        for (const [roomId, clients] of byRoom) {
          pipeline.evalsha(presenceRemove, [keys.presence(roomId)], [dead, ...clients]);
        }
        const failure = (await pipeline.exec()).find((r) => !r.ok);
        if (failure !== undefined && !failure.ok) throw failure.error;
      }
      this.counters.reapedEntries += entries;
      await link.pipeline().del([keys.nodeMembers(dead), keys.nodeInfo(dead)]).zrem(keys.nodes, [dead]).exec();
      this.hooks.reaped(dead, entries);
    } catch (error) {
      // The lock lapses after reapLockMs and another survivor (or this one) finishes the job; the TTLs are the backstop.
      this.hooks.failed(error);
    } finally {
      this.reaping.delete(dead);
    }
  }
}
