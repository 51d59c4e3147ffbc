// A raw `ws` client for tests: records every message parsed as JSON, and waits for the one wanted.
import { once } from 'node:events';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/messages.js';

export interface TestClient {
  ws: WebSocket;
  /** Every message received, parsed. */
  received: ServerMessage[];
  /** Resolves with the first received message (past or future) matching `match`. */
  waitFor<T extends ServerMessage = ServerMessage>(match: (m: ServerMessage) => boolean): Promise<T>;
  send(value: unknown): void;
  close(): Promise<void>;
}

/** Connects and waits for the open (and, when accepted, for the `history` that always comes first). */
export async function connectClient(url: string, options: { headers?: Record<string, string> } = {}): Promise<TestClient> {
  const ws = new WebSocket(url, { headers: options.headers });
  const received: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    received.push(JSON.parse(data.toString()) as ServerMessage);
    for (const wake of waiters) wake();
  });
  const client: TestClient = {
    ws,
    received,
    waitFor<T extends ServerMessage>(match: (m: ServerMessage) => boolean): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = received.find(match);
          if (found !== undefined) {
            waiters.delete(check);
            ws.off('close', closed);
            resolve(found as T);
          }
        };
        const closed = (): void => {
          check();
          if (waiters.has(check)) {
            waiters.delete(check);
            reject(new Error(`closed before a matching message arrived; got ${JSON.stringify(received)}`));
          }
        };
        waiters.add(check);
        ws.on('close', closed);
        check();
      });
    },
    send(value) {
      ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = once(ws, 'close');
      ws.close();
      await closed;
    },
  };
  await once(ws, 'open');
  await client.waitFor((m) => m.type === 'history');
  return client;
}

/** `ws://.../ws/<room>?name=..` with the given query. */
export function roomUrl(wsUrl: string, room: string, query: Record<string, string>): string {
  return `${wsUrl}/ws/${encodeURIComponent(room)}?${new URLSearchParams(query).toString()}`;
}
