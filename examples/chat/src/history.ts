// The last messages of each room, replayed to newcomers.
import type { ChatLine } from './messages.js';

/** A bounded list of recent chat lines per room. */
export class RoomHistory {
  private readonly rooms = new Map<string, ChatLine[]>();

  /** @param size messages kept per room (0 keeps none). */
  constructor(private readonly size: number) {}

  /** Keeps `line`, dropping the room's oldest message past `size`. */
  add(line: ChatLine): void {
    if (this.size === 0) return;
    let lines = this.rooms.get(line.room);
    if (lines === undefined) this.rooms.set(line.room, (lines = []));
    lines.push(line);
    if (lines.length > this.size) lines.shift();
  }

  /** The room's last messages, oldest first. */
  recent(room: string): ChatLine[] {
    return [...(this.rooms.get(room) ?? [])];
  }
}
