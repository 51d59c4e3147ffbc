// The broker's HTTP side: /healthz (liveness), /readyz (readiness), /metrics, on the WebSocket port (426 for anything else) or on a port of their own.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { renderHealth, renderMetrics, renderReadiness, type Gauges, type Metrics } from '../metrics.js';
import type { BackplaneMetric } from '../metric-samples.js';
import type { Readiness } from '../readiness.js';

/** What the HTTP side reports. */
export interface HealthSource {
  readonly metrics: Metrics;
  gauges(): Gauges;
  /** Whether a new client can be served now: /readyz answers 503 while not. */
  readiness(): Readiness;
  /** Other brokers of the cluster with ready backends (0 alone), shown by /readyz. */
  peersWithBackends(): number;
  /** This broker's id in its cluster (`local` alone). */
  readonly nodeId: string;
  /** The backplane's samples (a cluster's link and traffic; none alone). */
  backplaneMetrics(): readonly BackplaneMetric[];
}

const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Creates the http server of the WebSocket port (upgrades are handled by the caller's 'upgrade'
 * listener). With `ops` false (they are served on `metricsPort`), /healthz, /readyz and /metrics
 * answer 404 here. With `tls` it is an https server (a `tls.Server`: `setSecureContext` swaps its
 * certificate for new handshakes).
 */
export function createHttpServer(source: HealthSource, ops?: boolean, handshakeTimeoutMs?: number): Server;
export function createHttpServer(source: HealthSource, ops: boolean, handshakeTimeoutMs: number, tls: SecureContextOptions | undefined): Server | HttpsServer;
export function createHttpServer(source: HealthSource, ops = true, handshakeTimeoutMs = 10_000, tls?: SecureContextOptions): Server | HttpsServer {
  // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default): a client
  // that trickles its upgrade headers (slowloris) is cut within a second of its budget instead.
  const timeouts = { headersTimeout: handshakeTimeoutMs, requestTimeout: handshakeTimeoutMs, connectionsCheckingInterval: Math.min(1000, handshakeTimeoutMs) };
  const handler: RequestListener = (req, res) => {
    const path = pathOf(req);
    if (OPS_PATHS.has(path)) {
      if (ops) return serveOps(source, path, req, res);
      return plain(res, 404, `${path} is served on the broker's metrics port, not here.\n`);
    }
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end('This is a Strands broker: connect with a WebSocket, or GET /healthz, /readyz or /metrics.\n');
  };
  if (tls === undefined) return createServer(timeouts, handler);
  // A TCP connection that never finishes its TLS handshake is cut on the same budget as slow headers.
  return createHttpsServer({ ...timeouts, ...tls, handshakeTimeout: handshakeTimeoutMs }, handler);
}

/** Creates the server of `metricsPort`: /healthz, /readyz and /metrics, 404 for anything else (no upgrades). */
export function createOpsServer(source: HealthSource): Server {
  return createServer((req, res) => {
    const path = pathOf(req);
    if (OPS_PATHS.has(path)) return serveOps(source, path, req, res);
    plain(res, 404, 'Not found: this is a Strands broker\'s metrics port (GET /healthz, /readyz or /metrics).\n');
  });
}

function serveOps(source: HealthSource, path: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'Use GET or HEAD.\n');
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(renderHealth(source.gauges(), source.nodeId));
    return;
  }
  if (path === '/readyz') {
    const ready = source.readiness();
    res.writeHead(ready.ready ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(renderReadiness(ready, source.gauges(), source.peersWithBackends(), source.nodeId));
    return;
  }
  renderMetrics(source.metrics, source.gauges(), source.nodeId, source.backplaneMetrics()).then(
    (body) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(body);
    },
    (error: unknown) => plain(res, 500, `metrics failed: ${(error as Error).message}\n`),
  );
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] as string;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
