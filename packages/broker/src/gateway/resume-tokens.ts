// Resume tokens: proof that this broker (or one sharing its secret) gave a client id to this client, recently.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 18;

/**
 * `<client id, base64url>.<expiry ms, base36>.<HMAC-SHA256 of both, cut to 18 bytes, base64url>`.
 * Nobody can resume another client's session by guessing its id; a token proves nothing after
 * its expiry. Brokers that share the secret accept each other's tokens.
 */
export class ResumeTokens {
  constructor(private readonly secret: string) {}

  issue(clientId: string, expiresAt: number): string {
    const id = Buffer.from(clientId, 'utf8').toString('base64url');
    const expiry = expiresAt.toString(36);
    return `${id}.${expiry}.${this.mac(id, expiry).toString('base64url')}`;
  }

  /** The client id a token was issued for, or undefined when it is forged, malformed or expired. */
  verify(token: string, now: number): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [id, expiry, mac] = parts as [string, string, string];
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(id, expiry))) return undefined;
    const expiresAt = parseInt(expiry, 36);
    if (!Number.isSafeInteger(expiresAt) || expiresAt < now) return undefined;
    const clientId = Buffer.from(id, 'base64url').toString('utf8');
    return clientId === '' ? undefined : clientId;
  }

  private mac(id: string, expiry: string): Buffer {
    return createHmac('sha256', this.secret).update(`${id}.${expiry}`).digest().subarray(0, MAC_BYTES);
  }
}
