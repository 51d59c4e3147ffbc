// Cluster-wide presence in Redis (cluster-notes "Cluster-wide presence"): this node's memberships
// written as they change (coalesced per tick), read per room, removed on stop. Entries live as long
// as their node's lease (its beat in the node registry): no command per connection keeps them.
import type { MemberInfo } from '../../core/backplane.js';
import { connectionRemove, presenceAdd, presenceRemove } from './cluster-scripts.js';
import { memberEntry, type ClusterKeys } from './keys.js';
import { LocalMemberships, type LocalMember } from './local-memberships.js';
import { Batches, chunks } from './pipeline-batches.js';
import type { RedisLink } from './redis-link.js';

/** Clients per script call: a burst never makes one huge script. */
const CLIENTS_PER_SCRIPT = 256;

export interface PresenceSettings {
  nodeId: string;
  keys: ClusterKeys;
}

/** A presence entry as read from Redis. */
export interface PresenceEntry {
  clientId: string;
  node: string;
  metadata: Record<string, unknown>;
  since: number;
}

/** What presence counts, for `redisStats()`. */
export interface PresenceCounters {
  /** Pipelines of presence writes sent (changes, re-writes, removal on stop). */
  presenceWrites: number;
  /** Of those, the ones Redis or the connection refused (a re-write at the next beat repairs them). */
  presenceWriteFailures: number;
  /** Re-writes of every local entry: at start, after Redis was lost, when this node found itself reaped, after a failed write. */
  presenceRewrites: number;
}

/** A pending presence write: the entry's JSON, `force` when it is a change (a refresh leaves another node's entry alone). */
type PendingAdd = { json: string; force: boolean };
type PendingConn = 'set' | 'refresh' | 'remove';

/**
 * This node's presence entries, directory entries and membership index in Redis. None of them
 * expires: each lives while this node holds its lease, its entry in the node registry, renewed by
 * one beat every few seconds whatever the number of connections (node-reaper.ts). When the
 * lease lapses (the node died, or lost Redis for longer than the reap delay) its peers stop
 * showing its entries, and a survivor reaps them through the index; a node that finds itself
 * reaped while alive writes everything again. So upkeep costs no command per connection, and a
 * write that failed is repaired by a re-write at the next beat.
 */
export class RedisPresence {
  readonly local = new LocalMemberships();
  readonly counters: PresenceCounters = { presenceWrites: 0, presenceWriteFailures: 0, presenceRewrites: 0 };
  private readonly nodeJson: string;
  private link: RedisLink | undefined;
  private scheduled = false;
  /** A write failed since the last re-write: `repair` re-writes everything. */
  private damaged = false;
  /** roomId → clientId → entry to write, or null to remove; last change wins. */
  private pendingPresence = new Map<string, Map<string, PendingAdd | null>>();
  /** Index entries to add (true) or remove (false). */
  private pendingIndex = new Map<string, boolean>();
  private pendingConns = new Map<string, PendingConn>();

  constructor(
    private readonly settings: PresenceSettings,
    private readonly failed: (error: unknown) => void,
  ) {
    this.nodeJson = JSON.stringify(settings.nodeId);
  }

  /** Starts writing through `link`, with everything known so far. */
  attach(link: RedisLink): void {
    this.link = link;
    this.refreshAll();
  }

  /** Stops writing (pending changes are dropped: what is left goes with this node's lease). */
  detach(): void {
    this.link = undefined;
    this.clearPending();
  }

  attached(clientId: string, roomId: string, metadata: Record<string, unknown>): void {
    const member = this.local.attached(clientId, roomId, metadata);
    this.queueConnection(member, 'set');
    this.queueAdd(member, roomId, true);
  }

  detached(clientId: string): void {
    const member = this.local.detached(clientId);
    if (member === undefined) return;
    for (const roomId of member.rooms.keys()) this.queueRemove(clientId, roomId);
    this.pendingIndex.set(memberEntry('', clientId), false);
    this.pendingConns.set(clientId, 'remove');
    this.schedule();
  }

  joined(clientId: string, roomId: string): void {
    const member = this.local.joined(clientId, roomId);
    if (member !== undefined) this.queueAdd(member, roomId, true);
  }

  left(clientId: string, roomId: string): void {
    if (this.local.left(clientId, roomId)) this.queueRemove(clientId, roomId);
  }

  /** Re-writes every local membership (start, Redis back after an outage, this node found reaped). */
  refreshAll(): void {
    if (this.link === undefined) return;
    this.damaged = false;
    this.counters.presenceRewrites++;
    for (const member of this.local.all()) this.queueMember(member);
    this.flush();
  }

  /** Called once a beat: re-writes everything if a write failed since the last re-write. */
  repair(): void {
    // While Redis is away every write fails: the re-write when it is back (`refreshAll`) repairs those.
    if (this.damaged && this.link?.state === 'up') this.refreshAll();
  }

  /**
   * Sends what is pending now, in pipelines. Called at the end of the tick, and before any other
   * command of this node, so a reply or a read that follows a change is ordered after it.
   */
  flush(): void {
    const link = this.link;
    if (link === undefined) return this.clearPending();
    if (this.pendingPresence.size === 0 && this.pendingIndex.size === 0 && this.pendingConns.size === 0) return;
    const { keys, nodeId } = this.settings;
    const batch = new Batches(link, (ok) => {
      this.counters.presenceWrites++;
      if (ok) return;
      this.counters.presenceWriteFailures++;
      this.damaged = true;
    }, this.failed);
    for (const [roomId, clients] of this.pendingPresence) {
      const roomKeys = [keys.presence(roomId)];
      const forced: string[] = [];
      const refreshed: string[] = [];
      const removed: string[] = [];
      for (const [clientId, add] of clients) {
        if (add === null) removed.push(clientId);
        else (add.force ? forced : refreshed).push(clientId, add.json);
      }
      for (const args of chunks(forced, CLIENTS_PER_SCRIPT * 2)) batch.next().evalsha(presenceAdd, roomKeys, [nodeId, 0, ...args]);
      for (const args of chunks(refreshed, CLIENTS_PER_SCRIPT * 2)) batch.next().evalsha(presenceAdd, roomKeys, [nodeId, 1, ...args]);
      for (const args of chunks(removed, CLIENTS_PER_SCRIPT)) batch.next().evalsha(presenceRemove, roomKeys, [nodeId, ...args]);
    }
    const index = keys.nodeMembers(nodeId);
    const added: string[] = [];
    const dropped: string[] = [];
    for (const [entry, add] of this.pendingIndex) (add ? added : dropped).push(entry);
    for (const entries of chunks(added, CLIENTS_PER_SCRIPT)) batch.next().sadd(index, entries);
    for (const entries of chunks(dropped, CLIENTS_PER_SCRIPT)) batch.next().srem(index, entries);
    for (const [clientId, op] of this.pendingConns) {
      const key = keys.connection(clientId);
      if (op === 'set') batch.next().set(key, nodeId);
      // A re-write leaves an entry naming another node alone: that is a newer connection of the client.
      else if (op === 'refresh') batch.next().set(key, nodeId, { nx: true });
      else batch.next().evalsha(connectionRemove, [key], [nodeId]);
    }
    this.clearPending();
    batch.send();
  }

  /** A room's entries in Redis, of every node that wrote them (the caller keeps those of live nodes). Rejects when Redis cannot answer. */
  async read(roomId: string): Promise<PresenceEntry[]> {
    const link = this.link;
    if (link === undefined) throw new Error('presence read before start');
    this.flush();
    const reply = await link.hgetall(this.settings.keys.presence(roomId));
    const entries: PresenceEntry[] = [];
    for (const clientId of Object.keys(reply)) {
      const entry = parseEntry(clientId, reply[clientId] as string);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  /** A graceful stop: removes this node's entries, directory keys and index. Never rejects. */
  async removeAll(): Promise<void> {
    const link = this.link;
    if (link === undefined) return;
    this.flush();
    const { keys, nodeId } = this.settings;
    const byRoom = new Map<string, string[]>();
    const batch = new Batches(link, () => undefined, () => undefined);
    for (const member of this.local.all()) {
      for (const roomId of member.rooms.keys()) {
        let clients = byRoom.get(roomId);
        if (clients === undefined) byRoom.set(roomId, (clients = []));
        clients.push(member.clientId);
      }
      batch.next().evalsha(connectionRemove, [keys.connection(member.clientId)], [nodeId]);
    }
    for (const [roomId, clients] of byRoom) {
      for (const ids of chunks(clients, CLIENTS_PER_SCRIPT)) {
        batch.next().evalsha(presenceRemove, [keys.presence(roomId)], [nodeId, ...ids]);
      }
    }
    batch.next().del([keys.nodeMembers(nodeId), keys.nodeInfo(nodeId)]);
    batch.next().zrem(keys.nodes, [nodeId]);
    await batch.send();
  }

  /** Every entry of a client, as a refresh (another node's newer entry is left alone). */
  private queueMember(member: LocalMember): void {
    this.queueConnection(member, 'refresh');
    for (const roomId of member.rooms.keys()) this.queueAdd(member, roomId, false);
  }

  private queueConnection(member: LocalMember, op: 'set' | 'refresh'): void {
    const pending = this.pendingConns.get(member.clientId);
    this.pendingConns.set(member.clientId, op === 'refresh' && pending === 'set' ? 'set' : op);
    this.pendingIndex.set(memberEntry('', member.clientId), true);
  }

  private queueAdd(member: LocalMember, roomId: string, force: boolean): void {
    const since = member.rooms.get(roomId) ?? Date.now();
    const json = `{"node":${this.nodeJson},"metadata":${member.metadataJson},"since":${since}}`;
    const clients = this.roomOf(roomId);
    const pending = clients.get(member.clientId);
    clients.set(member.clientId, { json, force: force || (pending?.force ?? false) });
    this.pendingIndex.set(memberEntry(roomId, member.clientId), true);
    this.schedule();
  }

  private queueRemove(clientId: string, roomId: string): void {
    this.roomOf(roomId).set(clientId, null);
    this.pendingIndex.set(memberEntry(roomId, clientId), false);
    this.schedule();
  }

  private roomOf(roomId: string): Map<string, PendingAdd | null> {
    let clients = this.pendingPresence.get(roomId);
    if (clients === undefined) this.pendingPresence.set(roomId, (clients = new Map()));
    return clients;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // A microtask: the changes of one backend frame or one burst of connections make one write.
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private clearPending(): void {
    if (this.pendingPresence.size > 0) this.pendingPresence = new Map();
    if (this.pendingIndex.size > 0) this.pendingIndex = new Map();
    if (this.pendingConns.size > 0) this.pendingConns = new Map();
  }
}

/**
 * `room_members` of the cluster: this node's members as it knows them, plus the entries of its
 * live peers (a lost node's clients are gone for the cluster, reaped or not: its lease lapsed).
 */
export function withLivePeers(local: MemberInfo[], entries: readonly PresenceEntry[], nodeId: string, peers: readonly string[]): MemberInfo[] {
  const ids = new Set(local.map((m) => m.clientId));
  const live = new Set(peers);
  for (const entry of entries) {
    if (entry.node === nodeId || !live.has(entry.node) || ids.has(entry.clientId)) continue;
    ids.add(entry.clientId);
    local.push({ clientId: entry.clientId, metadata: entry.metadata });
  }
  return local;
}

function parseEntry(clientId: string, json: string): PresenceEntry | undefined {
  try {
    const value = JSON.parse(json) as Partial<PresenceEntry>;
    if (typeof value.node !== 'string' || typeof value.metadata !== 'object' || value.metadata === null) return undefined;
    return { clientId, node: value.node, metadata: value.metadata, since: typeof value.since === 'number' ? value.since : 0 };
  } catch {
    return undefined;
  }
}
