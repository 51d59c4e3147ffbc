// Typed pushes end to end in Node: a real broker, a real @strands/backend router sending contract
// events, and the real client (`ws` as its WebSocket) receiving them, plain and validated.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectWithContract } from '../src/contract.js';
import { connect, type StrandsClient, type StrandsClientError } from '../src/index.js';
import { Inbox } from './support/inbox.js';
import { e2eContract, startStack, type E2EContract, type Stack } from './support/stack.js';

let stack: Stack;
const clients: StrandsClient<E2EContract>[] = [];

beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stack.stop();
});

/** Client `id` in room `/ws/<room>` (rooms are paths), once the backend has seen it connect. */
async function open(room: string, id: string, onInvalidEvent?: (e: StrandsClientError) => void): Promise<StrandsClient<E2EContract>> {
  const url = `${stack.wsUrl}/ws/${room}?id=${id}`;
  const client = onInvalidEvent ? connectWithContract(url, e2eContract, { WebSocket, onInvalidEvent }) : connect<E2EContract>(url, { WebSocket });
  clients.push(client);
  await client.request('math.add', { a: 0, b: 0 }); // answered: the backend knows the client and its room
  return client;
}

describe('typed events pushed by the backend', () => {
  it('reach every client of the room, or one connection, and never show as plain messages', async () => {
    const [a, b, other] = await Promise.all([open('lobby', 'a'), open('lobby', 'b'), open('elsewhere', 'c')]);
    const seen = { a: new Inbox<unknown>(), b: new Inbox<unknown>(), other: new Inbox<unknown>() };
    const plain: unknown[] = [];
    for (const [name, client] of [['a', a], ['b', b], ['other', other]] as const) {
      client.on('chat.message', (data) => seen[name].push(data));
      client.on('chat.cleared', (data) => seen[name].push({ cleared: data }));
      client.on('message', (m) => plain.push(m));
    }
    await stack.router.sendEvent('/ws/lobby', 'chat.message', { from: 'ada', text: 'hi', at: 0 });
    // The core client does not validate: it hands over the data as sent (`at` stays a number).
    expect(await seen.a.next()).toEqual({ from: 'ada', text: 'hi', at: 0 });
    expect(await seen.b.next()).toEqual({ from: 'ada', text: 'hi', at: 0 });
    await stack.router.sendEventToConnection('b', 'chat.cleared', null);
    expect(await seen.b.next()).toEqual({ cleared: null });
    await stack.router.sendEvent('/ws/elsewhere', 'chat.cleared', null);
    expect(await seen.other.next()).toEqual({ cleared: null });
    await a.request('math.add', { a: 1, b: 1 }); // a round trip after: nothing more was on its way to a
    expect(seen.a.pending).toEqual([]);
    expect(plain).toEqual([]);
  });

  it('the validating client parses event data by the contract and reports what it refuses', async () => {
    const refused = new Inbox<StrandsClientError>();
    const client = await open('checked', 'v', (e) => refused.push(e));
    const dates = new Inbox<Date>();
    client.on('chat.message', ({ at }) => dates.push(at));
    await stack.router.sendEvent('/ws/checked', 'chat.message', { from: 'ada', text: 'hi', at: 86_400_000 });
    expect(await dates.next()).toEqual(new Date(86_400_000));
    // A backend on another version of the contract pushes data this schema refuses: dropped, reported.
    await stack.backend.sendToConnection('v', JSON.stringify({ strands: 'event', event: 'chat.message', data: { from: 'ada' } }));
    const error = await refused.next();
    expect(error).toMatchObject({ code: 'invalid_output', message: expect.stringMatching(/^event "chat.message": invalid output: /), cause: { name: 'SchemaIssues' } });
    expect(dates.pending).toEqual([]);
  });

  it('drops a pushed event named like a client event', async () => {
    const client = await open('spoof', 's');
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    await stack.backend.sendToConnection('s', JSON.stringify({ strands: 'event', event: 'error', data: 'gotcha' }));
    await stack.backend.sendToConnection('s', JSON.stringify({ strands: 'event', event: 'constructor', data: 1 }));
    await client.request('math.add', { a: 1, b: 1 });
    expect(errors).toEqual([]);
    expect(client.state).toBe('open');
  });

  it('refuses on the backend an event the contract lacks, or data its schema refuses', async () => {
    await expect(stack.router.sendEvent('/ws/x', 'chat.message', { from: 'ada', text: 5 as unknown as string, at: 0 })).rejects.toMatchObject({
      code: 'invalid_event',
      message: expect.stringMatching(/text: /),
    });
    // @ts-expect-error not an event of the contract
    await expect(stack.router.sendEvent('/ws/x', 'chat.nope', {})).rejects.toMatchObject({ code: 'invalid_event' });
  });
});
