// Outgoing route envelopes: the protocol's zod-free encoders (string concatenation, JSON.stringify only for values).
export { responseEnvelope, nextEnvelope, completeEnvelope, errorEnvelope, eventEnvelope } from '@strands/protocol/wire';
