// @strands/protocol: the PyStrands 1.0 wire protocol plus Strands-only additions, as zod schemas.
export { JsonObjectSchema, HeadersSchema, QuerySchema, ContextSchema } from './json.js';
export type { JsonObject, Headers, Query, Context } from './json.js';

export { HEARTBEAT_REQUEST_ID, FrameEnvelopeSchema } from './frame.js';
export type { FrameEnvelope } from './frame.js';

export {
  ConnectionRequestFrameSchema,
  NewConnectionFrameSchema,
  NewMessageFrameSchema,
  DisconnectedFrameSchema,
  ErrorFrameSchema,
  HeartbeatFrameSchema,
  HelloReplyFrameSchema,
  RoomMemberSchema,
  RoomMembersReplyFrameSchema,
  ErrorReplyFrameSchema,
  HistoryPublicationSchema,
  RoomHistoryReplyFrameSchema,
  BrokerFrameSchema,
  ERROR_REPLY_CODES,
} from './broker-actions.js';
export type {
  ConnectionRequestFrame,
  NewConnectionFrame,
  NewMessageFrame,
  DisconnectedFrame,
  ErrorFrame,
  HeartbeatFrame,
  HelloReplyFrame,
  RoomMember,
  RoomMembersReplyFrame,
  ErrorReplyFrame,
  HistoryPublication,
  RoomHistoryReplyFrame,
  ErrorReplyCode,
  BrokerFrame,
  BrokerAction,
} from './broker-actions.js';

export {
  ResponseFrameSchema,
  MessageToRoomFrameSchema,
  MessageToConnectionFrameSchema,
  BroadcastFrameSchema,
  HelloFrameSchema,
  JoinRoomFrameSchema,
  LeaveRoomFrameSchema,
  DisconnectConnectionFrameSchema,
  RoomMembersFrameSchema,
  AckFrameSchema,
  RoomHistoryFrameSchema,
  SetRoomHistoryFrameSchema,
  BackendFrameSchema,
  PROTOCOL_VERSION,
} from './backend-actions.js';
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
} from './backend-actions.js';

export { FrameError, FRAME_ERROR_CODES, isFrameError } from './errors.js';
export type { FrameErrorCode } from './errors.js';

export { parseFrame } from './parse.js';
export type { FrameSource, ParseResult } from './parse.js';

export { LineDecoder, encodeFrame, DEFAULT_MAX_LINE_BYTES } from './framing.js';
export type { DecodedLine, LineDecoderOptions } from './framing.js';

export {
  ENVELOPE_KEY,
  ROUTE_ERROR_CODES,
  EnvelopeSchema,
  RequestEnvelopeSchema,
  FireEnvelopeSchema,
  StreamEnvelopeSchema,
  RequestNEnvelopeSchema,
  CancelEnvelopeSchema,
  ResponseEnvelopeSchema,
  NextEnvelopeSchema,
  CompleteEnvelopeSchema,
  ErrorEnvelopeSchema,
  EventEnvelopeSchema,
  parseEnvelope,
  encodeEnvelope,
} from './envelope.js';
export type {
  RouteErrorCode,
  ReceivedRouteErrorCode,
  Envelope,
  EnvelopeKind,
  EnvelopeParseResult,
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
} from './envelope.js';

export { defineContract, route, isContract, RESERVED_EVENT_NAMES } from './contract.js';
export type {
  Contract,
  ContractSpec,
  Schema,
  EventMap,
  NoEvents,
  EventName,
  EventInput,
  EventData,
  RouteMap,
  RouteDefinition,
  ResponseRoute,
  StreamRoute,
  FireRoute,
  ResponseRouteName,
  StreamRouteName,
  FireRouteName,
  RouteInput,
  RouteParsedInput,
  RouteOutput,
  RouteItem,
} from './contract.js';
export { validate, isStandardSchema, issuesText, SchemaIssues } from './standard-schema.js';
export type { StandardSchemaV1 } from './standard-schema.js';

// The constants of the zod-free `@strands/protocol/wire` entry, for those who import the root only.
export { BROKER_ACTIONS, BACKEND_ACTIONS } from './wire/actions.js';
export { CLOSE_CODES, closeMeaning, rejectionCloseCode, rejectionStatus, isRefusalCloseCode, isBackendCloseCode } from './wire/close-codes.js';
export type { CloseMeaning } from './wire/close-codes.js';
export { STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL } from './wire/subprotocols.js';
export { BROKER_CAPABILITIES, CLUSTER_CAPABILITY, ACK_CAPABILITY } from './wire/capabilities.js';
export type { BrokerCapability } from './wire/capabilities.js';

export {
  SEND_REFUSAL_CODES,
  SendConfirmFrameSchema,
  SendAcceptedFrameSchema,
  SendRefusedFrameSchema,
  SendReplyFrameSchema,
} from './send-frames.js';
export type { SendRefusalCode, ReceivedSendRefusalCode, SendConfirmFrame, SendAcceptedFrame, SendRefusedFrame, SendReplyFrame } from './send-frames.js';
export { confirmFrame, acceptedFrame, refusedFrame, readConfirmFrame, checkSendReply } from './wire/send-frames.js';
