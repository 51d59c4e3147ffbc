// Frames about a client's own sends (confirmed sends, refusals) between a `strands.v1` client and
// a Strands broker, as zod schemas: the reference for the hand-written checkers of ./wire/send-frames.ts.
import { z } from 'zod';
import type { ReceivedSendRefusalCode } from './wire/send-frames.js';

export { SEND_REFUSAL_CODES } from './wire/send-frames.js';
export type { SendRefusalCode, ReceivedSendRefusalCode } from './wire/send-frames.js';

// Numbered by the client: JSON numbers that are safe integers.
const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Client -> broker: the client's next message is a confirmed send numbered `id`. */
export const SendConfirmFrameSchema = z.looseObject({ strands: z.literal('confirm'), id });
/** Broker -> client: the message confirmed as `id` went to a backend, or waits in the queue (`queued: true`). */
export const SendAcceptedFrameSchema = z.looseObject({ strands: z.literal('accepted'), id, queued: z.boolean().optional() });
/** Broker -> client: a message of this client was refused or dropped; `id` names a confirmed send. */
export const SendRefusedFrameSchema = z.looseObject({
  strands: z.literal('refused'),
  id: id.optional(),
  // Any string: a newer broker may add codes, and an older client must still fail the send.
  code: z.string() as z.ZodType<ReceivedSendRefusalCode, string>,
  message: z.string(),
});
export const SendReplyFrameSchema = z.discriminatedUnion('strands', [SendAcceptedFrameSchema, SendRefusedFrameSchema]);

export type SendConfirmFrame = z.infer<typeof SendConfirmFrameSchema>;
export type SendAcceptedFrame = z.infer<typeof SendAcceptedFrameSchema>;
export type SendRefusedFrame = z.infer<typeof SendRefusedFrameSchema>;
export type SendReplyFrame = z.infer<typeof SendReplyFrameSchema>;
