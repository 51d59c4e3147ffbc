// The frames the broker sends to backends: the encoders of @strands/protocol/wire (string
// concatenation, JSON.stringify only for values), with the broker's name, capabilities and ids.
import { BROKER_CAPABILITIES, errorEventLine as encodeErrorEvent, helloReplyLine as encodeHelloReply } from '@strands/protocol/wire';
import { nextRequestId } from '../core/event-lines.js';
import { VERSION } from '../version.js';

export { connectionRequestLine, HEARTBEAT_LINE, roomMembersReplyLine, errorReplyLine } from '@strands/protocol/wire';

/** The broker's name and version, as `hello_reply` states it. */
export const BROKER_NAME = `strands-broker/${VERSION}`;

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
