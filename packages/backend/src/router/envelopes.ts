// Outgoing route envelopes, built by string concatenation (JSON.stringify only for values).
import type { RouteErrorCode } from '@strands/protocol';

function withData(kind: string, id: string, data: unknown): string {
  const head = '{"strands":"' + kind + '","id":' + JSON.stringify(id);
  // `undefined` cannot be written as JSON; the key is left out (the schema reads it as undefined).
  return data === undefined ? head + '}' : head + ',"data":' + JSON.stringify(data) + '}';
}

export function responseEnvelope(id: string, data: unknown): string {
  return withData('response', id, data);
}

export function nextEnvelope(id: string, data: unknown): string {
  return withData('next', id, data);
}

export function completeEnvelope(id: string): string {
  return '{"strands":"complete","id":' + JSON.stringify(id) + '}';
}

export function errorEnvelope(id: string, code: RouteErrorCode, message: string): string {
  return '{"strands":"error","id":' + JSON.stringify(id) + ',"code":"' + code + '","message":' + JSON.stringify(message) + '}';
}
