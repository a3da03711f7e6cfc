# Sourced by .ci/run: a Redis server for the tests that need one (the BullMQ
# queue of `explore --queue`). Installs Debian's redis-server when missing,
# starts it on loopback on a free port with its own data folder, exports
# ACCELMAP_REDIS_URL, and stops it (and removes the folder) when the shell exits.
if ! command -v redis-server >/dev/null 2>&1; then
  apt-get update
  apt-get install -y redis-server
fi
ACCELMAP_REDIS_DIR="$(mktemp -d)"
ACCELMAP_REDIS_PORT="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
redis-server --bind 127.0.0.1 --port "$ACCELMAP_REDIS_PORT" --dir "$ACCELMAP_REDIS_DIR" \
  --daemonize yes --pidfile "$ACCELMAP_REDIS_DIR/redis.pid" --logfile "$ACCELMAP_REDIS_DIR/redis.log" \
  --save '' --appendonly no
for _ in $(seq 50); do
  redis-cli -p "$ACCELMAP_REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
export ACCELMAP_REDIS_URL="redis://127.0.0.1:$ACCELMAP_REDIS_PORT"
accelmap_stop_redis() {
  redis-cli -p "$ACCELMAP_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$ACCELMAP_REDIS_DIR"
}
# keeps an EXIT trap set before (another service's script) running too
accelmap_redis_earlier_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")"
trap "accelmap_stop_redis${accelmap_redis_earlier_trap:+; $accelmap_redis_earlier_trap}" EXIT
