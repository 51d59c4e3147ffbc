// @strands/browser/confirm: confirmed sends, a separate entry so that the core stays within its
// size budget for pages that do not need them.
import type { ConfirmLayer } from './confirm-layer.js';
import { Confirms } from './confirms.js';

export type { ConfirmLayer, Refusal } from './confirm-layer.js';

/**
 * Confirmed sends for one client: pass it as `connect(url, { confirms: confirmedSends() })`; then
 * `send(data, { confirm: true })` resolves once the broker handed the message to a backend or
 * queued it, and rejects with `overloaded`, `no_backend` or `closed`.
 * @example
 * const client = connect('wss://chat.example.com/ws/lobby', { confirms: confirmedSends() });
 * await client.send('hello', { confirm: true }).then(() => markSent(), (e) => markFailed(e.code));
 */
export function confirmedSends(): ConfirmLayer {
  return new Confirms();
}
