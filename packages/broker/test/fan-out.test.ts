// Fan-out through the outbox: frames combined per write arrive intact and in order, in rooms
// larger than one flush slice, and the slow-client rule still holds in a busy room.
import { afterEach, describe, expect, it } from 'vitest';
import { FLUSH_SLICE_CLIENTS } from '../src/gateway/outbox.js';
import { rawUpgrade, startBroker, waitFor, type Harness, type TestClient } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

/** Opens `count` clients in `room`, a few at a time. */
async function openRoom(room: string, count: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) => h.client(`/ws/${room}?id=${room}-${i + k}`));
    clients.push(...(await Promise.all(batch)));
  }
  await waitFor(() => h.broker.stats().clients >= count, `${count} clients`);
  return clients;
}

describe('fan-out', () => {
  it('delivers bursts to a room of several flush slices intact and in order, to every member', async () => {
    h = await startBroker({ pingIntervalMs: 0 });
    const backend = await h.backend();
    const size = FLUSH_SLICE_CLIENTS * 3 + 7;
    const members = await openRoom('big', size);
    const other = await h.client('/ws/elsewhere?id=outsider');
    // Bursts in one backend write each, of sizes that cross frame-header boundaries
    // (125/126 bytes, 64 KiB), mixed with messages to one member, so writes combine many frames.
    const sent: string[] = [];
    let burst = '';
    for (let i = 0; i < 120; i += 1) {
      const length = [1, 125, 126, 200, 65_535, 65_536, 70_000][i % 7] as number;
      const message = `${String(i).padStart(4, '0')}:${'x'.repeat(length)}`;
      sent.push(message);
      burst += `${JSON.stringify({ action: 'message_to_room', request_id: `m${i}`, params: { room_id: 'big', message } })}\n`;
      if (i % 10 === 9) {
        burst += `${JSON.stringify({ action: 'message_to_connection', request_id: `d${i}`, params: { conn_id: 'big-0', message: `direct ${i}` } })}\n`;
        backend.raw(burst);
        burst = '';
      }
    }
    for (const member of members.slice(1)) {
      await waitFor(() => member.messages.length >= sent.length, 'every message at every member');
      expect(member.messages).toEqual(sent);
    }
    const first = members[0] as TestClient;
    await waitFor(() => first.messages.length >= sent.length + 12, 'room and direct messages at big-0');
    // Direct messages keep their place between the room messages sent around them.
    const expected: string[] = [];
    sent.forEach((message, i) => {
      expected.push(message);
      if (i % 10 === 9) expected.push(`direct ${i}`);
    });
    expect(first.messages).toEqual(expected);
    expect(other.messages).toEqual([]);
  });

  it('with clientWriteDelayMs, keeps order when messages arrive during the delay and during the pass after it', async () => {
    h = await startBroker({ pingIntervalMs: 0, clientWriteDelayMs: 5 });
    const backend = await h.backend();
    const members = await openRoom('delayed', FLUSH_SLICE_CLIENTS * 2 + 3);
    const total = 300;
    // Direct messages to the first member and the last among the room's: written without the
    // delay, each with the room frames its client has waiting before it.
    const expectedFirst: string[] = [];
    const expectedLast: string[] = [];
    const last = `delayed-${members.length - 1}`;
    for (let i = 0; i < total; i += 1) {
      backend.send('message_to_room', { room_id: 'delayed', message: `n${i}` });
      expectedFirst.push(`n${i}`);
      expectedLast.push(`n${i}`);
      if (i % 25 === 7) {
        backend.send('message_to_connection', { conn_id: 'delayed-0', message: `d${i}` });
        backend.send('message_to_connection', { conn_id: last, message: `d${i}` });
        expectedFirst.push(`d${i}`);
        expectedLast.push(`d${i}`);
      }
      if (i % 30 === 29) await new Promise((resolve) => setTimeout(resolve, 2));
      if (i % 30 === 14) await new Promise((resolve) => setImmediate(resolve));
    }
    backend.send('message_to_connection', { conn_id: 'delayed-0', message: 'direct' });
    expectedFirst.push('direct');
    const expected = Array.from({ length: total }, (_, i) => `n${i}`);
    for (const member of members.slice(1, -1)) {
      await waitFor(() => member.messages.length >= total, 'every message at every member');
      expect(member.messages).toEqual(expected);
    }
    await waitFor(() => members[0]!.messages.length >= expectedFirst.length, 'room and direct messages at the first member');
    expect(members[0]!.messages).toEqual(expectedFirst);
    await waitFor(() => members.at(-1)!.messages.length >= expectedLast.length, 'room and direct messages at the last member');
    expect(members.at(-1)!.messages).toEqual(expectedLast);
  });

  it('with clientWriteDelayMs, holds room messages only: a direct message goes out at once, with the room message its client had waiting', async () => {
    // The longest delay there is: if the direct message waited too, both members would get the room message together, a second later.
    h = await startBroker({ pingIntervalMs: 0, clientWriteDelayMs: 1_000 });
    const backend = await h.backend();
    const [hurried, waiting] = (await openRoom('held', 2)) as [TestClient, TestClient];
    backend.send('message_to_room', { room_id: 'held', message: 'room' });
    backend.send('message_to_connection', { conn_id: 'held-0', message: 'direct' });
    await waitFor(() => hurried.messages.length >= 2, 'the room and direct messages at the member sent to');
    expect(hurried.messages).toEqual(['room', 'direct']);
    // Had the first direct message waited, this one would start a delayed pass of its own, and come a second after the other member's room message.
    backend.send('message_to_connection', { conn_id: 'held-0', message: 'again' });
    await waitFor(() => hurried.messages.length >= 3, 'the second direct message');
    expect(waiting.messages).toEqual([]);
    await waitFor(() => waiting.messages.length >= 1, 'the room message at the other member, once the delay is over');
    expect(waiting.messages).toEqual(['room']);
    expect(hurried.messages).toEqual(['room', 'direct', 'again']);
  });

  it('keeps order when new messages arrive while a flush over the room is under way', async () => {
    h = await startBroker({ pingIntervalMs: 0 });
    const backend = await h.backend();
    const members = await openRoom('busy', FLUSH_SLICE_CLIENTS * 4);
    const total = 400;
    for (let i = 0; i < total; i += 1) {
      backend.send('message_to_room', { room_id: 'busy', message: `n${i}` });
      // Separate writes with pauses between some of them, so later ones land mid-flush.
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = Array.from({ length: total }, (_, i) => `n${i}`);
    for (const member of members) {
      await waitFor(() => member.messages.length >= total, 'every message at every member');
      expect(member.messages).toEqual(expected);
    }
  });

  it('closes a slow client in a busy room with 1013 while every other member keeps receiving', async () => {
    h = await startBroker({ maxClientBufferBytes: 256 * 1024, pingIntervalMs: 0 });
    const backend = await h.backend();
    const slow = await rawUpgrade(h.addresses.wsPort, '/ws/crowd?id=slow');
    const members = await openRoom('crowd', FLUSH_SLICE_CLIENTS * 2);
    await waitFor(() => h.broker.stats().clients === members.length + 1, 'all members and the slow client');
    const chunk = 'c'.repeat(32 * 1024);
    const total = 200; // 6.4 MB per member; the slow one never reads
    for (let i = 0; i < total; i += 1) {
      backend.send('message_to_room', { room_id: 'crowd', message: `${i}:${chunk}` });
      if (i % 20 === 19) await waitFor(() => members.every((m) => m.messages.length >= i - 20), 'members keeping up');
    }
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context.client_id === 'slow', 'slow dropped');
    expect(gone.params.code).toBe(1013);
    for (const member of members) {
      await waitFor(() => member.messages.length >= total, 'every message at every member');
      expect(member.messages.map((m) => Number(m.slice(0, m.indexOf(':'))))).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(member.closed).toBe(false);
    }
    expect(h.broker.stats().clients).toBe(members.length);
    slow.destroy();
  });
});

describe('fan-out backlog', () => {
  it('stops reading backends while the outbox owes more than its bound, and resumes once written', async () => {
    h = await startBroker({ pingIntervalMs: 0 });
    const backend = await h.backend();
    const members = await openRoom('flood', FLUSH_SLICE_CLIENTS * 2);
    // 128 members x 200 messages x 1 KiB = 25 MiB owed if nothing held reading back.
    const message = 'f'.repeat(1024);
    let burst = '';
    for (let i = 0; i < 200; i += 1) burst += `${JSON.stringify({ action: 'message_to_room', request_id: `f${i}`, params: { room_id: 'flood', message } })}\n`;
    backend.raw(burst);
    for (const member of members) await waitFor(() => member.messages.length >= 200, 'every message at every member');
    // Reading resumed: the backend is still heard.
    const probe = await h.client('/ws/flood?id=late');
    backend.send('message_to_connection', { conn_id: 'late', message: 'still reading' });
    await probe.waitMessage('still reading');
    expect(new Set(members.map((m) => m.messages.length))).toEqual(new Set([200]));
  });
});
