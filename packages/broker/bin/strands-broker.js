#!/usr/bin/env node
// The `strands-broker` command. A committed file, so that installing the workspace links it
// before anything is built; the CLI itself is built to dist/ by `pnpm build`.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('strands-broker: not built yet; run `pnpm build` first');
    process.exit(1);
  }
  throw error;
});
