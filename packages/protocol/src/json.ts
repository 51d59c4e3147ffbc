// Shared building blocks for frame schemas: JSON objects and the PyStrands Context.
import { z } from 'zod';

/** Any JSON object (metadata, loosely typed values). Arrays and primitives are refused. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/**
 * HTTP headers as Go's `http.Header` serialises them: canonical name -> list of values.
 * Keys are not re-cased here; the broker canonicalises (`x-client-id` -> `X-Client-Id`).
 */
export const HeadersSchema = z.record(z.string(), z.array(z.string()));
export type Headers = z.infer<typeof HeadersSchema>;

/** A parsed query string: name -> every value given for it, in order. */
export const QuerySchema = z.record(z.string(), z.array(z.string()));
export type Query = z.infer<typeof QuerySchema>;

/**
 * Who a client is, as the backend decided when it accepted the connection. A missing or `null`
 * `metadata` reads as `{}`: the backend SDK always did so for brokers that leave it out, and
 * handlers then always get an object. Any other non-object is refused.
 */
export const ContextSchema = z.looseObject({
  client_id: z.string(),
  room_id: z.string(),
  metadata: JsonObjectSchema.nullish().transform((value): JsonObject => value ?? {}),
});
export type Context = z.infer<typeof ContextSchema>;
