// fast-check arbitraries of every valid reactive-route envelope, and of messages that are not one.
import fc from 'fast-check';
import { ROUTE_ERROR_CODES } from '../../src/wire/index.js';
import { anyJson, anyString, looseRecord, nonEmptyString } from './json-arbitraries.js';

/** Marks `data` as absent (a route whose input or output is undefined). */
const OMIT = Symbol('omit');
const data = fc.oneof(fc.constant(OMIT), anyJson);

function envelope(kind: string, fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return looseRecord({ strands: fc.constant(kind), ...fields }).map((e) => {
    if (e.data === OMIT) delete e.data;
    return e;
  });
}

/** Every envelope kind, client -> backend first. */
export const envelopes = {
  request: envelope('request', { id: nonEmptyString, route: nonEmptyString, data }),
  fire: envelope('fire', { route: nonEmptyString, data }),
  stream: envelope('stream', { id: nonEmptyString, route: nonEmptyString, data, n: fc.nat({ max: 1000 }) }),
  request_n: envelope('request_n', { id: nonEmptyString, n: fc.integer({ min: 1, max: 1000 }) }),
  cancel: envelope('cancel', { id: nonEmptyString }),
  response: envelope('response', { id: nonEmptyString, data }),
  next: envelope('next', { id: nonEmptyString, data }),
  complete: envelope('complete', { id: nonEmptyString }),
  // Known codes, and codes a newer backend may have added.
  error: envelope('error', { id: nonEmptyString, code: fc.oneof(fc.constantFrom(...ROUTE_ERROR_CODES), anyString), message: anyString }),
  event: envelope('event', { event: nonEmptyString, data }),
};

/** Messages that are not envelopes: text (some mentioning "strands"), JSON without the key. */
export const plainMessages = fc.oneof(
  anyString,
  anyString.map((s) => `${s} "strands" ${s}`),
  anyJson.map((v) => JSON.stringify(v)),
  fc.constant('{"strands":"response",'),
);
