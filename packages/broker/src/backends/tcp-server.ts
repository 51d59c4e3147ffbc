// The backend port: accepts backend TCP connections, and sends heartbeats while they live.
import { createServer, type Server } from 'node:net';
import type { BrokerContext } from '../core/context.js';
import { HEARTBEAT_LINE } from './backend-frames.js';
import type { BackendRegistry } from './backend-registry.js';

/** Creates the backend TCP server; backends without a token requirement are ready at once (PyStrands never says hello). */
export function createBackendServer(ctx: BrokerContext, backends: BackendRegistry): Server {
  const { heartbeatIntervalMs } = ctx.options;
  return createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: heartbeatIntervalMs }, (socket) => backends.accept(socket));
}

/**
 * Every interval: a heartbeat to each backend, and the checks that drop a backend that stopped
 * reading (unsent bytes not moving for two beats) or never authenticated.
 */
export function startHeartbeat(ctx: BrokerContext, backends: BackendRegistry): NodeJS.Timeout {
  const { options, logger } = ctx;
  const timer = setInterval(() => {
    for (const backend of backends.all()) {
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
      backend.send(HEARTBEAT_LINE);
    }
  }, options.heartbeatIntervalMs);
  timer.unref();
  return timer;
}
