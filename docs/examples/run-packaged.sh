#!/usr/bin/env bash
# The packaged broker on this machine, as a production replica runs: its own Redis (with a password), a
# stand-in for the platform (bench/platform_stand_in.py), a caller key made here, text logs. Build it
# first (./mvnw package -DskipTests); needs redis-server, python3 and openssl. Ctrl-C stops everything.
# With --once it fetches one token and stops (PackagedQuickStartIT runs it so).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-8080} MANAGEMENT_PORT=${MANAGEMENT_PORT:-9000} REDIS_PORT=${REDIS_PORT:-6390} PLATFORM_PORT=${PLATFORM_PORT:-8089}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# Redis, with a password as in production, keeping nothing on disk.
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass local-redis-password --save '' --appendonly no >"$work/redis.log" &
# The platform: client id app-local, secret local-secret.
python3 bench/platform_stand_in.py "$PLATFORM_PORT" app-local local-secret 0 >"$work/platform.log" 2>&1 &
# A caller key: the broker is given only its SHA-256.
KEY=$(openssl rand -hex 24)
KEY_SHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)

java -Dquarkus.http.port="$PORT" -Dquarkus.management.port="$MANAGEMENT_PORT" \
     -Dquarkus.redis.hosts="redis://127.0.0.1:$REDIS_PORT" -Dquarkus.redis.password=local-redis-password \
     -Dbroker.clients.default.base-url="http://127.0.0.1:$PLATFORM_PORT" -Dbroker.allow-insecure-urls=true \
     -Dbroker.clients.default.client-id=app-local -Dbroker.clients.default.secret=local-secret \
     -Dbroker.callers.me.key-sha256="$KEY_SHA256" -Dbroker.callers.me.clients='*' \
     -Dquarkus.log.console.json.enabled=false \
     -jar target/quarkus-app/quarkus-run.jar >"$work/broker.log" 2>&1 &

for _ in $(seq 1 120); do
  curl -sf "localhost:$MANAGEMENT_PORT/q/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf -H "Authorization: Bearer $KEY" "localhost:$PORT/token" || { cat "$work/broker.log"; exit 1; }
echo
if [[ "${1:-}" != "--once" ]]; then
  echo "The broker runs on localhost:$PORT (management: $MANAGEMENT_PORT); your caller key: $KEY" >&2
  echo "Its log: $work/broker.log. Ctrl-C stops the broker, Redis and the stand-in." >&2
  wait
fi
