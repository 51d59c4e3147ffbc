// The echo backend: joins each client to the room its path names and sends every message back
// to that whole room as `<client id>: <message>`.
import { createBackend, type StrandsBackend } from '@strands/backend';
import { roomFromPath } from '@strands/example-shared';

/** Options of {@link createEchoBackend}. */
export interface EchoBackendOptions {
  /** The broker's backend address, `host:port`. */
  broker: string;
  /** Level of the SDK's console logger. @default 'warn' */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

/**
 * Creates the echo backend; call `start()` to connect it to the broker.
 * @example
 * const echo = createEchoBackend({ broker: '127.0.0.1:8081' });
 * await echo.start(); // ws://127.0.0.1:8080/room1 now echoes to room1
 */
export function createEchoBackend(options: EchoBackendOptions): StrandsBackend {
  const backend = createBackend({ brokers: options.broker, name: 'strands-example-echo', logLevel: options.logLevel ?? 'warn' });
  backend.onConnectionRequest((request) => {
    request.roomId = roomFromPath(request.path);
    return true;
  });
  backend.onMessage((message) => {
    // Binary frames arrive base64-encoded; echo their bytes as text rather than the base64.
    const text = message.isBinary ? message.bytes().toString('utf8') : message.message;
    return backend.sendToRoom(message.client.roomId, `${message.client.clientId}: ${text}`);
  });
  return backend;
}
