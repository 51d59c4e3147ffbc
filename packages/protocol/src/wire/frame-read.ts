// Reads one line into a frame whose envelope is sound: `{action, request_id, params}`, or a refusal.
import { Failure, refused, type CheckResult } from './refusal.js';

/** A frame with a string `action`, a string `request_id` and an object `params`, not yet checked per action. */
export interface RawFrame {
  action: string;
  request_id: string;
  params: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Parses a line and checks the envelope every frame shares (same order and messages as
 * `parseFrame`): `invalid_json`, then `invalid_frame`.
 * @example
 * const r = readFrame('{"action":"broadcast","request_id":"1","params":{"message":"hi"}}');
 * if (r.ok) console.log(r.frame.action);
 */
export function readFrame(line: string): CheckResult<RawFrame> {
  const raw = parseRawFrame(line);
  return raw instanceof Failure ? raw : { ok: true, frame: raw };
}

/**
 * `readFrame` without the result object: the frame itself, or a Failure (tell them apart with
 * `instanceof Failure`, since a frame may hold any key). For a hot path that builds its own value.
 */
export function parseRawFrame(line: string): RawFrame | Failure {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return refused('invalid_json', 'frame is not valid JSON', undefined, undefined, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refused('invalid_frame', 'frame is not a JSON object', undefined, undefined);
  }
  const raw = value as Record<string, unknown>;
  const action = typeof raw.action === 'string' ? raw.action : undefined;
  const requestId = typeof raw.request_id === 'string' ? raw.request_id : undefined;
  if (action === undefined || requestId === undefined) {
    return refused('invalid_frame', 'frame needs a string "action" and a string "request_id"', requestId, action);
  }
  const params = raw.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return refused('invalid_frame', 'frame needs an object "params"', requestId, action);
  }
  return raw as RawFrame;
}
