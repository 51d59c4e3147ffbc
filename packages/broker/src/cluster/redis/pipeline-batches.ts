// Many commands as a few pipelines of bounded size, sent in order, whose failures are reported, never thrown.
import type { RedisLink, RedisPipeline } from './redis-link.js';

/** Commands per pipeline: a burst never makes one huge write. */
const COMMANDS_PER_PIPELINE = 512;

/** Pipelines of at most COMMANDS_PER_PIPELINE commands, sent in order. */
export class Batches {
  private readonly pipelines: RedisPipeline[] = [];

  constructor(
    private readonly link: RedisLink,
    private readonly done: (ok: boolean) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  next(): RedisPipeline {
    let last = this.pipelines[this.pipelines.length - 1];
    if (last === undefined || last.length >= COMMANDS_PER_PIPELINE) this.pipelines.push((last = this.link.pipeline()));
    return last;
  }

  /** Sends every pipeline now; resolves when all answered (never rejects). */
  send(): Promise<void> {
    return Promise.all(
      this.pipelines.map((pipeline) =>
        pipeline.exec().then(
          (results) => {
            const failure = results.find((r) => !r.ok);
            this.done(failure === undefined);
            if (failure !== undefined && !failure.ok) this.failed(failure.error);
          },
          (error: unknown) => {
            this.done(false);
            this.failed(error);
          },
        ),
      ),
    ).then(() => undefined);
  }
}

export function* chunks<T>(items: readonly T[], size: number): IterableIterator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
