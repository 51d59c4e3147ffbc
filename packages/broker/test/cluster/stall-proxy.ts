// A TCP proxy in front of Redis that can make chosen connections go silent (bytes dropped, sockets kept open),
// which is how a pub/sub link dies behind a NAT or a half-dead peer: no error, no close, just nothing.
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Everything the client sent so far, for `stall(match)` (bounded: only the head matters). */
  sent: string;
  stalled: boolean;
}

export interface StallProxy {
  readonly url: string;
  /** Stalls every open connection whose client sent something matching `match` (e.g. /subscribe/i); returns how many. */
  stall(match: RegExp): number;
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards to `127.0.0.1:<targetPort>`. */
export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  const pairs = new Set<Pair>();
  // Half-open allowed on both sides, so Node never answers a FIN on a stalled pair by itself.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    const pair: Pair = { client, upstream, sent: '', stalled: false };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (pair.sent.length < 4_096) pair.sent += chunk.toString('latin1');
      if (!pair.stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.stalled) client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A stalled pair ignores the client's FIN too: the far side must not learn anything.
    client.on('end', () => pair.stalled || end());
    upstream.on('end', () => pair.stalled || end());
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    stall(match) {
      let count = 0;
      for (const pair of pairs) {
        if (!pair.stalled && match.test(pair.sent)) {
          pair.stalled = true;
          count++;
        }
      }
      return count;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
