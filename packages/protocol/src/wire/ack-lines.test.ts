// The `ack` encoder reads back, through the zod reference, as the frame it meant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringList } from '../../test/support/json-arbitraries.js';
import { holds } from '../../test/support/property.js';
import { parseFrame } from '../index.js';
import { ackLine, createRequestIds } from './index.js';

describe('ackLine', () => {
  it('reads back as ack with the same ids, whatever they hold', () => {
    const ids = createRequestIds('t');
    holds(
      fc.property(stringList, (list) => {
        const id = ids();
        const line = ackLine(id, list);
        expect(line.endsWith('\n')).toBe(true);
        const read = parseFrame(line.slice(0, -1), 'backend');
        expect(read).toEqual({ ok: true, frame: { action: 'ack', request_id: id, params: { ids: list } } });
      }),
    );
  });
});
