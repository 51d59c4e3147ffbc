// Counters the broker keeps, and their rendering as Prometheus text and /healthz JSON.
import type { BackplaneMetric } from './metric-samples.js';
import type { Readiness } from './readiness.js';
import { BrokerHistograms } from './prometheus.js';

/** Why an upgrade was refused; a label of `strands_rejected_connections_total`. */
export type RejectReason =
  | 'rejected'
  | 'no_backend'
  | 'timeout'
  | 'backend_lost'
  | 'bad_response'
  | 'bad_request'
  | 'shutting_down'
  | 'max_connections'
  | 'max_connections_per_ip'
  | 'max_pending_upgrades'
  | 'origin_refused';

const REJECT_REASONS: readonly RejectReason[] = [
  'rejected',
  'no_backend',
  'timeout',
  'backend_lost',
  'bad_response',
  'bad_request',
  'shutting_down',
  'max_connections',
  'max_connections_per_ip',
  'max_pending_upgrades',
  'origin_refused',
];

/**
 * Plain mutable counters: incrementing a field is the cheapest thing on the hot path. Latency
 * histograms (observed once per upgrade, never per message) and the runtime metrics are prom-client's.
 */
export class Metrics {
  readonly histograms = new BrokerHistograms();
  connectionsTotal = 0;
  disconnectionsTotal = 0;
  messagesIn = 0;
  messagesInBytes = 0;
  messagesOut = 0;
  deliveries = 0;
  fanoutDeliveries = 0;
  queueDrops = 0;
  /** Events refused to their sender (`queueOverflow: 'reject'`, full or disabled queue). */
  queueRefused = 0;
  slowClientCloses = 0;
  backendConnectionsTotal = 0;
  backendsDropped = 0;
  backendFramesIn = 0;
  backendFrameErrors = 0;
  /** Events sent again to a backend that acknowledges (its backend died or let it time out). */
  redeliveries = 0;
  /** Events set aside after `maxDeliveries` unacknowledged deliveries. */
  deadLetters = 0;
  /** Times a client went over its rate limits and was paused. */
  clientRateLimited = 0;
  /** Clients closed with 1008 for staying over their rate limits. */
  clientRateLimitCloses = 0;
  /** Times a backend fell behind (past its high-water mark) and its clients stopped being read. */
  backendBehind = 0;
  /** TLS handshakes that failed, by port (plain text on a TLS port, a refused or missing client certificate). */
  readonly tlsHandshakeFailures = { ws: 0, backend: 0 };
  /** Certificate reloads (SIGHUP, `reloadTls()`), by outcome, every TLS port counted. */
  readonly tlsReloads = { reloaded: 0, failed: 0 };
  readonly rejected: Record<RejectReason, number> = {
    rejected: 0,
    no_backend: 0,
    timeout: 0,
    backend_lost: 0,
    bad_response: 0,
    bad_request: 0,
    shutting_down: 0,
    max_connections: 0,
    max_connections_per_ip: 0,
    max_pending_upgrades: 0,
    origin_refused: 0,
  };
}

/** Live values read when a scrape happens. */
export interface Gauges {
  clients: number;
  rooms: number;
  backends: number;
  queueLength: number;
  /** Bytes of the events waiting, where the store counts them. */
  queueBytes?: number;
  /** Events held for backends that acknowledge and not acknowledged yet (bounded by `maxUnackedEvents`). */
  unackedEvents?: number;
  pendingConnectionRequests: number;
  /** Bytes written to client sockets and not yet taken by the kernel, all clients together. */
  clientBufferedBytes: number;
}

/**
 * The whole /metrics body (text format 0.0.4): prom-client's runtime metrics, build info and
 * histograms, then the broker's counters and gauges rendered by hand.
 */
export async function renderMetrics(m: Metrics, g: Gauges, nodeId = 'local', backplane: readonly BackplaneMetric[] = []): Promise<string> {
  return `${await m.histograms.render()}\n${renderPrometheus(m, g, nodeId)}${renderBackplaneMetrics(backplane)}`;
}

/** A backplane's samples in text format 0.0.4 (nothing alone: a LocalBackplane reports none). */
export function renderBackplaneMetrics(samples: readonly BackplaneMetric[]): string {
  const lines: string[] = [];
  for (const s of samples) {
    lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.kind}`);
    if (s.kind !== 'histogram') {
      lines.push(`${s.name} ${s.value}`);
      continue;
    }
    s.buckets.forEach((le, i) => lines.push(`${s.name}_bucket{le="${le}"} ${s.cumulative[i] ?? 0}`));
    lines.push(`${s.name}_bucket{le="+Inf"} ${s.count}`, `${s.name}_sum ${s.sum}`, `${s.name}_count ${s.count}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Renders the broker's counters and gauges as Prometheus text exposition format 0.0.4. */
export function renderPrometheus(m: Metrics, g: Gauges, nodeId = 'local'): string {
  const lines: string[] = [
    '# HELP strands_node_info This broker\'s id in its cluster (local when alone).',
    '# TYPE strands_node_info gauge',
    `strands_node_info{node=${JSON.stringify(nodeId)}} 1`,
  ];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric('strands_connections', 'gauge', 'WebSocket clients connected now.', g.clients);
  metric('strands_connections_total', 'counter', 'WebSocket clients accepted since start.', m.connectionsTotal);
  metric('strands_disconnections_total', 'counter', 'WebSocket clients gone since start.', m.disconnectionsTotal);
  metric('strands_rooms', 'gauge', 'Rooms with at least one member.', g.rooms);
  metric('strands_messages_in_total', 'counter', 'WebSocket messages received from clients.', m.messagesIn);
  metric('strands_messages_in_bytes_total', 'counter', 'Payload bytes received from clients.', m.messagesInBytes);
  metric('strands_messages_out_total', 'counter', 'Send actions (room, connection, broadcast) received from backends.', m.messagesOut);
  metric('strands_deliveries_total', 'counter', 'WebSocket messages written to clients.', m.deliveries);
  metric('strands_fanout_deliveries_total', 'counter', 'Deliveries made by message_to_room and broadcast.', m.fanoutDeliveries);
  metric('strands_queue_length', 'gauge', 'Events waiting for a backend.', g.queueLength);
  metric('strands_unacked_events', 'gauge', 'Events held for backends that acknowledge, not acknowledged yet.', g.unackedEvents ?? 0);
  metric('strands_queue_dropped_total', 'counter', 'Events dropped because the queue was full or disabled.', m.queueDrops);
  metric('strands_queue_refused_total', 'counter', 'Events refused to their sender (queueOverflow reject) because the queue was full or disabled.', m.queueRefused);
  metric('strands_queue_bytes', 'gauge', 'Bytes of the events waiting for a backend.', g.queueBytes ?? 0);
  metric('strands_redeliveries_total', 'counter', 'Events sent again because their backend died or did not acknowledge them in time.', m.redeliveries);
  metric('strands_dead_letters_total', 'counter', 'Events set aside after the maximum number of unacknowledged deliveries.', m.deadLetters);
  metric('strands_backends', 'gauge', 'Backends connected and ready.', g.backends);
  metric('strands_backend_connections_total', 'counter', 'Backend TCP connections accepted since start.', m.backendConnectionsTotal);
  metric('strands_backends_dropped_total', 'counter', 'Backends dropped by the broker (stalled, overflowing, unauthorized).', m.backendsDropped);
  metric('strands_backend_frames_in_total', 'counter', 'Frames received from backends.', m.backendFramesIn);
  metric('strands_backend_frame_errors_total', 'counter', 'Backend frames refused (malformed, wrong params, unknown).', m.backendFrameErrors);
  metric('strands_pending_connection_requests', 'gauge', 'Upgrades waiting for a backend response.', g.pendingConnectionRequests);
  metric('strands_client_buffered_bytes', 'gauge', 'Bytes waiting in client socket buffers, all clients.', g.clientBufferedBytes);
  metric('strands_slow_client_closes_total', 'counter', 'Clients closed because their outbound buffer overflowed.', m.slowClientCloses);
  metric('strands_client_rate_limited_total', 'counter', 'Times a client went over its rate limits and was not read until within them.', m.clientRateLimited);
  metric('strands_client_rate_limit_closes_total', 'counter', 'Clients closed with 1008 for staying over their rate limits.', m.clientRateLimitCloses);
  metric('strands_backend_behind_total', 'counter', 'Times a backend fell behind and the clients sending to it were not read until it caught up.', m.backendBehind);
  lines.push(
    '# HELP strands_rejected_connections_total Upgrades refused, by reason.',
    '# TYPE strands_rejected_connections_total counter',
  );
  for (const reason of REJECT_REASONS) {
    lines.push(`strands_rejected_connections_total{reason="${reason}"} ${m.rejected[reason]}`);
  }
  lines.push(
    '# HELP strands_tls_handshake_failures_total TLS handshakes that failed, by port.',
    '# TYPE strands_tls_handshake_failures_total counter',
    `strands_tls_handshake_failures_total{port="ws"} ${m.tlsHandshakeFailures.ws}`,
    `strands_tls_handshake_failures_total{port="backend"} ${m.tlsHandshakeFailures.backend}`,
    '# HELP strands_tls_reloads_total TLS certificate reloads, by outcome (a failed one keeps the previous certificate).',
    '# TYPE strands_tls_reloads_total counter',
    `strands_tls_reloads_total{outcome="reloaded"} ${m.tlsReloads.reloaded}`,
    `strands_tls_reloads_total{outcome="failed"} ${m.tlsReloads.failed}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The body of GET /healthz: liveness, so always `ok` while the process answers (readiness is /readyz). */
export function renderHealth(g: Gauges, nodeId = 'local'): string {
  return JSON.stringify({
    status: 'ok',
    node: nodeId,
    clients: g.clients,
    rooms: g.rooms,
    backends: g.backends,
    queue_length: g.queueLength,
    pending_connection_requests: g.pendingConnectionRequests,
  });
}

/** The body of GET /readyz: `ready`, or `not_ready` with the reason (served with 503). */
export function renderReadiness(r: Readiness, g: Gauges, peersWithBackends: number, nodeId = 'local'): string {
  return JSON.stringify({
    status: r.ready ? 'ready' : 'not_ready',
    node: nodeId,
    ...(r.ready ? {} : { reason: r.reason }),
    backends: g.backends,
    peers_with_backends: peersWithBackends,
  });
}
