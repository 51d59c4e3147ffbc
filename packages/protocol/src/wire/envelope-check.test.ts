// The fast envelope checkers against the zod reference: same verdict, value and id on valid and
// mutated envelopes of every kind, and on ordinary messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopes, plainMessages } from '../../test/support/envelope-arbitraries.js';
import { BOUNDARY_VALUES, mutatedLines } from '../../test/support/mutations.js';
import { NUM_RUNS, SEED, holds } from '../../test/support/property.js';
import { EnvelopeSchema, parseEnvelope } from '../index.js';
import { checkEnvelope, checkIncomingEnvelope, checkReplyEnvelope } from './index.js';

const REPLY_KINDS: ReadonlySet<string> = new Set(['response', 'next', 'complete', 'error']);

/** Reads `message` both ways, asserts they agree, and returns the shared verdict. */
function agree(message: string): string {
  const reference = parseEnvelope(message);
  const checked = checkEnvelope(message);
  if (reference.kind === 'invalid') {
    expect(checked, message).toMatchObject({ kind: 'invalid', id: reference.id });
  } else {
    expect(checked, message).toEqual(reference);
  }
  const reply = reference.kind === 'envelope' && REPLY_KINDS.has(reference.envelope.strands) ? reference.envelope : undefined;
  expect(checkReplyEnvelope(message), message).toEqual(reply);
  const incoming = reference.kind === 'envelope' && (REPLY_KINDS.has(reference.envelope.strands) || reference.envelope.strands === 'event') ? reference.envelope : undefined;
  expect(checkIncomingEnvelope(message), message).toEqual(incoming);
  return reference.kind === 'envelope' ? reference.envelope.strands : reference.kind;
}

describe(`fast envelope checkers against the zod schema (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('know the same kinds as the schema', () => {
    expect(Object.keys(envelopes)).toEqual(EnvelopeSchema.options.map((o) => o.shape.strands.value));
  });

  for (const [kind, arbitrary] of Object.entries(envelopes)) {
    it(`accept every valid ${kind} envelope with the same value`, () => {
      holds(fc.property(arbitrary, (envelope) => void expect(agree(JSON.stringify(envelope))).toBe(kind)));
    });
  }

  it('give the same verdict on mutated envelopes', () => {
    const seen = new Set<string>();
    holds(fc.property(mutatedLines(fc.oneof(...Object.values(envelopes)), { key: 'strands', values: Object.keys(envelopes) }), (message) => void seen.add(agree(message))));
    // Mutations reached ordinary messages, malformed envelopes and valid ones.
    expect(seen).toContain('none');
    expect(seen).toContain('invalid');
    expect(seen).toContain('request');
  });

  it('agree on every field of every kind set to each boundary value or left out', () => {
    const seen = new Set<string>();
    for (const arbitrary of Object.values(envelopes)) {
      for (const envelope of fc.sample(arbitrary, { seed: SEED, numRuns: 3 })) {
        for (const key of ['strands', 'id', 'route', 'n', 'code', 'message', 'event', 'data']) {
          for (const value of [...BOUNDARY_VALUES, undefined, ...Object.keys(envelopes)]) seen.add(agree(JSON.stringify({ ...envelope, [key]: value })));
        }
      }
    }
    expect([...seen].sort()).toEqual([...Object.keys(envelopes), 'invalid', 'none'].sort());
  });

  it('see ordinary messages as ordinary, as the schema does', () => {
    holds(fc.property(plainMessages, (message) => void expect(['none', 'invalid']).toContain(agree(message))));
  });
});
