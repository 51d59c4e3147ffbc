// Room history of the Redis transport: messages of rooms with history appended to the room's stream
// and published in one script call; the shared reads recovery and `room_history` use.
import type { LocalNode } from '../../core/backplane.js';
import type { HistoryLimits, HistoryPosition, Publication, RoomHistorySetting, SharedHistoryStore, SinceResult } from '../../core/history-store.js';
import { RedisHistoryStream } from './history-stream.js';
import type { RedisLink } from './redis-link.js';

/** What the history part needs of its backplane. */
export interface RoomHistoryHost {
  readonly nodeId: string;
  readonly prefix: string;
  /** The hash of the rooms' `set_room_history` settings. */
  readonly settingsKey: string;
  /** Publishes a record to every other node (the broadcast channel). */
  broadcast(record: object): void;
  /** The link while the transport is open and usable for writes; undefined otherwise. */
  link(): RedisLink | undefined;
  channelOf(roomId: string): string;
  readonly counters: { messagesOut: number; publishFailures: number; lostPublishes: number };
  failed(error: unknown): void;
  unavailable(command: string): Error;
}

/**
 * One script per message of a room with history: offset (shared by every broker), capped XADD,
 * expiry and the PUBLISH of the record with `offset` and `epoch` in its header. Redis runs each
 * script whole, so every subscriber gets a room's messages in offset order; this broker's own
 * members get each message when its script answers, and the link answers in the order it sent,
 * so one backend's messages to one room keep their order on every broker.
 */
export class RedisRoomHistory implements SharedHistoryStore {
  private stream: RedisHistoryStream | undefined;
  private streamLink: RedisLink | undefined;
  private configured: (roomId: string, setting: RoomHistorySetting) => void = () => {};

  constructor(private readonly host: RoomHistoryHost) {}

  publish(local: LocalNode, roomId: string, message: string, binary: boolean, limits: HistoryLimits): void {
    const host = this.host;
    const stream = this.current();
    if (stream === undefined) {
      // Redis is away: local members still get the message, without a position (nothing was kept).
      host.counters.publishFailures++;
      local.toRoom(roomId, message, binary);
      return;
    }
    const head = JSON.stringify({ type: 'room', from: host.nodeId, room: roomId, binary }).slice(0, -1);
    const tail = `,"len":${message.length},"t":${Date.now()}}\n`;
    host.counters.messagesOut++;
    stream.appendAndPublish(roomId, message, binary, limits, host.channelOf(roomId), head, tail).then(
      (position) => deliverAt(local, roomId, message, binary, position),
      (error: unknown) => {
        host.counters.publishFailures++;
        host.counters.lostPublishes++;
        host.failed(error);
        local.toRoom(roomId, message, binary);
      },
    );
  }

  position(roomId: string): Promise<HistoryPosition> {
    return this.reader('history_position').position(roomId);
  }

  since(roomId: string, offset: number, epoch: string, max: number): Promise<SinceResult> {
    return this.reader('history_since').since(roomId, offset, epoch, max);
  }

  read(roomId: string, since: number | undefined, limit: number): Promise<{ position: HistoryPosition; publications: Publication[] }> {
    return this.reader('history_read').read(roomId, since, limit);
  }

  /** Written before it is told, so a broker starting meanwhile reads it (or hears it). */
  async configure(roomId: string, setting: RoomHistorySetting): Promise<void> {
    const stream = this.reader('set_room_history');
    await stream.keepSetting(this.host.settingsKey, roomId, JSON.stringify(setting));
    if (setting.size === 0) await stream.drop(roomId);
    this.host.broadcast({ type: HISTORY_SET, from: this.host.nodeId, room: roomId, ...setting });
  }

  onConfigured(handler: (roomId: string, setting: RoomHistorySetting) => void): void {
    this.configured = handler;
  }

  /** Every setting kept in Redis (a node starting, or its link back after a drop: what it may have missed). */
  async loadSettings(link: RedisLink): Promise<void> {
    const all = await link.hgetall(this.host.settingsKey);
    for (const [roomId, text] of Object.entries(all)) {
      const setting = parseSetting(safeJson(text));
      if (setting !== undefined) this.configured(roomId, setting);
    }
  }

  /** Another node's `history_set` record; false when the record is not one. */
  received(message: Record<string, unknown>): boolean {
    if (message.type !== HISTORY_SET) return false;
    const setting = parseSetting(message);
    if (typeof message.room === 'string' && setting !== undefined) this.configured(message.room, setting);
    return true;
  }

  private reader(command: string): RedisHistoryStream {
    const stream = this.current();
    if (stream === undefined) throw this.host.unavailable(command);
    return stream;
  }

  /** The stream on the link open now (a new link after a stop and start gets its own). */
  private current(): RedisHistoryStream | undefined {
    const link = this.host.link();
    if (link === undefined) return undefined;
    if (this.streamLink !== link) {
      this.stream = new RedisHistoryStream(link, this.host.prefix);
      this.streamLink = link;
    }
    return this.stream;
  }
}

function deliverAt(local: LocalNode, roomId: string, message: string, binary: boolean, position: HistoryPosition): void {
  if (local.toRoomAt !== undefined) local.toRoomAt(roomId, message, binary, position);
  else local.toRoom(roomId, message, binary);
}

/** The record type of a setting told to every node; nodes of an older version ignore it. */
export const HISTORY_SET = 'history_set';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{size, ttlMs?}` as a setting, or undefined when it is not one. */
function parseSetting(value: unknown): RoomHistorySetting | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { size, ttlMs } = value as { size?: unknown; ttlMs?: unknown };
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) return undefined;
  if (ttlMs === undefined) return { size };
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1) return undefined;
  return { size, ttlMs };
}
