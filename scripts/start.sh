#!/usr/bin/env bash
# The README's run command: installs dependencies where needed, then starts the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
exec pnpm start "$@"
