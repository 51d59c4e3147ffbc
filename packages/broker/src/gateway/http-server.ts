// The WebSocket port's HTTP side: /healthz, /metrics, and 426 for anything else that is not an upgrade.
import { createServer, type Server } from 'node:http';
import type { Hub } from '../hub.js';
import { renderHealth, renderPrometheus } from '../metrics.js';

/** Creates the http server of the WebSocket port (upgrades are handled by the caller's 'upgrade' listener). */
export function createHttpServer(hub: Hub): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(renderHealth(hub.gauges()));
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(renderPrometheus(hub.metrics, hub.gauges()));
      return;
    }
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end('This is a Strands broker: connect with a WebSocket, or GET /healthz or /metrics.\n');
  });
}
