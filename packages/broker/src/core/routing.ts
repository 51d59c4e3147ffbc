// The routing core: the one place where backend commands are carried out, whoever issued them.
import type { Metrics } from '../metrics.js';
import type { Backplane, MaybePromise, MemberInfo } from './backplane.js';
import type { RoomHistory } from './history.js';
import { MAX_CLOSE_REASON_BYTES, truncateUtf8 } from './text.js';

/** Close code of `disconnect_connection` when the backend names none. */
export const DEFAULT_DISCONNECT_CODE = 1000;

/**
 * Carries out `message_to_room`, `message_to_connection`, `broadcast`, `join_room`,
 * `leave_room`, `disconnect_connection` and `room_members` through the backplane, which
 * reaches this broker's clients and, in a cluster, everyone else's. Callers have checked the
 * frame; this class decides nothing about its sender.
 */
export class RoutingCore {
  constructor(
    private readonly backplane: Backplane,
    private readonly metrics: Metrics,
    /** Rooms' history, where the backplane can deliver offsets (`toRoomAt`). */
    readonly history?: RoomHistory,
  ) {}

  toRoom(roomId: string, message: string, binary = false): void {
    this.metrics.messagesOut += 1;
    // A room with history: its message gets the next offset, and clients that want it see it.
    if (this.history?.shared !== undefined) {
      const limits = this.history.limitsFor(roomId);
      if (limits === undefined) return this.backplane.toRoom(roomId, message, binary);
      this.history.sharedPublished();
      return this.backplane.toRoomInHistory?.(roomId, message, binary, limits);
    }
    const position = this.history?.publish(roomId, message, binary);
    if (position !== undefined) return this.backplane.toRoomAt?.(roomId, message, binary, position);
    this.backplane.toRoom(roomId, message, binary);
  }

  toConnection(clientId: string, message: string, binary = false): void {
    this.metrics.messagesOut += 1;
    this.backplane.toConnection(clientId, message, binary);
  }

  broadcast(message: string, binary = false): void {
    this.metrics.messagesOut += 1;
    this.backplane.broadcast(message, binary);
  }

  /** False: no broker holds that client. */
  join(clientId: string, roomId: string): MaybePromise<boolean> {
    return this.backplane.join(clientId, roomId);
  }

  /** False: no broker holds that client. */
  leave(clientId: string, roomId: string): MaybePromise<boolean> {
    return this.backplane.leave(clientId, roomId);
  }

  /** Closes a client with `code` (1000 by default) and a reason cut to what a close frame carries. */
  disconnect(clientId: string, code: number | undefined, reason: string | undefined): MaybePromise<boolean> {
    return this.backplane.disconnect(clientId, code ?? DEFAULT_DISCONNECT_CODE, truncateUtf8(reason ?? '', MAX_CLOSE_REASON_BYTES));
  }

  members(roomId: string): MaybePromise<MemberInfo[]> {
    return this.backplane.members(roomId);
  }
}

/** Runs `then` with a value at once when it is ready, or when its promise settles. */
export function whenReady<T>(value: MaybePromise<T>, then: (value: T) => void, failed: (error: unknown) => void): void {
  if (value instanceof Promise) value.then(then, failed);
  else then(value);
}
