// A WebSocket client that retries while the broker answers 503 (no backend able to decide yet).
import { WebSocket } from 'ws';
import { TestClient } from './harness.js';

/**
 * An open client on `url`. A broker answers 503 until a backend can decide (its own, or, in a
 * cluster, one it heard of from a heartbeat): retried every 100 ms for a bounded time, as a client
 * honouring Retry-After would. Any other refusal throws with its status.
 */
export async function openClient(url: string, protocols: string[] = [], what = url): Promise<TestClient> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ws = new WebSocket(url, protocols);
    // Recording from the start: a frame the broker sends at once on accept (a session's first)
    // can arrive with the handshake and be emitted right after 'open', before an awaiting caller
    // could add a listener.
    const client = new TestClient(ws);
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      ws.once('error', reject);
    });
    if (status === 101) return client;
    ws.terminate();
    if (status !== 503 || Date.now() > deadline) throw new Error(`client ${what}: HTTP ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
