// Stable error codes carried on the wire: in `error_reply` frames and in route `error` envelopes.

/** Codes of `error_reply`: the frame errors, plus `unauthorized` and `not_found`. */
export const ERROR_REPLY_CODES = [
  'invalid_json',
  'invalid_frame',
  'invalid_params',
  'unknown_action',
  'frame_too_large',
  /** The broker wants `hello` with its token before anything else. */
  'unauthorized',
  /** The connection a frame names is not (or no longer) on this broker. */
  'not_found',
  /** The broker could not carry the command out now (a cluster link is down); trying again may work. */
  'unavailable',
] as const;
export type ErrorReplyCode = (typeof ERROR_REPLY_CODES)[number];

/** Codes of route `error` envelopes that Strands peers send today. */
export const ROUTE_ERROR_CODES = [
  'invalid_input',
  'invalid_output',
  'unknown_route',
  'handler_error',
  'timeout',
  'cancelled',
  'disconnected',
  'limit_exceeded',
  /** What the request names does not exist (e.g. a private message to a user nobody connected has). */
  'not_found',
] as const;
export type RouteErrorCode = (typeof ROUTE_ERROR_CODES)[number];

/**
 * The code of a received `error` envelope: one of ROUTE_ERROR_CODES, or a code a newer peer added
 * (readers accept any string so an old client still fails the call at once instead of timing out).
 */
export type ReceivedRouteErrorCode = RouteErrorCode | (string & {});
