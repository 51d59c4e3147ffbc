// The value types frames carry: JSON objects, headers, query strings and the PyStrands Context.
// Written by hand so this entry needs no zod; a type test holds them equal to the zod schemas'.

/** Any JSON object (metadata, loosely typed values). */
export type JsonObject = Record<string, unknown>;

/** HTTP headers as Go's `http.Header` serialises them: canonical name -> list of values. */
export type Headers = Record<string, string[]>;

/** A parsed query string: name -> every value given for it, in order. */
export type Query = Record<string, string[]>;

/** Who a client is, as the backend decided when it accepted the connection. */
export interface Context {
  client_id: string;
  room_id: string;
  /** Read as `{}` when a broker leaves it out or sends `null`. */
  metadata: JsonObject;
  [key: string]: unknown;
}

/** One member of a room, as `room_members_reply` lists it. */
export interface RoomMember {
  client_id: string;
  metadata: JsonObject;
  [key: string]: unknown;
}

/**
 * `T` plus any other key (objects on the wire keep keys they do not know), flattened into one
 * object type so that it reads (and compares) like the type zod infers for a loose object.
 */
export type Loose<T> = Flatten<T & { [key: string]: unknown }>;
type Flatten<T> = { [K in keyof T]: T[K] };
