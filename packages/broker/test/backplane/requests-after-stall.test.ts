// A cluster request whose time runs out while this node's loop is held up: the reply that came meanwhile still counts.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnyDone, RequestTable, type IncompleteRequest } from '../../src/cluster/requests.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** Both ends of a real loopback TCP connection. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [Socket];
  await once(client, 'connect');
  closers.push(() => {
    client.destroy();
    accepted.destroy();
    server.close();
  });
  return [client, accepted];
}

function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // nothing else runs: as in a long GC pause
  }
}

describe('RequestTable after a stall', () => {
  it('takes a reply that arrived while the node was held up past the timeout, instead of timing out', async () => {
    const [peer, here] = await socketPair();
    const incomplete: IncompleteRequest[] = [];
    const table = new RequestTable('me', 50, 10, (request) => incomplete.push(request));
    const opened = table.open('join', ['peer'], new AnyDone());
    here.on('data', () => table.reply({ type: 'done', from: 'peer', requestId: opened.requestId, ok: true }));
    peer.write('done'); // the reply, in this node's socket before its time is up
    busy(150); // past the timeout, unread: timers run before I/O
    expect(await opened.result).toBe(true);
    expect(incomplete).toEqual([]);
  });

  it('still times out when no reply came', async () => {
    const incomplete: IncompleteRequest[] = [];
    const table = new RequestTable('me', 20, 10, (request) => incomplete.push(request));
    const opened = table.open('join', ['peer'], new AnyDone());
    expect(await opened.result).toBe(false);
    expect(incomplete).toMatchObject([{ reason: 'timeout', missing: ['peer'] }]);
  });
});
