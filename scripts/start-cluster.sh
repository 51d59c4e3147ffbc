#!/usr/bin/env bash
# The README's cluster demo: a redis-server on a free port, two brokers in cluster mode, the chat
# backend serving both, and the page (each tab on one broker). Ctrl-C stops everything, Redis too.
# Flags go to `pnpm start --cluster` (--port, --ws-port, --tcp-port, --host, --redis-url ...).
set -euo pipefail
cd "$(dirname "$0")/.."
redis_url_given=no
for arg in "$@"; do
  case "$arg" in --redis-url|--redis-url=*) redis_url_given=yes ;; esac
done
redis_server="${REDIS_SERVER_PATH:-redis-server}"
if [ "$redis_url_given" = no ] && ! command -v "$redis_server" >/dev/null 2>&1; then
  cat >&2 <<MESSAGE
start-cluster: $redis_server not found. The cluster demo starts its own Redis; install it first:
  Debian/Ubuntu:  sudo apt-get install -y redis-server
  macOS:          brew install redis
or point REDIS_SERVER_PATH at a redis-server binary, or use a Redis already running:
  bash scripts/start-cluster.sh --redis-url redis://127.0.0.1:6379/0
MESSAGE
  exit 1
fi
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
exec pnpm start --cluster "$@"
