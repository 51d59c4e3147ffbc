// The memory history store's bounds: count, bytes, age, rooms (a forgotten room starts a new epoch).
import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from './memory-history-store.js';

const LIMITS = { size: 3, bytes: 1000, ttlMs: 1000 };

describe('MemoryHistoryStore', () => {
  it('numbers messages per room and keeps the last `size`', () => {
    const store = new MemoryHistoryStore(10);
    for (let i = 1; i <= 5; i++) expect(store.append('r', `m${i}`, false, LIMITS, 0).offset).toBe(i);
    const { epoch } = store.position('r');
    expect(store.read('r', undefined, 10, 0).publications.map((p) => p.offset)).toEqual([3, 4, 5]);
    expect(store.since('r', 2, epoch, 100, 0)).toMatchObject({ ok: true, publications: [{ offset: 3 }, { offset: 4 }, { offset: 5 }] });
    expect(store.since('r', 1, epoch, 100, 0)).toMatchObject({ ok: false, reason: 'trimmed' });
    expect(store.since('r', 5, epoch, 100, 0)).toMatchObject({ ok: true, publications: [] });
    expect(store.since('r', 6, epoch, 100, 0)).toMatchObject({ ok: false, reason: 'epoch' });
    expect(store.since('r', 3, 'other', 100, 0)).toMatchObject({ ok: false, reason: 'epoch' });
    expect(store.since('r', 2, epoch, 2, 0)).toMatchObject({ ok: false, reason: 'too_many' });
  });

  it('drops by bytes and by age (expired messages are gone for recovery before the next append)', () => {
    const store = new MemoryHistoryStore(10);
    store.append('r', 'x'.repeat(600), false, LIMITS, 0);
    store.append('r', 'y'.repeat(600), false, LIMITS, 0);
    const { epoch } = store.position('r');
    expect(store.read('r', undefined, 10, 0).publications.map((p) => p.offset)).toEqual([2]);
    expect(store.since('r', 1, epoch, 10, 500)).toMatchObject({ ok: true });
    expect(store.since('r', 1, epoch, 10, 1500)).toMatchObject({ ok: false, reason: 'trimmed' });
    expect(store.read('r', undefined, 10, 1500).publications).toEqual([]);
  });

  it('counts bytes as UTF-8, the unit of the Redis stream: a message larger than the bound is not kept', () => {
    const store = new MemoryHistoryStore(10);
    const limits = { size: 10, bytes: 12, ttlMs: 1000 };
    // 'é' is one UTF-16 unit and two UTF-8 bytes: three of them are 6 bytes, two messages 12.
    store.append('r', 'ééé', false, limits, 0);
    store.append('r', 'ééé', false, limits, 0);
    expect(store.read('r', undefined, 10, 0).publications.map((p) => p.offset)).toEqual([1, 2]);
    store.append('r', 'a', false, limits, 0);
    expect(store.read('r', undefined, 10, 0).publications.map((p) => p.offset)).toEqual([2, 3]);
    store.append('r', 'x'.repeat(13), false, limits, 0);
    expect(store.read('r', undefined, 10, 0).publications).toEqual([]);
    expect(store.position('r').offset).toBe(4);
  });

  it('forgets the room written longest ago past maxRooms; it comes back in a new epoch', () => {
    const store = new MemoryHistoryStore(2);
    store.append('a', 'm', false, LIMITS, 0);
    const first = store.position('a').epoch;
    store.append('b', 'm', false, LIMITS, 0);
    store.append('c', 'm', false, LIMITS, 0);
    expect(store.rooms).toBe(2);
    const again = store.append('a', 'm', false, LIMITS, 0);
    expect(again.offset).toBe(1);
    expect(again.epoch).not.toBe(first);
  });
});
