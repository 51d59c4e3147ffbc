// Param checks by hand: the value types frames use, and one loop that checks a frame's params
// against a list of fields. Verdicts match the zod schemas (a property test holds them together).
import { ERROR_REPLY_CODES } from './error-codes.js';
import { isBackendCloseCode } from './close-codes.js';
import type { Refusal } from './refusal.js';

/** A param type: a test of a value, and how a refusal names the type. */
export interface FieldType {
  /** Short name, for "is required (string)". */
  readonly name: string;
  /** What a right value is, for "must be a string". */
  readonly expected: string;
  /** True when `value` (never undefined or null) has this type. May normalise it in place (CONTEXT). */
  readonly test: (value: unknown) => boolean;
  /**
   * For the plain types, which one: `checkFields` tests those inline (one call per param through
   * `test` is a megamorphic call on the hottest path). 0 means "call `test`".
   */
  readonly inline: 0 | typeof IS_STRING | typeof IS_BOOLEAN;
}

const IS_STRING = 1;
const IS_BOOLEAN = 2;

/** One param of an action. An optional param may be absent or `null` (read as absent). */
export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly optional: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

/** `true` for an object whose every value is a list of strings (headers, query). */
function isStringLists(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (!isStringArray(value[key])) return false;
  return true;
}

/* @__NO_SIDE_EFFECTS__ */
function type(name: string, expected: string, test: (value: unknown) => boolean, inline: FieldType['inline'] = 0): FieldType {
  return { name, expected, test, inline };
}

export const STRING = type('string', 'a string', (v) => typeof v === 'string', IS_STRING);
export const BOOLEAN = type('boolean', 'a boolean', (v) => typeof v === 'boolean', IS_BOOLEAN);
// Safe integers, as zod's `.int()`: a larger number is not exact in JSON peers' doubles.
export const INTEGER = type('integer', 'an integer', (v) => Number.isSafeInteger(v));
/** How many times a client event went out, this one included. */
export const DELIVERY_COUNT = type('integer', 'an integer >= 1', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
export const OBJECT = type('object', 'an object', isObject);
export const STRING_ARRAY = type('array', 'an array of strings', isStringArray);
export const STRING_LISTS = type('object', 'an object of string arrays', isStringLists);
export const BASE64 = type('string', '"base64"', (v) => v === 'base64');
export const HTTP_ERROR_STATUS = type('integer', 'an integer from 400 to 599', (v) => Number.isSafeInteger(v) && (v as number) >= 400 && (v as number) <= 599);
export const BACKEND_CLOSE_CODE = type('integer', '1000 or an integer from 3000 to 4999', (v) => typeof v === 'number' && isBackendCloseCode(v));
const replyCodes: ReadonlySet<unknown> = /* @__PURE__ */ new Set(ERROR_REPLY_CODES);
export const ERROR_REPLY_CODE = type('string', `one of ${ERROR_REPLY_CODES.join(', ')}`, (v) => replyCodes.has(v));

/**
 * A Context: string `client_id` and `room_id`, object `metadata`. A missing or `null` metadata is
 * set to `{}` in place, as the schema reads it (the parsed frame is the caller's own copy).
 */
export const CONTEXT = type('object', 'a context {client_id: string, room_id: string, metadata: object}', (v) => {
  if (!isObject(v) || typeof v.client_id !== 'string' || typeof v.room_id !== 'string') return false;
  const metadata = v.metadata;
  if (metadata === undefined || metadata === null) v.metadata = {};
  else if (!isObject(metadata)) return false;
  return true;
});

/** A room member: string `client_id`, object `metadata` (required: only Strands brokers send these). */
function isMember(v: unknown): boolean {
  return isObject(v) && typeof v.client_id === 'string' && isObject(v.metadata);
}
export const MEMBERS = type('array', 'an array of {client_id: string, metadata: object}', (v) => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isMember(v[i])) return false;
  return true;
});

/** Marks a param optional in a `fields` table. */
/* @__NO_SIDE_EFFECTS__ */
export function optionalParam(type: FieldType): { readonly optional: FieldType } {
  return { optional: type };
}

/**
 * Compiles a table `{ name: TYPE, other: optionalParam(TYPE) }` into the list `checkFields` walks.
 * @example
 * const MESSAGE_TO_ROOM = fields({ room_id: STRING, message: STRING });
 */
/* @__NO_SIDE_EFFECTS__ */
export function fields(table: Readonly<Record<string, FieldType | { readonly optional: FieldType }>>): readonly Field[] {
  return Object.entries(table).map(([name, spec]) =>
    'optional' in spec ? { name, type: spec.optional, optional: true } : { name, type: spec, optional: false },
  );
}

/**
 * Checks the `params` of a frame (its `action` and `requestId` name it in a refusal) against
 * `list`; returns a refusal naming the first wrong param, or undefined. An optional param that is
 * `null` is set to `undefined` in place (read as absent).
 */
export function checkFields(action: string, requestId: string, params: Record<string, unknown>, list: readonly Field[]): Refusal | undefined {
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const value = params[field.name];
    if (value === undefined || value === null) {
      if (!field.optional) return invalidParams(action, requestId, `params.${field.name} is required (${field.type.name})`);
      if (value === null) params[field.name] = undefined;
      continue;
    }
    const inline = field.type.inline;
    const good = inline === IS_STRING ? typeof value === 'string' : inline === IS_BOOLEAN ? typeof value === 'boolean' : field.type.test(value);
    if (!good) {
      return invalidParams(action, requestId, `params.${field.name} must be ${field.type.expected}, got ${describeJsonType(value)}`);
    }
  }
  return undefined;
}

function invalidParams(action: string, requestId: string, message: string): Refusal {
  return { code: 'invalid_params', message: `invalid params for "${action}": ${message}`, requestId, action };
}

/** Names a value's JSON type for a refusal (numbers with their value: "got number 1234"). */
function describeJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number') return `number ${value}`;
  return typeof value;
}
