// onConnect's `resumed` against the real broker: false for a new session, true when the client
// comes back with the resume token the broker issued.
import { describe, expect, it } from 'vitest';
import type { ConnectEvent } from '../../src/index.js';
import { until } from '../support/fake-broker.js';
import { brokerWithBackend, TestClient } from '../support/real-broker.js';

const STRANDS = { protocols: ['strands.v1'] };

describe('onConnect sees resumed sessions', () => {
  it('is false for a first connection and true for one that resumed with its token', async () => {
    const { addresses, backend } = await brokerWithBackend();
    const connects: { clientId: string; event: ConnectEvent }[] = [];
    backend.onConnect((client, event) => {
      connects.push({ clientId: client.clientId, event });
    });
    await until(() => backend.connectedBrokers.length === 1);

    const first = await TestClient.open(`${addresses.wsUrl}/chat:a?strands_session=1`, STRANDS);
    await until(() => first.received.length > 0);
    const session = JSON.parse(first.received[0]!) as { strands: string; token: string; client_id: string; resumed: boolean };
    expect(session).toMatchObject({ strands: 'session', resumed: false });
    await until(() => connects.length === 1);
    expect(connects[0]).toMatchObject({ clientId: session.client_id, event: { resumed: false, redelivered: false } });

    first.ws.terminate();
    await first.closed;
    const query = new URLSearchParams({ strands_session: '1', strands_resume: session.token });
    const second = await TestClient.open(`${addresses.wsUrl}/chat:a?${query}`, STRANDS);
    await until(() => connects.length === 2);
    expect(connects[1]).toMatchObject({ clientId: session.client_id, event: { resumed: true } });
    second.ws.close();
  });
});
