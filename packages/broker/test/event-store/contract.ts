// The EventStore contract: what every store must do (waiting, held by count, held by id,
// acknowledgements, expiry, take-back), run against each implementation. A store whose calls
// answer later (Redis) keeps the same observable order.
import { describe, expect, it } from 'vitest';
import type { EventOwner, EventStore } from '../../src/index.js';

/** One implementation under test: a fresh, empty store bounded to `capacity` waiting events and `maxBytes` bytes (unbounded when left out). */
export interface EventStoreContract {
  name: string;
  make(capacity: number, maxBytes?: number): EventStore<EventOwner>;
}

const owner = (id: string): EventOwner => ({ id, affinity: undefined });
const lines = (events: { line: string }[]) => events.map((e) => e.line);

export function runEventStoreContract({ name, make }: EventStoreContract): void {
  describe(`EventStore contract: ${name}`, () => {
    it('hands out waiting events in order and takes back what a lost consumer held, in front', () => {
      const store = make(10);
      const o = owner('a');
      for (const line of ['1\n', '2\n', '3\n']) expect(store.append(line, o)).toBe('queued');
      const consumer = {};
      expect(store.handOut(consumer)?.line).toBe('1\n');
      expect(store.handOut(consumer)?.line).toBe('2\n');
      store.acknowledge(consumer, 1);
      expect(store.takeBack(consumer)).toBe(1);
      expect([store.handOut({})?.line, store.handOut({})?.line, store.handOut({})]).toEqual(['2\n', '3\n', undefined]);
    });

    it('keeps tracked events by id until acknowledged, by any consumer; unknown ids are ignored', () => {
      const store = make(10);
      const first = {};
      const second = {};
      store.holdTracked(first, 'a\n', owner('x'), 'id-a', 1, 100);
      store.holdTracked(second, 'b\n', owner('y'), 'id-b', 1, 100);
      expect(store.unacked).toBe(2);
      expect(store.acknowledgeIds(second, ['id-a', 'nope'])).toBe(1);
      expect(store.acknowledgeIds(second, ['id-a'])).toBe(0);
      expect(store.unacked).toBe(1);
      expect(store.takeBack(first)).toBe(0);
      expect(store.takeBack(second)).toBe(1);
      expect(store.peek()).toMatchObject({ line: 'b\n', id: 'id-b', deliveries: 1 });
    });

    it('releases acks in any order among many held events; expiry and take-back keep send order around the holes', () => {
      const store = make(10);
      const consumer = {};
      const other = {};
      const o = owner('x');
      const ids = Array.from({ length: 100 }, (_, i) => `e${i}`);
      ids.forEach((id, i) => store.holdTracked(consumer, `${id}\n`, o, id, 1, i));
      // In order at the front, then far out of order (past what a scan of the front reaches), then a late ack through another consumer.
      expect(store.acknowledgeIds(consumer, ['e0', 'e1', 'e2'])).toBe(3);
      expect(store.acknowledgeIds(consumer, ['e90', 'e50', 'e3', 'e99', 'e90'])).toBe(4);
      expect(store.acknowledgeIds(other, ['e60', 'e61', 'nope'])).toBe(2);
      expect(store.unacked).toBe(91);
      expect(store.firstDeliveriesHeld?.(consumer) ?? 91).toBe(91);
      const expired = store.expired(10);
      expect(lines(expired)).toEqual(['e4\n', 'e5\n', 'e6\n', 'e7\n', 'e8\n', 'e9\n']);
      expect(store.acknowledgeIds(consumer, ['e4', 'e10'])).toBe(1);
      expect(store.takeBack(consumer)).toBe(84);
      const back: string[] = [];
      for (let event = store.handOut(other); event !== undefined; event = store.handOut(other)) back.push(event.line.trim());
      expect(back).toEqual(ids.slice(11).filter((id) => !['e50', 'e60', 'e61', 'e90', 'e99'].includes(id)));
      expect(store.unacked).toBe(0);
    });

    it('takes back count-held events before tracked ones; a handed-out tracked event keeps its id and counts deliveries', () => {
      const store = make(10);
      const consumer = {};
      const o = owner('x');
      store.hold(consumer, 'a\n', o);
      store.holdTracked(consumer, 'b\n', o, 'id-b', 1, 100);
      expect(store.takeBack(consumer)).toBe(2);
      expect(lines([store.peek()!])).toEqual(['a\n']);
      store.handOut(consumer);
      expect(store.handOutTracked(consumer, 'fresh', 300)).toMatchObject({ line: 'b\n', id: 'id-b' });
      store.append('c\n', o);
      expect(store.handOutTracked(consumer, 'id-c', 300)).toMatchObject({ line: 'c\n' });
      expect(store.expired(301)).toEqual([
        { line: 'b\n', owner: o, id: 'id-b', deliveries: 2 },
        { line: 'c\n', owner: o, id: 'id-c', deliveries: 1 },
      ]);
      expect(store.unacked).toBe(0);
    });

    it('expires only events sent before the limit, oldest first, and requeues them in front', () => {
      const store = make(10);
      const consumer = {};
      const o = owner('x');
      store.holdTracked(consumer, 'old\n', o, 'old', 1, 100);
      store.holdTracked(consumer, 'new\n', o, 'new', 1, 200);
      store.append('waiting\n', o);
      const expired = store.expired(150);
      expect(lines(expired)).toEqual(['old\n']);
      store.requeue(expired);
      expect(store.waiting).toBe(2);
      expect(store.peek()).toMatchObject({ line: 'old\n', id: 'old', deliveries: 1 });
      expect(store.unacked).toBe(1);
    });

    it('bounds waiting events by capacity; taken-back and requeued ones go in regardless', () => {
      const store = make(1);
      const o = owner('x');
      expect(store.append('1\n', o)).toBe('queued');
      expect(store.append('2\n', o)).toBe('dropped');
      const consumer = {};
      store.holdTracked(consumer, 't\n', o, 't', 1, 0);
      store.takeBack(consumer);
      expect(store.waiting).toBe(2);
      expect(store.drop()?.line).toBe('t\n');
      expect(store.clearWaiting()).toBe(1);
    });

    // Each line is 2 bytes: a bound of 6 bytes holds 3 of them, as a bound of 3 events does.
    for (const [bound, capacity, maxBytes] of [['events', 3, undefined], ['bytes', 100, 6]] as const) {
      it(`bounds only new waiting events by ${bound}: what was given back is owed, outside the bound, until it left`, () => {
        const store = make(capacity, maxBytes);
        const o = owner('x');
        const consumer = {};
        for (const line of ['a\n', 'b\n', 'c\n']) expect(store.append(line, o)).toBe('queued');
        for (let i = 0; i < 3; i += 1) store.handOut(consumer);
        for (const line of ['d\n', 'e\n']) expect(store.append(line, o)).toBe('queued');
        // The backend died holding a, b, c: they are owed, in front; d, e are the new ones.
        expect(store.takeBack(consumer)).toBe(3);
        expect(store.waiting).toBe(5);
        expect(store.append('f\n', o)).toBe('queued');
        expect(store.append('g\n', o)).toBe('dropped');
        // Owed ones leaving (handed out, dropped) make no room for new ones.
        expect(store.handOut({})?.line).toBe('a\n');
        expect(store.drop()?.line).toBe('b\n');
        expect(store.append('g\n', o)).toBe('dropped');
        // An expired one requeued is owed again.
        const tracker = {};
        expect(store.handOutTracked(tracker, 'id-c', 0)?.line).toBe('c\n');
        const expired = store.expired(1);
        store.requeue(expired);
        expect(store.waiting).toBe(4);
        expect(store.append('g\n', o)).toBe('dropped');
        expect(store.drop()?.line).toBe('c\n');
        expect(store.append('g\n', o)).toBe('dropped');
        // Nothing owed is left: a new one leaving makes room for one.
        expect(store.drop()?.line).toBe('d\n');
        expect(store.append('g\n', o)).toBe('queued');
        expect(store.append('h\n', o)).toBe('dropped');
        expect([store.drop()?.line, store.drop()?.line, store.drop()?.line, store.drop()]).toEqual(['e\n', 'f\n', 'g\n', undefined]);
      });
    }
  });
}
