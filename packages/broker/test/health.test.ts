// Liveness (/healthz) and readiness (/readyz) apart, and the metrics port that serves them off the WebSocket port.
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsError, resolveOptions } from '../src/index.js';
import { rawUpgrade, startBroker, waitFor, type Harness } from './support/harness.js';
import { MemoryBackplane, MemoryBus } from './support/memory-bus.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.cleanup()));
});

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<Harness> {
  const h = await startBroker(options);
  harnesses.push(h);
  return h;
}

async function get(port: number, path: string): Promise<{ status: number; body: string; json: () => Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) as Record<string, unknown> };
}

describe('/healthz and /readyz', () => {
  it('is live without a backend, and ready only while one is connected', async () => {
    const h = await broker();
    const port = h.addresses.wsPort;
    expect((await get(port, '/healthz')).status).toBe(200);
    const notReady = await get(port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not_ready', reason: 'no backend connected', backends: 0, node: 'local' });
    const backend = await h.backend();
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', node: 'local', backends: 1, peers_with_backends: 0 });
    backend.close();
    await waitFor(async () => (await get(port, '/readyz')).status === 503, 'not ready once the backend is gone');
    expect((await get(port, '/healthz')).status).toBe(200);
  });

  it('keeps /healthz 200 while the cluster link is down; /readyz is 503 with the reason, and 200 after', async () => {
    const bus = new MemoryBus();
    const backplane = new MemoryBackplane(bus, { nodeId: 'solo', heartbeatIntervalMs: 50 });
    const h = await broker({ backplane });
    await h.backend();
    const port = h.addresses.wsPort;
    expect((await get(port, '/readyz')).status).toBe(200);
    backplane.setLink(false, 'redis: ECONNREFUSED');
    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', node: 'solo' });
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', reason: 'redis: ECONNREFUSED', backends: 1 });
    backplane.setLink(true);
    expect((await get(port, '/readyz')).status).toBe(200);
  });

  it('counts a broker ready in a cluster when a peer announced backends, though it has none', async () => {
    const bus = new MemoryBus();
    const planes = ['a', 'b'].map((id) => new MemoryBackplane(bus, { nodeId: id, heartbeatIntervalMs: 50, nodeTimeoutMs: 1000 }));
    const [a, b] = [await broker({ backplane: planes[0] }), await broker({ backplane: planes[1] })] as [Harness, Harness];
    await waitFor(() => planes.every((p) => p.peers().length === 1), 'the brokers know each other');
    expect((await get(b.addresses.wsPort, '/readyz')).status).toBe(503);
    const backend = await a.backend();
    await waitFor(() => planes[1]!.stats().peersWithBackends === 1, 'b knows a has a backend');
    const ready = await get(b.addresses.wsPort, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', node: 'b', backends: 0, peers_with_backends: 1 });
    // The proof it can serve: a client of b is decided by a's backend.
    await b.client('/ws/r?id=via-b');
    backend.close();
    await waitFor(async () => (await get(b.addresses.wsPort, '/readyz')).status === 503, 'b not ready once no broker has a backend');
  });
});

describe('metricsPort', () => {
  it('serves /healthz, /readyz and /metrics on its own port; the WebSocket port answers them 404', async () => {
    const h = await broker({ metricsPort: 0 });
    const { wsPort, metricsPort, metricsHost } = h.addresses;
    expect(metricsHost).toBe('127.0.0.1');
    expect(metricsPort).toBeGreaterThan(0);
    expect(metricsPort).not.toBe(wsPort);
    const ops = metricsPort as number;
    expect((await get(ops, '/healthz')).status).toBe(200);
    expect((await get(ops, '/readyz')).status).toBe(503);
    expect((await get(ops, '/metrics')).body).toMatch(/^strands_connections 0$/m);
    expect((await get(ops, '/elsewhere')).status).toBe(404);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await get(wsPort, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toContain('metrics port');
    }
    expect((await get(wsPort, '/anything')).status).toBe(426);
    await h.backend();
    await h.client('/ws/r?id=c');
    expect((await get(ops, '/metrics')).body).toMatch(/^strands_connections 1$/m);
  });

  it('never upgrades a WebSocket on the metrics port', async () => {
    const h = await broker({ metricsPort: 0 });
    await h.backend();
    await expect(rawUpgrade(h.addresses.metricsPort as number, '/ws/r')).rejects.toThrow(/refused|closed|404|ECONNRESET/);
  });

  it('keeps answering /readyz 503 "shutting down" on the metrics port while clients drain', async () => {
    const h = await broker({ metricsPort: 0, shutdownTimeoutMs: 1500 });
    await h.backend();
    // A client that reads nothing never answers the close: stop() waits for it until its bound.
    const silent = await rawUpgrade(h.addresses.wsPort, '/ws/r?id=silent');
    const stopped = h.broker.stop();
    const ready = await get(h.addresses.metricsPort as number, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json()).toMatchObject({ reason: 'shutting down' });
    silent.destroy();
    await stopped;
    await expect(get(h.addresses.metricsPort as number, '/healthz')).rejects.toThrow();
  });

  it('refuses impossible combinations', () => {
    expect(() => resolveOptions({ metricsHost: '127.0.0.1' })).toThrow(OptionsError);
    expect(() => resolveOptions({ metricsHost: '127.0.0.1' })).toThrow(/metricsHost: it needs metricsPort/);
    expect(() => resolveOptions({ metricsPort: 8080 })).toThrow(/metricsPort/);
    expect(() => resolveOptions({ metricsPort: 70_000 })).toThrow(/metricsPort/);
    expect(resolveOptions({ metricsPort: 9100 })).toMatchObject({ metricsPort: 9100, metricsHost: '0.0.0.0' });
    expect(resolveOptions({ metricsPort: 9100, host: '10.0.0.1' })).toMatchObject({ metricsHost: '10.0.0.1' });
    expect(resolveOptions({ metricsPort: 9100, metricsHost: '127.0.0.1' })).toMatchObject({ metricsHost: '127.0.0.1' });
  });
});
