// Recovery and positions of a client's room read from a shared history (cluster mode: Redis), with
// the room's live messages held meanwhile so that nothing falls between and nothing comes twice.
import { publicationEnvelope } from '@strands/protocol/wire';
import type { RecoveryRequest, RoomHistory } from '../core/history.js';
import type { HistoryPosition, SharedHistoryStore, SinceResult } from '../core/history-store.js';
import type { ClientConnection } from './client-connection.js';
import type { ClientRegistry } from './client-registry.js';
import { envelopeFrame, textFrame } from './ws-frames.js';

/** Close code of a client whose recovery could not be read (Redis away): it reconnects and asks again. */
export const HISTORY_UNAVAILABLE_CLOSE_CODE = 1011;

export interface SharedRecoveryDeps {
  readonly registry: ClientRegistry;
  readonly history: RoomHistory;
  readonly shared: SharedHistoryStore;
  /** Resolves once this broker receives the room's live messages (its channel is subscribed). */
  listening(roomId: string): Promise<void>;
}

type Answer = { kind: 'position'; position: HistoryPosition } | { kind: 'since'; result: SinceResult };

/**
 * Holds the room's live messages for `client` at once (before this task ends), reads once the
 * broker listens to the room: where the room stands (`wanted` undefined) or what the client missed.
 * Then sends the position, or the replay and `recovered`, or `unrecoverable`, then the held
 * messages past what was read. A client that missed more than the hold keeps is told unrecoverable.
 */
export function syncShared(deps: SharedRecoveryDeps, client: ClientConnection, roomId: string, wanted: RecoveryRequest | undefined): void {
  const { registry, history, shared } = deps;
  registry.holds.start(client, roomId);
  const read = async (): Promise<Answer> => {
    await deps.listening(roomId);
    if (wanted === undefined) return { kind: 'position', position: await shared.position(roomId) };
    return { kind: 'since', result: await history.sinceShared(shared, wanted) };
  };
  read().then(
    (answer) => {
      const hold = registry.holds.release(client, roomId);
      if (client.gone) return;
      let at: HistoryPosition;
      if (answer.kind === 'position') {
        at = answer.position;
        registry.deliver(client, envelopeFrame({ strands: 'position', room: roomId, ...at }));
      } else if (!answer.result.ok) {
        at = answer.result.position;
        registry.deliver(client, envelopeFrame({ strands: 'unrecoverable', room: roomId, ...at, reason: answer.result.reason }));
      } else {
        at = answer.result.position;
        for (const p of answer.result.publications) {
          registry.deliver(client, textFrame(publicationEnvelope(roomId, p.offset, at.epoch, p.message, p.binary)));
        }
        if (!hold.overflowed) registry.deliver(client, envelopeFrame({ strands: 'recovered', room: roomId, ...at, replayed: answer.result.publications.length }));
      }
      // Where the broker's gap repair starts when nothing came live yet (the client may have left meanwhile).
      if (registry.membersOf(roomId).has(client)) registry.gaps?.baseline(roomId, at);
      if (hold.overflowed) {
        registry.deliver(client, envelopeFrame({ strands: 'unrecoverable', room: roomId, ...at, reason: 'too_many' }));
        return;
      }
      // Held while the read was in flight: only what the read did not already cover.
      for (const held of hold.frames) if (held.epoch !== at.epoch || held.offset > at.offset) registry.deliver(client, held.frame);
    },
    () => {
      registry.holds.release(client, roomId);
      // Nothing partial: the client reconnects and asks again with the same position.
      if (!client.gone) registry.drop(client, HISTORY_UNAVAILABLE_CLOSE_CODE, 'room history unavailable', 'close');
    },
  );
}
