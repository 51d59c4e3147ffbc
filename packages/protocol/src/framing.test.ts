// The newline-JSON decoder: chunk boundaries anywhere, UTF-8 split across chunks, CRLF, blank lines, oversize.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holds } from '../test/support/property.js';
import { LineDecoder, encodeFrame, type DecodedLine } from './index.js';

const enc = new TextEncoder();
const lines = (out: DecodedLine[]) => out.map((o) => ('line' in o ? o.line : `!${o.error.code}`));

describe('LineDecoder', () => {
  const text =
    encodeFrame({ action: 'broadcast', request_id: '1', params: { message: 'héllo wörld ✓ 𝄞 日本' } }) +
    encodeFrame({ action: 'broadcast', request_id: '2', params: { message: '' } });

  it('yields the same lines whatever byte the stream is split at', () => {
    const bytes = enc.encode(text);
    const expected = text.trimEnd().split('\n');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new LineDecoder();
      const out = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(lines(out)).toEqual(expected);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('handles a stream fed one byte at a time', () => {
    const decoder = new LineDecoder();
    const out: DecodedLine[] = [];
    for (const byte of enc.encode(text)) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(lines(out)).toEqual(text.trimEnd().split('\n'));
  });

  it('strips \\r\\n and skips blank lines', () => {
    const decoder = new LineDecoder();
    expect(lines(decoder.push(enc.encode('{"a":1}\r\n\r\n\n   \n{"b":2}\n')))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('keeps an incomplete last line until its newline arrives', () => {
    const decoder = new LineDecoder();
    expect(lines(decoder.push(enc.encode('{"a":1}\n{"b"')))).toEqual(['{"a":1}']);
    expect(decoder.bufferedBytes).toBe(4);
    expect(lines(decoder.push(enc.encode(':2}\n')))).toEqual(['{"b":2}']);
  });

  it('does not depend on the caller keeping its chunk intact', () => {
    const decoder = new LineDecoder();
    const chunk = enc.encode('{"a":');
    decoder.push(chunk);
    chunk.fill(0x20);
    expect(lines(decoder.push(enc.encode('1}\n')))).toEqual(['{"a":1}']);
  });

  it('reports an oversize line once and resynchronises at the next newline', () => {
    const decoder = new LineDecoder({ maxLineBytes: 16 });
    const out = [
      ...decoder.push(enc.encode('{"ok":1}\n' + 'x'.repeat(10))),
      ...decoder.push(enc.encode('y'.repeat(40))),
      ...decoder.push(enc.encode('z'.repeat(40) + '\n{"ok":2}\n')),
    ];
    expect(lines(out)).toEqual(['{"ok":1}', '!frame_too_large', '{"ok":2}']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reports an oversize line that arrives whole in one chunk', () => {
    const decoder = new LineDecoder({ maxLineBytes: 8 });
    const out = decoder.push(enc.encode('{"a":"123456789"}\n{"b":1}\n'));
    expect(lines(out)).toEqual(['!frame_too_large', '{"b":1}']);
    const error = out[0];
    expect(error && 'error' in error && error.error.message).toContain('8 bytes');
  });

  it('accepts a line of exactly the maximum', () => {
    const decoder = new LineDecoder({ maxLineBytes: 7 });
    expect(lines(decoder.push(enc.encode('{"a":1}\n')))).toEqual(['{"a":1}']);
  });

  it('refuses an impossible maximum', () => {
    expect(() => new LineDecoder({ maxLineBytes: 0 })).toThrow(RangeError);
  });
});

describe('encodeFrame', () => {
  it('writes one line of JSON', () => {
    const line = encodeFrame({ action: 'broadcast', request_id: '1', params: { message: 'a\nb' } });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line).params.message).toBe('a\nb');
  });

  it('reads a chunk of whole lines as one decode of each line would (invalid UTF-8, BOMs, CR, blank lines)', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0a, 0x0d, 0x20, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0x7b));
    holds(
      fc.property(fc.array(byte, { maxLength: 60 }), (bytes) => {
        const chunk = Uint8Array.from([...bytes, 0x0a]);
        const expected: string[] = [];
        let start = 0;
        for (let nl = chunk.indexOf(0x0a); nl !== -1; start = nl + 1, nl = chunk.indexOf(0x0a, start)) {
          const end = nl > start && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
          const line = new TextDecoder('utf-8').decode(chunk.subarray(start, end));
          if (end > start && line.trim() !== '') expected.push(line);
        }
        expect(lines(new LineDecoder().push(chunk))).toEqual(expected);
      }),
    );
  });
});
