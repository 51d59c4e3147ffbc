// createBroker's lifecycle: addresses on port 0, state errors, and a graceful stop.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, isBrokerError, OptionsError } from '../src/index.js';
import { startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('lifecycle', () => {
  it('returns the real addresses when started on port 0', async () => {
    h = await startBroker();
    const a = h.addresses;
    expect(a.host).toBe('127.0.0.1');
    expect(a.tcpHost).toBe('127.0.0.1');
    expect(a.wsPort).toBeGreaterThan(0);
    expect(a.tcpPort).toBeGreaterThan(0);
    expect(a.wsUrl).toBe(`ws://127.0.0.1:${a.wsPort}`);
    expect((await h.http('/healthz')).status).toBe(200);
  });

  it('refuses a second start and a bad option, with named errors', async () => {
    h = await startBroker();
    const error = await h.broker.start().catch((e: unknown) => e);
    expect(isBrokerError(error) && error.code).toBe('invalid_state');
    expect(() => createBroker({ queueSize: -1 })).toThrow(OptionsError);
    expect(() => createBroker({ wsPort: 1.5 })).toThrow(/wsPort/);
    expect(() => createBroker({ clientWriteDelayMs: 5_000 })).toThrow(/clientWriteDelayMs: 5000 \(expected an integer from 0 to 1000\)/);
  });

  it('fails start with listen_failed when a port is taken', async () => {
    h = await startBroker();
    const other = createBroker({ wsPort: 0, tcpPort: h.addresses.tcpPort, logLevel: 'silent' });
    const error = await other.start().catch((e: unknown) => e);
    expect(isBrokerError(error) && error.code).toBe('listen_failed');
    await other.stop();
  });

  it('stops gracefully: waiting upgrades get 503, clients 1001, backends their disconnected events, then EOF', async () => {
    h = await startBroker();
    const backend = await h.backend((f) => (String(f.params.url).includes('wait') ? null : { accepted: true, client_id: 'c', room_id: 'r' }));
    const c = await h.client('/ws/r');
    const waiting = h.attempt('/ws/wait');
    await backend.waitFrame((f) => f.action === 'connection_request' && f.params.url === '/ws/wait', 'pending request');
    await h.broker.stop();
    expect(await waiting).toMatchObject({ kind: 'http', status: 503 });
    expect(await c.waitClose()).toBe(1001);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params).toMatchObject({ context: { client_id: 'c' }, code: 1001 });
    await waitFor(() => backend.closed, 'backend closed');
    // Nothing listens any more.
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(h?.addresses.tcpPort as number, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await h.broker.stop();
  });
});
