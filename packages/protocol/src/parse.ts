// Turns one line (or one decoded JSON value) into a typed frame, or a FrameError saying why not.
import type { z } from 'zod';
import { BackendFrameSchema, type BackendFrame } from './backend-actions.js';
import { BrokerFrameSchema, type BrokerFrame } from './broker-actions.js';
import { FrameError } from './errors.js';

/** Who sent the frame being parsed: it decides which actions are known. */
export type FrameSource = 'broker' | 'backend';

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; error: FrameError };

const KNOWN: Record<FrameSource, ReadonlySet<string>> = {
  broker: new Set(BrokerFrameSchema.options.map((o) => o.shape.action.value)),
  backend: new Set(BackendFrameSchema.options.map((o) => o.shape.action.value)),
};
const SCHEMA = { broker: BrokerFrameSchema, backend: BackendFrameSchema } as const;

/**
 * Parses a frame sent by `source`.
 * @example
 * const r = parseFrame('{"action":"broadcast","request_id":"1","params":{"message":"hi"}}', 'backend');
 * if (r.ok && r.frame.action === 'broadcast') console.log(r.frame.params.message);
 */
export function parseFrame(input: string | unknown, source: 'broker'): ParseResult<BrokerFrame>;
export function parseFrame(input: string | unknown, source: 'backend'): ParseResult<BackendFrame>;
export function parseFrame(
  input: string | unknown,
  source: FrameSource,
): ParseResult<BrokerFrame | BackendFrame> {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      return fail(new FrameError('invalid_json', 'frame is not valid JSON', { cause }));
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(new FrameError('invalid_frame', 'frame is not a JSON object'));
  }
  const raw = value as Record<string, unknown>;
  const action = typeof raw.action === 'string' ? raw.action : undefined;
  const requestId = typeof raw.request_id === 'string' ? raw.request_id : undefined;
  if (action === undefined || requestId === undefined) {
    return fail(
      new FrameError('invalid_frame', 'frame needs a string "action" and a string "request_id"', {
        action,
        requestId,
      }),
    );
  }
  if (typeof raw.params !== 'object' || raw.params === null || Array.isArray(raw.params)) {
    return fail(new FrameError('invalid_frame', 'frame needs an object "params"', { action, requestId }));
  }
  if (!KNOWN[source].has(action)) {
    return fail(new FrameError('unknown_action', `unknown action "${action}"`, { action, requestId }));
  }
  const parsed = (SCHEMA[source] as z.ZodType<BrokerFrame | BackendFrame>).safeParse(raw);
  if (!parsed.success) {
    return fail(
      new FrameError('invalid_params', `invalid params for "${action}": ${describe(parsed.error)}`, {
        action,
        requestId,
        cause: parsed.error,
      }),
    );
  }
  return { ok: true, frame: parsed.data };
}

function fail(error: FrameError): { ok: false; error: FrameError } {
  return { ok: false, error };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(frame)'}: ${i.message}`)
    .join('; ');
}
