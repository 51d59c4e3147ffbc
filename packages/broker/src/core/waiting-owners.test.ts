import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from './memory-event-store.js';
import { WaitingOwners } from './waiting-owners.js';

describe('WaitingOwners', () => {
  it('answers "nothing waiting" only when its counts cover every waiting event', () => {
    const w = new WaitingOwners<string>();
    w.added('a');
    w.added('a');
    w.added('b');
    expect(w.nothingWaitingFor('c', 3)).toBe(true);
    expect(w.nothingWaitingFor('a', 3)).toBe(false);
    // Two more waiting that it never saw go in (taken back from a lost backend): it cannot tell.
    expect(w.nothingWaitingFor('c', 5)).toBe(false);
    w.removed('b');
    w.removed('b'); // one it did not count: the counts stay as they are, never above the truth
    expect([w.known, w.has('b')]).toEqual([2, false]);
    w.clear();
    expect(w.nothingWaitingFor('a', 0)).toBe(true);
  });
});

describe('MemoryEventStore.firstDeliveriesHeld', () => {
  it('counts, per consumer, tracked events on their first delivery only', () => {
    const store = new MemoryEventStore<string>(10, 'drop-newest');
    const a = {};
    const b = {};
    store.holdTracked(a, 'l1', 'o', 'id1', 1, 0);
    store.holdTracked(a, 'l2', 'o', 'id2', 1, 0);
    store.holdTracked(b, 'l3', 'o', 'id3', 2, 0); // a redelivery: not b's own
    expect([store.firstDeliveriesHeld(a), store.firstDeliveriesHeld(b), store.unacked]).toEqual([2, 0, 3]);
    store.acknowledgeIds(b, ['id1']); // acknowledged by anyone: released from a
    expect(store.firstDeliveriesHeld(a)).toBe(1);
    expect(store.expired(1).map((e) => e.id)).toEqual(['id2', 'id3']);
    expect(store.firstDeliveriesHeld(a)).toBe(0);
    store.requeue([{ line: 'l2', owner: 'o', id: 'id2', deliveries: 1 }]);
    store.handOutTracked(b, 'unused', 5);
    expect(store.firstDeliveriesHeld(b)).toBe(0); // its second delivery
    store.holdTracked(a, 'l4', 'o', 'id4', 1, 0);
    store.takeBack(a);
    expect(store.firstDeliveriesHeld(a)).toBe(0);
  });
});
