// Names of the cluster's Redis channels and keys, in one place: cluster-notes' "Keys and channels" table.

/**
 * The channels of one node. Room names carry the hash tag `{room:<id>}`, so everything about a room
 * lands in one slot when the cluster moves to Redis Cluster.
 */
export interface ClusterChannels {
  /** Every node: heartbeats, goodbyes, broadcasts, requests (`<prefix>:bcast`). */
  readonly broadcast: string;
  /** This node's inbox: replies to its requests (`<prefix>:node:<nodeId>`). */
  readonly inbox: string;
  /** This node's liveness probe (`<prefix>:node:<nodeId>:probe`). */
  readonly probe: string;
  /** Another node's inbox. */
  inboxOf(nodeId: string): string;
  /** A room's fan-out channel (`<prefix>:{room:<id>}:ch`), subscribed while the room has local members. */
  room(roomId: string): string;
}

export function clusterChannels(prefix: string, nodeId: string): ClusterChannels {
  const inboxOf = (id: string) => `${prefix}:node:${id}`;
  return {
    broadcast: `${prefix}:bcast`,
    inbox: inboxOf(nodeId),
    probe: `${inboxOf(nodeId)}:probe`,
    inboxOf,
    room: (roomId) => `${prefix}:{room:${roomId}}:ch`,
  };
}

/**
 * The keys of the cluster's state. A room's keys share the hash tag `{room:<id>}`, so one script
 * can touch them together on Redis Cluster; every other key stands alone (one key per command).
 */
export interface ClusterKeys {
  /** HASH clientId → JSON `{node, metadata, since}` (`<prefix>:{room:<id>}:pres`); entries live while their node's lease does. */
  presence(roomId: string): string;
  /** STRING → the node holding the client (`<prefix>:conn:<clientId>`). */
  connection(clientId: string): string;
  /** ZSET nodeId → last beat ms, Redis time (`<prefix>:nodes`). */
  readonly nodes: string;
  /** SET of `<room>\0<clientId>` (and `\0<clientId>` per connection), what a reaper walks (`<prefix>:node:<id>:members`). */
  nodeMembers(nodeId: string): string;
  /** HASH about a node (`<prefix>:node:<id>:info`); deleted with the node. */
  nodeInfo(nodeId: string): string;
  /** STRING, the reaping lock of a silent node (`<prefix>:reap:<id>`). */
  reapLock(nodeId: string): string;
  /** HASH roomId → JSON `{size, ttlMs?}`, the rooms a backend set with `set_room_history` (`<prefix>:history:rooms`); read by a node when it starts. */
  readonly historySettings: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    presence: (roomId) => `${prefix}:{room:${roomId}}:pres`,
    connection: (clientId) => `${prefix}:conn:${clientId}`,
    nodes: `${prefix}:nodes`,
    nodeMembers: (nodeId) => `${prefix}:node:${nodeId}:members`,
    nodeInfo: (nodeId) => `${prefix}:node:${nodeId}:info`,
    reapLock: (nodeId) => `${prefix}:reap:${nodeId}`,
    historySettings: `${prefix}:history:rooms`,
  };
}

/** A node-membership index entry: `<room>\0<clientId>`; the room is empty for the connection itself. */
export function memberEntry(roomId: string, clientId: string): string {
  return `${roomId}\0${clientId}`;
}

/** The room and client of an index entry (split at the first NUL). */
export function parseMemberEntry(entry: string): { roomId: string; clientId: string } | undefined {
  const at = entry.indexOf('\0');
  return at < 0 ? undefined : { roomId: entry.slice(0, at), clientId: entry.slice(at + 1) };
}
