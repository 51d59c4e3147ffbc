// What a Strands broker states it can do, in `hello_reply.capabilities`.

/**
 * Capabilities of a Strands broker: rooms (`join_room`/`leave_room`), presence (`room_members`),
 * `disconnect_connection`, binary frames as base64 both ways (`new_message.encoding` from clients,
 * `encoding` on `message_to_room`/`message_to_connection`/`broadcast` to them), `error_reply`,
 * and `ack` (client events carry `event_id` for a backend that announced `ack` too, and are kept
 * until it acknowledges them).
 */
export const BROKER_CAPABILITIES = ['rooms', 'room_members', 'disconnect_connection', 'binary_base64', 'error_reply', 'ack'] as const;
export type BrokerCapability = (typeof BROKER_CAPABILITIES)[number];

/** Stated beside BROKER_CAPABILITIES by a broker in cluster mode: any node reaches every client, so a backend sends each command to one. */
export const CLUSTER_CAPABILITY = 'cluster';

/**
 * Announced by a backend in `hello` (and stated by a Strands broker): the backend acknowledges
 * client events by `event_id` with `ack` frames once handled, and the broker redelivers what it
 * did not acknowledge (at least once). Without it an event counts as delivered once written.
 */
export const ACK_CAPABILITY = 'ack';
