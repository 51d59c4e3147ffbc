// The backend port: accepts backend TCP connections, and sends heartbeats while they live.
import { createServer, type Server } from 'node:net';
import type { ClientConnection } from '../gateway/client-connection.js';
import type { Backend, Hub } from '../hub.js';
import { BackendConnection } from './backend-connection.js';
import { HEARTBEAT_LINE } from './backend-frames.js';
import type { BackendHandler } from './backend-handler.js';

/** Creates the backend TCP server; backends without a token requirement are ready at once (PyStrands never says hello). */
export function createBackendServer(hub: Hub, handler: BackendHandler): Server {
  const { options, logger } = hub;
  const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: options.heartbeatIntervalMs }, (socket) => {
    if (hub.stopping) {
      socket.destroy();
      return;
    }
    const backend: Backend = new BackendConnection<ClientConnection>(
      socket,
      {
        line: (b, line) => handler.line(b, line),
        oversize: (b, error) => handler.oversize(b, error),
        closed: (b, reason) => hub.backendGone(b, reason),
      },
      {
        maxLineBytes: options.maxBackendLineBytes,
        maxBufferBytes: options.maxBackendBufferBytes,
        authorized: options.backendToken === undefined,
      },
    );
    hub.backends.add(backend);
    if (!hub.backendReads) backend.setReading(false);
    hub.metrics.backendConnectionsTotal += 1;
    logger.info({ backend: backend.id, remote: backend.remote }, 'backend connected');
    if (backend.authorized) hub.backendReady(backend);
  });
  return server;
}

/**
 * Every interval: a heartbeat to each backend, and the checks that drop a backend that stopped
 * reading (unsent bytes not moving for two beats) or never authenticated.
 */
export function startHeartbeat(hub: Hub): NodeJS.Timeout {
  const { options, logger } = hub;
  const timer = setInterval(() => {
    for (const backend of [...hub.backends]) {
      if (!backend.authorized && Date.now() - backend.connectedAt >= options.heartbeatIntervalMs) {
        logger.warn({ backend: backend.id, remote: backend.remote }, 'backend dropped: no hello with the token');
        backend.drop('no hello with the token in time');
        continue;
      }
      if (backend.checkStalled()) {
        logger.warn({ backend: backend.id, bufferedBytes: backend.bufferedBytes }, 'backend dropped: stopped reading');
        backend.drop('stopped reading (heartbeat)');
        continue;
      }
      backend.send(HEARTBEAT_LINE, null);
    }
  }, options.heartbeatIntervalMs);
  timer.unref();
  return timer;
}
