// The other nodes' clients, as their `attached` and `detached` messages told: what a survivor reports when a node is lost.
import type { LocalClientInfo } from '../core/backplane.js';

/**
 * Every other node's clients by node, bounded by `max` entries in all: past it a new client is
 * not noted (it would not be reported `disconnected` if its node were lost) and `overflowed` is
 * told, so memory stays bounded whatever the cluster's size.
 */
export class ClientDirectory {
  private readonly nodes = new Map<string, Map<string, LocalClientInfo>>();
  private count = 0;

  constructor(
    private readonly max: number,
    private readonly overflowed: () => void,
  ) {}

  /** Entries in all nodes together. */
  get size(): number {
    return this.count;
  }

  /** `client` was accepted on `node` (a newer connection with that id on the same node replaces the entry). */
  attached(node: string, client: LocalClientInfo): void {
    let clients = this.nodes.get(node);
    if (clients?.has(client.clientId) !== true && this.count >= this.max) {
      this.overflowed();
      return;
    }
    if (clients === undefined) {
      clients = new Map();
      this.nodes.set(node, clients);
    }
    if (!clients.has(client.clientId)) this.count += 1;
    clients.set(client.clientId, client);
  }

  /** A client of `node` is gone. */
  detached(node: string, clientId: string): void {
    const clients = this.nodes.get(node);
    if (clients === undefined || !clients.delete(clientId)) return;
    this.count -= 1;
    if (clients.size === 0) this.nodes.delete(node);
  }

  /** Removes and returns every client of `node` (it is lost). */
  take(node: string): LocalClientInfo[] {
    const clients = this.nodes.get(node);
    if (clients === undefined) return [];
    this.nodes.delete(node);
    this.count -= clients.size;
    return [...clients.values()];
  }

  clear(): void {
    this.nodes.clear();
    this.count = 0;
  }
}

/**
 * The one node that reports a lost node's clients `disconnected`: the smallest id among the live
 * nodes with backends (`self` included when it has some), so, as long as the survivors agree on
 * who has backends, exactly one does; undefined when no node has a backend.
 */
export function reporterOf(self: string, selfHasBackends: boolean, peersWithBackends: readonly string[]): string | undefined {
  let smallest = selfHasBackends ? self : undefined;
  for (const peer of peersWithBackends) if (smallest === undefined || peer < smallest) smallest = peer;
  return smallest;
}
