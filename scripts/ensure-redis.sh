# Sourced by scripts/test.sh: the cluster tests spawn their own redis-server (Debian's) on free ports,
# so it comes from apt where it is missing, and the system service the package may start is stopped.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: installing Debian's redis-server package" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "ensure-redis: installing redis-server needs root (or sudo)" >&2
      exit 1
    fi
    SUDO="sudo"
  fi
  # Debian starts a service on install unless policy-rc.d says no; the tests never use it, and it
  # would hold 6379. Add a deny-all policy only for this install when the machine has none.
  ENSURE_REDIS_POLICY=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    ENSURE_REDIS_POLICY=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$ENSURE_REDIS_POLICY" >/dev/null
    $SUDO chmod +x "$ENSURE_REDIS_POLICY"
  fi
  ENSURE_REDIS_STATUS=0
  $SUDO apt-get update -qq >&2 || ENSURE_REDIS_STATUS=$?
  if [ "$ENSURE_REDIS_STATUS" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >&2 || ENSURE_REDIS_STATUS=$?
  fi
  [ -n "$ENSURE_REDIS_POLICY" ] && $SUDO rm -f "$ENSURE_REDIS_POLICY"
  if [ "$ENSURE_REDIS_STATUS" -ne 0 ] || ! command -v redis-server >/dev/null 2>&1; then
    echo "ensure-redis: could not install redis-server (apt-get exit status $ENSURE_REDIS_STATUS)" >&2
    exit 1
  fi
  # Belt and braces: if a service started anyway (a machine whose policy allows it), stop it and
  # keep it from coming back at boot.
  if [ -x /etc/init.d/redis-server ] || command -v systemctl >/dev/null 2>&1; then
    $SUDO service redis-server stop >/dev/null 2>&1 || true
    $SUDO systemctl disable redis-server >/dev/null 2>&1 || true
    $SUDO update-rc.d redis-server disable >/dev/null 2>&1 || true
  fi
  if redis-cli -p 6379 ping >/dev/null 2>&1; then
    echo "ensure-redis: a Redis still answers on 6379 after install; the tests use their own ports" >&2
  fi
  echo "redis-server installed: $(redis-server --version)" >&2
  unset SUDO ENSURE_REDIS_POLICY ENSURE_REDIS_STATUS
fi
