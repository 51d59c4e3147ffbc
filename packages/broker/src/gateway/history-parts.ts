// The composition of room history and sessions: which store, which rooms, and their /metrics samples.
import type { Logger } from 'pino';
import type { Backplane } from '../core/backplane.js';
import { RoomHistory } from '../core/history.js';
import { HistoryPolicy } from '../core/history-policy.js';
import { MemoryHistoryStore } from '../core/memory-history-store.js';
import type { BackplaneMetric } from '../metric-samples.js';
import type { ResolvedOptions } from '../options.js';
import type { ClientSide } from './clients.js';
import { ResumeTokens } from './resume-tokens.js';
import { Sessions } from './sessions.js';

/** What `hello_reply` adds when this broker keeps room history (`room_history`, `set_room_history`). */
export const HISTORY_CAPABILITY = 'history';

/** History and whether the routing core may use it (only with a backplane that delivers offsets). */
export interface HistoryParts {
  history: RoomHistory;
  /** Given to the routing core; undefined where the backplane cannot deliver offsets (a cluster, for now). */
  routed: RoomHistory | undefined;
}

export function createHistory(options: ResolvedOptions, backplane: Backplane, logger: Logger): HistoryParts {
  // Cluster mode: the backplane keeps history itself (Redis streams) and publishes with positions.
  const shared = backplane.toRoomInHistory !== undefined ? backplane.sharedHistory : undefined;
  const usable = backplane.toRoomAt !== undefined || shared !== undefined;
  if (!usable && options.historyRooms.length > 0) {
    logger.warn({ historyRooms: options.historyRooms }, 'room history is not available with this backplane (cluster mode): historyRooms ignored');
  }
  const limits = { size: options.historySize, bytes: options.historyBytes, ttlMs: options.historyTtlMs };
  const policy = new HistoryPolicy(usable ? options.historyRooms : [], limits, options.historyMaxRooms);
  const history = new RoomHistory(policy, new MemoryHistoryStore(options.historyMaxRooms), options.maxRecoveryMessages, Date.now, shared);
  // Cluster mode: a room another broker's backend set (or one set before this broker started).
  shared?.onConfigured((roomId, setting) => {
    if (!policy.set(roomId, setting.size, setting.ttlMs)) logger.warn({ room: roomId, historyMaxRooms: options.historyMaxRooms }, 'room history setting of another broker ignored: too many rooms set apart');
  });
  return { history, routed: usable ? history : undefined };
}

export function createSessions(side: ClientSide, history: RoomHistory, options: ResolvedOptions, backplane: Backplane): Sessions {
  const sessions = new Sessions(side, history, new ResumeTokens(options.resumeSecret), options.resumeWindowMs);
  const shared = history.shared;
  if (shared !== undefined) {
    const listening = (roomId: string): Promise<void> => backplane.roomListening?.(roomId) ?? Promise.resolve();
    sessions.shared = { registry: side.registry, history, shared, listening };
  }
  return sessions;
}

/** The history counters, as /metrics samples. */
export function historyMetrics(parts: HistoryParts, sessions: Sessions): BackplaneMetric[] {
  const c = parts.history.counts;
  return [
    { kind: 'counter', name: 'strands_history_published_total', help: 'Messages to rooms with history (each got an offset).', value: c.published },
    { kind: 'counter', name: 'strands_history_recoveries_total', help: 'Room recoveries that replayed what the client missed.', value: c.recovered },
    { kind: 'counter', name: 'strands_history_replayed_total', help: 'Messages replayed by recoveries.', value: c.replayed },
    { kind: 'counter', name: 'strands_history_unrecoverable_total', help: 'Room recoveries refused (older than history, another epoch, too many): the client reloads.', value: c.unrecoverable },
    { kind: 'counter', name: 'strands_sessions_resumed_total', help: 'Connections that resumed a session with a valid resume token.', value: sessions.resumed },
    { kind: 'gauge', name: 'strands_history_rooms', help: 'Rooms whose history is kept in memory.', value: parts.history.rooms },
  ];
}
