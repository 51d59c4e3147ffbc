// Confirmed sends on the durable queue, with a real broker process (--queue redis://) and a real
// redis-server: a queued confirmed message is answered `accepted` only once its entry is in the
// Redis stream (so a kill -9 right after loses nothing), or once it went to a backend, whichever
// comes first. Redis is held up with CLIENT PAUSE WRITE from another connection.
import { confirmFrame } from '@strands/protocol/wire';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { RawBackend, waitFor, type TestClient } from '../support/harness.js';
import { kill9, killAll, openClient, startBrokerProcess, type BrokerProcess } from './broker-processes.js';

const PARTITIONS = 4;
const PREFIX = 'strands'; // the default prefix

let redis: TestRedis;
/** The test's own connection: reads the streams, and pauses the broker's writes. */
let admin: Redis;
const open: { close(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterEach(async () => {
  await admin.client('UNPAUSE');
  for (const socket of open.splice(0)) socket.close();
  await killAll();
  await admin.flushall();
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** The lines of the entries in the queue's partition streams. */
async function streamLines(): Promise<string[]> {
  const lines: string[] = [];
  for (let p = 0; p < PARTITIONS; p += 1) {
    for (const [, fields] of await admin.xrange(`${PREFIX}:{queue:${p}}`, '-', '+')) lines.push(fields[fields.indexOf('l') + 1] ?? '');
  }
  return lines;
}

const messagesIn = (lines: readonly string[]) => lines.filter((line) => line.includes('"new_message"')).map((line) => JSON.parse(line).params.message);

const brokerArgs = () => ['--queue', redis.url, '--queue-partitions', String(PARTITIONS)];

async function backendOn(broker: BrokerProcess): Promise<RawBackend> {
  const backend = await RawBackend.connect(broker.tcpPort);
  open.push(backend);
  return backend;
}

/** A strands.v1 client accepted by a backend that then went away: its messages can only wait in the queue. */
async function orphanClient(broker: BrokerProcess): Promise<TestClient> {
  const gate = await backendOn(broker);
  const client = await openClient(`${broker.wsUrl}/ws/room?id=c1`, ['strands.v1']);
  open.push(client);
  await waitFor(() => gate.of('new_connection').length === 1, 'client accepted');
  gate.close();
  const metrics = broker.wsUrl.replace('ws://', 'http://') + '/metrics';
  await waitFor(async () => /^strands_backends 0$/m.test(await (await fetch(metrics)).text()), 'backend gone');
  await waitFor(async () => (await streamLines()).length === 0, 'new_connection released');
  return client;
}

/** Sends `text` confirmed as `id` and waits for the answer; returns it with the messages in the streams right then. */
async function confirmedSend(client: TestClient, id: number, text: string): Promise<{ reply: unknown; inStreams: string[] }> {
  client.send(confirmFrame(id));
  client.send(text);
  const reply = JSON.parse(await client.waitMessage((m) => m.includes(`"id":${id}`)));
  return { reply, inStreams: messagesIn(await streamLines()) };
}

describe('confirmed sends on the durable queue (real broker, real Redis)', () => {
  it('answers accepted only once the entry is in Redis, also while Redis holds writes back; kill -9 right after loses none', async () => {
    const broker = await startBrokerProcess(brokerArgs());
    const client = await orphanClient(broker);

    const first = await confirmedSend(client, 1, 'first');
    expect(first.reply).toEqual({ strands: 'accepted', id: 1, queued: true });
    expect(first.inStreams).toEqual(['first']);

    // Writes held up for a while: the answer waits for them (before, it came at once, the entry not written).
    await admin.client('PAUSE', '1500', 'WRITE');
    const second = await confirmedSend(client, 2, 'second');
    expect(second.reply).toEqual({ strands: 'accepted', id: 2, queued: true });
    expect(second.inStreams).toEqual(['first', 'second']);

    // A crash right after the answers: both come back after a restart and reach a backend.
    await kill9(broker);
    const again = await startBrokerProcess(brokerArgs());
    const backend = await backendOn(again);
    await waitFor(() => backend.of('new_message').length === 2, 'both messages at the backend after the restart');
    expect(backend.of('new_message').map((f) => f.params.message)).toEqual(['first', 'second']);
  });

  it('answers accepted once the message went to a backend, when that comes before Redis stored it', async () => {
    const broker = await startBrokerProcess(brokerArgs());
    const client = await orphanClient(broker);
    await admin.client('PAUSE', '20000', 'WRITE');
    client.send(confirmFrame(7));
    client.send('handed on');
    const backend = await backendOn(broker);
    await waitFor(() => backend.of('new_message').length === 1, 'the message at the backend');
    // Redis still holds writes back: the answer came from the hand-over, not the stream.
    expect(JSON.parse(await client.waitMessage((m) => m.includes('"id":7')))).toEqual({ strands: 'accepted', id: 7, queued: true });
    expect(messagesIn(await streamLines())).toEqual([]);
  });
});
