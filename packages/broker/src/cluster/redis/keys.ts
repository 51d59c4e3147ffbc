// Names of the cluster's Redis channels (and, later, keys), in one place: cluster-notes' "Keys and channels" table.

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
