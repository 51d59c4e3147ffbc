// The backend commands of room history: `room_history` (read) and `set_room_history` (turn it on or off for one room).
import type { ErrorReplyCode } from '@strands/protocol';
import { publicationJson, roomHistoryReplyLine, type RoomHistoryFrame, type SetRoomHistoryFrame } from '@strands/protocol/wire';
import type { RoomHistory } from '../core/history.js';

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
  if (history === undefined) return replies.refuse('unavailable', `"${frame.action}": this broker keeps no room history (not in cluster mode yet)`);
  const roomId = frame.params.room_id;
  if (frame.action === 'set_room_history') {
    const { size, ttl_ms: ttlMs } = frame.params;
    if (!history.configure(roomId, size, ttlMs)) replies.refuse('unavailable', `"set_room_history": too many rooms set apart (historyMaxRooms)`);
    return;
  }
  const { since, limit } = frame.params;
  const { position, publications } = history.read(roomId, since, limit);
  const json = publications.map((p) => publicationJson(p.offset, p.message, p.binary));
  replies.send(roomHistoryReplyLine(frame.request_id, roomId, position.epoch, position.offset, json));
}
