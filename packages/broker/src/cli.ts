#!/usr/bin/env node
// The strands-broker command: flags and environment in, a running broker out, a clean exit on SIGINT/SIGTERM.
import { createBroker } from './broker.js';
import { helpText, parseCli } from './cli-args.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './options.js';
import { VERSION } from './version.js';

/** Exit codes of strands-broker. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

async function main(): Promise<void> {
  const command = parseCli(process.argv.slice(2), process.env);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${helpText()}\n`);
      return;
    case 'version':
      process.stdout.write(`strands-broker ${VERSION}\n`);
      return;
    case 'error':
      process.stderr.write(`strands-broker: ${command.message}\nTry 'strands-broker --help'.\n`);
      process.exitCode = EXIT.usage;
      return;
    case 'run':
      break;
  }
  const broker = createBroker(command.options);
  for (const warning of command.warnings) broker.logger.warn(warning);
  let addresses;
  try {
    addresses = await broker.start();
  } catch (error) {
    process.stderr.write(`strands-broker: ${(error as Error).message}\n`);
    process.exit(EXIT.failure);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      broker.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(EXIT.failure);
    }
    broker.logger.info({ signal }, 'shutting down');
    // stop() is bounded by shutdownTimeoutMs; this guard only catches a bug in it.
    const guard = setTimeout(() => process.exit(EXIT.failure), (command.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) + 3000);
    guard.unref();
    broker.stop().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        process.stderr.write(`strands-broker: shutdown failed: ${(error as Error).message}\n`);
        process.exit(EXIT.failure);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // SIGHUP reloads the TLS certificates (as nginx does); without TLS it keeps its default (the process ends).
  if (command.options.tlsCert !== undefined || command.options.backendTlsCert !== undefined) {
    process.on('SIGHUP', () => {
      broker.logger.info({ signal: 'SIGHUP' }, 'reloading TLS certificates');
      broker.reloadTls();
    });
  }
  // Said only once the signals are handled: whoever reads this line may signal at once.
  process.stdout.write(
    `strands-broker ${VERSION} listening: clients ${addresses.wsUrl} (bound ${addresses.host}:${addresses.wsPort}), ` +
      `backends ${addresses.backendTls ? 'tls' : 'tcp'}://${addresses.tcpHost}:${addresses.tcpPort}` +
      (addresses.metricsPort === undefined ? '' : `, metrics http://${addresses.metricsHost}:${addresses.metricsPort}/metrics`) +
      '\n',
  );
}

void main();
