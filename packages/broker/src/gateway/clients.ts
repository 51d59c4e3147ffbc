// Accepted clients: wiring a WebSocket's events to the hub, and the ping sweep that finds dead ones.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { newMessageLine } from '../backends/backend-frames.js';
import type { Hub } from '../hub.js';
import { ClientConnection } from './client-connection.js';
import type { Acceptance } from './upgrade.js';

// ws reports protocol violations as errors and then closes with 1006 locally; keep the code it sent.
const CLOSE_CODE_OF_WS_ERROR: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** Turns an upgraded socket into a registered client whose frames become backend events. */
export function attachClient(hub: Hub, ws: WebSocket, socket: Duplex, acceptance: Acceptance): ClientConnection {
  const client = new ClientConnection(acceptance.clientId, acceptance.roomId, acceptance.metadata, ws, socket);
  const metrics = hub.metrics;
  let errorCode: number | undefined;
  let errorReason = '';
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (client.gone) return;
    client.alive = true;
    metrics.messagesIn += 1;
    metrics.messagesInBytes += data.length;
    // Binary frames reach the backend as base64 with `encoding: "base64"` (never corrupted into text).
    const message = isBinary ? data.toString('base64') : data.toString('utf8');
    hub.sendClientEvent(client, newMessageLine(message, client.contextJson, isBinary));
  });
  ws.on('pong', () => {
    client.alive = true;
  });
  ws.on('error', (error: Error & { code?: string }) => {
    errorCode = CLOSE_CODE_OF_WS_ERROR[error.code ?? ''] ?? 1002;
    errorReason = error.message;
    hub.logger.debug({ client: client.id, err: error.message }, 'client protocol error');
  });
  ws.on('close', (code: number, reason: Buffer) => {
    hub.dropClient(client, errorCode ?? code, errorCode === undefined ? reason.toString() : errorReason);
  });
  hub.addClient(client, acceptance.backend);
  return client;
}

/**
 * Every interval, drops clients that did not answer the previous ping (reported as
 * `disconnected` with code 1006) and pings the rest.
 */
export function startPingSweep(hub: Hub): NodeJS.Timeout | undefined {
  const interval = hub.options.pingIntervalMs;
  if (interval === 0) return undefined;
  const timer = setInterval(() => {
    for (const client of [...hub.clients.values()]) {
      if (!client.alive) {
        hub.logger.debug({ client: client.id }, 'client missed a ping: dropped');
        hub.dropClient(client, 1006, 'ping timeout', 'terminate');
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, interval);
  timer.unref();
  return timer;
}
