// createBroker: wires the WebSocket gateway and the backend server around one hub, and runs their lifecycle.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { BackendHandler } from './backends/backend-handler.js';
import { createBackendServer, startHeartbeat } from './backends/tcp-server.js';
import { BrokerStateError, ListenError } from './errors.js';
import { attachClient, startPingSweep } from './gateway/clients.js';
import { selectProtocol } from './gateway/handshake.js';
import { createHttpServer } from './gateway/http-server.js';
import { UpgradeHandler } from './gateway/upgrade.js';
import { Hub } from './hub.js';
import { createLogger } from './logger.js';
import type { Gauges } from './metrics.js';
import { resolveOptions, type BrokerOptions } from './options.js';

/** Where a started broker listens. */
export interface BrokerAddresses {
  /** Interface of the WebSocket side, as bound. */
  host: string;
  wsPort: number;
  /** Interface of the backend side, as bound. */
  tcpHost: string;
  tcpPort: number;
  /** `ws://host:port` for clients; a wildcard host (0.0.0.0, ::) is shown as loopback. */
  wsUrl: string;
}

/** A broker; create with `createBroker`. */
export interface Broker {
  /** Binds both ports; resolves with the real addresses (port 0 picks free ones). */
  start(): Promise<BrokerAddresses>;
  /**
   * Stops accepting, answers waiting upgrades 503, closes clients with 1001, flushes what is
   * owed to backends and closes them; bounded by `shutdownTimeoutMs`. Safe to call twice.
   */
  stop(): Promise<void>;
  /** Live counts, as /healthz reports them. */
  stats(): Gauges;
  /** The broker's logger. */
  readonly logger: Logger;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Creates a broker. Nothing listens until `start()`.
 * @example
 * const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent' });
 * const { wsUrl, tcpPort } = await broker.start();
 * // backends connect to 127.0.0.1:tcpPort, clients to wsUrl
 * await broker.stop();
 */
export function createBroker(options: BrokerOptions = {}): Broker {
  const resolved = resolveOptions(options);
  const logger = resolved.logger ?? createLogger(resolved.logLevel);
  const hub = new Hub(resolved, logger);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: resolved.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: selectProtocol,
  });
  const upgrades = new UpgradeHandler(hub, wss, (ws, socket, acceptance) => attachClient(hub, ws, socket, acceptance));
  hub.upgrades = upgrades;
  const handler = new BackendHandler(hub, upgrades);
  const http = createHttpServer(hub);
  http.on('upgrade', (req, socket, head) => upgrades.handle(req, socket, head));
  const tcp = createBackendServer(hub, handler);
  let state: State = 'idle';
  let timers: (NodeJS.Timeout | undefined)[] = [];
  let stopping: Promise<void> | undefined;

  async function start(): Promise<BrokerAddresses> {
    if (state !== 'idle') throw new BrokerStateError(`start() called while the broker is ${state}`);
    state = 'starting';
    try {
      await listen(http, resolved.wsPort, resolved.host, 'WebSocket');
      await listen(tcp, resolved.tcpPort, resolved.tcpHost, 'backend TCP');
    } catch (error) {
      state = 'stopped';
      http.close();
      tcp.close();
      throw error;
    }
    timers = [startHeartbeat(hub), startPingSweep(hub)];
    state = 'running';
    const ws = http.address() as AddressInfo;
    const backend = tcp.address() as AddressInfo;
    const addresses: BrokerAddresses = {
      host: ws.address,
      wsPort: ws.port,
      tcpHost: backend.address,
      tcpPort: backend.port,
      wsUrl: `ws://${urlHost(ws.address)}:${ws.port}`,
    };
    logger.info({ ...addresses, queueSize: resolved.queueSize, token: resolved.backendToken !== undefined }, 'broker listening');
    return addresses;
  }

  function stop(): Promise<void> {
    if (state === 'idle' || state === 'stopped') {
      state = 'stopped';
      return Promise.resolve();
    }
    stopping ??= shutdown();
    return stopping;
  }

  async function shutdown(): Promise<void> {
    state = 'stopping';
    hub.stopping = true;
    const deadline = Date.now() + resolved.shutdownTimeoutMs;
    for (const timer of timers) clearInterval(timer);
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
    upgrades.shutdown();
    hub.outbox.flush();
    const clientsClosed: Promise<void>[] = [];
    for (const client of [...hub.clients.values()]) {
      clientsClosed.push(new Promise((resolve) => client.ws.once('close', () => resolve())));
      hub.dropClient(client, 1001, 'broker shutting down', 'close');
    }
    await withDeadline(Promise.all(clientsClosed), deadline);
    const dropped = hub.queue.length;
    if (dropped > 0) logger.warn({ events: dropped }, 'queue not delivered: no backend at shutdown');
    hub.queue.clear();
    await Promise.all([...hub.backends].map((b) => b.end(Math.max(0, deadline - Date.now()))));
    http.closeAllConnections();
    await withDeadline(Promise.all([httpClosed, tcpClosed]), deadline + 1000);
    state = 'stopped';
    logger.info('broker stopped');
    logger.flush();
  }

  return { start, stop, stats: () => hub.gauges(), logger };
}

function listen(server: HttpServer | NetServer, port: number, host: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException) => {
      reject(new ListenError(`cannot listen for ${what} on ${host}:${port}: ${cause.code ?? cause.message}`, { cause }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

async function withDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  await Promise.race([work, expired]);
  clearTimeout(timer);
}
