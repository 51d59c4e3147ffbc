// The send frames' hand-written readers and encoders against their zod schemas.
import { describe, expect, it } from 'vitest';
import { SendConfirmFrameSchema, SendReplyFrameSchema } from '../send-frames.js';
import { acceptedFrame, checkSendReply, confirmFrame, readConfirmFrame, refusedFrame } from './send-frames.js';

const replies = [
  '{"strands":"accepted","id":1}',
  '{"strands":"accepted","id":0,"queued":true}',
  '{"strands":"accepted","id":2,"queued":"yes"}',
  '{"strands":"accepted","id":-1}',
  '{"strands":"accepted","id":1.5}',
  '{"strands":"accepted","id":"1"}',
  '{"strands":"accepted"}',
  '{"strands":"refused","code":"overloaded","message":"queue full"}',
  '{"strands":"refused","id":7,"code":"no_backend","message":"","extra":1}',
  '{"strands":"refused","id":7,"code":"some_new_code","message":"later"}',
  '{"strands":"refused","id":7,"code":3,"message":"x"}',
  '{"strands":"refused","id":7,"code":"overloaded"}',
  '{"strands":"refused","id":9007199254740992,"code":"overloaded","message":"x"}',
  '{"strands":"response","id":"1"}',
  '{"strands":"confirm","id":1}',
  '[{"strands":"accepted","id":1}]',
  'plain text',
  '{"strands":',
];

describe('send frames', () => {
  it.each(replies)('checkSendReply(%s) agrees with SendReplyFrameSchema', (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const parsed = SendReplyFrameSchema.safeParse(value);
    const checked = checkSendReply(text);
    expect(checked !== undefined, text).toBe(parsed.success);
    if (parsed.success) expect(checked).toEqual(parsed.data);
  });

  it.each([
    ['{"strands":"confirm","id":3}', 3],
    ['{"id":0,"strands":"confirm"}', 0],
    ['{"strands":"confirm","id":-3}', undefined],
    ['{"strands":"confirm","id":"3"}', undefined],
    ['{"strands":"confirm"}', undefined],
    ['{"strands":"confirmed","id":3}', undefined],
    ['"confirm"', undefined],
    [`{"strands":"confirm","id":3,"pad":"${'x'.repeat(64)}"}`, undefined],
  ])('readConfirmFrame(%s) is %s, as the schema says for short frames', (text, id) => {
    expect(readConfirmFrame(text)).toBe(id);
    if (text.length <= 64) expect(SendConfirmFrameSchema.safeParse(JSON.parse(text)).success).toBe(id !== undefined);
  });

  it('encoders write what the schemas and readers accept', () => {
    expect(readConfirmFrame(confirmFrame(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(SendConfirmFrameSchema.parse(JSON.parse(confirmFrame(12)))).toEqual({ strands: 'confirm', id: 12 });
    expect(checkSendReply(acceptedFrame(4, false))).toEqual({ strands: 'accepted', id: 4 });
    expect(checkSendReply(acceptedFrame(4, true))).toEqual({ strands: 'accepted', id: 4, queued: true });
    const refused = refusedFrame('overloaded', 'queue full "x"\n', 9);
    expect(SendReplyFrameSchema.parse(JSON.parse(refused))).toEqual({ strands: 'refused', id: 9, code: 'overloaded', message: 'queue full "x"\n' });
    expect(checkSendReply(refusedFrame('no_backend', 'none'))).toEqual({ strands: 'refused', code: 'no_backend', message: 'none' });
  });
});
