// Records of the Redis transport: bodies travel unescaped and come back whole, batches split in order,
// and a payload that lies about its lengths is refused instead of misread.
import { describe, expect, it, vi } from 'vitest';
import { decodeRecords, encodeDirect, encodeRecord, readRecordHead } from './records.js';
import { MAX_BATCH_CHARS, PublishBatcher } from './publish-batcher.js';

/** Decoded records without the `len` and `n` they keep from the wire. */
function decoded(payload: string): Array<Record<string, unknown> | undefined> {
  return decodeRecords(payload).map((record) => {
    if (record === undefined) return undefined;
    const { len: _len, n: _n, ...rest } = record;
    return rest;
  });
}

/** Each header reads as JSON.parse reads it, or is refused (undefined) where JSON.parse throws. */
function expectReadAsJsonParse(headers: string[]): void {
  for (const head of headers) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(head);
    } catch {
      parsed = undefined;
    }
    expect(readRecordHead(head), head).toEqual(parsed);
  }
}

describe('records', () => {
  it('carries a delivery text unescaped after its header, and gives it back exactly', () => {
    const message = 'a "quoted"\nline\\ with é, 😀 and \u2028';
    const record = encodeRecord({ type: 'direct', from: 'n1', clientId: 'c1', message, binary: false }, 42);
    expect(record.startsWith('{"type":"direct","from":"n1","clientId":"c1","binary":false,"len":')).toBe(true);
    expect(record.endsWith(`\n${message}`)).toBe(true);
    expect(decoded(record)).toEqual([{ type: 'direct', from: 'n1', clientId: 'c1', binary: false, message, t: 42 }]);
  });

  it('keeps the lengths of text that crossed Redis as UTF-8', () => {
    const message = 'x\ud800y😀'; // a lone surrogate comes back as U+FFFD, one code unit like it
    const crossed = Buffer.from(encodeRecord({ type: 'room', from: 'n', room: 'r', message, binary: false }, 1), 'utf8').toString('utf8');
    expect(decoded(crossed)).toEqual([{ type: 'room', from: 'n', room: 'r', binary: false, message: 'x\ufffdy😀', t: 1 }]);
  });

  it('sends event lines as lines, and an empty or newline-holding list as JSON', () => {
    const lines = ['{"action":"new_message","params":{"message":"a\\nb"}}', '{"action":"disconnected"}'];
    const record = encodeRecord({ type: 'events', from: 'n', clients: ['a', 'b'], lines }, 7);
    expect(record).toContain(`\n${lines[0]}\n${lines[1]}`);
    expect(decoded(record)).toEqual([{ type: 'events', from: 'n', clients: ['a', 'b'], lines, t: 7 }]);
    expect(decoded(encodeRecord({ type: 'events', from: 'n', clients: [], lines: [] }, 7))).toEqual([{ type: 'events', from: 'n', clients: [], lines: [], t: 7 }]);
    const odd = ['has\na newline'];
    expect(decoded(encodeRecord({ type: 'events', from: 'n', clients: ['a'], lines: odd }, 7))).toEqual([{ type: 'events', from: 'n', clients: ['a'], lines: odd, t: 7 }]);
  });

  it('splits back-to-back records in order, and reads a plain JSON payload as one', () => {
    const payload =
      encodeRecord({ type: 'direct', from: 'n', clientId: 'a', message: 'one\n{"type":"fake"}', binary: false }, 1) +
      encodeRecord({ type: 'heartbeat', from: 'n', backends: 1 }, 2) +
      encodeRecord({ type: 'direct', from: 'n', clientId: 'b', message: '', binary: true }, 3);
    expect(decoded(payload).map((r) => [r?.type, r?.clientId, r?.message])).toEqual([
      ['direct', 'a', 'one\n{"type":"fake"}'],
      ['heartbeat', undefined, undefined],
      ['direct', 'b', ''],
    ]);
    expect(decoded('{"type":"goodbye","from":"old"}')).toEqual([{ type: 'goodbye', from: 'old' }]);
  });

  it('spells a direct record as the generic encoder does, and reads its header as JSON.parse does', () => {
    const texts = ['', 'n1', 'c-0f3e', 'a"b', 'back\\slash', 'tab\there', 'nul\u0000', 'é😀', '\ud800', '\u2028', 'x'.repeat(200), ',"t":1', '","binary":true,"len":'];
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return items[seed % items.length] as T;
    };
    for (let i = 0; i < 400; i += 1) {
      const from = pick(texts);
      const clientId = pick(texts);
      const message = pick(texts) + pick(texts);
      const binary = pick([true, false]);
      const t = pick([0, 7, 1764770000000, 999999999999999]);
      const record = encodeDirect(JSON.stringify(from), clientId, message, binary, t);
      expect(record).toBe(encodeRecord({ type: 'direct', from, clientId, message, binary }, t));
      const head = record.slice(0, record.indexOf('\n'));
      const read = readRecordHead(head);
      expect(read).toEqual(JSON.parse(head));
      expect(Object.keys(read ?? {})).toEqual(Object.keys(JSON.parse(head) as object));
      expect(decoded(record)).toEqual([{ type: 'direct', from, clientId, binary, message, t }]);
    }
  });

  it('reads the header encodeDirect spells without JSON.parse, and one with an escape with it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const plain = encodeDirect('"n1"', 'c1', 'hi', false, 42);
      expect(readRecordHead(plain.slice(0, plain.indexOf('\n')))).toEqual({ type: 'direct', from: 'n1', clientId: 'c1', binary: false, len: 2, t: 42 });
      expect(parse).not.toHaveBeenCalled();
      const escaped = encodeDirect('"n1"', 'c"1', 'hi', false, 42);
      expect(readRecordHead(escaped.slice(0, escaped.indexOf('\n')))).toMatchObject({ clientId: 'c"1' });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('reads a direct header spelled any other way as JSON.parse does, refusing what it refuses', () => {
    const good = '{"type":"direct","from":"n1","clientId":"c1","binary":false,"len":3,"t":42}';
    const variants = [
      good,
      good.replace('"len":3', '"len":03'),
      good.replace('"len":3', '"len":-3'),
      good.replace('"len":3', '"len":3.0'),
      good.replace('"t":42', '"t":4e1'),
      good.replace('"t":42', '"t":'),
      good.replace('"t":42', '"t":42,"x":1'),
      good.replace('"t":42}', '"t":42 }'),
      good.replace('"c1"', '"c\\u0031"'),
      good.replace('"c1"', '"c\\"1"'),
      good.replace('"n1"', '"n\u0001"'),
      good.replace('false', 'true'),
      good.replace('false', 'null'),
      good.replace('"t":42}', '"t":42'),
      good.replace('"t":42', '"t":1234567890123456789'),
      '{"type":"direct","from":"n1","clientId":"c1","len":3,"t":42}',
    ];
    expectReadAsJsonParse(variants);
  });

  it('spells an events record as the generic encoder does, and reads its header as JSON.parse does', () => {
    const texts = ['', 'n1', 'c-0f3e', 'a"b', 'back\\slash', 'tab\there', 'nul\u0000', 'é😀', '\ud800', '\u2028', 'x'.repeat(200), '","clients":[', '],"len":1,"n":1,"t":1'];
    const numbers = [0, 1, 7, 42, 1764770000000, 999999999999999];
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
    const many = <T>(items: readonly T[], most: number): T[] => Array.from({ length: next(most + 1) }, () => pick(items));
    for (let i = 0; i < 400; i += 1) {
      const from = pick(texts);
      const clients = many(texts, 5);
      const lines = clients.map(() => `{"action":"new_message","params":{"message":${JSON.stringify(pick(texts))}}}`);
      const message: Record<string, unknown> = { type: 'events', from, clients, lines };
      if (next(2) === 0) {
        message.confirmAt = many(numbers, 3);
        message.confirmIds = many(numbers, 3);
      }
      const t = pick(numbers);
      const { lines: _lines, ...head } = message;
      const body = lines.join('\n');
      const generic = `${JSON.stringify(head).slice(0, -1)},"len":${body.length},"n":${lines.length},"t":${t}}\n${body}`;
      const record = encodeRecord(message, t);
      expect(record).toBe(generic);
      const header = record.slice(0, record.indexOf('\n'));
      const read = readRecordHead(header);
      expect(read).toEqual(JSON.parse(header));
      expect(Object.keys(read ?? {})).toEqual(Object.keys(JSON.parse(header) as object));
      expect(decoded(record)).toEqual([{ ...head, lines, t }]);
    }
  });

  it('reads the events header it spells without JSON.parse, and one with an escape with it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const plain = encodeRecord({ type: 'events', from: 'n1', clients: ['a', 'b'], lines: ['{}', '{}'], confirmAt: [1], confirmIds: [9] }, 42);
      expect(readRecordHead(plain.slice(0, plain.indexOf('\n')))).toEqual({ type: 'events', from: 'n1', clients: ['a', 'b'], confirmAt: [1], confirmIds: [9], len: 5, n: 2, t: 42 });
      const none = encodeRecord({ type: 'events', from: 'n1', clients: [], lines: [] }, 42);
      expect(readRecordHead(none.slice(0, none.indexOf('\n')))).toEqual({ type: 'events', from: 'n1', clients: [], len: 0, n: 0, t: 42 });
      expect(parse).not.toHaveBeenCalled();
      const escaped = encodeRecord({ type: 'events', from: 'n1', clients: ['a"b'], lines: ['{}'] }, 42);
      expect(readRecordHead(escaped.slice(0, escaped.indexOf('\n')))).toMatchObject({ clients: ['a"b'] });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('reads an events header spelled any other way as JSON.parse does, refusing what it refuses', () => {
    const good = '{"type":"events","from":"n1","clients":["a","b"],"confirmAt":[0,1],"confirmIds":[5,6],"len":5,"n":2,"t":42}';
    const variants = [
      good,
      good.replace('"len":5', '"len":05'),
      good.replace('"n":2', '"n":-2'),
      good.replace('[0,1]', '[0,01]'),
      good.replace('[0,1]', '[0,-1]'),
      good.replace('[0,1]', '[0,1.5]'),
      good.replace('[0,1]', '[0,]'),
      good.replace('[0,1]', '[0 ,1]'),
      good.replace('[0,1]', '[]'),
      good.replace(',"confirmIds":[5,6]', ''),
      good.replace('"confirmAt":[0,1],"confirmIds":[5,6]', '"confirmIds":[5,6],"confirmAt":[0,1]'),
      good.replace('["a","b"]', '[]'),
      good.replace('["a","b"]', '["a",]'),
      good.replace('["a","b"]', '["a""b"]'),
      good.replace('["a","b"]', '["a",1]'),
      good.replace('["a","b"]', '["a", "b"]'),
      good.replace('["a","b"]', '["a\\u0062"]'),
      good.replace('["a","b"]', '"a"'),
      good.replace('"t":42', '"t":42,"x":1'),
      good.replace('"t":42}', '"t":42'),
      good.replace('"t":42', '"t":1234567890123456789'),
      good.replace('"n1"', '"n\u0001"'),
      '{"type":"events","from":"n1","clients":["a"],"n":1,"len":1,"t":42}',
    ];
    expectReadAsJsonParse(variants);
  });

  it('refuses what it cannot read, and stops there', () => {
    expect(decoded('not json\n{"type":"goodbye","from":"x"}\n')).toEqual([undefined]);
    expect(decoded('[1,2]')).toEqual([undefined]);
    expect(decoded('{"type":"direct","from":"x","len":50}\nshort')).toEqual([undefined]);
    expect(decoded('{"type":"direct","from":"x","len":-1}\n')).toEqual([undefined]);
    expect(decoded('{"type":"events","from":"x","clients":["a"],"len":3,"n":2}\nabc')).toEqual([undefined]);
  });
});

describe('PublishBatcher', () => {
  function sink() {
    const sent: Array<[string, string]> = [];
    const failures: number[] = [];
    let answer: () => Promise<number> = () => Promise.resolve(2);
    return {
      sent,
      failures,
      answerWith(next: () => Promise<number>) {
        answer = next;
      },
      publish: (channel: string, payload: string) => {
        sent.push([channel, payload]);
        return answer();
      },
      failed: (records: number) => void failures.push(records),
    };
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('joins one channel in a row into one publish at the end of the task, keeping order across channels', async () => {
    const out = sink();
    const batcher = new PublishBatcher(out);
    const counts: number[] = [];
    batcher.add('a', 'r1', (n) => counts.push(n));
    batcher.add('a', 'r2', (n) => counts.push(n));
    batcher.add('b', 'r3');
    batcher.add('a', 'r4');
    expect(out.sent).toEqual([['a', 'r1r2'], ['b', 'r3']]);
    await tick();
    expect(out.sent).toEqual([['a', 'r1r2'], ['b', 'r3'], ['a', 'r4']]);
    expect(counts).toEqual([2, 2]);
  });

  it('sends a batch once it would pass its bound, and counts the records of a failed publish', async () => {
    const out = sink();
    const batcher = new PublishBatcher(out);
    const big = 'x'.repeat(MAX_BATCH_CHARS / 2 + 1);
    batcher.add('a', big);
    batcher.add('a', big);
    expect(out.sent.length).toBe(1);
    out.answerWith(() => Promise.reject(new Error('down')));
    batcher.add('a', 'r');
    batcher.flush();
    await tick();
    expect(out.sent.map(([, p]) => p.length)).toEqual([big.length, big.length + 1]);
    expect(out.failures).toEqual([2]);
  });
});
