// A reference echo backend speaking newline-JSON over raw TCP with no SDK: what a lean backend
// costs, so that the SDK's overhead shows up as a difference. One joined write per read.
import { connect, type Socket } from 'node:net';
import { PROTOCOL_VERSION } from '@strands/protocol';

/** 'echo' replies to the sender; 'room' sends every message to the sender's room. */
export type EchoMode = 'echo' | 'room';

interface Frame {
  action?: string;
  request_id?: string;
  params?: { url?: string; message?: string; context?: { client_id?: string; room_id?: string } };
}

const HELLO_TIMEOUT_MS = 2_000;

function reply(frame: Frame, mode: EchoMode): string | undefined {
  const params = frame.params ?? {};
  switch (frame.action) {
    case 'connection_request': {
      // Room = the path after /ws/ (PyStrands clients connect to /ws/<room>).
      const room = (params.url ?? '/').replace(/^\/ws\//, '').split('?')[0] ?? '';
      return `{"action":"response","request_id":${JSON.stringify(frame.request_id ?? '')},"params":{"accepted":true,"room_id":${JSON.stringify(room)},"metadata":{}}}\n`;
    }
    case 'new_message': {
      const message = JSON.stringify(params.message ?? '');
      if (mode === 'room') {
        return `{"action":"message_to_room","request_id":"r","params":{"room_id":${JSON.stringify(params.context?.room_id ?? '')},"message":${message}}}\n`;
      }
      return `{"action":"message_to_connection","request_id":"r","params":{"conn_id":${JSON.stringify(params.context?.client_id ?? '')},"message":${message}}}\n`;
    }
    default:
      return undefined;
  }
}

/**
 * Connects a raw echo backend to a broker's TCP port and resolves once the broker has answered
 * its `hello` (or after a short wait, for brokers that ignore `hello`).
 */
export function startRawEchoBackend(host: string, port: number, mode: EchoMode): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    let rest = '';
    let ready = false;
    const becomeReady = () => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      resolve(socket);
    };
    const timer = setTimeout(becomeReady, HELLO_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.once('error', (error) => (ready ? socket.destroy() : reject(error)));
    socket.once('connect', () => {
      socket.write(`{"action":"hello","request_id":"hello","params":{"name":"bench-raw-echo","protocol_version":${PROTOCOL_VERSION}}}\n`);
    });
    socket.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      let out = '';
      for (const line of lines) {
        if (line === '') continue;
        let frame: Frame;
        try {
          frame = JSON.parse(line) as Frame;
        } catch {
          continue;
        }
        if (frame.action === 'hello_reply') becomeReady();
        out += reply(frame, mode) ?? '';
      }
      if (out !== '') socket.write(out);
    });
  });
}
