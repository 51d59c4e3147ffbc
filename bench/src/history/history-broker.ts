// Broker child of the history bench: one broker on loopback, port 0, history for rooms `hist*`; prints its addresses.
import { createBroker } from '@strands/broker';

const broker = createBroker({
  host: '127.0.0.1',
  wsPort: 0,
  tcpPort: 0,
  logLevel: 'silent',
  historyRooms: ['hist*'],
  maxRecoveryMessages: 1000,
  // The bench's own rate is the point: no per-client limits in the way.
  ...({ clientMessagesPerSecond: 0, clientBytesPerSecond: 0 } as object),
});
const { wsPort, tcpPort } = await broker.start();
process.stdout.write(`${JSON.stringify({ wsPort, tcpPort })}\n`);
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
