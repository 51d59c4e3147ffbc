// Clean exits: the first SIGINT/SIGTERM runs the shutdown and exits 0; later signals are ignored
// while it runs (a terminal's Ctrl-C reaches the whole process group, often more than once).

/** Runs `shutdown` on the first SIGINT or SIGTERM, then exits (0 when it succeeded). */
export function runUntilSignal(shutdown: () => Promise<unknown>): void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
