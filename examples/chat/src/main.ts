// The chat backend on its own: `pnpm backend --broker host:port` serves a broker already running
// (the Strands broker, or the PyStrands Go broker); `--broker a:1,b:2` serves the brokers of a cluster.
import { runUntilSignal } from '@strands/example-shared';
import { createChatBackend } from './chat-backend.js';
import { parseOrExit, readFlags, reportReady } from './cli.js';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_BROKER, DEFAULT_HISTORY_SIZE, listOf, resolveBackendOptions } from './options.js';

const USAGE = [
  'flags:',
  `  --broker host:port    the broker's backend address (default ${DEFAULT_BROKER}); several, comma-separated, for a cluster`,
  `  --admin-token text    the token that makes a client an admin (default "${DEFAULT_ADMIN_TOKEN}"; env CHAT_ADMIN_TOKEN)`,
  `  --history-size n      room messages replayed to newcomers (default ${DEFAULT_HISTORY_SIZE})`,
].join('\n');

const options = parseOrExit('chat backend', USAGE, () =>
  resolveBackendOptions(
    readFlags(
      { broker: 'string', adminToken: { kind: 'string', env: 'CHAT_ADMIN_TOKEN' }, historySize: 'integer' },
      process.argv.slice(2),
      process.env,
    ),
  ),
);
const chat = createChatBackend(options);
// Ready once every listed broker is connected: until then a client of a missing one gets a 503.
const waiting = new Set(listOf(options.broker));
let ready = false;
chat.onBrokerConnect(({ broker }) => {
  console.log(`chat backend: connected to broker ${broker}`);
  waiting.delete(broker);
  if (!ready && waiting.size === 0) reportReady('backend', { broker });
  ready ||= waiting.size === 0;
});
chat.onBrokerDisconnect(({ broker }) => console.log(`chat backend: lost broker ${broker}; reconnecting`));
console.log(`chat backend: connecting to ${options.broker}`);
void chat.start();
runUntilSignal(() => chat.close({ timeoutMs: 2000 }));
