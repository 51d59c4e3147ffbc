// The broker's LocalNode as the RedisBackplane hands it to its base class: every join and leave that
// succeeds on a local client is also told to presence, whichever path asked for it.
import type { LocalNode, MemberInfo } from '../../core/backplane.js';
import type { HistoryPosition } from '../../core/history-store.js';

/** Told of each membership change of a local client after it happened. */
export interface MembershipListener {
  joined(clientId: string, roomId: string): void;
  left(clientId: string, roomId: string): void;
}

/**
 * Wraps the broker's clients so presence sees the joins and leaves carried out for a local command
 * (`RedisBackplane.join`) and for other nodes' requests (ClusterBackplane's `carryOut`) alike: both
 * go through this LocalNode, so the Backplane port needs no per-member hook. A connection's first
 * room and its last leave come with `clientAttached` / `clientDetached`.
 */
export class MembershipTrackingNode implements LocalNode {
  constructor(
    private readonly inner: LocalNode,
    private readonly listener: MembershipListener,
  ) {}

  join(clientId: string, roomId: string): boolean {
    const done = this.inner.join(clientId, roomId);
    if (done) this.listener.joined(clientId, roomId);
    return done;
  }

  leave(clientId: string, roomId: string): boolean {
    const done = this.inner.leave(clientId, roomId);
    if (done) this.listener.left(clientId, roomId);
    return done;
  }

  toRoom(roomId: string, message: string, binary: boolean): number {
    return this.inner.toRoom(roomId, message, binary);
  }

  toRoomAt(roomId: string, message: string, binary: boolean, position: HistoryPosition): number {
    const inner = this.inner;
    return inner.toRoomAt !== undefined ? inner.toRoomAt(roomId, message, binary, position) : inner.toRoom(roomId, message, binary);
  }

  toConnection(clientId: string, message: string, binary: boolean): boolean {
    return this.inner.toConnection(clientId, message, binary);
  }

  broadcast(message: string, binary: boolean): number {
    return this.inner.broadcast(message, binary);
  }

  disconnect(clientId: string, code: number, reason: string): boolean {
    return this.inner.disconnect(clientId, code, reason);
  }

  disconnectAll(code: number, reason: string): number {
    return this.inner.disconnectAll?.(code, reason) ?? 0;
  }

  members(roomId: string): MemberInfo[] {
    return this.inner.members(roomId);
  }

  has(clientId: string): boolean {
    return this.inner.has(clientId);
  }
}
