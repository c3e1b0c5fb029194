#!/usr/bin/env bash
# token-broker benchmark. Builds what it needs, starts Redis, a platform stand-in, the broker and a
# floor (bench/floor: a minimal Quarkus endpoint returning the same JSON from a field), and measures.
#
#   bench/run.sh            GET /token against the floor, interleaved, at several concurrencies:
#                           req/s, p50, p99, ratios, Redis commands and platform calls during the
#                           run, RSS after load, start-up; plot in bench/results/.
#   bench/run.sh scale      1, 3 and 6 replicas under 10, 100 and 1000 concurrent callers, with
#                           short-lived tokens: platform calls per token lifetime.
#   bench/run.sh startup    Only the start-up: launch to first token (warm Redis), median of
#                           STARTS launches, plain and with the AppCDS archive Dockerfile.jvm builds.
#   bench/run.sh idle       What an idle replica costs Redis with IDLE_CLIENTS (1000) clients that all
#                           hold a token: commands and round trips per second, and whether the
#                           periodic check keeps its interval.
#   bench/run.sh proxy      Business calls: GET /platform/default/openapi/bench/item through the broker
#                           against nginx (Debian's nginx-light) doing the same job (checks the caller's
#                           key, adds Access-Token and Request-Id, drops Authorization, keep-alive
#                           upstream) and against a Vert.x floor (bench/floor's FloorProxy), all in
#                           front of one static nginx upstream, interleaved at PROXY_CONNECTIONS:
#                           req/s, p50, p99, CPU per request, ratios, Redis commands, platform and
#                           upstream calls during the run; plot in bench/results/.
#
# Settings (environment): DURATION (6s), ROUNDS (9), CONNECTIONS ("16 64 256"), PROXY_CONNECTIONS (64),
# PROXY_WARMUP (30s, the broker's and the floor's; nginx gets 10s), PROXY_FLOOR (1; 0 leaves the floor
# out), SCALE_DURATION (50),
# SCALE_REPLICAS ("1 3 6"), SCALE_CALLERS ("10 100 1000"), STARTS (5),
# BROKER_OPTS (extra JVM flags for the broker, e.g. -Dquarkus.log.category.\"token-broker.audit\".level=OFF),
# SKIP_BUILD=1 to reuse the jars already built.
# Needs wrk, gnuplot, redis-server and python3 (and nginx for proxy: Debian's nginx-light); installs
# missing ones from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-latency}
DURATION=${DURATION:-6s}
ROUNDS=${ROUNDS:-9}
CONNECTIONS=${CONNECTIONS:-"16 64 256"}
PROXY_CONNECTIONS=${PROXY_CONNECTIONS:-64}
PROXY_FLOOR=${PROXY_FLOOR:-1}
SCALE_DURATION=${SCALE_DURATION:-50}
SCALE_REPLICAS=${SCALE_REPLICAS:-"1 3 6"}
SCALE_CALLERS=${SCALE_CALLERS:-"10 100 1000"}
STARTS=${STARTS:-5}
# The Deployment's JVM: a heap of 70 % (JAVA_MAX_MEM_RATIO) of its 384 MiB memory limit, and the
# metaspace threshold Dockerfile.jvm sets. The floor runs with the same flags.
HEAP="-Xmx268m -XX:MetaspaceSize=64m"
KEY=bench-caller-key
RESULTS=bench/results
WORK=$(mktemp -d)
PIDS=()
mkdir -p "$RESULTS"
ulimit -n 65536 2>/dev/null || true

cleanup() {
  for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK" "${NGINX_DIR:-}"
}
trap cleanup EXIT

install_missing() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v python3 >/dev/null || missing+=(python3)
  [[ $MODE != proxy ]] || command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  if ((${#missing[@]})); then
    echo "Installing ${missing[*]} from Debian's packages" >&2
    local sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  if [[ $MODE == proxy && $PROXY_FLOOR == 0 ]]; then
    echo "Building the broker" >&2
    ./mvnw -q -B package -DskipTests
    return
  fi
  echo "Building the broker and the floor" >&2
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B -f bench/floor/pom.xml package -DskipTests
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # URL [header]: until it answers 200, at most 60 s
  for _ in $(seq 1 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' ${2:+-H "$2"} "$1") == 200 ]] && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
}

start_platform() { # [delay seconds]
  PLATFORM_PORT=$(free_port)
  python3 bench/platform_stand_in.py "$PLATFORM_PORT" bench-client bench-secret "${1:-0.2}" &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$PLATFORM_PORT/calls"
}

platform_calls() {
  curl -s "http://127.0.0.1:$PLATFORM_PORT/calls" | python3 -c 'import json, sys; print(json.load(sys.stdin)["calls"])'
}

redis_commands() {
  redis-cli -p "$REDIS_PORT" info stats | awk -F: '/^total_commands_processed/ {print $2 + 0}'
}

declare -A MANAGEMENT_PORT # a replica's management port (/q/health, /q/metrics) by its HTTP port
broker_command() { # PORT [extra JVM flags...]: sets BROKER_COMMAND, one replica's command line
  local port=$1; shift
  MANAGEMENT_PORT[$port]=$(free_port)
  BROKER_COMMAND=(java $HEAP -Dquarkus.http.port="$port" -Dquarkus.management.port="${MANAGEMENT_PORT[$port]}"
    -Dquarkus.redis.hosts="redis://127.0.0.1:$REDIS_PORT"
    -Dbroker.clients.default.base-url="http://127.0.0.1:$PLATFORM_PORT"
    -Dbroker.allow-insecure-urls=true  # the platform stand-in speaks plain HTTP on this machine
    -Dbroker.clients.default.client-id=bench-client
    -Dbroker.clients.default.secret=bench-secret
    -Dbroker.callers.bench.key-sha256="$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)"
    -Dbroker.callers.bench.clients='*'
    ${BROKER_OPTS:-} "$@" -jar "$PWD/target/quarkus-app/quarkus-run.jar")
}

start_broker() { # PORT [extra JVM flags...]: starts one replica, sets BROKER_PID
  local port=$1
  broker_command "$@"
  "${BROKER_COMMAND[@]}" >"$WORK/broker-$port.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=($BROKER_PID)
}

appcds_archive() { # runs Dockerfile.jvm's training run against the built app: target/quarkus-app/app-cds.jsa
  local training
  training=$(awk '/^RUN java -XX:ArchiveClassesAtExit/,/quarkus-run.jar$/' Dockerfile.jvm \
    | sed 's/^RUN //; s/\\$//' | tr '\n' ' ' | sed "s|/deployments|$PWD/target/quarkus-app|g")
  rm -f target/quarkus-app/app-cds.jsa
  $training >"$WORK/appcds-training.log" 2>&1
}

first_token_ms() { # PORT [extra JVM flags...]: median over STARTS launches of launch -> first 200 on /token
  local port=$1 launch
  broker_command "$@"
  for launch in $(seq "$STARTS"); do
    python3 bench/first_answer.py "http://127.0.0.1:$port/token" "Bearer $KEY" "$WORK/start-$launch.log" \
      -- "${BROKER_COMMAND[@]}"
  done | median
}

startup_rows() { # prints the start-up rows of the results table; the first token is in Redis already
  local port plain cds floor
  port=$(free_port)
  start_broker "$port"
  wait_for "http://127.0.0.1:$port/token" "Authorization: Bearer $KEY"
  kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
  echo "Start-up: $STARTS launches each" >&2
  plain=$(first_token_ms "$port")
  appcds_archive
  cds=$(first_token_ms "$port" -XX:SharedArchiveFile="$PWD/target/quarkus-app/app-cds.jsa" -Xshare:auto)
  floor=$(for launch in $(seq "$STARTS"); do
    python3 bench/first_answer.py "http://127.0.0.1:$port/token" "" "$WORK/floor-start.log" \
      -- java $HEAP -Dquarkus.http.port="$port" -jar bench/floor/target/quarkus-app/quarkus-run.jar
  done | median)
  echo "| first token after launch, warm Redis (median of $STARTS) | $cds ms with the image's AppCDS archive; $plain ms plain \`java -jar\` (floor's first answer: $floor ms) |"
}

startup_mode() {
  start_redis
  start_platform 0.2
  local table="$RESULTS/startup.md"
  {
    echo "Start-up on $(nproc) cores, $(java -version 2>&1 | head -1), JVM flags $HEAP."
    echo
    echo "| start-up | time |"
    echo "|---|---|"
    startup_rows
  } | tee "$table"
}

ms() { # a wrk duration (850.00us, 1.20ms, 2.00s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

measure() { # URL CONNECTIONS [Authorization header]: prints "req/s p50-ms p99-ms requests"
  local out
  out=$(wrk -t2 -c"$2" -d"$DURATION" --latency ${3:+-H "$3"} -H 'Accept: application/json' "$1")
  if grep -q 'Non-2xx' <<<"$out"; then echo "error answers from $1:" >&2; echo "$out" >&2; exit 1; fi
  echo "$(awk '/^Requests\/sec/ {print $2}' <<<"$out") \
$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")") \
$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") \
$(awk '/requests in/ {print $1}' <<<"$out")"
}

round_ratios() { # CONNECTIONS FIELD: broker/floor ratio of FIELD in each round, in order
  awk -v c="$1" -v f="$2" '$2 == c && $1 == "floor" { fl[++i] = $f } $2 == c && $1 == "broker" { br[++j] = $f }
    END { for (k = 1; k <= j; k++) printf "%s%.2f", (k > 1 ? ", " : ""), br[k] / fl[k] }' "$WORK/samples"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

latency_mode() {
  start_redis
  start_platform 0.2
  local broker_port floor_port auth="Authorization: Bearer $KEY"
  broker_port=$(free_port); floor_port=$(free_port)

  # Start-up first, on an idle machine, with the token already in Redis.
  local startup
  startup=$(startup_rows)
  start_broker "$broker_port"
  wait_for "http://127.0.0.1:$broker_port/token" "$auth"
  local broker_pid=$BROKER_PID

  java $HEAP -Dquarkus.http.port="$floor_port" -jar bench/floor/target/quarkus-app/quarkus-run.jar >"$WORK/floor.log" 2>&1 &
  local floor_pid=$!; PIDS+=($floor_pid)
  wait_for "http://127.0.0.1:$floor_port/token"

  echo "Warming up both (JIT)" >&2
  DURATION=10s measure "http://127.0.0.1:$floor_port/token" 64 >/dev/null
  DURATION=10s measure "http://127.0.0.1:$broker_port/token" 64 "$auth" >/dev/null

  # Redis commands while idle for one DURATION: the background sync, the baseline for the load.
  local idle_before idle_commands calls_before commands_before requests=0
  idle_before=$(redis_commands); sleep "${DURATION%s}"; idle_commands=$(($(redis_commands) - idle_before - 1))
  calls_before=$(platform_calls); commands_before=$(redis_commands)
  local started=$SECONDS

  : >"$WORK/samples"
  for c in $CONNECTIONS; do
    for round in $(seq 1 "$ROUNDS"); do
      echo "  $c connections, round $round" >&2
      echo "floor $c $(measure "http://127.0.0.1:$floor_port/token" "$c")" >>"$WORK/samples"
      read -r rps p50 p99 n <<<"$(measure "http://127.0.0.1:$broker_port/token" "$c" "$auth")"
      echo "broker $c $rps $p50 $p99 $n" >>"$WORK/samples"
      requests=$((requests + n))
    done
  done
  local load_seconds=$((SECONDS - started))
  local load_commands=$(($(redis_commands) - commands_before - 1)) load_calls=$(($(platform_calls) - calls_before))

  {
    echo "# connections floor_rps broker_rps floor_p99_ms broker_p99_ms"
    for c in $CONNECTIONS; do
      pick() { awk -v t="$1" -v c="$c" -v f="$2" '$1 == t && $2 == c {print $f}' "$WORK/samples" | median; }
      echo "$c $(pick floor 3) $(pick broker 3) $(pick floor 5) $(pick broker 5) $(pick floor 4) $(pick broker 4)"
    done
  } >"$RESULTS/get-token.dat"

  local table="$RESULTS/get-token.md"
  {
    echo "GET /token (authenticated, JSON) against the floor; medians of $ROUNDS interleaved ${DURATION} wrk runs (2 threads) on $(nproc) cores, $(date -u +%Y-%m-%d)."
    echo
    echo "| connections | floor req/s | broker req/s | throughput ratio | floor p50 | broker p50 | floor p99 | broker p99 | p99 ratio | p99 ratio, round by round |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    local c
    for c in $CONNECTIONS; do
      awk -v c="$c" -v rounds="$(round_ratios "$c" 5)" '$1 == c { printf "| %d | %.0f | %.0f | **%.2fx** | %.2f ms | %.2f ms | %.2f ms | %.2f ms | **%.2fx** | %s |\n", $1, $2, $3, $3 / $2, $6, $7, $4, $5, $5 / $4, rounds }' "$RESULTS/get-token.dat"
    done
    echo
    echo "| during the load ($load_seconds s, $requests broker requests) | |"
    echo "|---|---|"
    echo "| platform calls | $load_calls |"
    echo "| Redis commands | $load_commands (idle for ${DURATION}: $idle_commands; the background sync every 500 ms, none per request) |"
    echo "| RSS after load | broker $(rss_mib "$broker_pid") MiB, floor $(rss_mib "$floor_pid") MiB (both with $HEAP, as in the Deployment) |"
    echo "$startup"
  } | tee "$table"

  gnuplot <<EOF
set terminal pngcairo size 900,520 font "sans,10"
set output "$RESULTS/get-token.png"
set title "GET /token: token-broker against a Quarkus floor ($(nproc) cores, wrk -t2)"
set xlabel "connections"
set logscale x 2
set ylabel "requests per second"
set y2label "p99 latency (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key outside bottom center horizontal
set grid
plot "$RESULTS/get-token.dat" using 1:2 with linespoints lw 2 title "floor req/s", \
     "" using 1:3 with linespoints lw 2 title "broker req/s", \
     "" using 1:4 axes x1y2 with linespoints dt 2 title "floor p99", \
     "" using 1:5 axes x1y2 with linespoints dt 2 title "broker p99"
EOF
  echo "Plot: $RESULTS/get-token.png" >&2
}

scale_mode() {
  local lifetime=24 table="$RESULTS/scaling.md"
  {
    echo "Platform calls with ${lifetime}s tokens (handed out for 23 s, refreshed 3 s before: one token every ~20 s), ${SCALE_DURATION} s of load per row, callers spread over the replicas, $(date -u +%Y-%m-%d)."
    echo
    echo "| replicas | concurrent callers | requests | error answers | connections wrk gave up on | platform calls | token periods | calls per token period |"
    echo "|---|---|---|---|---|---|---|---|"
  } | tee "$table"
  for replicas in $SCALE_REPLICAS; do
    for callers in $SCALE_CALLERS; do
      local first=${#PIDS[@]} ports=() load=()
      start_redis
      start_platform 0.2
      for _ in $(seq 1 "$replicas"); do
        local port; port=$(free_port); ports+=("$port")
        start_broker "$port" -Dbroker.token.lifetime=${lifetime}s -Xmx128m
      done
      for port in "${ports[@]}"; do wait_for "http://127.0.0.1:${MANAGEMENT_PORT[$port]}/q/health/ready"; done
      local started; started=$(date +%s%N)
      : >"$WORK/scale"
      for port in "${ports[@]}"; do
        wrk -t1 -c$(((callers + replicas - 1) / replicas)) -d"${SCALE_DURATION}s" -H "Authorization: Bearer $KEY" \
          "http://127.0.0.1:$port/token" >>"$WORK/scale" 2>&1 &
        load+=($!)
      done
      wait "${load[@]}"
      local elapsed_ms=$((($(date +%s%N) - started) / 1000000))
      local requests errors unanswered calls periods
      requests=$(awk '/requests in/ {s += $1} END {print s}' "$WORK/scale")
      # Error answers, plus connections wrk gave up on (connect, read, write errors and time-outs).
      errors=$(awk '/Non-2xx/ {s += $NF} END {print s + 0}' "$WORK/scale")
      # Connect, read and write errors and time-outs (wrk gives up on a request after 2 s).
      unanswered=$(awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} END {print s + 0}' "$WORK/scale")
      grep -h 'Socket errors' "$WORK/scale" >&2 || true
      calls=$(platform_calls)
      # A token is requested at the first call and then once per refresh period (lifetime - 1 s - 3 s).
      periods=$(awk -v e="$elapsed_ms" 'BEGIN { printf "%d", 1 + int(e / 1000 / 20) }')
      printf "| %d | %d | %d | %d | %d | %d | %d | %.2f |\n" "$replicas" "$callers" "$requests" "$errors" "$unanswered" "$calls" \
        "$periods" "$(awk -v c="$calls" -v p="$periods" 'BEGIN {print c / p}')" | tee -a "$table"
      kill "${PIDS[@]:$first}" 2>/dev/null || true
      wait "${PIDS[@]:$first}" 2>/dev/null || true
      PIDS=("${PIDS[@]:0:$first}")
    done
  done
}

idle_mode() {
  local clients=${IDLE_CLIENTS:-1000} seconds=${IDLE_SECONDS:-20} port
  start_redis
  start_platform 0
  local props="$WORK/clients.properties"
  : >"$props"
  for i in $(seq 1 "$clients"); do
    printf 'broker.clients.c%d.base-url=http://127.0.0.1:%d\nbroker.clients.c%d.client-id=bench-client\nbroker.clients.c%d.secret=bench-secret\n' \
      "$i" "$PLATFORM_PORT" "$i" "$i" >>"$props"
  done
  port=$(free_port)
  start_broker "$port" -Dquarkus.config.locations="$props" -Dquarkus.log.category.\"token-broker.audit\".level=OFF
  wait_for "http://127.0.0.1:${MANAGEMENT_PORT[$port]}/q/health/ready"
  echo "Fetching a token for each of $clients clients" >&2
  python3 - "$port" "$clients" "$KEY" <<'PY'
import sys, urllib.request
port, clients, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(1, clients + 1):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/token?client=c{i}", headers={"Authorization": f"Bearer {key}"})
    urllib.request.urlopen(request).read()
PY
  sleep 2
  local before_cmds before_hgetall before_calls after_cmds after_hgetall
  redis_stat() { redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[:=,]' -v c="cmdstat_$1" '$1 == c {print $3 + 0}'; }
  before_cmds=$(redis_commands); before_hgetall=$(redis_stat hgetall); before_calls=$(platform_calls)
  sleep "$seconds"
  after_cmds=$(redis_commands); after_hgetall=$(redis_stat hgetall)
  printf "| clients | seconds | Redis commands/s | HGETALL/s | HGETALL per client per second | platform calls |\n|---|---|---|---|---|---|\n"
  printf "| %d | %d | %.0f | %.0f | %.2f | %d |\n" "$clients" "$seconds" \
    "$(awk -v a="$before_cmds" -v b="$after_cmds" -v s="$seconds" 'BEGIN {print (b - a) / s}')" \
    "$(awk -v a="$before_hgetall" -v b="$after_hgetall" -v s="$seconds" 'BEGIN {print (b - a) / s}')" \
    "$(awk -v a="$before_hgetall" -v b="$after_hgetall" -v s="$seconds" -v c="$clients" 'BEGIN {print (b - a) / s / c}')" \
    "$(($(platform_calls) - before_calls))"
  echo "With broker.token.check-interval=500ms, 2.00 HGETALL per client per second means the check keeps its interval." >&2
}

# --- proxy mode: business calls through the broker against nginx -------------------------------------

# What the static upstream answers: the platform's envelope, fixed.
UPSTREAM_BODY='{"code":200,"message":"success","trackId":"5f1c2a9e0b7d4c31","data":{"itemId":42,"name":"bench item","price":1999,"stock":7,"tags":["a","b"]},"extr":null,"timestamp":1764590400000,"_status":"SUCCESS","ok":true}'
UPSTREAM_PATH=/openapi/bench/item
# The token nginx sends (48 hex digits, as the stand-in's); the broker sends the one it holds.
NGINX_TOKEN=0123456789abcdef0123456789abcdef0123456789abcdef

nginx_bin() { command -v nginx || echo /usr/sbin/nginx; }

start_nginx() { # NAME: runs $NGINX_DIR/NAME.conf in the foreground as an unprivileged process
  local name=$1 as=()
  # As root, nginx would keep a root master; run the whole of it as nobody instead.
  [[ $(id -u) != 0 ]] || as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  "${as[@]}" "$(nginx_bin)" -p "$NGINX_DIR" -c "$NGINX_DIR/$name.conf" -e "$NGINX_DIR/$name-error.log" \
    >"$NGINX_DIR/$name.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=($NGINX_PID)
}

cpu_ms() { # PID: CPU time (user + system) of PID and its children so far, in ms
  local p ticks=0
  for p in "$1" $(pgrep -P "$1"); do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

nginx_common() { # NAME: the part of both configurations that is not about HTTP
  cat <<CONF
daemon off;
worker_processes auto;
pid $NGINX_DIR/$1.pid;
error_log $NGINX_DIR/$1-error.log warn;
events { worker_connections 4096; }
CONF
}

nginx_temp_paths() { # NAME
  local t
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $NGINX_DIR/$1-temp-$t;"; done
}

start_upstream() { # sets UPSTREAM_PORT: one nginx answering UPSTREAM_BODY on UPSTREAM_PATH
  UPSTREAM_PORT=$(free_port)
  {
    nginx_common upstream
    cat <<CONF
http {
  access_log off;
$(nginx_temp_paths upstream)
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    # Both proxies must send a token and a Request-Id and keep the caller's key to themselves; a 400
    # (not a 401, which the broker would take for a refused token) makes wrk's run fail.
    location = $UPSTREAM_PATH {
      if (\$http_access_token = "") { return 400; }
      if (\$http_request_id = "") { return 400; }
      if (\$http_authorization != "") { return 400; }
      default_type application/json;
      return 200 '$UPSTREAM_BODY';
    }
    location = /status { stub_status; }
  }
}
CONF
  } >"$NGINX_DIR/upstream.conf"
  start_nginx upstream
  wait_for "http://127.0.0.1:$UPSTREAM_PORT/status"
}

upstream_requests() { # requests the upstream answered so far, not counting this one
  curl -s "http://127.0.0.1:$UPSTREAM_PORT/status" | awk 'NR == 3 {print $3 - 1}'
}

start_nginx_proxy() { # sets NGINX_PORT: nginx doing the broker's job for /platform/default/
  NGINX_PORT=$(free_port)
  {
    nginx_common proxy
    cat <<CONF
http {
  access_log off;
$(nginx_temp_paths proxy)
  keepalive_requests 1000000000;
  # The caller is known by its key, as in the broker (which looks up the key's SHA-256).
  map \$http_authorization \$caller_known { "Bearer $KEY" 1; default 0; }
  upstream platform {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /platform/default/ {
      if (\$caller_known = 0) { return 401; }
      proxy_pass http://platform/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Access-Token $NGINX_TOKEN;
      proxy_set_header Request-Id \$request_id;
      proxy_set_header Authorization "";
      proxy_set_header Proxy-Authorization "";
      proxy_set_header Cookie "";
      proxy_set_header Forwarded "";
      proxy_set_header X-Forwarded-For "";
      proxy_hide_header Set-Cookie;
      add_header Request-Id \$request_id always;
    }
  }
}
CONF
  } >"$NGINX_DIR/proxy.conf"
  start_nginx proxy
  NGINX_PROXY_PID=$NGINX_PID
  wait_for "http://127.0.0.1:$NGINX_PORT/platform/default$UPSTREAM_PATH" "Authorization: Bearer $KEY"
}

check_business_call() { # NAME URL: one call answers the upstream's body with a Request-Id and no token
  local headers body
  headers=$(curl -s -D - -o "$WORK/check-body" -H "Authorization: Bearer $KEY" "$2")
  body=$(cat "$WORK/check-body")
  if [[ $body != "$UPSTREAM_BODY" ]] || ! grep -qi '^request-id: ' <<<"$headers" || grep -qi '^access-token' <<<"$headers"; then
    echo "$1 does not pass the business call through as expected:" >&2
    echo "$headers" >&2; echo "$body" >&2
    return 1
  fi
}

proxy_mode() {
  start_redis
  start_platform 0.2
  NGINX_DIR=$(mktemp -d)
  [[ $(id -u) != 0 ]] || chown nobody:nogroup "$NGINX_DIR"
  start_upstream
  start_nginx_proxy

  local c=$PROXY_CONNECTIONS auth="Authorization: Bearer $KEY" path="/platform/default$UPSTREAM_PATH?id=42"
  local -A url pid
  local broker_port who contestants="broker nginx"
  broker_port=$(free_port)
  start_broker "$broker_port" -Dbroker.clients.default.api-base-url="http://127.0.0.1:$UPSTREAM_PORT"
  wait_for "http://127.0.0.1:$broker_port/token" "$auth"
  pid[broker]=$BROKER_PID; url[broker]="http://127.0.0.1:$broker_port$path"
  pid[nginx]=$NGINX_PROXY_PID; url[nginx]="http://127.0.0.1:$NGINX_PORT$path"
  if [[ $PROXY_FLOOR != 0 ]]; then
    local floor_port; floor_port=$(free_port)
    java $HEAP -Dquarkus.http.port="$floor_port" -Dfloor.upstream="http://127.0.0.1:$UPSTREAM_PORT" \
      -jar bench/floor/target/quarkus-app/quarkus-run.jar >"$WORK/floor.log" 2>&1 &
    pid[floor]=$!; PIDS+=(${pid[floor]}); url[floor]="http://127.0.0.1:$floor_port$path"
    wait_for "${url[floor]}" "$auth"
    contestants="$contestants floor"
  fi
  for who in $contestants; do check_business_call "$who" "${url[$who]}"; done

  # The proxy's code paths take longer to compile than GET /token's: after 10 s the broker's first
  # round had half the throughput of the later ones.
  echo "Warming up ($contestants)" >&2
  for who in $contestants; do
    DURATION=$([[ $who == nginx ]] && echo 10s || echo "${PROXY_WARMUP:-30s}") measure "${url[$who]}" "$c" "$auth" >/dev/null
  done

  # Redis commands while idle for one DURATION: the background sync, the baseline for the load.
  local idle_before idle_commands calls_before commands_before broker_requests=0 broker_upstream=0 before
  idle_before=$(redis_commands); sleep "${DURATION%s}"; idle_commands=$(($(redis_commands) - idle_before - 1))
  calls_before=$(platform_calls); commands_before=$(redis_commands)
  local started=$SECONDS round rps p50 p99 n cpu

  # Each sample: who, connections, req/s, p50, p99, requests, CPU ms of the proxy (nginx: all workers)
  : >"$WORK/samples"
  for round in $(seq 1 "$ROUNDS"); do
    echo "  $c connections, round $round" >&2
    for who in $contestants; do
      before=$(upstream_requests); cpu=$(cpu_ms "${pid[$who]}")
      read -r rps p50 p99 n <<<"$(measure "${url[$who]}" "$c" "$auth")"
      echo "$who $c $rps $p50 $p99 $n $(($(cpu_ms "${pid[$who]}") - cpu))" >>"$WORK/samples"
      if [[ $who == broker ]]; then
        broker_requests=$((broker_requests + n)); broker_upstream=$((broker_upstream + $(upstream_requests) - before - 1))
      fi
    done
  done
  local load_seconds=$((SECONDS - started))
  local load_commands=$(($(redis_commands) - commands_before - 1)) load_calls=$(($(platform_calls) - calls_before))

  # One line per round: round nginx_rps broker_rps nginx_p99 broker_p99 nginx_p50 broker_p50
  # [floor_rps floor_p99 floor_p50]
  awk '{ v[$1, ++k[$1]] = $3 " " $5 " " $4 }
    END { for (r = 1; r <= k["broker"]; r++) {
            split(v["nginx", r], x); split(v["broker", r], y); line = r " " x[1] " " y[1] " " x[2] " " y[2] " " x[3] " " y[3]
            if (k["floor"]) { split(v["floor", r], f); line = line " " f[1] " " f[2] " " f[3] }
            print line } }' "$WORK/samples" >"$RESULTS/proxy.dat"
  pick() { awk -v t="$1" -v f="$2" '$1 == t {print $f}' "$WORK/samples" | median; }
  # CPU per request over all rounds, in microseconds
  cpu_us() { awk -v t="$1" '$1 == t { ms += $7; n += $6 } END { printf "%.1f", ms * 1000 / n }' "$WORK/samples"; }
  # Per contestant: req/s p50 p99 CPU-per-request
  local -A sum
  for who in $contestants; do sum[$who]="$(pick "$who" 3) $(pick "$who" 4) $(pick "$who" 5) $(cpu_us "$who")"; done

  local table="$RESULTS/proxy.md" floor_head="" floor_rule=""
  [[ $contestants != *floor* ]] || { floor_head=" Vert.x floor | broker/floor |"; floor_rule="---|---|"; }
  {
    echo "GET $path (authenticated; a $(printf %s "$UPSTREAM_BODY" | wc -c)-byte JSON answer from a static nginx upstream) through the broker, through nginx $("$(nginx_bin)" -v 2>&1 | sed 's|.*/||') doing the same job$([[ $contestants != *floor* ]] || echo " and through the Vert.x floor (bench/floor)"); medians of $ROUNDS interleaved ${DURATION} wrk runs (2 threads, $c connections) on $(nproc) cores, $(date -u +%Y-%m-%d)."
    echo
    echo "| | nginx | broker | broker/nginx |$floor_head"
    echo "|---|---|---|---|$floor_rule"
    awk -v floor="$([[ $contestants != *floor* ]] || echo 1)" '
      NR == 1 { split($0, n) } NR == 2 { split($0, b) } NR == 3 { split($0, f) }
      END {
        split("req/s,p50,p99,CPU per request (all rounds)", name, ",")
        for (i = 1; i <= 4; i++) {
          fmt = i == 1 ? "%.0f" : i == 4 ? "%.1f µs" : "%.2f ms"; strong = (i == 1 || i == 3) ? "**" : ""
          printf "| %s | " fmt " | " fmt " | %s%.2fx%s |", name[i], n[i], b[i], strong, b[i] / n[i], strong
          if (floor) printf " " fmt " | %.2fx |", f[i], b[i] / f[i]
          printf "\n"
        }
      }' <<<"${sum[nginx]}
${sum[broker]}
${sum[floor]:-}"
    echo
    awk 'function median(a, n,   i, j, t) {
           for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
           return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      { t[NR] = $3 / $2; p[NR] = $5 / $4 }
      END { printf "Median of the round-by-round ratios (each broker round against the nginx round after it): throughput **%.2fx**, p99 **%.2fx**.\n", median(t, NR), median(p, NR) }' "$RESULTS/proxy.dat"
    echo
    echo "| round | nginx req/s | broker req/s | throughput ratio | nginx p50 | broker p50 | nginx p99 | broker p99 | p99 ratio |${floor_head:+ floor req/s | floor p99 |}"
    echo "|---|---|---|---|---|---|---|---|---|${floor_rule}"
    awk '{ printf "| %d | %.0f | %.0f | %.2fx | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2fx |", $1, $2, $3, $3 / $2, $6, $7, $4, $5, $5 / $4
           if (NF > 7) printf " %.0f | %.2f ms |", $8, $9
           printf "\n" }' "$RESULTS/proxy.dat"
    echo
    echo "| during the load ($load_seconds s, $broker_requests broker requests) | |"
    echo "|---|---|"
    echo "| platform calls (credential) | $load_calls ($(awk -v a="$load_calls" -v r="$broker_requests" 'BEGIN {printf "%.6f", a / r}') per business call) |"
    echo "| Redis commands | $load_commands ($(awk -v a="$load_commands" -v r="$broker_requests" 'BEGIN {printf "%.6f", a / r}') per business call; idle for ${DURATION}: $idle_commands, the background sync) |"
    echo "| upstream requests during the broker's rounds | $broker_upstream (wrk counted $broker_requests answers; wrk stops with requests in flight) |"
    echo "| RSS after load | broker $(rss_mib "${pid[broker]}") MiB ($HEAP) |"
  } | tee "$table"

  local floor_plot=""
  [[ $contestants != *floor* ]] || floor_plot=', "" using 1:8 with linespoints lw 2 title "floor req/s", "" using 1:9 axes x1y2 with linespoints dt 2 title "floor p99"'
  gnuplot <<PLOT
set terminal pngcairo size 900,520 font "sans,10"
set output "$RESULTS/proxy.png"
set title "GET /platform/default/…: token-broker against nginx$([[ $contestants != *floor* ]] || echo " and a Vert.x floor"), $c connections ($(nproc) cores, wrk -t2)"
set xlabel "round (interleaved: ${contestants// /, })"
set xtics 1
set ylabel "requests per second"
set y2label "p99 latency (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key outside bottom center horizontal
set grid
plot "$RESULTS/proxy.dat" using 1:2 with linespoints lw 2 title "nginx req/s", \
     "" using 1:3 with linespoints lw 2 title "broker req/s", \
     "" using 1:4 axes x1y2 with linespoints dt 2 title "nginx p99", \
     "" using 1:5 axes x1y2 with linespoints dt 2 title "broker p99"$floor_plot
PLOT
  echo "Plot: $RESULTS/proxy.png" >&2
}

install_missing
[[ -n ${SKIP_BUILD:-} ]] || build
case "$MODE" in
  latency) latency_mode ;;
  scale) scale_mode ;;
  startup) startup_mode ;;
  idle) idle_mode ;;
  proxy) proxy_mode ;;
  *) echo "usage: bench/run.sh [latency|scale|startup|idle|proxy]" >&2; exit 2 ;;
esac
