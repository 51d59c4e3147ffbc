// The envelope every frame shares, and a helper that builds one schema per action.
import { z } from 'zod';

export { HEARTBEAT_REQUEST_ID } from './wire/actions.js';

/**
 * An optional param that also takes `null`, read as absent: a PyStrands (Python) peer writes
 * `None` as `null`, a Go peer a nil pointer, and absent has a defined meaning for every optional
 * param, so refusing the frame would only break such peers. The fast checkers do the same.
 */
export function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullish()
    .transform((value): z.output<T> | undefined => value ?? undefined)
    .optional();
}

/**
 * Builds the schema of one frame: `{ action, request_id, params }`.
 * Frames and params are loose objects: keys a newer peer adds survive parsing and re-encoding.
 */
export function frameSchema<A extends string, P extends z.ZodRawShape>(action: A, params: P) {
  return z.looseObject({
    action: z.literal(action),
    request_id: z.string(),
    params: z.looseObject(params),
  });
}

/** The envelope alone, used to tell an unknown action from a malformed frame. */
export const FrameEnvelopeSchema = z.looseObject({
  action: z.string(),
  request_id: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export type FrameEnvelope = z.infer<typeof FrameEnvelopeSchema>;
