// The echo backend on its own: `pnpm backend --broker host:port` serves any broker already running
// (the Strands broker or the PyStrands Go broker).
import { runUntilSignal } from '@strands/example-shared';
import { createEchoBackend } from './echo.js';
import { DEFAULT_BROKER, parseCommandLine } from './options.js';

const options = parseCommandLineOrExit();
const echo = createEchoBackend({ broker: options.broker });
echo.onBrokerConnect(({ broker }) => console.log(`echo backend: connected to broker ${broker}`));
echo.onBrokerDisconnect(({ broker }) => console.log(`echo backend: lost broker ${broker}; reconnecting`));
console.log(`echo backend: connecting to ${options.broker}`);
void echo.start();
runUntilSignal(() => echo.close());

function parseCommandLineOrExit(): ReturnType<typeof parseCommandLine> {
  try {
    return parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`echo: ${(error as Error).message}\nflags: --broker host:port (default ${DEFAULT_BROKER})`);
    process.exit(2);
  }
}
