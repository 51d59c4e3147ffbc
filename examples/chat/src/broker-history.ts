// Room history from the broker: the chat lines a newcomer sees, read from what the broker kept of the room.
import type { StrandsBackend } from '@strands/backend';
import type { RoomHistory } from './history.js';
import type { ChatLine, ServerMessage } from './messages.js';

/** Room messages the broker keeps per room for every chat line shown (joins, leaves and typing share the room). */
const KEPT_PER_LINE = 4;
/** What one read of the broker's history may return (its default `maxRecoveryMessages`). */
const MAX_READ = 300;

/**
 * The chat's history: the broker's (a Strands broker keeps each room's messages with offsets, so
 * reconnecting pages recover what they missed too), or, where no connected broker keeps history
 * (PyStrands, or a broker that refused the room's `set_room_history`), the backend's own `fallback`.
 */
export class ChatHistory {
  constructor(
    private readonly backend: StrandsBackend,
    private readonly size: number,
    private readonly fallback: RoomHistory,
  ) {}

  /** Asks the brokers to keep `room`'s messages (sent at every connect: a restarted broker forgot it). */
  keep(room: string): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return this.backend.setRoomHistory(room, { size: Math.min(MAX_READ, this.size * KEPT_PER_LINE) }).catch(() => undefined);
  }

  /** The room's last `size` chat lines, oldest first. */
  async recent(room: string): Promise<ChatLine[]> {
    if (this.size === 0) return [];
    let messages: { message: string }[];
    try {
      messages = (await this.backend.roomHistory(room, { limit: Math.min(MAX_READ, this.size * KEPT_PER_LINE) })).messages;
    } catch {
      return this.fallback.recent(room);
    }
    const lines: ChatLine[] = [];
    for (const { message } of messages) {
      const parsed = parse(message);
      if (parsed?.type === 'chat') lines.push(parsed);
    }
    return lines.slice(-this.size);
  }
}

function parse(message: string): ServerMessage | undefined {
  try {
    return JSON.parse(message) as ServerMessage;
  } catch {
    return undefined;
  }
}
