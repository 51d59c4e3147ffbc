// A child process for at-least-once tests: a PyStrands-style backend on the bare wire (no hello,
// no ack), accepting everyone (client id from `?id=`) and echoing each message as JSON with the
// params it got. Prints "ready" once connected. Usage: node --import tsx bare-echo-process.ts <port> <name>
import { connect } from 'node:net';

const [port = '8081', name = 'bare'] = process.argv.slice(2);
const socket = connect(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
socket.setEncoding('utf8');
let buffer = '';
let sequence = 0;
const send = (action: string, params: object, requestId = `${name}-${++sequence}`): void => {
  socket.write(`${JSON.stringify({ action, request_id: requestId, params })}\n`);
};
socket.on('data', (chunk: string) => {
  buffer += chunk;
  for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
    const frame = JSON.parse(buffer.slice(0, nl)) as { action: string; request_id: string; params: Record<string, any> };
    buffer = buffer.slice(nl + 1);
    if (frame.action === 'connection_request') {
      const id = /[?&]id=([^&]+)/.exec(String(frame.params.url))?.[1] ?? frame.params.query?.id?.[0];
      send('response', { accepted: true, client_id: id, room_id: 'load', metadata: {} }, frame.request_id);
    } else if (frame.action === 'new_message') {
      const { message, context, event_id: eventId, redelivered } = frame.params;
      send('message_to_connection', { conn_id: context.client_id, message: JSON.stringify({ seq: Number(message), by: name, id: eventId, redelivered: redelivered === true }) });
    }
  }
});
socket.on('error', () => process.exit(1));
socket.on('close', () => process.exit(0));
