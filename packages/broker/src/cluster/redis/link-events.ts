// The listeners of a Redis link's events: typed, removable, and shielded from a listener that throws.
import type { RedisLinkEvents } from './redis-link.js';

type Listeners = { [E in keyof RedisLinkEvents]: Set<RedisLinkEvents[E]> };

export class LinkEvents {
  private readonly listeners: Listeners = { up: new Set(), down: new Set(), reconnecting: new Set(), resubscribed: new Set() };

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof RedisLinkEvents>(event: E, listener: RedisLinkEvents[E]): () => void {
    const set = this.listeners[event] as Set<RedisLinkEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends keyof RedisLinkEvents>(event: E, ...args: Parameters<RedisLinkEvents[E]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<RedisLinkEvents[E]>) => void)(...args);
      } catch (error) {
        // A listener bug must not break ioredis' reconnect path, which calls us synchronously.
        process.emitWarning(`RedisLink ${event} listener threw: ${(error as Error).message}`);
      }
    }
  }
}
