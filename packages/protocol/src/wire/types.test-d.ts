// The hand-written types of the wire entry are exactly the types inferred from the zod schemas.
import { describe, expectTypeOf, it } from 'vitest';
import type * as Z from '../index.js';
import type * as W from './index.js';

describe('wire types', () => {
  it('equal the zod-inferred value types', () => {
    expectTypeOf<W.JsonObject>().toEqualTypeOf<Z.JsonObject>();
    expectTypeOf<W.Headers>().toEqualTypeOf<Z.Headers>();
    expectTypeOf<W.Query>().toEqualTypeOf<Z.Query>();
    expectTypeOf<W.Context>().toEqualTypeOf<Z.Context>();
    expectTypeOf<W.RoomMember>().toEqualTypeOf<Z.RoomMember>();
  });

  it('equal the zod-inferred broker frames', () => {
    expectTypeOf<W.ConnectionRequestFrame>().toEqualTypeOf<Z.ConnectionRequestFrame>();
    expectTypeOf<W.NewConnectionFrame>().toEqualTypeOf<Z.NewConnectionFrame>();
    expectTypeOf<W.NewMessageFrame>().toEqualTypeOf<Z.NewMessageFrame>();
    expectTypeOf<W.DisconnectedFrame>().toEqualTypeOf<Z.DisconnectedFrame>();
    expectTypeOf<W.ErrorFrame>().toEqualTypeOf<Z.ErrorFrame>();
    expectTypeOf<W.HeartbeatFrame>().toEqualTypeOf<Z.HeartbeatFrame>();
    expectTypeOf<W.HelloReplyFrame>().toEqualTypeOf<Z.HelloReplyFrame>();
    expectTypeOf<W.RoomMembersReplyFrame>().toEqualTypeOf<Z.RoomMembersReplyFrame>();
    expectTypeOf<W.ErrorReplyFrame>().toEqualTypeOf<Z.ErrorReplyFrame>();
    expectTypeOf<W.BrokerFrame>().toEqualTypeOf<Z.BrokerFrame>();
    expectTypeOf<W.BrokerAction>().toEqualTypeOf<Z.BrokerAction>();
  });

  it('equal the zod-inferred backend frames', () => {
    expectTypeOf<W.ResponseFrame>().toEqualTypeOf<Z.ResponseFrame>();
    expectTypeOf<W.MessageToRoomFrame>().toEqualTypeOf<Z.MessageToRoomFrame>();
    expectTypeOf<W.MessageToConnectionFrame>().toEqualTypeOf<Z.MessageToConnectionFrame>();
    expectTypeOf<W.BroadcastFrame>().toEqualTypeOf<Z.BroadcastFrame>();
    expectTypeOf<W.HelloFrame>().toEqualTypeOf<Z.HelloFrame>();
    expectTypeOf<W.JoinRoomFrame>().toEqualTypeOf<Z.JoinRoomFrame>();
    expectTypeOf<W.LeaveRoomFrame>().toEqualTypeOf<Z.LeaveRoomFrame>();
    expectTypeOf<W.DisconnectConnectionFrame>().toEqualTypeOf<Z.DisconnectConnectionFrame>();
    expectTypeOf<W.RoomMembersFrame>().toEqualTypeOf<Z.RoomMembersFrame>();
    expectTypeOf<W.AckFrame>().toEqualTypeOf<Z.AckFrame>();
    expectTypeOf<W.BackendFrame>().toEqualTypeOf<Z.BackendFrame>();
    expectTypeOf<W.BackendAction>().toEqualTypeOf<Z.BackendAction>();
  });

  it('equal the zod-inferred envelopes', () => {
    expectTypeOf<W.RequestEnvelope>().toEqualTypeOf<Z.RequestEnvelope>();
    expectTypeOf<W.FireEnvelope>().toEqualTypeOf<Z.FireEnvelope>();
    expectTypeOf<W.StreamEnvelope>().toEqualTypeOf<Z.StreamEnvelope>();
    expectTypeOf<W.RequestNEnvelope>().toEqualTypeOf<Z.RequestNEnvelope>();
    expectTypeOf<W.CancelEnvelope>().toEqualTypeOf<Z.CancelEnvelope>();
    expectTypeOf<W.ResponseEnvelope>().toEqualTypeOf<Z.ResponseEnvelope>();
    expectTypeOf<W.NextEnvelope>().toEqualTypeOf<Z.NextEnvelope>();
    expectTypeOf<W.CompleteEnvelope>().toEqualTypeOf<Z.CompleteEnvelope>();
    expectTypeOf<W.ErrorEnvelope>().toEqualTypeOf<Z.ErrorEnvelope>();
    expectTypeOf<W.EventEnvelope>().toEqualTypeOf<Z.EventEnvelope>();
    expectTypeOf<W.Envelope>().toEqualTypeOf<Z.Envelope>();
    expectTypeOf<W.EnvelopeParseResult>().toEqualTypeOf<Z.EnvelopeParseResult>();
  });

  it('take the constants from one place', () => {
    expectTypeOf<W.ErrorReplyCode>().toEqualTypeOf<Z.ErrorReplyCode>();
    expectTypeOf<W.RouteErrorCode>().toEqualTypeOf<Z.RouteErrorCode>();
  });
});
