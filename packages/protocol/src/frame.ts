// The envelope every frame shares, and a helper that builds one schema per action.
import { z } from 'zod';

/** Request id used by the broker's heartbeat frames. */
export const HEARTBEAT_REQUEST_ID = 'heartbeat';

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
