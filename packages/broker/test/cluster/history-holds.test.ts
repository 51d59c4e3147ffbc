// Cluster-mode recovery while live messages arrive during the Redis read: held, then sent after the
// replay (those past it) or dropped (those the replay already had), never twice, never lost. A real
// broker and redis-server; the shared history's read is held on a gate so both orders happen for sure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import type { SharedHistoryStore } from '../../src/core/history-store.js';
import { RedisBackplane } from '../../src/cluster/redis/index.js';
import { startBroker, waitFor, type Harness, type RawBackend, type TestClient } from '../support/harness.js';

/** Where the gate holds a recovery read: before it goes to Redis, or after its answer came. */
type GateAt = 'before' | 'after';

class GatedBackplane extends RedisBackplane {
  gateAt: GateAt = 'after';
  reads = 0;
  private open: () => void = () => undefined;
  private gate: Promise<void> = Promise.resolve();

  close(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override get sharedHistory(): SharedHistoryStore {
    const real = super.sharedHistory;
    return {
      position: (roomId) => real.position(roomId),
      read: (roomId, since, limit) => real.read(roomId, since, limit),
      configure: (roomId, setting) => real.configure(roomId, setting),
      onConfigured: (handler) => real.onConfigured(handler),
      since: async (roomId, offset, epoch, max) => {
        if (this.gateAt === 'before') {
          this.reads++;
          await this.gate;
          return real.since(roomId, offset, epoch, max);
        }
        const result = await real.since(roomId, offset, epoch, max);
        this.reads++;
        await this.gate;
        return result;
      },
    };
  }
}

interface Envelope {
  strands: string;
  offset?: number;
  epoch?: string;
  data?: string;
  replayed?: number;
}

let redis: TestRedis;
let h: Harness | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

const envelopes = (c: TestClient): Envelope[] => c.messages.map((m) => JSON.parse(m) as Envelope);

/** Waits until the room's stream holds `offset` (the scripts before this read have run, and their local deliveries happened). */
async function streamAt(backend: RawBackend, room: string, offset: number): Promise<void> {
  await waitFor(async () => {
    const id = backend.send('room_history', { room_id: room, limit: 1 });
    const reply = await backend.waitFrame((f) => f.request_id === id, 'room_history_reply');
    return reply.params.offset === offset;
  }, `stream at ${offset}`);
}

async function scenario(gateAt: GateAt, prefix: string): Promise<{ got: Envelope[]; epoch: string }> {
  const plane = new GatedBackplane({ url: redis.url, prefix });
  plane.gateAt = gateAt;
  h = await startBroker({ backplane: plane, historyRooms: ['chat:*'] });
  const backend = await h.backend();
  const room = 'chat:h';
  const first = await h.client(`/ws/${room}?id=c1&strands_session=1`, { protocols: ['strands.v1'] });
  const pos = await waitFor(() => envelopes(first).find((e) => e.strands === 'position'), 'position');
  for (const m of ['m1', 'm2', 'm3', 'm4']) backend.send('message_to_room', { room_id: room, message: m });
  await streamAt(backend, room, 4);

  plane.close();
  const recover = JSON.stringify([[room, 2, pos.epoch]]);
  const second = await h.client(`/ws/${room}?id=c2&strands_session=1&strands_recover=${encodeURIComponent(recover)}`, { protocols: ['strands.v1'] });
  await waitFor(() => plane.reads === 1, 'recovery read at the gate');
  for (const m of ['m5', 'm6', 'm7']) backend.send('message_to_room', { room_id: room, message: m });
  await streamAt(backend, room, 7);
  // Held: nothing of the room yet, only the session.
  expect(envelopes(second).map((e) => e.strands)).toEqual(['session']);
  plane.release();
  await waitFor(() => envelopes(second).some((e) => e.data === 'm7') && envelopes(second).some((e) => e.strands === 'recovered'), 'm7 and recovered');
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { got: envelopes(second), epoch: pos.epoch! };
}

describe('cluster-mode recovery with live messages during the read', () => {
  it('read answered before the live messages: replay, recovered, then the held ones', { timeout: 20_000 }, async () => {
    const { got, epoch } = await scenario('after', `holds-a${process.pid}`);
    expect(got.map((e) => [e.strands, e.offset, e.data])).toEqual([
      ['session', undefined, undefined],
      ['pub', 3, 'm3'],
      ['pub', 4, 'm4'],
      ['recovered', 4, undefined],
      ['pub', 5, 'm5'],
      ['pub', 6, 'm6'],
      ['pub', 7, 'm7'],
    ]);
    expect(got.every((e) => e.epoch === undefined || e.epoch === epoch)).toBe(true);
  });

  it('read made after the live messages: they come in the replay, and the held copies are dropped', { timeout: 20_000 }, async () => {
    const { got } = await scenario('before', `holds-b${process.pid}`);
    expect(got.map((e) => [e.strands, e.offset, e.data])).toEqual([
      ['session', undefined, undefined],
      ['pub', 3, 'm3'],
      ['pub', 4, 'm4'],
      ['pub', 5, 'm5'],
      ['pub', 6, 'm6'],
      ['pub', 7, 'm7'],
      ['recovered', 7, undefined],
    ]);
    expect(got.find((e) => e.strands === 'recovered')?.replayed).toBe(5);
  });
});
