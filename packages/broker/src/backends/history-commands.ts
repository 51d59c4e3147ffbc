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

const TOO_MANY_SET = '"set_room_history": too many rooms set apart (historyMaxRooms)';

/**
 * Carries out one history command. Without history (a backplane that cannot deliver offsets)
 * both answer `unavailable`.
 */
export function historyCommand(history: RoomHistory | undefined, frame: RoomHistoryFrame | SetRoomHistoryFrame, replies: CommandReplies): void {
  if (history === undefined) return replies.refuse('unavailable', `"${frame.action}": this broker keeps no room history (its backplane cannot deliver offsets)`);
  const roomId = frame.params.room_id;
  const shared = history.shared;
  if (shared !== undefined) return sharedCommand(history, shared, frame, replies);
  if (frame.action === 'set_room_history') {
    const { size, ttl_ms: ttlMs } = frame.params;
    if (!history.configure(roomId, size, ttlMs)) replies.refuse('unavailable', TOO_MANY_SET);
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
 * Cluster mode: `room_history` reads the room's Redis stream. `set_room_history` applies here at
 * once (this backend's next message to the room is kept), then is kept in Redis and told to every
 * other broker; refused when Redis cannot take it (then only this broker has it).
 */
function sharedCommand(history: RoomHistory, shared: SharedHistoryStore, frame: RoomHistoryFrame | SetRoomHistoryFrame, replies: CommandReplies): void {
  const roomId = frame.params.room_id;
  if (frame.action === 'set_room_history') return setShared(history, shared, frame, replies);
  // Refused, not an empty answer: a backend (the chat example) then keeps the room's history itself.
  if (!history.has(roomId)) return replies.refuse('unavailable', `"room_history": room ${JSON.stringify(roomId)} keeps no history`);
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

function setShared(history: RoomHistory, shared: SharedHistoryStore, frame: SetRoomHistoryFrame, replies: CommandReplies): void {
  const { room_id: roomId, size, ttl_ms: ttlMs } = frame.params;
  if (!history.configure(roomId, size, ttlMs)) return replies.refuse('unavailable', TOO_MANY_SET);
  const refused = () => replies.refuse('unavailable', '"set_room_history": Redis unavailable (set on this broker only)');
  let writing;
  try {
    writing = shared.configure(roomId, ttlMs === undefined ? { size } : { size, ttlMs });
  } catch {
    return refused();
  }
  writing.catch(refused);
}
