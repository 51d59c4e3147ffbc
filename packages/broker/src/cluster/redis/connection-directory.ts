// Which node holds a client, from `<prefix>:conn:<clientId>`, with a small local cache of a few seconds.
import type { ClusterKeys } from './keys.js';
import type { RedisLink } from './redis-link.js';

interface Cached {
  nodeId: string;
  until: number;
}

/** What the directory counts, for `redisStats()`. */
export interface DirectoryCounters {
  /** GETs of a conn key (cache misses). */
  directoryLookups: number;
  /** Lookups that found no entry: no node holds that client. */
  directoryMisses: number;
}

/**
 * Answers "which node holds this client" from the cache when it can, else with one GET (lookups of
 * one client in flight at once share it). Only found entries are cached: a client that connects a
 * moment later must not look absent for the cache's lifetime. Entries are dropped when they prove
 * wrong (a PUBLISH no one received, a node that said no), when an `attached` names another node,
 * and when a node is lost. The cache is bounded: past `maxEntries` the oldest entry goes.
 */
export class ConnectionDirectory {
  readonly counters: DirectoryCounters = { directoryLookups: 0, directoryMisses: 0 };
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(
    private readonly keys: ClusterKeys,
    private readonly cacheMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries in the cache now (some may have lapsed). */
  get size(): number {
    return this.cache.size;
  }

  /** The node the cache names for `clientId`, or undefined when it has no fresh entry. */
  cached(clientId: string): string | undefined {
    const entry = this.cache.get(clientId);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.nodeId;
    this.cache.delete(clientId);
    return undefined;
  }

  /** Asks Redis (one GET per client at a time); null when no node holds the client. Rejects when Redis cannot answer. */
  lookup(link: RedisLink, clientId: string): Promise<string | null> {
    const pending = this.inFlight.get(clientId);
    if (pending !== undefined) return pending;
    this.counters.directoryLookups++;
    const lookup = link.get(this.keys.connection(clientId)).then(
      (nodeId) => {
        this.inFlight.delete(clientId);
        if (nodeId === null) this.counters.directoryMisses++;
        else this.remember(clientId, nodeId);
        return nodeId;
      },
      (error: unknown) => {
        this.inFlight.delete(clientId);
        throw error;
      },
    );
    this.inFlight.set(clientId, lookup);
    return lookup;
  }

  /** Notes where a client is (a lookup, or an `attached` from that node). */
  remember(clientId: string, nodeId: string): void {
    this.cache.delete(clientId);
    this.cache.set(clientId, { nodeId, until: this.now() + this.cacheMs });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  forget(clientId: string): void {
    this.cache.delete(clientId);
  }

  /** A node is gone: nothing cached may point at it. */
  forgetNode(nodeId: string): void {
    for (const [clientId, entry] of this.cache) if (entry.nodeId === nodeId) this.cache.delete(clientId);
  }

  clear(): void {
    this.cache.clear();
    this.inFlight.clear();
  }
}
