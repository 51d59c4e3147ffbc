// `pnpm start`: a broker and the echo backend in one process, ready for any WebSocket client.
import { createBroker } from '@strands/broker';
import { runUntilSignal } from '@strands/example-shared';
import { createEchoBackend } from './echo.js';
import { DEFAULT_HOST, DEFAULT_TCP_PORT, DEFAULT_WS_PORT, parseCommandLine } from './options.js';

let options: ReturnType<typeof parseCommandLine>;
try {
  options = parseCommandLine(process.argv.slice(2));
} catch (error) {
  console.error(`echo: ${(error as Error).message}\nflags: --ws-port n (${DEFAULT_WS_PORT}) --tcp-port n (${DEFAULT_TCP_PORT}) --host address (${DEFAULT_HOST})`);
  process.exit(2);
}

const broker = createBroker({ wsPort: options.wsPort, tcpPort: options.tcpPort, host: options.host, logLevel: 'warn' });
const addresses = await broker.start().catch((error: Error) => {
  console.error(`echo: could not start the broker: ${error.message}`);
  process.exit(1);
});
const echo = createEchoBackend({ broker: `${addresses.tcpHost}:${addresses.tcpPort}` });
await echo.start();
console.log(`echo: broker and backend running. Connect any WebSocket client to ${addresses.wsUrl}/<room>, e.g.`);
console.log(`  npx wscat -c ${addresses.wsUrl}/room1`);
console.log('Every message comes back to the whole room as "<client id>: <message>". Ctrl-C stops.');
runUntilSignal(async () => {
  await echo.close({ timeoutMs: 2000 });
  await broker.stop();
});
