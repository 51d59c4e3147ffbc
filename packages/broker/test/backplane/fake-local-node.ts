// A LocalNode without sockets for backplane unit tests: clients are entries in a map, deliveries are recorded.
import type { BackplaneEvents, LocalNode, MemberInfo } from '../../src/core/backplane.js';

/** One delivery a fake client received. */
export interface Delivery {
  clientId: string;
  message: string;
  binary: boolean;
}

interface FakeClient {
  rooms: Set<string>;
  metadata: Record<string, unknown>;
}

/** The clients of one fake broker, and what happened to them. */
export class FakeLocalNode implements LocalNode, BackplaneEvents {
  readonly deliveries: Delivery[] = [];
  readonly closed: { clientId: string; code: number; reason: string }[] = [];
  readonly lostNodes: string[] = [];
  private readonly clients = new Map<string, FakeClient>();

  /** Connects a client to this node, in `roomId`. */
  add(clientId: string, roomId: string, metadata: Record<string, unknown> = {}): this {
    this.clients.set(clientId, { rooms: new Set([roomId]), metadata });
    return this;
  }

  /** What `clientId` received, in order. */
  received(clientId: string): string[] {
    return this.deliveries.filter((d) => d.clientId === clientId).map((d) => d.message);
  }

  toRoom(roomId: string, message: string, binary: boolean): number {
    let count = 0;
    for (const [clientId, client] of this.clients) {
      if (!client.rooms.has(roomId)) continue;
      this.deliveries.push({ clientId, message, binary });
      count += 1;
    }
    return count;
  }

  toConnection(clientId: string, message: string, binary: boolean): boolean {
    if (!this.clients.has(clientId)) return false;
    this.deliveries.push({ clientId, message, binary });
    return true;
  }

  broadcast(message: string, binary: boolean): number {
    for (const clientId of this.clients.keys()) this.deliveries.push({ clientId, message, binary });
    return this.clients.size;
  }

  join(clientId: string, roomId: string): boolean {
    const client = this.clients.get(clientId);
    client?.rooms.add(roomId);
    return client !== undefined;
  }

  leave(clientId: string, roomId: string): boolean {
    const client = this.clients.get(clientId);
    client?.rooms.delete(roomId);
    return client !== undefined;
  }

  disconnect(clientId: string, code: number, reason: string): boolean {
    if (!this.clients.delete(clientId)) return false;
    this.closed.push({ clientId, code, reason });
    return true;
  }

  members(roomId: string): MemberInfo[] {
    const members: MemberInfo[] = [];
    for (const [clientId, client] of this.clients) {
      if (client.rooms.has(roomId)) members.push({ clientId, metadata: client.metadata });
    }
    return members;
  }

  has(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  nodeLost(nodeId: string): void {
    this.lostNodes.push(nodeId);
  }
}
