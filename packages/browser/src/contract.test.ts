// The validating client of @strands/browser/contract against a real WebSocket server.
import { defineContract, route } from '@strands/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { startServer, TestServer, WebSocket, type Peer } from '../test/support/ws-server.js';
import { connectWithContract, type ContractClient } from './contract.js';

const chat = defineContract({
  'chat.who': route.response(z.object({ room: z.string() }), z.array(z.string())),
  'chat.since': route.response(z.object({}), z.object({ at: z.string().transform((s) => new Date(s)) })),
  'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});

interface Sent {
  strands: string;
  id: string;
  route: string;
  data: unknown;
}

let server: TestServer | undefined;
let client: ContractClient<typeof chat> | undefined;

async function setup(): Promise<{ client: ContractClient<typeof chat>; peer: Peer }> {
  server = await startServer();
  client = connectWithContract(server.url, chat, { WebSocket, confirmAfterMs: 10 });
  return { client, peer: await server.peers.next() };
}

afterEach(async () => {
  client?.close();
  await server?.stop();
});

describe('ContractClient', () => {
  it('returns the parsed output of a valid response', async () => {
    const { client, peer } = await setup();
    const pending = client.request('chat.since', {});
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'response', id, data: { at: '2024-01-02T03:04:05.000Z' } });
    const { at } = await pending;
    expect(at).toBeInstanceOf(Date);
    expect(at.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('refuses invalid input before sending anything', async () => {
    const { client, peer } = await setup();
    // @ts-expect-error room must be a string
    await expect(client.request('chat.who', { room: 1 })).rejects.toMatchObject({
      code: 'invalid_input',
      cause: { name: 'SchemaIssues', issues: [expect.objectContaining({ path: ['room'] })] },
    });
    await client.send('marker');
    expect(await peer.messages.next()).toBe('marker');
  });

  it('rejects an output that does not match the contract', async () => {
    const { client, peer } = await setup();
    const pending = client.request('chat.who', { room: 'lobby' });
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'response', id, data: [1, 2] });
    await expect(pending).rejects.toMatchObject({ code: 'invalid_output' });
  });

  it('refuses routes the contract lacks, or of another kind', async () => {
    const { client } = await setup();
    // @ts-expect-error not a route of the contract
    await expect(client.request('chat.nope', {})).rejects.toMatchObject({ code: 'invalid_input' });
    // @ts-expect-error a stream route is not a request route
    await expect(client.request('chat.feed', { room: 'a' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('checks stream items and cancels the stream on a bad one', async () => {
    const { client, peer } = await setup();
    const items: { text: string }[] = [];
    const consumer = (async () => {
      for await (const item of client.stream('chat.feed', { room: 'lobby' })) items.push(item);
    })();
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'next', id, data: { text: 'ok' } });
    peer.sendJson({ strands: 'next', id, data: { text: 42 } });
    await expect(consumer).rejects.toMatchObject({ code: 'invalid_output' });
    expect(items).toEqual([{ text: 'ok' }]);
    expect(await peer.nextJson()).toEqual({ strands: 'cancel', id });
  });

  it('cancels a stream at once when the consumer returns while waiting for an item', async () => {
    const { client, peer } = await setup();
    const items = client.stream('chat.feed', { room: 'lobby' })[Symbol.asyncIterator]();
    const waiting = items.next();
    const { id } = await peer.nextJson<Sent>();
    await items.return!();
    expect(await peer.nextJson()).toEqual({ strands: 'cancel', id });
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('validates fire inputs', async () => {
    const { client, peer } = await setup();
    // @ts-expect-error on must be a boolean
    await expect(client.fire('chat.typing', { on: 'yes' })).rejects.toMatchObject({ code: 'invalid_input' });
    await client.fire('chat.typing', { on: true });
    expect(await peer.nextJson()).toEqual({ strands: 'fire', route: 'chat.typing', data: { on: true } });
  });

  it('validates with zod/mini schemas and async ones alike', async () => {
    server = await startServer();
    const mini = defineContract({
      routes: {
        'mini.since': route.response(zm.object({ room: zm.string() }), zm.object({ at: zm.pipe(zm.string(), zm.transform((s) => new Date(s))) })),
        'async.name': route.response(z.string().refine(async (s) => s !== 'taken', 'taken'), z.null()),
      },
    });
    const miniClient = connectWithContract(server.url, mini, { WebSocket, confirmAfterMs: 10 });
    const peer = await server.peers.next();
    try {
      // @ts-expect-error room must be a string
      await expect(miniClient.request('mini.since', { room: 1 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/room: /) });
      const pending = miniClient.request('mini.since', { room: 'lobby' });
      const { id } = await peer.nextJson<Sent>();
      peer.sendJson({ strands: 'response', id, data: { at: '2024-01-02T03:04:05.000Z' } });
      expect((await pending).at).toEqual(new Date('2024-01-02T03:04:05.000Z'));
      await expect(miniClient.request('async.name', 'taken')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/taken/) });
    } finally {
      miniClient.close();
    }
  });

  it('refuses something that is not a contract', () => {
    // @ts-expect-error not a contract
    expect(() => connectWithContract('ws://127.0.0.1:1', { routes: {} }, { WebSocket })).toThrow(/not a contract/);
  });
});
