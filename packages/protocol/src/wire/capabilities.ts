// What a Strands broker states it can do, in `hello_reply.capabilities`.

/**
 * Capabilities of a Strands broker: rooms (`join_room`/`leave_room`), presence (`room_members`),
 * `disconnect_connection`, binary client frames as base64 (`new_message.encoding`), `error_reply`.
 */
export const BROKER_CAPABILITIES = ['rooms', 'room_members', 'disconnect_connection', 'binary_base64', 'error_reply'] as const;
export type BrokerCapability = (typeof BROKER_CAPABILITIES)[number];

/** Stated beside BROKER_CAPABILITIES by a broker in cluster mode: any node reaches every client, so a backend sends each command to one. */
export const CLUSTER_CAPABILITY = 'cluster';
