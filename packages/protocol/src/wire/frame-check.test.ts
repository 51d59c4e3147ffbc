// The fast frame checkers against the zod reference: same verdict, code and value on valid and
// mutated frames of every action, in both directions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendFrames, brokerFrames } from '../../test/support/frame-arbitraries.js';
import { ACTION_TAG, BOUNDARY_VALUES, PARAM_NAMES, mutatedLines } from '../../test/support/mutations.js';
import { NUM_RUNS, SEED, holds } from '../../test/support/property.js';
import { BackendFrameSchema, BrokerFrameSchema, parseFrame, type FrameSource } from '../index.js';
import { BACKEND_ACTIONS, BROKER_ACTIONS, checkBackendFrame, checkBrokerFrame, type CheckResult } from './index.js';

const fast: Record<FrameSource, (line: string) => CheckResult<unknown>> = { broker: checkBrokerFrame, backend: checkBackendFrame };
const arbitraries = { broker: brokerFrames, backend: backendFrames } as const;

/** Reads `line` both ways, asserts they agree, and returns the shared verdict. */
function agree(line: string, source: FrameSource): { ok: true } | { ok: false; code: string } {
  const reference = (source === 'broker' ? parseFrame(line, 'broker') : parseFrame(line, 'backend'));
  const checked = fast[source](line);
  if (reference.ok) {
    expect(checked, line).toEqual({ ok: true, frame: reference.frame });
    return { ok: true };
  }
  expect(checked.ok, line).toBe(false);
  if (checked.ok) throw new Error('unreachable');
  const { code, requestId, action } = reference.error;
  expect({ code: checked.refusal.code, requestId: checked.refusal.requestId, action: checked.refusal.action }, line).toEqual({ code, requestId, action });
  return { ok: false, code };
}

describe(`fast frame checkers against the zod schemas (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('know the same actions as the schemas', () => {
    expect(BROKER_ACTIONS).toEqual(BrokerFrameSchema.options.map((o) => o.shape.action.value));
    expect(BACKEND_ACTIONS).toEqual(BackendFrameSchema.options.map((o) => o.shape.action.value));
    expect(Object.keys(brokerFrames)).toEqual([...BROKER_ACTIONS]);
    expect(Object.keys(backendFrames)).toEqual([...BACKEND_ACTIONS]);
  });

  for (const source of ['broker', 'backend'] as const) {
    for (const [action, arbitrary] of Object.entries(arbitraries[source])) {
      it(`accept every valid ${action} (from a ${source}) with the same value`, () => {
        holds(
          fc.property(arbitrary, (frame) => {
            expect(agree(JSON.stringify(frame), source)).toEqual({ ok: true });
          }),
        );
      });
    }

    it(`give the same verdict and code on mutated frames from a ${source}`, () => {
      const seen = new Set<string>();
      holds(
        fc.property(mutatedLines(fc.oneof(...Object.values(arbitraries[source])), ACTION_TAG), (line) => {
          const verdict = agree(line, source);
          seen.add(verdict.ok ? 'ok' : verdict.code);
        }),
      );
      // The mutations reached every verdict, so the agreement above covered each of them.
      expect([...seen].sort()).toEqual(['invalid_frame', 'invalid_json', 'invalid_params', 'ok', 'unknown_action']);
    });

    it(`agree on every param of every ${source} action set to each boundary value, null, or left out`, () => {
      const verdicts = new Set<string>();
      for (const [action, arbitrary] of Object.entries(arbitraries[source])) {
        for (const frame of fc.sample(arbitrary, { seed: SEED, numRuns: 3 })) {
          for (const name of PARAM_NAMES[action]!) {
            for (const value of [...BOUNDARY_VALUES, undefined]) {
              const params = { ...(frame.params as object), [name]: value };
              const verdict = agree(JSON.stringify({ ...frame, params }), source);
              verdicts.add(verdict.ok ? 'ok' : verdict.code);
            }
          }
        }
      }
      expect([...verdicts].sort()).toEqual(['invalid_params', 'ok']);
    });

    it(`refuse frames of the other direction from a ${source} as unknown_action, as the schemas do`, () => {
      const other = source === 'broker' ? backendFrames : brokerFrames;
      holds(
        fc.property(fc.oneof(...Object.values(other)), (frame) => {
          const verdict = agree(JSON.stringify(frame), source);
          expect(verdict).toEqual({ ok: false, code: 'unknown_action' });
        }),
      );
    });
  }
});
