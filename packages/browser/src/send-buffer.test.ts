import { describe, expect, it } from 'vitest';
import { StrandsClientError } from './errors.js';
import { SendBuffer } from './send-buffer.js';

describe('SendBuffer', () => {
  it('writes in order and resolves each send once written', async () => {
    const buffer = new SendBuffer(10);
    const sends = ['a', 'b', 'c'].map((d) => buffer.push(d));
    const written: unknown[] = [];
    buffer.flush((d) => (written.push(d), true));
    await Promise.all(sends);
    expect(written).toEqual(['a', 'b', 'c']);
    expect(buffer.size).toBe(0);
  });

  it('keeps the rest, in order, when the socket stops accepting', () => {
    const buffer = new SendBuffer(10);
    for (const d of ['a', 'b', 'c', 'd']) void buffer.push(d);
    const written: unknown[] = [];
    buffer.flush((d) => written.length < 2 && (written.push(d), true));
    expect(written).toEqual(['a', 'b']);
    expect(buffer.size).toBe(2);
    buffer.flush((d) => (written.push(d), true));
    expect(written).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects with buffer_full past its bound instead of dropping anything', async () => {
    const buffer = new SendBuffer(2);
    void buffer.push('a');
    void buffer.push('b');
    await expect(buffer.push('c')).rejects.toMatchObject({ code: 'buffer_full' });
    expect(buffer.size).toBe(2);
  });

  it('with a bound of 0 every send made while disconnected fails at once', async () => {
    await expect(new SendBuffer(0).push('a')).rejects.toMatchObject({ code: 'buffer_full' });
  });

  it('fails every queued send with the given error', async () => {
    const buffer = new SendBuffer(5);
    const sends = ['a', 'b'].map((d) => buffer.push(d));
    const error = new StrandsClientError('closed', 'client closed');
    buffer.fail(error);
    for (const send of sends) await expect(send).rejects.toBe(error);
    expect(buffer.size).toBe(0);
  });

  it('skips envelopes of calls that already ended and marks sent ones', async () => {
    const buffer = new SendBuffer(5);
    const ended = { sent: false, done: true };
    const live = { sent: false, done: false };
    const sends = [buffer.push('old', ended), buffer.push('new', live)];
    const written: unknown[] = [];
    buffer.flush((d) => (written.push(d), true));
    await Promise.all(sends);
    expect(written).toEqual(['new']);
    expect(ended.sent).toBe(false);
    expect(live.sent).toBe(true);
  });

  it('fails only the entry whose write throws', async () => {
    const buffer = new SendBuffer(5);
    const bad = buffer.push('bad');
    const good = buffer.push('good');
    const written: unknown[] = [];
    buffer.flush((d) => {
      if (d === 'bad') throw new Error('boom');
      written.push(d);
      return true;
    });
    await expect(bad).rejects.toMatchObject({ code: 'disconnected', cause: new Error('boom') });
    await good;
    expect(written).toEqual(['good']);
  });

  describe('on a connection not yet confirmed', () => {
    it('settles written sends only once the connection is confirmed', async () => {
      const buffer = new SendBuffer(5);
      const settled: string[] = [];
      const send = buffer.push('a').then(() => settled.push('a'));
      buffer.flush(() => true, true);
      await Promise.resolve();
      expect(settled).toEqual([]);
      buffer.confirm();
      await send;
      expect(settled).toEqual(['a']);
    });

    it('requeues written sends ahead of the rest, and marks their calls unsent', () => {
      const buffer = new SendBuffer(5);
      const call = { sent: false, done: false };
      void buffer.push('first', call);
      buffer.flush(() => true, true);
      expect(call.sent).toBe(true);
      void buffer.push('second');
      buffer.requeue();
      expect(call.sent).toBe(false);
      const written: unknown[] = [];
      buffer.flush((d) => (written.push(d), true));
      expect(written).toEqual(['first', 'second']);
    });

    it('fails written and queued sends alike', async () => {
      const buffer = new SendBuffer(5);
      const written = buffer.push('written');
      buffer.flush(() => true, true);
      const queued = buffer.push('queued');
      const error = new StrandsClientError('rejected', 'no');
      buffer.fail(error);
      await expect(written).rejects.toBe(error);
      await expect(queued).rejects.toBe(error);
    });
  });
});
