// createBroker: the composition root. Picks the ports' implementations, wires the gateway and the backend side, runs their lifecycle.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { BackendHandler } from './backends/backend-handler.js';
import { BackendPool } from './backends/backend-pool.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { BackendDecider } from './backends/connection-decisions.js';
import { createBackendServer, startHeartbeat } from './backends/tcp-server.js';
import { ClusterBackplane } from './cluster/cluster-backplane.js';
import { createBrokerQueue } from './cluster/queue/broker-queue.js';
import type { Backplane } from './core/backplane.js';
import { firstOf, type EventOwner } from './core/consumers.js';
import type { BrokerContext } from './core/context.js';
import type { DeadLetter } from './core/dead-letters.js';
import { Dispatcher } from './core/dispatcher.js';
import type { EventStore } from './core/event-store.js';
import { RedisBackplane } from './cluster/redis/redis-backplane.js';
import { LocalBackplane } from './core/local-backplane.js';
import { MemoryEventStore } from './core/memory-event-store.js';
import { RoutingCore } from './core/routing.js';
import { BrokerStateError, ListenError } from './errors.js';
import { Admission } from './gateway/admission.js';
import { BackendBackpressure } from './gateway/backpressure.js';
import { ClientThrottle } from './gateway/client-throttle.js';
import { ClientRegistry } from './gateway/client-registry.js';
import { OriginAllowList } from './gateway/origins.js';
import { passHeld, receive, startPingSweep, type ClientSide } from './gateway/clients.js';
import { selectProtocol } from './gateway/handshake.js';
import { tellDropped, tellRelayedRefusal } from './gateway/send-replies.js';
import { createHttpServer, createOpsServer, type HealthSource } from './gateway/http-server.js';
import { UpgradeHandler } from './gateway/upgrade.js';
import { startFdWatch } from './fd-watch.js';
import { createLogger, RateLimitedLog } from './logger.js';
import { Metrics, type Gauges } from './metrics.js';
import { isLoopback } from './option-checks.js';
import { resolveOptions, type BrokerOptions, type ResolvedOptions } from './options.js';
import { readiness } from './readiness.js';
import { createGapRepair, createHistory, createSessions, HISTORY_CAPABILITY, historyMetrics } from './gateway/history-parts.js';
import { BACKEND_TLS_NAMES, backendTlsFiles, logHandshakeFailures, readTlsFiles, TlsCertificate, WS_TLS_NAMES, wsTlsFiles, type TlsReloadOutcome } from './tls-files.js';

/**
 * The pluggable parts of a broker, beside its options. Each instance serves one broker.
 */
export interface BrokerParts {
  /**
   * How deliveries and membership reach clients: this broker alone, or every broker of a cluster.
   * @default a `LocalBackplane` (this broker's own clients)
   */
  backplane?: Backplane;
  /**
   * Where client events wait for, and are held by, backends.
   * @default a `MemoryEventStore` bounded by `queueSize` and `queueOverflow`
   */
  eventStore?: EventStore<EventOwner>;
}

/** Where a started broker listens. */
export interface BrokerAddresses {
  /** Interface of the WebSocket side, as bound. */
  host: string;
  wsPort: number;
  /** Interface of the backend side, as bound. */
  tcpHost: string;
  tcpPort: number;
  /** `ws://host:port` (`wss://` with `tlsCert`) for clients; a wildcard host (0.0.0.0, ::) is shown as loopback. */
  wsUrl: string;
  /** True when the backend port speaks TLS (`backendTlsCert`). */
  backendTls: boolean;
  /** Interface and port of /healthz, /readyz and /metrics, as bound, when `metricsPort` is set (else they are on the WebSocket port). */
  metricsHost?: string;
  metricsPort?: number;
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
  /**
   * The latest client events set aside after `maxDeliveries` deliveries that no backend
   * acknowledged (at most 100, oldest first; `strands_dead_letters_total` counts them all).
   */
  deadLetters(): DeadLetter[];
  /** Events held for backends that acknowledge and not yet acknowledged (bounded by `maxUnackedEvents`). */
  unackedEvents(): number;
  /**
   * Reads the TLS files of each TLS port again and serves them to new handshakes; open
   * connections keep theirs. A port whose files cannot be read or used keeps its certificate
   * (logged as an error). The CLI calls it on SIGHUP. Empty without TLS.
   */
  reloadTls(): TlsReloadResult;
  /** The broker's logger. */
  readonly logger: Logger;
}

/** What `reloadTls()` did on each TLS port (absent: no TLS there). */
export interface TlsReloadResult {
  ws?: TlsReloadOutcome;
  backend?: TlsReloadOutcome;
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
export function createBroker(options: BrokerOptions & BrokerParts = {}): Broker {
  const resolved = resolveOptions(options, options.backplane?.clustered ?? options.cluster !== undefined);
  const logger = resolved.logger ?? createLogger(resolved.logLevel);
  // The one writable view of the context: only this lifecycle sets `stopping`.
  const ctx: { -readonly [K in keyof BrokerContext]: BrokerContext[K] } = { options: resolved, logger, metrics: new Metrics(), stopping: false };
  const backplane = options.backplane ?? defaultBackplane(resolved, logger);
  const historyParts = createHistory(resolved, backplane, logger);
  const routing = new RoutingCore(backplane, ctx.metrics, historyParts.routed);

  const pool = new BackendPool();
  // In a cluster the store also holds the events of other brokers' clients relayed here: its owners are EventOwners.
  // Durable on Redis Streams when asked (`queue`, the default in cluster mode); else in memory.
  const queue = options.eventStore === undefined ? createBrokerQueue(resolved, backplane.nodeId, logger.child({ part: 'queue' })) : undefined;
  const store: EventStore<EventOwner> = options.eventStore ?? queue?.store ?? new MemoryEventStore<EventOwner>(resolved.queueSize, resolved.queueOverflow, resolved.maxQueueBytes);
  const cluster = backplane instanceof ClusterBackplane ? backplane : undefined;
  // This broker's backends first; in a cluster, else a relay to another broker's.
  const dispatcher = new Dispatcher<EventOwner>(ctx, store, cluster === undefined ? pool : firstOf(pool, cluster.relays));
  const decider = new BackendDecider(ctx, pool);
  const backends = new BackendRegistry(ctx, pool, dispatcher, decider, backplane);
  backends.handleWith(new BackendHandler(ctx, routing, decider, backends, [...(backplane.clustered ? [CLUSTER_CAPABILITY] : []), ...(historyParts.routed ? [HISTORY_CAPABILITY] : [])]));

  const registry = new ClientRegistry(ctx, dispatcher, backplane, {
    full: () => backends.setReading(false),
    drained: () => backends.setReading(true),
  });
  dispatcher.onDropped((owner, code, action) => {
    tellDropped(registry, owner, code, action);
    cluster?.dropped(owner, code, action);
  });
  const gaps = createGapRepair(registry, historyParts.history, logger);
  backplane.bind(registry, {
    nodeLost: (nodeId) => logger.warn({ node: nodeId }, 'cluster node lost'),
    decider,
    dispatcher,
    missedRoomMessages: () => gaps?.missed(),
    refused: (clientId, code, dropped) => tellRelayedRefusal(registry, clientId, code, dropped, resolved.queueOverflow),
  });
  // In a cluster, a broker without a backend has a connection request decided by one that has.
  const gatewayDecider = cluster?.connectionDecider(decider, resolved.connectionRequestTimeoutMs) ?? decider;
  const admission = new Admission(resolved);
  const throttle = ClientThrottle.create(
    ctx,
    (client, code, reason) => registry.drop(client, code, reason, 'close'),
    (client, data, isBinary) => receive(side, client, data, isBinary),
  );
  const backpressure = new BackendBackpressure(ctx);
  backends.onLag(backpressure);
  const side: ClientSide = { ctx, registry, dispatcher, admission, throttle, backpressure };
  registry.passHeld = (client) => passHeld(side, client);
  const sessions = createSessions(side, historyParts.history, resolved, backplane);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: resolved.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: selectProtocol,
  });
  const origins = resolved.allowedOrigins === undefined ? undefined : new OriginAllowList(resolved.allowedOrigins);
  const upgrades = new UpgradeHandler(
    ctx,
    wss,
    gatewayDecider,
    admission,
    (ws, socket, acceptance, ip, req) => sessions.accept(ws, socket, acceptance, ip, req),
    origins,
  );
  const stats = (): Gauges => ({
    clients: registry.size,
    rooms: registry.roomCount,
    backends: pool.size,
    queueLength: dispatcher.waiting,
    unackedEvents: store.unacked,
    queueBytes: store.waitingBytes ?? 0,
    pendingConnectionRequests: upgrades.pendingCount(),
    clientBufferedBytes: registry.bufferedBytes(),
  });
  const health: HealthSource = {
    metrics: ctx.metrics,
    gauges: stats,
    nodeId: backplane.nodeId,
    backplaneMetrics: () => [...(backplane.metrics?.() ?? []), ...(queue?.metrics() ?? []), ...historyMetrics(historyParts, sessions, gaps)],
    peersWithBackends: () => cluster?.stats().peersWithBackends ?? 0,
    readiness: () => readiness({ stopping: ctx.stopping, link: backplane.health(), queue: queue?.health() ?? { up: true }, backends: pool.size, peersWithBackends: health.peersWithBackends() }),
  };
  // /healthz, /readyz and /metrics: on the WebSocket port, or apart on metricsPort.
  const opsServer = resolved.metricsPort === undefined ? undefined : createOpsServer(health);
  // TLS files were checked by resolveOptions; read here for the servers, and again by reloadTls().
  const wsFiles = wsTlsFiles(resolved);
  const wsMaterial = wsFiles === undefined ? undefined : readTlsFiles(wsFiles, WS_TLS_NAMES);
  const backendFiles = backendTlsFiles(resolved);
  const backendMaterial = backendFiles === undefined ? undefined : readTlsFiles(backendFiles, BACKEND_TLS_NAMES);
  const http = createHttpServer(health, opsServer === undefined, resolved.handshakeTimeoutMs, wsMaterial?.context);
  http.on('upgrade', (req, socket, head) => upgrades.handle(req, socket, head));
  const tcp = createBackendServer(ctx, backends, backendMaterial?.context);
  const certificates: { ws?: TlsCertificate; backend?: TlsCertificate } = {};
  if (wsFiles !== undefined && wsMaterial !== undefined && 'setSecureContext' in http) {
    certificates.ws = new TlsCertificate(http, wsFiles, WS_TLS_NAMES, 'ws', wsMaterial);
    logHandshakeFailures(http, 'ws', ctx);
  }
  if (backendFiles !== undefined && backendMaterial !== undefined && 'setSecureContext' in tcp) {
    certificates.backend = new TlsCertificate(tcp, backendFiles, BACKEND_TLS_NAMES, 'backend', backendMaterial);
  }
  let state: State = 'idle';
  let timers: (NodeJS.Timeout | undefined)[] = [];
  let stopping: Promise<void> | undefined;

  async function start(): Promise<BrokerAddresses> {
    if (state !== 'idle') throw new BrokerStateError(`start() called while the broker is ${state}`);
    state = 'starting';
    try {
      await backplane.start();
      await queue?.open();
      await listen(http, resolved.wsPort, resolved.host, 'WebSocket', logger);
      await listen(tcp, resolved.tcpPort, resolved.tcpHost, 'backend TCP', logger);
      if (opsServer !== undefined) await listen(opsServer, resolved.metricsPort as number, resolved.metricsHost as string, 'metrics', logger);
    } catch (error) {
      state = 'stopped';
      http.close();
      tcp.close();
      opsServer?.close();
      await queue?.close().catch(() => undefined);
      await backplane.stop().catch(() => undefined);
      throw error;
    }
    timers = [startFdWatch(logger), startHeartbeat(ctx, backends), startPingSweep(side), startAckSweep(ctx, dispatcher)];
    sessions.start();
    state = 'running';
    const ws = http.address() as AddressInfo;
    const backend = tcp.address() as AddressInfo;
    const addresses: BrokerAddresses = {
      host: ws.address,
      wsPort: ws.port,
      tcpHost: backend.address,
      tcpPort: backend.port,
      wsUrl: `${certificates.ws === undefined ? 'ws' : 'wss'}://${urlHost(ws.address)}:${ws.port}`,
      backendTls: certificates.backend !== undefined,
      ...metricsAddress(opsServer),
    };
    logger.info(
      {
        ...addresses,
        node: backplane.nodeId,
        queueSize: resolved.queueSize,
        token: resolved.backendToken !== undefined,
        ...(certificates.ws === undefined ? {} : { wsFingerprint256: certificates.ws.fingerprint256 }),
        ...(certificates.backend === undefined ? {} : { backendFingerprint256: certificates.backend.fingerprint256, clientCertificates: resolved.backendTlsCa !== undefined }),
      },
      'broker listening',
    );
    if (resolved.allowedOrigins === undefined && !isLoopback(resolved.host)) {
      logger.warn({ host: resolved.host }, 'no allowedOrigins: any web page may open WebSockets to this broker in its visitors\' names (set --allowed-origins)');
    }
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
    ctx.stopping = true;
    const deadline = Date.now() + resolved.shutdownTimeoutMs;
    for (const timer of timers) clearInterval(timer);
    sessions.stop();
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
    gatewayDecider.shutdown();
    registry.outbox.flush();
    const clientsClosed: Promise<void>[] = [];
    for (const client of registry.all()) {
      clientsClosed.push(new Promise((resolve) => client.ws.once('close', () => resolve())));
      registry.drop(client, 1001, 'broker shutting down', 'close');
    }
    await withDeadline(Promise.all(clientsClosed), deadline);
    const dropped = dispatcher.clear();
    if (dropped > 0) logger.warn({ events: dropped }, queue === undefined ? 'queue not delivered: no backend at shutdown' : 'queue kept in Redis for the next start: no backend at shutdown');
    await backends.endAll(Math.max(0, deadline - Date.now()));
    // What is still pending stays in Redis: the next start (or another broker) takes it back.
    await queue?.close().catch((error: unknown) => logger.warn({ err: error }, 'event queue close failed'));
    await backplane.stop().catch((error: unknown) => logger.warn({ err: error }, 'backplane stop failed'));
    // The metrics port stays up until here, so that /readyz says 503 'shutting down' while clients and backends drain.
    const opsClosed = new Promise<void>((resolve) => (opsServer === undefined ? resolve() : opsServer.close(() => resolve())));
    http.closeAllConnections();
    opsServer?.closeAllConnections();
    await withDeadline(Promise.all([httpClosed, tcpClosed, opsClosed]), deadline + 1000);
    state = 'stopped';
    logger.info('broker stopped');
    logger.flush();
  }

  function reloadTls(): TlsReloadResult {
    const result: TlsReloadResult = {};
    for (const port of ['ws', 'backend'] as const) {
      const certificate = certificates[port];
      if (certificate === undefined) continue;
      const outcome = certificate.reload(logger);
      ctx.metrics.tlsReloads[outcome] += 1;
      result[port] = outcome;
    }
    return result;
  }

  return { start, stop, stats, logger, reloadTls, deadLetters: () => dispatcher.deadLetters.list(), unackedEvents: () => store.unacked };
}

/** Looks for unacknowledged events past `ackTimeoutMs` a few times per timeout (at least once a second). */
function startAckSweep(ctx: BrokerContext, dispatcher: Dispatcher<EventOwner>): NodeJS.Timeout {
  const everyMs = Math.max(10, Math.min(1000, Math.floor(ctx.options.ackTimeoutMs / 4)));
  const timer = setInterval(() => dispatcher.expire(Date.now()), everyMs);
  timer.unref();
  return timer;
}

/** What `hello_reply` adds when this broker is one of a cluster. */
const CLUSTER_CAPABILITY = 'cluster';

/**
 * The backplane the options ask for: Redis in cluster mode (the Redis client library is loaded
 * only when it connects, at `start()`), else this broker alone.
 */
function defaultBackplane(options: ResolvedOptions, logger: Logger): Backplane {
  if (options.cluster === undefined) return new LocalBackplane();
  return new RedisBackplane({ url: options.cluster.url, prefix: options.cluster.prefix, logger: logger.child({ part: 'cluster' }) });
}

function listen(server: HttpServer | NetServer, port: number, host: string, what: string, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException) => {
      reject(new ListenError(`cannot listen for ${what} on ${host}:${port}: ${cause.code ?? cause.message}`, { cause }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      keepServingOnAcceptErrors(server, what, logger);
      resolve();
    });
  });
}

/**
 * A listening server emits 'error' when accept fails (EMFILE at the file descriptor limit); with
 * no listener that would end the process. Logged instead, at most once a second: Node retries
 * the accept, and the clients already connected are served on.
 */
function keepServingOnAcceptErrors(server: HttpServer | NetServer, what: string, logger: Logger): void {
  const log = new RateLimitedLog(1000);
  server.on('error', (error: NodeJS.ErrnoException) => {
    log.hit((suppressed) => {
      const hint = error.code === 'EMFILE' || error.code === 'ENFILE' ? ': out of file descriptors (raise the limit, ulimit -n, or lower maxConnections)' : '';
      logger.error({ port: what, code: error.code, err: error.message, suppressed }, `cannot accept connections${hint}`);
    });
  });
}

function metricsAddress(server: HttpServer | undefined): Pick<BrokerAddresses, 'metricsHost' | 'metricsPort'> {
  if (server === undefined) return {};
  const bound = server.address() as AddressInfo;
  return { metricsHost: bound.address, metricsPort: bound.port };
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
