// Reading a room's history from a broker (`room_history`, Strands brokers with the `history` capability).
import { roomHistoryLine, setRoomHistoryLine } from '@strands/protocol/wire';
import type { BrokerLink } from './broker-link.js';
import { BrokerError, SendError } from './errors.js';
import { nextRequestId } from './wire.js';

/** What to read: messages after offset `since` (oldest first), or without it the latest `limit`. */
export interface RoomHistoryOptions {
  since?: number;
  /** At most this many (the broker caps it at its `maxRecoveryMessages`). */
  limit?: number;
}

/** One message kept in a room's history. */
export interface HistoryMessage {
  offset: number;
  /** Text, or base64 when `isBinary`. */
  message: string;
  isBinary: boolean;
}

/** A read of a room's history: where the room stands (its epoch and latest offset) and the messages asked for. */
export interface RoomHistoryPage {
  roomId: string;
  epoch: string;
  /** Offset of the room's latest message (0: none yet). */
  offset: number;
  messages: HistoryMessage[];
}

/**
 * Asks one broker: the first connected one that keeps history (each broker not in a cluster keeps
 * its own). Rejects with `broker_error` (`brokerCode` `unavailable`) when no connected broker
 * keeps history, or with the broker's `error_reply`.
 */
export async function readRoomHistory(links: readonly BrokerLink[], roomId: string, options: RoomHistoryOptions, timeoutMs: number): Promise<RoomHistoryPage> {
  if (links.length === 0) throw new SendError('closed', 'the backend is closed', '*');
  // Only a broker that announced `history` answers (a PyStrands broker never would: no waiting out a timeout).
  const link = links.find((l) => l.status === 'connected' && l.history);
  if (link === undefined) throw new BrokerError('broker_error', 'no connected broker keeps room history', '*', 'unavailable');
  const requestId = nextRequestId();
  const reply = await link.request(roomHistoryLine(requestId, roomId, options.since, options.limit), requestId, timeoutMs);
  if (reply.action !== 'room_history_reply') throw new SendError('request_timeout', `unexpected answer ${reply.action} to room_history`, link.address);
  const { epoch, offset, publications } = reply.params;
  return { roomId, epoch, offset, messages: publications.map((p) => ({ offset: p.offset, message: p.message, isBinary: p.encoding === 'base64' })) };
}

/** `set_room_history`: keep the last `size` messages of a room (0: no history), each at most `ttlMs`. */
export function setRoomHistoryFrame(roomId: string, size: number, ttlMs: number | undefined): string {
  return setRoomHistoryLine(nextRequestId(), roomId, size, ttlMs);
}
