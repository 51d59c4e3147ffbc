// Baseline child: a bare `ws` server with no broker, the ceiling on this machine.
// argv[2]: 'echo' (reply to the sender) or 'room' (send to every client: a naive fan-out loop).
import { WebSocketServer, type WebSocket } from 'ws';
import { reportReady, serveControl } from './ipc.js';

const mode = process.argv[2] === 'room' ? 'room' : 'echo';
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const clients = new Set<WebSocket>();

server.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (mode === 'echo') {
      ws.send(data, { binary: isBinary });
      return;
    }
    for (const client of clients) client.send(data, { binary: isBinary });
  });
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  reportReady({ url: `ws://127.0.0.1:${port}/ws/bench` });
});

serveControl(
  () =>
    new Promise<void>((resolve) => {
      for (const ws of clients) ws.terminate();
      server.close(() => resolve());
    }),
);
