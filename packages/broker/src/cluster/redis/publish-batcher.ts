// Records this node publishes to one channel in a row go out as one PUBLISH, once the current task ends.

/** Characters one PUBLISH carries at most before it goes out (a record longer than that goes alone). */
export const MAX_BATCH_CHARS = 64 * 1024;

/** Tells a sender how many subscribers got its record (0: nobody listens on that channel). */
export type Receivers = (count: number) => void;

/** What the batcher needs: one PUBLISH, and what to do when it fails. */
export interface BatchSink {
  publish(channel: string, payload: string): Promise<number>;
  /** A PUBLISH that failed, with the number of records it held. */
  failed(records: number, error: unknown): void;
}

/**
 * Joins consecutive records for one channel into one payload, sent at the end of the current task
 * (a microtask), when a record for another channel comes, or past MAX_BATCH_CHARS. A backend's
 * replies read from one socket chunk, or the room messages of one frame, then cost Redis one
 * command and the receiver one message instead of one each. Order is kept: a batch goes out
 * before anything published after it, whatever its channel.
 */
export class PublishBatcher {
  private channel: string | undefined;
  private parts: string[] = [];
  private chars = 0;
  private receivers: Receivers[] = [];
  private scheduled = false;
  private readonly flushNow = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly sink: BatchSink) {}

  /** Records held, not yet published. */
  get pending(): number {
    return this.parts.length;
  }

  add(channel: string, record: string, receivers?: Receivers): void {
    if (this.channel !== channel || this.chars + record.length > MAX_BATCH_CHARS) this.flush();
    this.channel = channel;
    this.parts.push(record);
    this.chars += record.length;
    if (receivers !== undefined) this.receivers.push(receivers);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushNow);
    }
  }

  /** Publishes what is held now. */
  flush(): void {
    const channel = this.channel;
    const parts = this.parts;
    if (channel === undefined || parts.length === 0) return;
    const receivers = this.receivers;
    this.channel = undefined;
    this.parts = [];
    this.chars = 0;
    this.receivers = [];
    const payload = parts.length === 1 ? (parts[0] as string) : parts.join('');
    this.sink.publish(channel, payload).then(
      (count) => {
        for (const tell of receivers) tell(count);
      },
      (error: unknown) => this.sink.failed(parts.length, error),
    );
  }

  /** Forgets what is held (stop after Redis was lost). */
  clear(): void {
    this.channel = undefined;
    this.parts = [];
    this.chars = 0;
    this.receivers = [];
  }
}
