// Waiting for client events in tests.
import type { ClientEvents, StrandsClient } from '../../src/index.js';

/** Resolves with the next payload of `event`. */
export function once<K extends keyof ClientEvents>(client: StrandsClient, event: K): Promise<ClientEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

/** Collects every payload of `event` from now on. */
export function record<K extends keyof ClientEvents>(client: StrandsClient, event: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}
