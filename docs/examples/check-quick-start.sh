#!/usr/bin/env bash
# Starts ./mvnw quarkus:dev as a newcomer would, runs the README's quick start (quick-start.sh) against
# it and checks what each answer must be; .ci/run runs it after the tests. Needs ports 8080 and 9000.
set -euo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp)
# In a process group of its own, so that stopping it stops Maven and the application it forked, and
# nothing else (Quarkus' dev mode signals its whole group when it stops).
setsid ./mvnw -B -q quarkus:dev -Dquarkus.console.enabled=false >"$log" 2>&1 &
dev=$!
stop() {
  kill -TERM -- -"$dev" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 -- -"$dev" 2>/dev/null || break; sleep 1; done
  kill -KILL -- -"$dev" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT
for _ in $(seq 1 180); do
  curl -sf localhost:9000/q/health/ready >/dev/null 2>&1 && break
  kill -0 $dev 2>/dev/null || { cat "$log"; echo "dev mode did not start" >&2; exit 1; }
  sleep 1
done
out=$(bash docs/examples/quick-start.sh 2>&1) || { echo "$out"; exit 1; }
expect() { grep -q -- "$1" <<<"$out" || { echo "$out"; echo "quick start: no '$1' in the answers" >&2; exit 1; }; }
expect '"client":"default","accessToken":"dev-'
[[ $(grep -o 'dev-[0-9a-f]\{32\}' <<<"$out" | sort -u | wc -l) -ge 2 ]] \
  || { echo "$out"; echo "quick start: the refresh did not replace the token" >&2; exit 1; }
expect '"ok":true'
expect 'HTTP/1.1 401'
expect 'WWW-Authenticate: Bearer'
expect '"status": *"UP"'
expect 'broker_token_requests_total'
expect '"fingerprint":"sha256:'
echo "quick start: every command answered as the README says"
