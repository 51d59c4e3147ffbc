// The echo backend written with the @strands/backend SDK, as an application would write it.
import * as backendPackage from '@strands/backend';
import type { EchoMode } from './raw-echo-backend.js';

/** A running SDK backend. */
export interface SdkEchoBackend {
  stop(): Promise<void>;
}

type Sdk = Partial<Pick<typeof backendPackage, 'createBackend'>>;

/** Starts the SDK echo backend and resolves once it is connected; undefined while the SDK has not landed. */
export async function startSdkEchoBackend(
  host: string,
  port: number,
  mode: EchoMode,
  acknowledge = false,
): Promise<SdkEchoBackend | undefined> {
  const { createBackend } = backendPackage as Sdk;
  if (typeof createBackend !== 'function') return undefined;
  const app = createBackend({ brokers: [`${host}:${port}`], name: `bench-echo-${process.pid}`, logLevel: 'silent', ...(acknowledge ? { acknowledge } : {}) });
  // Room = the path after /ws/, as the raw reference backend does.
  app.onConnectionRequest((request) => {
    request.roomId = request.path.replace(/^\/ws\//, '');
    return true;
  });
  if (mode === 'room') app.onMessage((m) => app.sendToRoom(m.client.roomId, m.message));
  else app.onMessage((m) => m.reply(m.message));
  await app.start();
  return { stop: () => app.close({ timeoutMs: 1_000 }) };
}
