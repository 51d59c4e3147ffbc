// Acceptance: killing and restarting the broker under load. The backend reconnects by itself and
// handles new traffic; no unhandled rejection, no crash.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, testBackend } from '../support/backend.js';
import { spawnBroker } from '../support/broker-process.js';
import { until } from '../support/fake-broker.js';
import { TestClient } from '../support/real-broker.js';

const unhandled: unknown[] = [];
const record = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
});

/** Keeps `count` clients in ping-pong with the echo backend; returns a counter and a stop switch. */
async function load(wsUrl: string, count: number) {
  const state = { echoes: 0, running: true };
  const clients = await Promise.all(Array.from({ length: count }, (_, i) => TestClient.open(`${wsUrl}/load?i=${i}`)));
  for (const client of clients) {
    client.ws.on('message', () => {
      state.echoes += 1;
      if (state.running && client.ws.readyState === client.ws.OPEN) client.send(`ping ${state.echoes}`);
    });
    client.send('ping');
  }
  return state;
}

describe('broker killed and restarted under load', () => {
  it('reconnects by itself and serves new traffic', { timeout: 90_000 }, async () => {
    const first = await spawnBroker();
    cleanup({ close: () => first.kill() });
    const backend = testBackend({ brokers: [`127.0.0.1:${first.tcpPort}`], reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 200 });
    const ups: string[] = [];
    backend.onBrokerConnect(({ broker }) => ups.push(broker));
    backend.onMessage((message) => message.reply(`echo ${message.message}`));
    await backend.start();

    const before = await load(first.wsUrl, 8);
    await until(() => before.echoes >= 300, 'load before the kill');
    await first.kill();
    before.running = false;
    await until(() => backend.state.brokers[0]!.status !== 'connected', 'the backend to see the loss');

    const second = await spawnBroker(first.tcpPort);
    cleanup({ close: () => second.kill() });
    await until(() => ups.length === 2, 'the backend to reconnect by itself');
    const after = await load(second.wsUrl, 8);
    await until(() => after.echoes >= 300, 'load after the restart');
    after.running = false;

    expect(backend.state.status).toBe('running');
    expect(backend.connectedBrokers).toEqual([`127.0.0.1:${first.tcpPort}`]);
    expect(unhandled).toEqual([]);
  });
});
