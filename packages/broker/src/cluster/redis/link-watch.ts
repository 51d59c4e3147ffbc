// What the Redis link's ups and downs mean for the backplane: whether it can publish, its health, a
// re-write of this node's state when Redis may have lost it, and the repair of missed room messages.
import type { BackplaneHealth } from '../../core/backplane.js';
import type { RedisLink } from './redis-link.js';

export interface LinkWatchHooks {
  health(health: BackplaneHealth): void;
  /** The link is up again after a loss: Redis may have restarted empty. */
  recovered(): void;
  /** The link is up again with its subscriber connection subscribed anew: what was published meanwhile never arrived. */
  missed(): void;
}

/**
 * Follows one link at a time. `publishable` is false from a lost command connection until the
 * link is up again (publishes then fail at once instead of queueing); any loss turns health red
 * with its reason, and the next `up` green, calling `recovered` once.
 */
export class LinkWatch {
  /** Whether publishing can work now. */
  publishable = false;
  /** A connection was lost since the last `up`. */
  private wasDown = false;
  /** The subscriber connection was subscribed anew since the last `up`. */
  private resubscribed = false;
  private unlisten: Array<() => void> = [];

  constructor(private readonly hooks: LinkWatchHooks) {}

  watch(link: RedisLink): void {
    const hooks = this.hooks;
    this.unlisten = [
      link.on('up', () => {
        this.publishable = true;
        hooks.health({ up: true });
        if (this.wasDown) {
          this.wasDown = false;
          hooks.recovered();
        }
        // On `up`, not on `resubscribed`: the repair reads on the command connection, which may come back later.
        if (this.resubscribed) {
          this.resubscribed = false;
          hooks.missed();
        }
      }),
      link.on('resubscribed', () => {
        this.resubscribed = true;
      }),
      link.on('down', ({ role, reason }) => {
        if (role === 'command') this.publishable = false;
        this.wasDown = true;
        hooks.health({ up: false, reason: `Redis ${role} connection lost: ${reason}` });
      }),
    ];
  }

  /** The link finished opening (subscribed): publishing works if it is up. */
  opened(link: RedisLink): void {
    this.publishable = link.state === 'up';
  }

  stop(): void {
    this.publishable = false;
    for (const off of this.unlisten) off();
    this.unlisten = [];
  }
}
