// The composition of room history and sessions: which store, which rooms, and their /metrics samples.
import type { Logger } from 'pino';
import type { Backplane } from '../core/backplane.js';
import { RoomHistory } from '../core/history.js';
import { HistoryPolicy } from '../core/history-policy.js';
import { MemoryHistoryStore } from '../core/memory-history-store.js';
import type { BackplaneMetric } from '../metric-samples.js';
import type { ResolvedOptions } from '../options.js';
import type { ClientRegistry } from './client-registry.js';
import type { ClientSide } from './clients.js';
import { registryTarget, RoomGapRepair, type GapRepairCounts } from './room-gap-repair.js';
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
  return { history, routed: usable ? history : undefined };
}

/** Cluster mode: the repair of holes in rooms' live messages on this broker, set on the registry. */
export function createGapRepair(registry: ClientRegistry, history: RoomHistory, logger: Logger): RoomGapRepair | undefined {
  if (history.shared === undefined) return undefined;
  registry.gaps = new RoomGapRepair({ shared: history.shared, maxRecovery: history.maxRecovery, target: registryTarget(registry), logger });
  return registry.gaps;
}

export function createSessions(side: ClientSide, history: RoomHistory, options: ResolvedOptions, backplane: Backplane): Sessions {
  const sessions = new Sessions(side, history, new ResumeTokens(options.resumeSecret), options.resumeWindowMs, backplane);
  const shared = history.shared;
  if (shared !== undefined) {
    const listening = (roomId: string): Promise<void> => backplane.roomListening?.(roomId) ?? Promise.resolve();
    sessions.shared = { registry: side.registry, history, shared, listening };
  }
  return sessions;
}

/** The history counters, as /metrics samples. */
export function historyMetrics(parts: HistoryParts, sessions: Sessions, gaps: RoomGapRepair | undefined): BackplaneMetric[] {
  const c = parts.history.counts;
  return [
    ...(gaps === undefined ? [] : gapRepairMetrics(gaps)),
    { kind: 'counter', name: 'strands_history_published_total', help: 'Messages to rooms with history (each got an offset).', value: c.published },
    { kind: 'counter', name: 'strands_history_recoveries_total', help: 'Room recoveries that replayed what the client missed.', value: c.recovered },
    { kind: 'counter', name: 'strands_history_replayed_total', help: 'Messages replayed by recoveries.', value: c.replayed },
    { kind: 'counter', name: 'strands_history_unrecoverable_total', help: 'Room recoveries refused (older than history, another epoch, too many): the client reloads.', value: c.unrecoverable },
    { kind: 'counter', name: 'strands_sessions_resumed_total', help: 'Connections that resumed a session with a valid resume token.', value: sessions.resumed },
    { kind: 'gauge', name: 'strands_history_rooms', help: 'Rooms whose history is kept in memory.', value: parts.history.rooms },
  ];
}

/** Each gap repair counter's /metrics name and help. */
const GAP_REPAIR_METRICS: ReadonlyArray<readonly [keyof GapRepairCounts, string, string]> = [
  ['repairs', 'strands_history_gap_repairs_total', 'Reads of a room\'s shared history for messages this broker missed (a hole, or its subscription back).'],
  ['replayed', 'strands_history_gap_replayed_total', 'Missed messages fanned out from those reads.'],
  ['unrepairable', 'strands_history_gap_unrepairable_total', 'Holes that could not be filled (trimmed, another epoch, too many): clients told unrecoverable.'],
  ['failed', 'strands_history_gap_failures_total', 'Gap reads that failed (Redis away): clients closed 1011 to recover themselves.'],
];

function gapRepairMetrics(gaps: RoomGapRepair): BackplaneMetric[] {
  return GAP_REPAIR_METRICS.map(([key, name, help]) => ({ kind: 'counter', name, help, value: gaps.counts[key] }));
}
