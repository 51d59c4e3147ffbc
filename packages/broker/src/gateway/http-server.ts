// The WebSocket port's HTTP side: /healthz, /metrics, and 426 for anything else that is not an upgrade.
import { createServer, type Server } from 'node:http';
import type { BackplaneHealth } from '../core/backplane.js';
import { renderHealth, renderMetrics, type Gauges, type Metrics } from '../metrics.js';

/** What the HTTP side reports. */
export interface HealthSource {
  readonly metrics: Metrics;
  gauges(): Gauges;
  /** The backplane's link: /healthz answers 503 while it is down. */
  link(): BackplaneHealth;
  /** This broker's id in its cluster (`local` alone). */
  readonly nodeId: string;
}

/** Creates the http server of the WebSocket port (upgrades are handled by the caller's 'upgrade' listener). */
export function createHttpServer(source: HealthSource): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/healthz') {
      const link = source.link();
      res.writeHead(link.up ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(renderHealth(source.gauges(), link, source.nodeId));
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') {
      renderMetrics(source.metrics, source.gauges(), source.nodeId).then(
        (body) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`metrics failed: ${(error as Error).message}\n`);
        },
      );
      return;
    }
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end('This is a Strands broker: connect with a WebSocket, or GET /healthz or /metrics.\n');
  });
}
