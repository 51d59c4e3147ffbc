// The broker's checks of backend frames, as thin wrappers over @strands/protocol/wire, where the
// one hand-written checker lives (held to the zod schemas by a property test). These names stay
// for backend-handler's per-action table; `checkBackendFrame` of the protocol replaces both.
import type { ErrorReplyCode } from '@strands/protocol';
import { BOOLEAN, Failure, INTEGER, OBJECT, STRING, checkFields, parseRawFrame, type Field, type FieldType, type Refusal } from '@strands/protocol/wire';

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

function toRefusal(refusal: Refusal): FrameRefusal {
  // An error_reply names the frame refused; '' where its request_id could not be read.
  return new FrameRefusal(refusal.code, refusal.message, refusal.requestId ?? '', refusal.action);
}

/** Parses one line into an envelope, or says precisely why not. */
export function readEnvelope(line: string): Envelope | FrameRefusal {
  const frame = parseRawFrame(line);
  if (frame instanceof Failure) return toRefusal(frame.refusal);
  return { action: frame.action, requestId: frame.request_id, params: frame.params };
}

/** Which JSON type a param must have. */
export type ParamType = 'string' | 'boolean' | 'integer' | 'object';

/** A param check: `name` must be of `type`; `?` suffix in the spec marks it optional (null counts as absent). */
export type ParamSpec = Readonly<Record<string, ParamType | `${ParamType}?`>>;

const TYPES: Readonly<Record<ParamType, FieldType>> = { string: STRING, boolean: BOOLEAN, integer: INTEGER, object: OBJECT };
// Each spec is a constant of the caller's; compiled once into the protocol's field list.
const compiled = new WeakMap<ParamSpec, readonly Field[]>();

function compile(spec: ParamSpec): readonly Field[] {
  let list = compiled.get(spec);
  if (list === undefined) {
    list = Object.entries(spec).map(([name, wanted]) => {
      const optional = wanted.endsWith('?');
      return { name, optional, type: TYPES[(optional ? wanted.slice(0, -1) : wanted) as ParamType] };
    });
    compiled.set(spec, list);
  }
  return list;
}

/** Returns a refusal naming the first param of the wrong type, or undefined when all are right. */
export function checkParams(envelope: Envelope, spec: ParamSpec): FrameRefusal | undefined {
  const refusal = checkFields(envelope.action, envelope.requestId, envelope.params, compile(spec));
  return refusal === undefined ? undefined : toRefusal(refusal);
}
