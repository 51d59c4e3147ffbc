// The Redis room history of cluster mode against a real redis-server: offsets, epochs, bounded recovery reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.js';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { createIoredisLink, type RedisLink } from '../../src/cluster/redis/index.js';
import { RedisHistoryStream } from '../../src/cluster/redis/history-stream.js';
import { decodeRecords } from '../../src/cluster/redis/records.js';

let redis: TestRedis;
let link: RedisLink;
let other: RedisLink;
const LIMITS = { size: 5, bytes: 1 << 20, ttlMs: 60_000 };

beforeAll(async () => {
  redis = await startRedis();
  link = await createIoredisLink({ url: redis.url });
  other = await createIoredisLink({ url: redis.url });
});
afterAll(async () => {
  await link?.quit();
  await other?.quit();
  await redis?.stop();
});

describe('RedisHistoryStream', () => {
  it('numbers a room\'s messages across brokers in one epoch, and recovers them in full or not at all', async () => {
    const a = new RedisHistoryStream(link, 't1');
    const b = new RedisHistoryStream(other, 't1');
    const first = await a.append('lobby', 'm1', false, LIMITS);
    const second = await b.append('lobby', 'm2', false, LIMITS);
    const third = await a.append('lobby', 'AAE=', true, LIMITS);
    expect([first.offset, second.offset, third.offset]).toEqual([1, 2, 3]);
    expect(new Set([first.epoch, second.epoch, third.epoch]).size).toBe(1);

    expect(await b.since('lobby', 1, first.epoch, 100)).toEqual({
      ok: true,
      position: third,
      publications: [
        { offset: 2, message: 'm2', binary: false },
        { offset: 3, message: 'AAE=', binary: true },
      ],
    });
    expect(await b.since('lobby', 3, first.epoch, 100)).toEqual({ ok: true, position: third, publications: [] });
    expect(await b.since('lobby', 1, 'another', 100)).toMatchObject({ ok: false, reason: 'epoch' });
    expect(await b.since('lobby', 0, first.epoch, 2)).toMatchObject({ ok: false, reason: 'too_many' });
  });

  it('a gap older than the stream keeps (MAXLEN) is trimmed: no partial replay', async () => {
    const s = new RedisHistoryStream(link, 't2');
    let last = await s.append('r', 'x0', false, LIMITS);
    for (let i = 1; i < 12; i++) last = await s.append('r', `x${i}`, false, LIMITS);
    expect(last.offset).toBe(12);
    expect(await s.since('r', 2, last.epoch, 100)).toMatchObject({ ok: false, reason: 'trimmed', position: last });
    const recent = await s.since('r', 8, last.epoch, 100);
    expect(recent.ok && recent.publications.map((p) => p.message)).toEqual(['x8', 'x9', 'x10', 'x11']);
  });

  it('a room whose meta is gone starts a new epoch from offset 1', async () => {
    const s = new RedisHistoryStream(link, 't3');
    const before = await s.append('r', 'a', false, LIMITS);
    await link.del([s.metaKey('r')]);
    const after = await s.append('r', 'b', false, LIMITS);
    expect(after.offset).toBe(1);
    expect(after.epoch).not.toBe(before.epoch);
    expect(await s.since('r', 1, before.epoch, 100)).toMatchObject({ ok: false, reason: 'epoch' });
  });

  it('appends and publishes in one call: the record carries offset and epoch; positions and reads agree', async () => {
    const s = new RedisHistoryStream(link, 't4');
    const payloads: string[] = [];
    other.onMessage((channel, payload) => {
      if (channel === 't4:ch') payloads.push(payload);
    });
    await other.subscribe(['t4:ch']);
    const empty = await s.position('r');
    expect(empty.offset).toBe(0);
    const head = JSON.stringify({ type: 'room', from: 'n1', room: 'r', binary: false }).slice(0, -1);
    const first = await s.appendAndPublish('r', 'hello\nworld', false, LIMITS, 't4:ch', head, `,"len":11,"t":1}\n`);
    const second = await s.appendAndPublish('r', 'two', false, LIMITS, 't4:ch', head, `,"len":3,"t":2}\n`);
    // The epoch a position gave a room never written is the one its first message gets.
    expect([first, second]).toEqual([{ offset: 1, epoch: empty.epoch }, { offset: 2, epoch: empty.epoch }]);
    await waitFor(() => payloads.length === 2, 'two payloads');
    expect(payloads.flatMap((p) => decodeRecords(p))).toEqual([
      { type: 'room', from: 'n1', room: 'r', binary: false, offset: 1, epoch: empty.epoch, len: 11, t: 1, message: 'hello\nworld' },
      { type: 'room', from: 'n1', room: 'r', binary: false, offset: 2, epoch: empty.epoch, len: 3, t: 2, message: 'two' },
    ]);
    expect(await s.position('r')).toEqual(second);
    expect(await s.read('r', undefined, 1)).toEqual({ position: second, publications: [{ offset: 2, message: 'two', binary: false }] });
    expect((await s.read('r', 0, 10)).publications.map((p) => p.message)).toEqual(['hello\nworld', 'two']);
  });

  it('bounds the stream by UTF-8 bytes as the memory store does: the oldest go first, a message larger than the bound is not kept', async () => {
    const s = new RedisHistoryStream(link, 't5');
    const limits = { size: 10, bytes: 12, ttlMs: 60_000 };
    // 'é' is two UTF-8 bytes: two of these are exactly the bound.
    await s.append('r', 'ééé', false, limits);
    const second = await s.append('r', 'ééé', false, limits);
    expect((await s.read('r', undefined, 10)).publications.map((p) => p.offset)).toEqual([1, 2]);
    await s.append('r', 'a', false, limits);
    expect((await s.read('r', 0, 10)).publications.map((p) => p.offset)).toEqual([2, 3]);
    expect(await s.since('r', 0, second.epoch, 100)).toMatchObject({ ok: false, reason: 'trimmed' });
    expect(await s.since('r', 1, second.epoch, 100)).toMatchObject({ ok: true, publications: [{ offset: 2 }, { offset: 3 }] });
    expect(await link.hgetall(s.metaKey('r'))).toMatchObject({ n: '7' });
    const big = await s.append('r', 'x'.repeat(13), false, limits);
    expect(big.offset).toBe(4);
    expect(await link.xlen(s.histKey('r'))).toBe(0);
    expect((await s.read('r', undefined, 10)).publications).toEqual([]);
    expect(await s.since('r', 3, big.epoch, 100)).toMatchObject({ ok: false, reason: 'trimmed', position: big });
    // Unbounded bytes (Infinity in JS) reach the script as 0.
    const unbounded = await s.append('r', 'y'.repeat(100), false, { size: 10, bytes: Infinity, ttlMs: 60_000 });
    expect((await s.read('r', undefined, 10)).publications).toEqual([{ offset: unbounded.offset, message: 'y'.repeat(100), binary: false }]);
  });

  it('ages each message by its own time: one older than ttlMs is neither read nor recovered, and the next append trims it', async () => {
    const s = new RedisHistoryStream(link, 't6');
    const limits = { size: 10, bytes: 1 << 20, ttlMs: 2000 };
    const first = await s.append('r', 'old', false, limits);
    await sleep(1200);
    await s.append('r', 'newer', false, limits);
    await sleep(1200);
    // 'old' is 2.4 s old, 'newer' 1.2 s: the stream (expiring 2 s after its last message) is still there.
    expect((await s.read('r', undefined, 10)).publications.map((p) => p.message)).toEqual(['newer']);
    expect((await s.read('r', 0, 1)).publications.map((p) => p.message)).toEqual(['newer']);
    expect(await s.since('r', 0, first.epoch, 100)).toMatchObject({ ok: false, reason: 'trimmed' });
    expect(await s.since('r', 1, first.epoch, 100)).toMatchObject({ ok: true, publications: [{ offset: 2, message: 'newer' }] });
    await s.append('r', 'newest', false, limits);
    expect(await link.xlen(s.histKey('r'))).toBe(2);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
