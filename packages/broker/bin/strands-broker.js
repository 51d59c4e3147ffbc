#!/usr/bin/env node
// The `strands-broker` command. A committed file, so that installing the workspace links it
// before anything is built; the CLI itself is built to dist/ by `pnpm build` and runs in this process.

// npx, `npm run` and `pnpm run` start a command under `sh -c` (they set npm_lifecycle_script)
// and pass SIGTERM to that shell only: the shell dies, the broker would be left holding its
// ports. So, started that way, the broker follows its parent and stops as on SIGTERM once it is gone.
if (process.env.npm_lifecycle_script !== undefined) followParent();

import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('strands-broker: not built yet; run `pnpm build` first');
    process.exit(1);
  }
  throw error;
});

function followParent() {
  const parent = process.ppid;
  // A signal of its own (a terminal's Ctrl-C reaches the whole group) already stops the broker;
  // the shell dying of that same signal must not count as a second one (which exits at once).
  let signalled = false;
  const onSignal = (signal) => {
    signalled = true;
    // Before the CLI has its handlers (while starting), this listener alone would swallow the
    // signal: give the default action back and take the signal again.
    if (process.listenerCount(signal) === 1) {
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Polled: Node has no event for a parent's death. getppid() is one cheap system call.
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    if (!signalled) process.kill(process.pid, 'SIGTERM');
  }, 200);
  timer.unref();
}
