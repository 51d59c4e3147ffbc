// Clean exits: the first SIGINT/SIGTERM runs the shutdown and exits 0; later signals are ignored
// while it runs (a terminal's Ctrl-C reaches the whole process group, often more than once).

/**
 * Runs `shutdown` on the first SIGINT or SIGTERM, then exits (0 when it succeeded). Later signals
 * are ignored while it runs. Under a launcher (an IPC channel is open, as the chat's `pnpm start`
 * runs its parts) SIGINT is ignored: a terminal's Ctrl-C reaches the whole process group, and the
 * launcher stops its children itself, in order (SIGTERM). Such a child also stops when the channel
 * closes, so that even a killed launcher leaves no orphans. Without a channel, both signals stop it.
 * @example
 * runUntilSignal(() => backend.close({ timeoutMs: 2000 }));
 */
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
  const launched = process.connected === true;
  process.on('SIGINT', launched ? () => {} : onSignal);
  process.on('SIGTERM', onSignal);
  if (launched) process.on('disconnect', onSignal);
}
