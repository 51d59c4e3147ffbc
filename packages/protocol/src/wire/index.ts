// @strands/protocol/wire: the wire without zod. Constants, fast hand-written checkers and
// encoders for the hot paths of brokers, backends and browsers; the zod schemas of the root entry
// are the reference, and a property test holds these to them.
export { BROKER_ACTIONS, BACKEND_ACTIONS, HEARTBEAT_REQUEST_ID, PROTOCOL_VERSION } from './actions.js';
export { ERROR_REPLY_CODES, ROUTE_ERROR_CODES } from './error-codes.js';
export type { ErrorReplyCode, RouteErrorCode, ReceivedRouteErrorCode } from './error-codes.js';
export { FRAME_ERROR_CODES, FrameError, isFrameError } from '../errors.js';
export { LineDecoder, encodeFrame, DEFAULT_MAX_LINE_BYTES } from '../framing.js';
export type { DecodedLine, LineDecoderOptions } from '../framing.js';
export type { FrameErrorCode } from '../errors.js';
export { CLOSE_CODES, closeMeaning, rejectionCloseCode, rejectionStatus, isRefusalCloseCode, isBackendCloseCode } from './close-codes.js';
export type { CloseMeaning } from './close-codes.js';
export { STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL } from './subprotocols.js';
export { BROKER_CAPABILITIES, CLUSTER_CAPABILITY, ACK_CAPABILITY } from './capabilities.js';
export type { BrokerCapability } from './capabilities.js';
export { createRequestIds, toSafeRequestId } from './request-ids.js';
export type { SafeRequestId } from './request-ids.js';

export type { JsonObject, Headers, Query, Context, RoomMember } from './json-types.js';
export type {
  Frame,
  DeliveryParams,
  ConnectionRequestFrame,
  NewConnectionFrame,
  NewMessageFrame,
  DisconnectedFrame,
  ErrorFrame,
  HeartbeatFrame,
  HelloReplyFrame,
  RoomMembersReplyFrame,
  ErrorReplyFrame,
  RoomHistoryReplyFrame,
  BrokerFrame,
  BrokerAction,
} from './broker-frame-types.js';
export type {
  ResponseFrame,
  MessageToRoomFrame,
  MessageToConnectionFrame,
  BroadcastFrame,
  HelloFrame,
  JoinRoomFrame,
  LeaveRoomFrame,
  DisconnectConnectionFrame,
  RoomMembersFrame,
  AckFrame,
  RoomHistoryFrame,
  SetRoomHistoryFrame,
  BackendFrame,
  BackendAction,
} from './backend-frame-types.js';
export { ENVELOPE_KEY, RESERVED_EVENT_NAMES } from './envelope-types.js';
export type {
  Envelope,
  EnvelopeKind,
  EnvelopeParseResult,
  ClientEnvelope,
  ReplyEnvelope,
  RequestEnvelope,
  FireEnvelope,
  StreamEnvelope,
  RequestNEnvelope,
  CancelEnvelope,
  ResponseEnvelope,
  NextEnvelope,
  CompleteEnvelope,
  ErrorEnvelope,
  EventEnvelope,
  IncomingEnvelope,
} from './envelope-types.js';

export { Failure } from './refusal.js';
export type { Refusal, CheckResult } from './refusal.js';
export { readFrame, parseRawFrame } from './frame-read.js';
export type { RawFrame } from './frame-read.js';
export { checkBackendFrame, checkBackendParams, isBackendAction } from './backend-frame-check.js';
export { readAckFrame, readMessageFrame } from './backend-fast-read.js';
export type { MessageFrame } from './backend-fast-read.js';
export { checkBrokerFrame, checkBrokerParams, isBrokerAction } from './broker-frame-check.js';
export { readNewMessageLine, readContextJson } from './new-message-read.js';
export { hasAt } from './text-at.js';
export type { NewMessageView } from './new-message-read.js';
export { checkEnvelope, checkReplyEnvelope, checkIncomingEnvelope } from './envelope-check.js';
export { checkFields, fields, optionalParam, STRING, BOOLEAN, INTEGER, OBJECT } from './fields.js';
export type { Field, FieldType } from './fields.js';

export {
  HEARTBEAT_LINE,
  contextJson,
  newMessageLine,
  newConnectionLine,
  disconnectedLine,
  connectionRequestLine,
  errorEventLine,
  helloReplyLine,
  roomMemberJson,
  roomMembersReplyLine,
  errorReplyLine,
} from './broker-lines.js';
export type { ConnectionRequestParams, HelloAnswer } from './broker-lines.js';
export {
  messageToRoomLine,
  messageToConnectionLine,
  broadcastLine,
  roomChangeLine,
  disconnectConnectionLine,
  roomMembersLine,
  helloLine,
  responseLine,
  ackLine,
} from './backend-lines.js';
export { responseEnvelope, nextEnvelope, completeEnvelope, errorEnvelope, eventEnvelope, encodeEnvelope } from './envelope-lines.js';
export {
  SESSION_QUERY,
  publicationEnvelope,
  publicationJson,
  roomHistoryLine,
  roomHistoryReplyLine,
  setRoomHistoryLine,
} from './history.js';
export type { HistoryEnvelope, HistoryPublication, UnrecoverableReason } from './history.js';
export {
  SEND_REFUSAL_CODES,
  MAX_CONFIRM_FRAME_BYTES,
  confirmFrame,
  acceptedFrame,
  refusedFrame,
  readConfirmFrame,
  checkSendReply,
} from './send-frames.js';
export type {
  SendRefusalCode,
  ReceivedSendRefusalCode,
  SendConfirmFrame,
  SendAcceptedFrame,
  SendRefusedFrame,
  SendReplyFrame,
} from './send-frames.js';
