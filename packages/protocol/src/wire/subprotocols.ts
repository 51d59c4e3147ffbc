// The WebSocket subprotocols a Strands client offers and a Strands broker selects.

/** The subprotocol under which the broker reports rejections as close codes (4000 + HTTP status). */
export const STRANDS_SUBPROTOCOL = 'strands.v1';

/**
 * Offered beside `strands.v1`; a Strands broker selects it only on an upgrade it is about to
 * close with 4000 + status, so the client knows at `open` that it was refused and writes nothing.
 */
export const STRANDS_REFUSAL_SUBPROTOCOL = 'strands.v1.refusal';
