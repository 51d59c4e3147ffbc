// Timeouts that wait one more turn of I/O before they count, so a stall of this node is not taken for a silent peer.

/**
 * Runs `fn` after the event loop's next poll for I/O. A timer whose time is up may have fired
 * late, after this node's own loop was held up (a long GC pause, a starved CPU): what its peers
 * sent meanwhile is still unread in its sockets, and timers run before I/O. Called from such a
 * timer, `fn` sees those messages handled first; on a loop that was not held up it runs a few
 * microseconds later.
 */
export function afterPendingIo(fn: () => void): void {
  setImmediate(fn).unref();
}
