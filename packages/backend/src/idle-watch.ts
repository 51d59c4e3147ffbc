// Notices a broker that went silent: brokers send heartbeats, so silence means a dead link that
// TCP alone may not report for minutes.

export class IdleWatch {
  private seen = false;
  private quietPeriods = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `idleMs` 0 disables the watch. `isPaused`: silence is expected while we do not read. */
  constructor(
    private readonly idleMs: number,
    private readonly isPaused: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  /** Data arrived. Called per socket read, so it only sets a flag. */
  touch(): void {
    this.seen = true;
  }

  start(): void {
    this.stop();
    if (this.idleMs === 0) return;
    this.seen = false;
    this.quietPeriods = 0;
    // Two quiet half-periods in a row: nothing arrived for at least idleMs.
    this.timer = setInterval(() => {
      this.quietPeriods = this.seen || this.isPaused() ? 0 : this.quietPeriods + 1;
      this.seen = false;
      if (this.quietPeriods >= 2) {
        this.stop();
        this.onIdle();
      }
    }, Math.max(1, Math.floor(this.idleMs / 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
