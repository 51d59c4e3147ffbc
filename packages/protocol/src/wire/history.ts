// Room history on the wire: the param types of its backend commands, its lines, and the envelopes
// a broker sends to clients that asked for history positions (`strands_session=1` on the upgrade).
import type { FieldType } from './fields.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An offset or a count that may be 0. */
export const NON_NEGATIVE_INTEGER: FieldType = {
  name: 'integer',
  expected: 'an integer >= 0',
  test: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  inline: 0,
};

/** A limit or a time to live. */
export const POSITIVE_INTEGER: FieldType = {
  name: 'integer',
  expected: 'an integer >= 1',
  test: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
  inline: 0,
};

/** One publication of `room_history_reply`: `offset`, `message`, `encoding?` ("base64"). */
function isPublication(v: unknown): boolean {
  if (!isObject(v) || typeof v.message !== 'string' || !Number.isSafeInteger(v.offset) || (v.offset as number) < 1) return false;
  return v.encoding === undefined || v.encoding === 'base64';
}

export const PUBLICATIONS: FieldType = {
  name: 'array',
  expected: 'an array of {offset: integer >= 1, message: string, encoding?: "base64"}',
  test: (v) => Array.isArray(v) && v.every(isPublication),
  inline: 0,
};

/** One message kept in a room's history, as `room_history_reply` lists it. */
export interface HistoryPublication {
  offset: number;
  message: string;
  encoding?: 'base64' | undefined;
  [key: string]: unknown;
}

/** `room_history`: what a room's history holds after `since` (all when absent), at most `limit`. */
export function roomHistoryLine(requestId: string, roomId: string, since?: number, limit?: number): string {
  const extra = (since === undefined ? '' : `,"since":${since}`) + (limit === undefined ? '' : `,"limit":${limit}`);
  return `{"action":"room_history","request_id":${JSON.stringify(requestId)},"params":{"room_id":${JSON.stringify(roomId)}${extra}}}\n`;
}

/** `set_room_history`: keep the last `size` messages of a room (0 turns its history off), each for `ttlMs`. */
export function setRoomHistoryLine(requestId: string, roomId: string, size: number, ttlMs?: number): string {
  const ttl = ttlMs === undefined ? '' : `,"ttl_ms":${ttlMs}`;
  return `{"action":"set_room_history","request_id":${JSON.stringify(requestId)},"params":{"room_id":${JSON.stringify(roomId)},"size":${size}${ttl}}}\n`;
}

/** One publication of `room_history_reply`, as JSON. */
export function publicationJson(offset: number, message: string, binary: boolean): string {
  return `{"offset":${offset},"message":${JSON.stringify(message)}${binary ? ',"encoding":"base64"' : ''}}`;
}

/** `room_history_reply`: the room's epoch and top offset, and the publications asked for (JSON, oldest first). */
export function roomHistoryReplyLine(requestId: string, roomId: string, epoch: string, offset: number, publicationsJson: readonly string[]): string {
  return `{"action":"room_history_reply","request_id":${JSON.stringify(requestId)},"params":{"room_id":${JSON.stringify(roomId)},"epoch":${JSON.stringify(epoch)},"offset":${offset},"publications":[${publicationsJson.join(',')}]}}\n`;
}

/** Query params of a client's upgrade that the broker reads and takes out before asking a backend. */
export const SESSION_QUERY = {
  /** `1`: the client reads history positions and session envelopes (`@strands/browser` sends it). */
  session: 'strands_session',
  /** The resume token of the session to resume. */
  resume: 'strands_resume',
  /** JSON `[[room, offset, epoch], ...]`: where the client was in each room with history. */
  recover: 'strands_recover',
} as const;

/** Why a room's missed messages cannot be replayed (the client reloads its state). */
export type UnrecoverableReason = 'epoch' | 'trimmed' | 'too_many' | 'no_history' | 'not_in_room';

/**
 * What a broker sends to a client that asked for history positions, as JSON messages with the
 * `strands` key: `pub` (a room message with its offset and epoch; `data` the message, base64
 * with `binary`), `session` (its client id and resume token; again with a new token every third
 * of the resume window and whenever the client's rooms change: keep the newest), `position`
 * (where a room with history is now, sent when the client enters it), `recovered` (the missed
 * messages of a room went out, `replayed` of them), `unrecoverable` (they cannot: reload; the
 * room's position now).
 */
export type HistoryEnvelope =
  | { strands: 'pub'; room: string; offset: number; epoch: string; data: string; binary?: true }
  | { strands: 'session'; client_id: string; token: string; resumed: boolean; expires_in_ms: number }
  | { strands: 'position'; room: string; offset: number; epoch: string }
  | { strands: 'recovered'; room: string; offset: number; epoch: string; replayed: number }
  | { strands: 'unrecoverable'; room: string; offset: number; epoch: string; reason: UnrecoverableReason };

/** The start of every `pub` envelope, so one message costs one prefix and one stringify. */
export function publicationEnvelope(room: string, offset: number, epoch: string, message: string, binary: boolean): string {
  return `{"strands":"pub","room":${JSON.stringify(room)},"offset":${offset},"epoch":${JSON.stringify(epoch)},"data":${JSON.stringify(message)}${binary ? ',"binary":true' : ''}}`;
}
