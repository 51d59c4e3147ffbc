// The backend port: accepts backend TCP (or TLS) connections, and sends heartbeats while they live.
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { logHandshakeFailures } from '../tls-files.js';
import type { BrokerContext } from '../core/context.js';
import { HEARTBEAT_LINE } from './backend-frames.js';
import type { BackendRegistry } from './backend-registry.js';

/**
 * Creates the backend TCP server; backends without a token requirement are ready at once
 * (PyStrands never says hello). With `tls` it is a TLS server: a backend is accepted once its
 * handshake is done, and the HTTP sniff and token checks see the decrypted stream as on plain TCP.
 * With `tls.ca` a backend must present a certificate that CA signed.
 */
export function createBackendServer(ctx: BrokerContext, backends: BackendRegistry): Server;
export function createBackendServer(ctx: BrokerContext, backends: BackendRegistry, tls: SecureContextOptions | undefined): Server | TlsServer;
export function createBackendServer(ctx: BrokerContext, backends: BackendRegistry, tls?: SecureContextOptions): Server | TlsServer {
  const { heartbeatIntervalMs, handshakeTimeoutMs } = ctx.options;
  const socketOptions = { noDelay: true, keepAlive: true, keepAliveInitialDelay: heartbeatIntervalMs };
  if (tls === undefined) return createServer(socketOptions, (socket) => backends.accept(socket));
  const clientCerts = tls.ca !== undefined;
  const server = createTlsServer(
    { ...socketOptions, ...tls, requestCert: clientCerts, rejectUnauthorized: clientCerts, handshakeTimeout: handshakeTimeoutMs },
    (socket) => backends.accept(socket),
  );
  // A plain TCP backend, a wrong or missing client certificate, a scanner: refused before it is a backend.
  logHandshakeFailures(server, 'backend', ctx);
  return server;
}

/**
 * Every interval: a heartbeat to each backend, and the checks that drop a backend that stopped
 * reading (unsent bytes not moving for two beats) or never authenticated.
 */
export function startHeartbeat(ctx: BrokerContext, backends: BackendRegistry): NodeJS.Timeout {
  const { options, logger } = ctx;
  const timer = setInterval(() => {
    for (const backend of backends.all()) {
      // A silent one without a token is on probation, proven when it ends (BackendRegistry.prove).
      const onProbation = backend.authorized && backend.silent;
      if (!backend.proven && !onProbation && Date.now() - backend.connectedAt >= options.heartbeatIntervalMs) {
        const why = backend.authorized ? 'no valid frame' : 'no hello with the token';
        logger.warn({ backend: backend.id, remote: backend.remote }, `backend dropped: ${why}`);
        backend.drop(`${why} in time`);
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
