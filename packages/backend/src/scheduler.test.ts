import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('runs synchronous tasks at once, in order per key, and frees lanes', async () => {
    const order: string[] = [];
    const scheduler = new Scheduler(2, () => {}, () => {});
    for (let i = 0; i < 3; i += 1) for (const key of ['a', 'b', 'c']) scheduler.push(key, () => order.push(`${key}${i}`));
    expect(order).toHaveLength(9);
    for (const key of ['a', 'b', 'c']) expect(order.filter((o) => o[0] === key)).toEqual([`${key}0`, `${key}1`, `${key}2`]);
    expect(scheduler.active).toBe(0);
    expect(scheduler.queued).toBe(0);
    await scheduler.idle();
  });

  it('reports errors from sync and async tasks and carries on', async () => {
    const errors: unknown[] = [];
    const scheduler = new Scheduler(1, (error) => errors.push(error), () => {});
    let ran = 0;
    scheduler.push('a', () => {
      throw new Error('sync');
    });
    scheduler.push('a', () => Promise.reject(new Error('async')));
    scheduler.push('a', () => {
      ran += 1;
    });
    await scheduler.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
    expect(ran).toBe(1);
  });

  it('holds keys beyond the limit until a slot frees', async () => {
    const scheduler = new Scheduler(1, () => {}, () => {});
    const started: string[] = [];
    let release!: () => void;
    scheduler.push('a', () => {
      started.push('a');
      return new Promise<void>((resolve) => (release = resolve));
    });
    scheduler.push('b', () => {
      started.push('b');
    });
    expect(started).toEqual(['a']);
    expect(scheduler.queued).toBe(1);
    release();
    await scheduler.idle();
    expect(started).toEqual(['a', 'b']);
  });

  it('keeps one key in order when a task pushes more work for its own key, sync or async', async () => {
    const order: string[] = [];
    const scheduler = new Scheduler(4, () => {}, () => {});
    scheduler.push('a', () => {
      order.push('a0');
      scheduler.push('a', () => void order.push('a1'));
      scheduler.push('b', () => void order.push('b0'));
      order.push('a0 end');
    });
    expect(order).toEqual(['a0', 'b0', 'a0 end', 'a1']);
    let release!: () => void;
    scheduler.push('c', () => {
      scheduler.push('c', () => void order.push('c1'));
      return new Promise<void>((resolve) => (release = resolve));
    });
    expect(order).not.toContain('c1');
    expect(scheduler.active).toBe(1);
    release();
    await scheduler.idle();
    expect(order.at(-1)).toBe('c1');
    expect(scheduler.active).toBe(0);
    expect(scheduler.queued).toBe(0);
  });
});
