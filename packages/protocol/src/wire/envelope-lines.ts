// Encoders of the reactive-route envelopes a backend sends, by string concatenation (JSON.stringify
// only for values: one runs per response or stream item), and a general one.
import type { Envelope } from './envelope-types.js';
import type { RouteErrorCode } from './error-codes.js';

function withData(kind: string, id: string, data: unknown): string {
  const head = '{"strands":"' + kind + '","id":' + JSON.stringify(id);
  // `undefined` cannot be written as JSON; the key is left out (readers take it as undefined).
  return data === undefined ? head + '}' : head + ',"data":' + JSON.stringify(data) + '}';
}

/** The `response` envelope answering request `id`. */
export function responseEnvelope(id: string, data: unknown): string {
  return withData('response', id, data);
}

/** One `next` item of stream `id`. */
export function nextEnvelope(id: string, data: unknown): string {
  return withData('next', id, data);
}

/** `complete`: stream `id` ended normally. */
export function completeEnvelope(id: string): string {
  return '{"strands":"complete","id":' + JSON.stringify(id) + '}';
}

/** `error`: request or stream `id` failed with a route error code. */
export function errorEnvelope(id: string, code: RouteErrorCode, message: string): string {
  return '{"strands":"error","id":' + JSON.stringify(id) + ',"code":"' + code + '","message":' + JSON.stringify(message) + '}';
}

/** The `event` envelope pushing contract event `event` with `data` (names are the contract's; escaped anyway). */
export function eventEnvelope(event: string, data: unknown): string {
  const head = '{"strands":"event","event":' + JSON.stringify(event);
  return data === undefined ? head + '}' : head + ',"data":' + JSON.stringify(data) + '}';
}

/** Serialises any envelope into the message string to send. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
