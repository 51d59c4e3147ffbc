// The send frames' hand-written types equal the zod-inferred ones.
import { describe, expectTypeOf, it } from 'vitest';
import type * as Z from '../index.js';
import type * as W from './index.js';

describe('send frame types', () => {
  it('equal the zod-inferred types', () => {
    expectTypeOf<W.SendConfirmFrame>().toEqualTypeOf<Z.SendConfirmFrame>();
    expectTypeOf<W.SendAcceptedFrame>().toEqualTypeOf<Z.SendAcceptedFrame>();
    expectTypeOf<W.SendRefusedFrame>().toEqualTypeOf<Z.SendRefusedFrame>();
    expectTypeOf<W.SendReplyFrame>().toEqualTypeOf<Z.SendReplyFrame>();
  });
});
