// Live messages of a room held back from one client while its recovery (or position) is read from a shared history.
import type { HistoryPosition } from '../core/history-store.js';
import type { ClientConnection } from './client-connection.js';

/** A live message held for a client, with the position it came with. */
export interface HeldFrame {
  offset: number;
  epoch: string;
  frame: Buffer;
}

/** One client's hold on one room: what arrived meanwhile, or that too much did. */
export interface Hold {
  frames: HeldFrame[];
  overflowed: boolean;
}

/** Messages one hold keeps at most; past it the client is told the room cannot be recovered. */
export const MAX_HELD_FRAMES = 1000;

/**
 * While the read of a shared history (Redis, another round trip) is in flight, the room's live
 * messages for that client wait here; the reader then sends what it read and only the held
 * messages past it, so the client sees no gap and nothing twice. Costs the fan-out one Map size
 * check per message when nothing is held.
 */
export class RoomHolds {
  private readonly held = new Map<ClientConnection, Map<string, Hold>>();

  get size(): number {
    return this.held.size;
  }

  start(client: ClientConnection, roomId: string): void {
    let rooms = this.held.get(client);
    if (rooms === undefined) this.held.set(client, (rooms = new Map()));
    rooms.set(roomId, { frames: [], overflowed: false });
  }

  /** True when the message was held (the caller must not deliver it now). */
  hold(client: ClientConnection, roomId: string, position: HistoryPosition, frame: Buffer): boolean {
    const hold = this.held.get(client)?.get(roomId);
    if (hold === undefined) return false;
    if (hold.frames.length >= MAX_HELD_FRAMES) hold.overflowed = true;
    else hold.frames.push({ offset: position.offset, epoch: position.epoch, frame });
    return true;
  }

  /** Ends the hold and hands over what it kept. */
  release(client: ClientConnection, roomId: string): Hold {
    const rooms = this.held.get(client);
    const hold = rooms?.get(roomId) ?? { frames: [], overflowed: false };
    rooms?.delete(roomId);
    if (rooms !== undefined && rooms.size === 0) this.held.delete(client);
    return hold;
  }
}
