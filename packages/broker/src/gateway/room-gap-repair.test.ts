// The gap repair's bookkeeping, where real processes cannot reach it on demand: a hold that
// overflows, a resubscribe during a read, a room closed during a read, a failed read.
import { describe, expect, it } from 'vitest';
import type { HistoryPosition, SharedHistoryStore, SinceResult } from '../core/history-store.js';
import { createLogger } from '../logger.js';
import { MAX_HELD_FRAMES } from './room-holds.js';
import { RoomGapRepair, type GapRepairTarget } from './room-gap-repair.js';

const E = 'e1';

/** A shared history whose reads answer when the test says. */
function pendingStore() {
  const reads: { offset: number; answer(result: SinceResult): void; fail(error: Error): void }[] = [];
  const store: SharedHistoryStore = {
    position: () => Promise.reject(new Error('not used')),
    read: () => Promise.reject(new Error('not used')),
    since: (_room, offset) => new Promise<SinceResult>((answer, fail) => reads.push({ offset, answer, fail })),
  };
  return { store, reads };
}

function recorder() {
  const events: string[] = [];
  const target: GapRepairTarget = {
    fanOut: (_room, message, _binary, p) => events.push(`${p.offset} ${message}`),
    unrecoverable: (_room, p, reason) => events.push(`unrecoverable ${p.offset} ${reason}`),
    unavailable: () => events.push('unavailable'),
  };
  return { events, target };
}

function setup(maxRecovery = 300) {
  const { store, reads } = pendingStore();
  const { events, target } = recorder();
  const repair = new RoomGapRepair({ shared: store, maxRecovery, target, logger: createLogger('silent') });
  /** A live message: fanned out at once when it is the next one, as the registry does. */
  const live = (offset: number, epoch = E) => {
    if (repair.next('r', `m${offset}`, false, { offset, epoch })) events.push(`${offset} m${offset}`);
  };
  return { repair, reads, events, live };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function publications(from: number, to: number, epoch = E): SinceResult {
  const position: HistoryPosition = { offset: to, epoch };
  const publications = Array.from({ length: to - from + 1 }, (_, i) => ({ offset: from + i, message: `m${from + i}`, binary: false }));
  return { ok: true, position, publications };
}

describe('RoomGapRepair', () => {
  it('fills a hole from one read, then the held messages past it, none twice', async () => {
    const { reads, events, live } = setup();
    live(1);
    live(2);
    live(5); // 3 and 4 never came
    live(3); // late, and covered by the read
    live(6);
    await settle();
    expect(reads.map((r) => r.offset)).toEqual([2]);
    reads[0]!.answer(publications(3, 5));
    await settle();
    live(5); // a duplicate after the read
    live(7);
    expect(events).toEqual(['1 m1', '2 m2', '3 m3', '4 m4', '5 m5', '6 m6', '7 m7']);
  });

  it('past what a hold keeps: the clients are told too_many at the last message, and go on after it', async () => {
    const { reads, events, live } = setup();
    live(1);
    live(3);
    for (let offset = 4; offset < 4 + MAX_HELD_FRAMES + 10; offset++) live(offset);
    await settle();
    reads[0]!.answer(publications(2, 3));
    await settle();
    const last = 3 + MAX_HELD_FRAMES + 10;
    live(last + 1);
    expect(events).toEqual(['1 m1', '2 m2', '3 m3', `unrecoverable ${last} too_many`, `${last + 1} m${last + 1}`]);
  });

  it('an unfillable hole tells the clients, then goes on past the position the read gave', async () => {
    const { reads, events, live } = setup();
    live(1);
    live(9);
    await settle();
    reads[0]!.answer({ ok: false, position: { offset: 9, epoch: E }, reason: 'trimmed' });
    await settle();
    live(10);
    expect(events).toEqual(['1 m1', 'unrecoverable 9 trimmed', '10 m10']);
  });

  it('a room whose history is gone from Redis (restarted empty) starts again from its next message, in the new epoch', async () => {
    const { repair, reads, events, live } = setup();
    live(1);
    repair.missed();
    await settle();
    reads[0]!.answer({ ok: false, position: { offset: 0, epoch: '' }, reason: 'epoch' });
    await settle();
    live(1, 'e2');
    live(2, 'e2');
    expect(events).toEqual(['1 m1', 'unrecoverable 0 epoch', '1 m1', '2 m2']);
    expect(reads).toHaveLength(1);
  });

  it('a resubscribe during a read reads once more after it; a room closed during a read forgets it', async () => {
    const { repair, reads, events, live } = setup();
    live(1);
    repair.missed();
    repair.missed();
    await settle();
    expect(reads.map((r) => r.offset)).toEqual([1]);
    reads[0]!.answer(publications(2, 2));
    await settle();
    expect(reads.map((r) => r.offset)).toEqual([1, 2]);
    repair.closed('r');
    reads[1]!.answer(publications(3, 3));
    await settle();
    expect(events).toEqual(['1 m1', '2 m2']);
    expect(repair.size).toBe(0);
  });

  it('a failed read closes the session clients and starts the room again from its next message', async () => {
    const { repair, reads, events, live } = setup();
    live(1);
    live(4);
    await settle();
    reads[0]!.fail(new Error('Redis unavailable'));
    await settle();
    expect(events).toEqual(['1 m1', 'unavailable', '4 m4']);
    expect(repair.counts).toMatchObject({ repairs: 1, failed: 1 });
    live(9);
    expect(events.at(-1)).toBe('9 m9');
  });
});
