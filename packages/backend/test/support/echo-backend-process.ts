// A child process for at-least-once tests: an SDK backend that accepts everyone (client id from
// `?id=`) and echoes each message as JSON with how it arrived. Prints "ready" once connected.
// Usage: node --import tsx echo-backend-process.ts <broker host:port> <name>
import { createBackend } from '../../src/index.js';

const [broker = '127.0.0.1:8081', name = 'echo'] = process.argv.slice(2);
const app = createBackend({ brokers: [broker], name, logLevel: 'silent', acknowledge: true, reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 200 });
app.onConnectionRequest((request) => {
  request.clientId = request.query.id?.[0] ?? request.clientId;
  return true;
});
app.onMessage(async (m) => {
  // A little work, so that some events are in flight when this process is killed.
  await new Promise((resolve) => setTimeout(resolve, 2));
  await m.replyJson({ seq: Number(m.message), by: name, id: m.id, redelivered: m.redelivered, deliveryCount: m.deliveryCount });
});
await app.start();
process.stdout.write('ready\n');
