// The chat backend on its own: `pnpm backend --broker host:port` serves a broker already running
// (the Strands broker, or the PyStrands Go broker).
import { runUntilSignal } from '@strands/example-shared';
import { createChatBackend } from './chat-backend.js';
import { parseOrExit, readFlags, reportReady } from './cli.js';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_BROKER, DEFAULT_HISTORY_SIZE, resolveBackendOptions } from './options.js';

const USAGE = [
  'flags:',
  `  --broker host:port    the broker's backend address (default ${DEFAULT_BROKER})`,
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
let ready = false;
chat.onBrokerConnect(({ broker }) => {
  console.log(`chat backend: connected to broker ${broker}`);
  if (!ready) reportReady('backend', { broker });
  ready = true;
});
chat.onBrokerDisconnect(({ broker }) => console.log(`chat backend: lost broker ${broker}; reconnecting`));
console.log(`chat backend: connecting to ${options.broker}`);
void chat.start();
runUntilSignal(() => chat.close({ timeoutMs: 2000 }));
