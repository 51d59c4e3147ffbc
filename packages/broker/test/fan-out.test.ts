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
    for (let i = 0; i < total; i += 1) {
      backend.send('message_to_room', { room_id: 'delayed', message: `n${i}` });
      if (i % 30 === 29) await new Promise((resolve) => setTimeout(resolve, 2));
      if (i % 30 === 14) await new Promise((resolve) => setImmediate(resolve));
    }
    backend.send('message_to_connection', { conn_id: 'delayed-0', message: 'direct' });
    const expected = Array.from({ length: total }, (_, i) => `n${i}`);
    for (const member of members.slice(1)) {
      await waitFor(() => member.messages.length >= total, 'every message at every member');
      expect(member.messages).toEqual(expected);
    }
    await waitFor(() => members[0]!.messages.length > total, 'the direct message after the room ones');
    expect(members[0]!.messages).toEqual([...expected, 'direct']);
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
