// Cheap hand checks of backend frames: equivalent to the protocol's zod schemas, without zod on the hot path.
import type { ErrorReplyCode } from '@strands/protocol';

/** A frame refused, with what the error reply says. */
export class FrameRefusal {
  constructor(
    readonly code: ErrorReplyCode,
    readonly message: string,
    readonly requestId: string,
    readonly action: string | undefined,
  ) {}
}

/** A frame whose envelope is sound; `params` still needs checking per action. */
export interface Envelope {
  action: string;
  requestId: string;
  params: Record<string, unknown>;
}

/** Parses one line into an envelope, or says precisely why not. */
export function readEnvelope(line: string): Envelope | FrameRefusal {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new FrameRefusal('invalid_json', 'frame is not valid JSON', '', undefined);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new FrameRefusal('invalid_frame', 'frame is not a JSON object', '', undefined);
  }
  const raw = value as Record<string, unknown>;
  const action = typeof raw.action === 'string' ? raw.action : undefined;
  const requestId = typeof raw.request_id === 'string' ? raw.request_id : '';
  if (action === undefined || typeof raw.request_id !== 'string') {
    return new FrameRefusal('invalid_frame', 'frame needs a string "action" and a string "request_id"', requestId, action);
  }
  const params = raw.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return new FrameRefusal('invalid_frame', 'frame needs an object "params"', requestId, action);
  }
  return { action, requestId, params: params as Record<string, unknown> };
}

/** Which JSON type a param must have. */
export type ParamType = 'string' | 'boolean' | 'integer' | 'object';

/** A param check: `name` must be of `type`; `?` suffix in the spec marks it optional (null counts as absent). */
export type ParamSpec = Readonly<Record<string, ParamType | `${ParamType}?`>>;

/** Returns a refusal naming the first param of the wrong type, or undefined when all are right. */
export function checkParams(envelope: Envelope, spec: ParamSpec): FrameRefusal | undefined {
  for (const name in spec) {
    const wanted = spec[name] as string;
    const optional = wanted.endsWith('?');
    const type = optional ? wanted.slice(0, -1) : wanted;
    const value = envelope.params[name];
    if (value === undefined || value === null) {
      if (optional) continue;
      return refuse(envelope, `params.${name} is required (${type})`);
    }
    if (!hasType(value, type as ParamType)) {
      return refuse(envelope, `params.${name} must be ${article(type)} ${type}, got ${describe(value)}`);
    }
  }
  return undefined;
}

function hasType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function refuse(envelope: Envelope, message: string): FrameRefusal {
  return new FrameRefusal('invalid_params', `invalid params for "${envelope.action}": ${message}`, envelope.requestId, envelope.action);
}

function article(type: string): string {
  return type === 'integer' || type === 'object' ? 'an' : 'a';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value;
}
