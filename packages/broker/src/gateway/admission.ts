// Admission control: caps on clients, clients per IP address and upgrades waiting, checked before a backend is asked.
import type { RejectReason } from '../metrics.js';

/** The caps, 0 meaning none (pending upgrades always have one). */
export interface AdmissionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxPendingUpgrades: number;
}

/**
 * Counts what holds memory: upgrades waiting for a decision and connected clients, in all and
 * per address. An address's count is kept only while it is above zero, so the map stays as
 * small as the set of addresses connected now.
 */
export class Admission {
  private connected = 0;
  private pending = 0;
  private readonly perIp = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Why a new upgrade from `ip` may not go on, or undefined when it may (it then counts as pending). */
  admit(ip: string): RejectReason | undefined {
    const { maxConnections, maxConnectionsPerIp, maxPendingUpgrades } = this.limits;
    if (this.pending >= maxPendingUpgrades) return 'max_pending_upgrades';
    if (maxConnections > 0 && this.connected + this.pending >= maxConnections) return 'max_connections';
    if (maxConnectionsPerIp > 0 && (this.perIp.get(ip) ?? 0) >= maxConnectionsPerIp) return 'max_connections_per_ip';
    this.pending += 1;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    return undefined;
  }

  /** A pending upgrade was decided: it became a client (`accepted`) or went away. */
  settled(ip: string, accepted: boolean): void {
    this.pending -= 1;
    if (accepted) this.connected += 1;
    else this.release(ip);
  }

  /** A client admitted earlier is gone. */
  left(ip: string): void {
    this.connected -= 1;
    this.release(ip);
  }

  private release(ip: string): void {
    const count = (this.perIp.get(ip) ?? 1) - 1;
    if (count <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, count);
  }
}
