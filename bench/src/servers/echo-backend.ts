// Echo backend child: the @strands/backend SDK (or, with 'raw', the raw TCP reference) connected
// to a broker. argv: <host> <port> <echo|room> <sdk|raw> [ack] (ack: the SDK acknowledges every event).
import type { BackendImpl } from '../options.js';
import { reportReady, reportUnavailable, serveControl } from './ipc.js';
import { startRawEchoBackend, type EchoMode } from './raw-echo-backend.js';
import { startSdkEchoBackend } from './sdk-echo-backend.js';

const [host = '127.0.0.1', portText = '0', modeText = 'echo', implText = 'sdk', ackText] = process.argv.slice(2);
const mode: EchoMode = modeText === 'room' ? 'room' : 'echo';
const impl: BackendImpl = implText === 'raw' ? 'raw' : 'sdk';
const port = Number(portText);

if (impl === 'raw') {
  const socket = await startRawEchoBackend(host, port, mode);
  reportReady({ impl });
  serveControl(async () => void socket.destroy());
} else {
  const backend = await startSdkEchoBackend(host, port, mode, ackText === 'ack');
  if (backend === undefined) reportUnavailable('@strands/backend does not export createBackend yet');
  reportReady({ impl });
  serveControl(() => backend.stop());
}
