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
});
