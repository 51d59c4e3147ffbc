// The frames the broker sends to backends: the encoders of @strands/protocol/wire (string
// concatenation, JSON.stringify only for values), with the broker's name, capabilities and ids.
import { BROKER_CAPABILITIES, connectionRequestLine as encodeConnectionRequest, errorEventLine as encodeErrorEvent, helloReplyLine as encodeHelloReply } from '@strands/protocol/wire';
import type { ConnectionRequestParams } from '../core/decisions.js';
import { nextRequestId } from '../core/event-lines.js';
import { VERSION } from '../version.js';

export { newMessageLine, newConnectionLine, disconnectedLine } from '../core/event-lines.js';
export { BROKER_CAPABILITIES, HEARTBEAT_LINE, roomMembersReplyLine, errorReplyLine } from '@strands/protocol/wire';
export type { ConnectionRequestParams } from '../core/decisions.js';

/** The broker's name and version, as `hello_reply` states it. */
export const BROKER_NAME = `strands-broker/${VERSION}`;

/** `connection_request`, sent before the upgrade is answered. */
export function connectionRequestLine(requestId: string, params: ConnectionRequestParams): string {
  return encodeConnectionRequest(requestId, params);
}

/** PyStrands' `error` event, e.g. a connection request this backend did not answer in time. */
export function errorEventLine(context: Record<string, unknown>, error: string): string {
  return encodeErrorEvent(nextRequestId(), context, error);
}

/** `hello_reply`, answering a backend's `hello`. */
export function helloReplyLine(requestId: string, accepted: boolean, reason?: string, extraCapabilities: readonly string[] = []): string {
  return encodeHelloReply(
    requestId,
    BROKER_NAME,
    accepted ? { accepted: true, capabilities: [...BROKER_CAPABILITIES, ...extraCapabilities] } : { accepted: false, reason },
  );
}
