// The backend commands of room history: `room_history` (read) and `set_room_history` (turn it on or off for one room).
import type { ErrorReplyCode } from '@strands/protocol';
import { publicationJson, roomHistoryReplyLine, type RoomHistoryFrame, type SetRoomHistoryFrame } from '@strands/protocol/wire';
import type { RoomHistory } from '../core/history.js';
import type { Publication, SharedHistoryStore } from '../core/history-store.js';

/** How a command answers: a line to its backend, or a refusal with a code. */
export interface CommandReplies {
  send(line: string): void;
  refuse(code: ErrorReplyCode, message: string): void;
}

/**
 * Carries out one history command. Without history (a backplane that cannot deliver offsets,
 * such as a cluster for now) both answer `unavailable`.
 */
export function historyCommand(history: RoomHistory | undefined, frame: RoomHistoryFrame | SetRoomHistoryFrame, replies: CommandReplies): void {
  if (history === undefined) return replies.refuse('unavailable', `"${frame.action}": this broker keeps no room history (its backplane cannot deliver offsets)`);
  const roomId = frame.params.room_id;
  const shared = history.shared;
  if (shared !== undefined) return sharedCommand(history, shared, frame, replies);
  if (frame.action === 'set_room_history') {
    const { size, ttl_ms: ttlMs } = frame.params;
    if (!history.configure(roomId, size, ttlMs)) replies.refuse('unavailable', `"set_room_history": too many rooms set apart (historyMaxRooms)`);
    return;
  }
  const { since, limit } = frame.params;
  const { position, publications } = history.read(roomId, since, limit);
  replies.send(roomHistoryReplyLine(frame.request_id, roomId, position.epoch, position.offset, json(publications)));
}

function json(publications: readonly Publication[]): string[] {
  return publications.map((p) => publicationJson(p.offset, p.message, p.binary));
}

/**
 * Cluster mode: `room_history` reads the room's Redis stream. `set_room_history` is refused: one
 * broker's setting would not reach the others (every broker must agree on a room's history), so
 * there rooms keep history by the `historyRooms` patterns, the same on every broker.
 */
function sharedCommand(history: RoomHistory, shared: SharedHistoryStore, frame: RoomHistoryFrame | SetRoomHistoryFrame, replies: CommandReplies): void {
  if (frame.action === 'set_room_history') return replies.refuse('unavailable', '"set_room_history": not in cluster mode (rooms keep history by the historyRooms patterns)');
  const roomId = frame.params.room_id;
  // Refused, not an empty answer: a backend (the chat example) then keeps the room's history itself.
  if (!history.has(roomId)) return replies.refuse('unavailable', `"room_history": room ${JSON.stringify(roomId)} keeps no history (cluster mode: historyRooms patterns only)`);
  const limit = Math.min(frame.params.limit ?? history.maxRecovery, history.maxRecovery);
  const requestId = frame.request_id;
  let reading;
  try {
    reading = shared.read(roomId, frame.params.since, limit);
  } catch {
    return replies.refuse('unavailable', '"room_history": Redis unavailable');
  }
  reading.then(
    ({ position, publications }) => replies.send(roomHistoryReplyLine(requestId, roomId, position.epoch, position.offset, json(publications))),
    () => replies.refuse('unavailable', '"room_history": Redis unavailable'),
  );
}
