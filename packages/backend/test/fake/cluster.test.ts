// Brokers that announce `cluster` carry commands cluster-wide: the SDK sends each command once, and fails over.
import { describe, expect, it } from 'vitest';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, until, type FakeLink } from '../support/fake-broker.js';

async function clusterHello(link: FakeLink): Promise<void> {
  const hello = await link.waitForAction('hello');
  link.send({ action: 'hello_reply', request_id: hello.request_id, params: { accepted: true, capabilities: ['rooms', 'cluster'] } });
}

const commands = (link: FakeLink) => link.frames.filter((f) => f.action !== 'hello').map((f) => f.action);

/** Two fake brokers and a backend listing both, connected. */
async function twoBrokers() {
  const a = await FakeBroker.start();
  const b = await FakeBroker.start();
  cleanup(a);
  cleanup(b);
  const app = testBackend({ brokers: [a.address, b.address] });
  await app.start();
  const [la, lb] = await Promise.all([a.link(0), b.link(0)]);
  return { a, app, la, lb };
}

describe('cluster brokers', () => {
  it('sends each command once through one broker, and through another once it is gone', async () => {
    const { a, app, la, lb } = await twoBrokers();
    await Promise.all([clusterHello(la), clusterHello(lb)]);
    await until(() => (app as unknown as { links: { cluster: boolean }[] }).links.every((l) => l.cluster), 'both links cluster');

    await Promise.all([app.sendToRoom('r', 'one'), app.broadcast('two'), app.sendToConnection('c1', 'three'), app.joinRoom('c1', 'r2')]);
    await la.waitForCount('join_room', 1);
    expect(commands(la)).toEqual(['message_to_room', 'broadcast', 'message_to_connection', 'join_room']);
    expect(commands(lb)).toEqual([]);

    await a.stop();
    await until(() => app.connectedBrokers.length === 1, 'broker a gone');
    await app.sendToRoom('r', 'four');
    const frame = await lb.waitForAction('message_to_room');
    expect(frame.params).toMatchObject({ room_id: 'r', message: 'four' });
    expect(commands(lb)).toEqual(['message_to_room']);
  });

  it('without the capability, a room message still goes to every broker', async () => {
    const { app, la, lb } = await twoBrokers();
    await until(() => app.connectedBrokers.length === 2, 'both connected');
    await app.sendToRoom('r', 'x');
    await Promise.all([la.waitForAction('message_to_room'), lb.waitForAction('message_to_room')]);
  });
});
