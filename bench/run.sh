#!/usr/bin/env bash
# Load benchmark: Smartflow gateway vs. direct-to-upstream, measured in one run on a 2-core box.
# Core 0: FakeUpstream, wrk and StreamProbe. Core 1: the gateway alone.
#
# Environment (defaults in brackets):
#   WARMUP [40]  DURATION [20]  CONNECTIONS [32]  STREAM_SECONDS [=DURATION]  STREAM_WARMUP [5]
#   UPSTREAM_PORT [18080]  GATEWAY_PORT [17775]  KEY [sk-bench-master] (the master key)
#   VIRTUAL_KEY [1]: load the gateway with a virtual key that has a budget and rpm/tpm limits (auth cache, rate
#     windows, budget reserve/settle on every call); 0 uses the master key (no budget or limits)
#   GATEWAY_CMD [./smartflow serve --services proxy --data $WORKDIR/bench-data]
#   GATEWAY_URL [http://127.0.0.1:$GATEWAY_PORT]  GATEWAY_HEALTH_URL [$GATEWAY_URL/health]
#   CHAIN [0]: 1 adds a phase after the others: a fallback chain `bench-chain` (priority, max_retries 2) of three
#     targets, the first an openai target whose api_base is a closed local port (every attempt fails at connect),
#     the other two the FakeUpstream; the gateway is loaded with model=bench-chain for CHAIN_WARMUP [10] s, then
#     throughput and 1-connection latency as above, beside the single-target figures
#   CHAIN_CIRCUIT [on]: off starts the gateway with circuits that never open (routing.circuit with
#     consecutive_failures and min_calls at their maximum, 1e6), so every chain call pays the failed first attempt
#   CACHE [0]: 1 starts the gateway with the MetaCache matching exactly only (cache.metacache.semantic: false) and adds
#     phases after the others (the main phases send "Cache-Control: no-cache, no-store" and never touch the cache):
#     exact hits: the same request without Cache-Control (each one an L1 hit): throughput and 1-connection latency,
#       beside the direct-to-upstream figures of the same run, and beside a second FakeUpstream on core 0 that waits
#       CACHE_ANSWER_DELAY_MS [20] before each answer (a provider that is not instant), measured directly;
#     misses: every prompt unique (a counter in it), CACHE_WARMUP [10] s then throughput at CONNECTIONS, alternating
#       no-cache,no-store (the cache stage only passes the call on) / no header (lookup, miss, store) / no-cache,no-store
#   SMARTFLOW_JAVA_OPTS and SMARTFLOW_* settings (e.g. SMARTFLOW_AUDIT_JOURNAL) are passed through to the launcher.
# To exercise the script without the gateway, run a second FakeUpstream as the "gateway":
#   GATEWAY_CMD='java -cp bench/target/classes dev.smartflow.bench.FakeUpstream --port 17775' \
#   GATEWAY_HEALTH_URL=http://127.0.0.1:17775/v1/models bench/run.sh
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
OVERRIDES=""
for var in WARMUP DURATION CONNECTIONS STREAM_SECONDS STREAM_WARMUP UPSTREAM_PORT GATEWAY_PORT KEY VIRTUAL_KEY GATEWAY_CMD \
  GATEWAY_URL GATEWAY_HEALTH_URL CHAIN CHAIN_WARMUP CHAIN_CIRCUIT CACHE CACHE_ANSWER_DELAY_MS CACHE_WARMUP \
  SMARTFLOW_AUDIT_JOURNAL SMARTFLOW_JAVA_OPTS; do
  [[ -z ${!var+set} ]] || OVERRIDES+="$var=$(printf %q "${!var}") "
done
INVOCATION="$OVERRIDES$0${*:+ $*}"

WARMUP=${WARMUP:-40}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-32}
STREAM_SECONDS=${STREAM_SECONDS:-$DURATION}
STREAM_WARMUP=${STREAM_WARMUP:-5}
UPSTREAM_PORT=${UPSTREAM_PORT:-18080}
GATEWAY_PORT=${GATEWAY_PORT:-17775}
KEY=${KEY:-sk-bench-master}
MASTER=$KEY
VIRTUAL_KEY=${VIRTUAL_KEY:-1}
CHAIN=${CHAIN:-0}
CHAIN_WARMUP=${CHAIN_WARMUP:-10}
CHAIN_CIRCUIT=${CHAIN_CIRCUIT:-on}
CHAIN_NAME=bench-chain
CACHE=${CACHE:-0}
CACHE_ANSWER_DELAY_MS=${CACHE_ANSWER_DELAY_MS:-20}
CACHE_WARMUP=${CACHE_WARMUP:-10}
MANAGEMENT_PORT=$((GATEWAY_PORT + 3))
GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:$GATEWAY_PORT}
GATEWAY_HEALTH_URL=${GATEWAY_HEALTH_URL:-$GATEWAY_URL/health}
DIRECT_URL=http://127.0.0.1:$UPSTREAM_PORT
CHAT_PATH=/v1/chat/completions

die() { echo "run.sh: $*" >&2; exit 1; }

for url in "$GATEWAY_URL" "$GATEWAY_HEALTH_URL"; do
  [[ $url =~ ^http://127\.0\.0\.1(:[0-9]+)?(/|$) ]] || die "only 127.0.0.1 targets are allowed: $url"
done
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
command -v taskset >/dev/null || die "taskset is missing: apt-get install util-linux"
command -v curl >/dev/null || die "curl is missing: apt-get install curl"
(( $(nproc) >= 2 )) || die "needs at least 2 cores (gateway on core 1, load on core 0)"

if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[[ -z ${JAVA_HOME:-} ]] || export PATH=$JAVA_HOME/bin:$PATH
JAVA=java

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/smartflow-bench.XXXXXX")
GATEWAY_CMD=${GATEWAY_CMD:-./smartflow serve --services proxy,management --data $WORKDIR/bench-data}
CONFIG_YAML=""
if [[ $CHAIN_CIRCUIT == off ]]; then
  # Circuits have no "off": the largest thresholds the config takes (1e6; error_rate 1.0 still needs min_calls calls
  # in one window first), which no run of this script reaches.
  CONFIG_YAML+=$'routing:\n  circuit: {consecutive_failures: 1000000, error_rate: 1.0, min_calls: 1000000}\n'
fi
if [[ $CACHE == 1 ]]; then
  # exact matching only: the miss phase measures the exact key, L1/L3 and the store, not the embedding model
  CONFIG_YAML+=$'cache:\n  metacache: {semantic: false}\n'
fi
if [[ -n $CONFIG_YAML ]]; then
  printf '%s' "$CONFIG_YAML" >"$WORKDIR/bench.yaml"
  GATEWAY_CMD+=" --config $WORKDIR/bench.yaml"
fi
PIDS=()

cleanup() {
  local rc=$?
  local pid
  for pid in "${PIDS[@]}"; do
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
  if (( rc == 0 )); then
    rm -rf "$WORKDIR"
  else
    echo "run.sh: failed (exit $rc); logs kept in $WORKDIR" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One lock for the whole run: builds (ours and anyone else's using the same lock) never overlap a measurement.
LOCK=${BENCH_LOCK:-/tmp/smartflow-mvn.lock}
exec 9>"$LOCK"
echo "== waiting for the build lock $LOCK"
flock 9
mvn() { ./mvnw "$@"; }

check_chat() {
  local name=$1 url=$2 model=${3:-gpt-4o-mini} body
  body=$(curl -s --max-time 10 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"model":"'"$model"'","messages":[{"role":"user","content":"Say hello"}]}' -w '\n%{http_code}' "$url$CHAT_PATH" || true)
  [[ ${body##*$'\n'} == 200 && $body == *chat.completion* ]] || die "$name chat check failed: $body"
}

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

run_wrk() {
  local out=$WORKDIR/wrk-$1.txt url=$2 conns=$3 seconds=$4; shift 4
  KEY=$KEY MODEL=${MODEL:-gpt-4o-mini} taskset -c 0 wrk -t1 -c"$conns" -d"${seconds}s" "$@" -s bench/chat.lua \
    "$url$CHAT_PATH" >"$out"
  local bad
  bad=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$out")
  [[ -z $bad ]] || { cat "$out" >&2; die "$1: $bad non-2xx responses, numbers would be meaningless"; }
  echo "$out"
}

rps() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
socket_errors() { awk '/Socket errors:/ {gsub(",", ""); n = $4 + $6 + $8 + $10} END {print n + 0}' "$1"; }

# wrk prints e.g. "     99%    1.23ms"; converted to milliseconds.
pct_ms() {
  awk -v p="$2%" '$1 == p {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    printf "%.3f", (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v)
  }' "$1"
}

probe() {
  local out=$WORKDIR/probe-$1.txt
  taskset -c 0 "$JAVA" -XX:+UseParallelGC -Xmx128m -cp bench/target/classes dev.smartflow.bench.StreamProbe \
    --url "$2" --key "$KEY" --seconds "$STREAM_SECONDS" --warmup "$STREAM_WARMUP" >"$out"
  echo "$out"
}

probe_ms() { sed -n "s/^$2 .*$3=\([0-9.]*\).*/\1/p" "$1"; }

added() { awk -v g="$1" -v d="$2" 'BEGIN { printf "%+.3f", g - d }'; }

echo "== building bench"
mvn -q -B -pl bench -am package -DskipTests
# Same staleness rule as ./smartflow: built here under the lock so the launcher does not build under taskset
# inside the health-check window.
GATEWAY_JAR=smartflow-app/target/smartflow.jar
if [[ $GATEWAY_CMD == ./smartflow* ]] && [[ ! -f $GATEWAY_JAR || -n $(find . -path ./bench -prune -o \
    \( -path '*/src/main/*' -o -name pom.xml \) -newer "$GATEWAY_JAR" -print -quit) ]]; then
  echo "== building gateway"
  mvn -q -B -DskipTests -pl smartflow-app -am package
fi

for port in "$UPSTREAM_PORT" "$GATEWAY_PORT"; do
  port_free "$port" || die "port $port is already in use"
done

echo "== starting FakeUpstream on core 0, port $UPSTREAM_PORT"
start_bg "$WORKDIR/upstream.log" taskset -c 0 "$JAVA" -XX:+UseParallelGC -Xmx256m -cp bench/target/classes \
  dev.smartflow.bench.FakeUpstream --port "$UPSTREAM_PORT"
UPSTREAM_PID=${PIDS[-1]}
wait_http_200 "$DIRECT_URL/v1/models" "$UPSTREAM_PID" 15 || { cat "$WORKDIR/upstream.log" >&2; die "FakeUpstream did not start"; }

echo "== starting gateway on core 1: $GATEWAY_CMD"
start_bg "$WORKDIR/gateway.log" env PROXY_PORT="$GATEWAY_PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" \
  OPENAI_API_BASE="$DIRECT_URL/v1" OPENAI_API_KEY=sk-fake SMARTFLOW_MASTER_KEY="$MASTER" \
  taskset -c 1 bash -c "exec $GATEWAY_CMD"
GATEWAY_PID=${PIDS[-1]}
if ! wait_http_200 "$GATEWAY_HEALTH_URL" "$GATEWAY_PID" 60; then
  tail -50 "$WORKDIR/gateway.log" >&2
  die "gateway did not answer 200 on $GATEWAY_HEALTH_URL within 60 s"
fi
if [[ $VIRTUAL_KEY == 1 ]]; then
  wait_http_200 "http://127.0.0.1:$MANAGEMENT_PORT/health" "$GATEWAY_PID" 30 || die "management did not start"
  # A budget far above what the run spends and limits far above its rate: every call takes the full path.
  created=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' \
    -d '{"name":"bench","owner_id":"bench","budget_usd":1000000,"period":"monthly","rpm_limit":1000000000,"tpm_limit":1000000000000}' \
    "http://127.0.0.1:$MANAGEMENT_PORT/api/enterprise/vkeys")
  KEY=$(sed -n 's/.*"token":"\(sk-sf-[0-9a-f]*\)".*/\1/p' <<<"$created")
  [[ -n $KEY ]] || die "could not create a virtual key: $created"
  echo "== loading with a virtual key (budget and rpm/tpm limits on)"
fi
check_chat gateway "$GATEWAY_URL"
check_chat direct "$DIRECT_URL"

echo "== warm-up: ${WARMUP}s at $CONNECTIONS connections against the gateway"
run_wrk warmup "$GATEWAY_URL" "$CONNECTIONS" "$WARMUP" >/dev/null

echo "== throughput: ${DURATION}s at $CONNECTIONS connections"
TP_GW=$(run_wrk tp-gateway "$GATEWAY_URL" "$CONNECTIONS" "$DURATION")
RSS_MB=$(rss_mb "$(java_pid "$GATEWAY_PID")")
TP_DIRECT=$(run_wrk tp-direct "$DIRECT_URL" "$CONNECTIONS" "$DURATION")

echo "== latency: ${DURATION}s at 1 connection"
LAT_GW=$(run_wrk lat-gateway "$GATEWAY_URL" 1 "$DURATION" --latency)
LAT_DIRECT=$(run_wrk lat-direct "$DIRECT_URL" 1 "$DURATION" --latency)

# The same 1-connection measurement against a second FakeUpstream pinned to core 1: what this machine's cross-core
# wakeups alone cost a request that leaves core 0, with no gateway work at all.
echo "== latency floor: ${DURATION}s at 1 connection against a FakeUpstream on core 1"
FLOOR_PORT=$((UPSTREAM_PORT + 1))
port_free "$FLOOR_PORT" || die "port $FLOOR_PORT is already in use"
start_bg "$WORKDIR/floor.log" taskset -c 1 "$JAVA" -XX:+UseParallelGC -Xmx256m -cp bench/target/classes \
  dev.smartflow.bench.FakeUpstream --port "$FLOOR_PORT"
FLOOR_PID=${PIDS[-1]}
wait_http_200 "http://127.0.0.1:$FLOOR_PORT/v1/models" "$FLOOR_PID" 15 || die "floor FakeUpstream did not start"
run_wrk floor-warmup "http://127.0.0.1:$FLOOR_PORT" 1 5 >/dev/null
LAT_FLOOR=$(run_wrk lat-floor "http://127.0.0.1:$FLOOR_PORT" 1 "$DURATION" --latency)
kill -- "-$FLOOR_PID" 2>/dev/null || true

echo "== streaming: ${STREAM_SECONDS}s sequential (after ${STREAM_WARMUP}s warm-up)"
PR_GW=$(probe gateway "$GATEWAY_URL")
PR_DIRECT=$(probe direct "$DIRECT_URL")

# The number of attempts of each of N sequential chain calls, as "attempts:count" pairs (x-smartflow-attempts).
attempt_counts() {
  local i
  for i in $(seq "$1"); do
    curl -s -o /dev/null -D - --max-time 10 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
      -d '{"model":"'"$CHAIN_NAME"'","messages":[{"role":"user","content":"Say hello"}]}' "$GATEWAY_URL$CHAT_PATH" \
      | tr -d '\r' | sed -n 's/^x-smartflow-attempts: *//Ip'
  done | sort | uniq -c | awk '{printf "%s%s attempts: %s", (NR > 1 ? ", " : ""), $2, $1}'
}

# The cache headers of one chat call without Cache-Control, as "hit=<x-smartflow-cache-hit> tier=<...>".
cache_headers() {
  curl -s -o /dev/null -D - --max-time 10 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}' "$GATEWAY_URL$CHAT_PATH" \
    | tr -d '\r' | awk -F': *' 'tolower($1) == "x-smartflow-cache-hit" {h = $2}
      tolower($1) == "x-smartflow-cache-tier" {t = $2} END {printf "hit=%s tier=%s", h, (t == "" ? "-" : t)}'
}

if [[ $CACHE == 1 ]]; then
  echo "== cache: exact hits (the same request, no Cache-Control)"
  CACHE_FIRST=$(cache_headers)
  CACHE_SECOND=$(cache_headers)
  [[ $CACHE_SECOND == "hit=true tier=l1" ]] || die "the repeated request was not an L1 hit: first $CACHE_FIRST, then $CACHE_SECOND"
  CACHE_CONTROL= run_wrk hit-warmup "$GATEWAY_URL" "$CONNECTIONS" "$CACHE_WARMUP" >/dev/null
  TP_HIT=$(CACHE_CONTROL= run_wrk tp-hit "$GATEWAY_URL" "$CONNECTIONS" "$DURATION")
  LAT_HIT=$(CACHE_CONTROL= run_wrk lat-hit "$GATEWAY_URL" 1 "$DURATION" --latency)
  CACHE_AFTER=$(cache_headers)
  RSS_HIT=$(rss_mb "$(java_pid "$GATEWAY_PID")")

  echo "== cache: a FakeUpstream that answers after ${CACHE_ANSWER_DELAY_MS} ms, measured directly"
  SLOW_PORT=$((UPSTREAM_PORT + 3))
  port_free "$SLOW_PORT" || die "port $SLOW_PORT is already in use"
  start_bg "$WORKDIR/slow.log" taskset -c 0 "$JAVA" -XX:+UseParallelGC -Xmx256m -cp bench/target/classes \
    dev.smartflow.bench.FakeUpstream --port "$SLOW_PORT" --answer-delay-ms "$CACHE_ANSWER_DELAY_MS"
  SLOW_PID=${PIDS[-1]}
  wait_http_200 "http://127.0.0.1:$SLOW_PORT/v1/models" "$SLOW_PID" 15 || die "delayed FakeUpstream did not start"
  run_wrk slow-warmup "http://127.0.0.1:$SLOW_PORT" 1 5 >/dev/null
  TP_SLOW=$(run_wrk tp-slow "http://127.0.0.1:$SLOW_PORT" "$CONNECTIONS" "$DURATION")
  LAT_SLOW=$(run_wrk lat-slow "http://127.0.0.1:$SLOW_PORT" 1 "$DURATION" --latency)
  kill -- "-$SLOW_PID" 2>/dev/null || true

  # Every prompt unique, so with a Cache-Control that reads and writes each call is a miss that is then stored.
  # A prefix per phase and run keeps one phase's prompts from hitting another's entries.
  RUN_ID=$(date +%s)
  unique() { UNIQUE=1 PROMPT_PREFIX="$RUN_ID-$1" CACHE_CONTROL=$2 run_wrk "$1" "$GATEWAY_URL" "$CONNECTIONS" "$3"; }
  echo "== cache: unique prompts, ${CACHE_WARMUP}s warm-up, then ${DURATION}s each: no-cache,no-store / lookup+store / no-cache,no-store"
  unique miss-warmup "" "$CACHE_WARMUP" >/dev/null
  TP_BYPASS1=$(unique tp-bypass1 "no-cache, no-store" "$DURATION")
  TP_STORE=$(unique tp-store "" "$DURATION")
  RSS_STORE=$(rss_mb "$(java_pid "$GATEWAY_PID")")
  TP_BYPASS2=$(unique tp-bypass2 "no-cache, no-store" "$DURATION")
  CACHE_STATS=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" "http://127.0.0.1:$MANAGEMENT_PORT/api/cache/stats")
fi

if [[ $CHAIN == 1 ]]; then
  DEAD_PORT=$((UPSTREAM_PORT + 2))
  port_free "$DEAD_PORT" || die "port $DEAD_PORT is in use; the chain's failing target needs it closed"
  echo "== chain: $CHAIN_NAME (first target 127.0.0.1:$DEAD_PORT, closed), circuits $CHAIN_CIRCUIT"
  created=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' -w '\n%{http_code}' \
    -d '{"name":"'"$CHAIN_NAME"'","strategy":"priority","max_retries":2,"targets":[
          {"provider":"openai","model":"gpt-4o-mini","api_base":"http://127.0.0.1:'"$DEAD_PORT"'/v1","api_key_env":"OPENAI_API_KEY"},
          {"provider":"openai","model":"gpt-4o-mini"},{"provider":"openai","model":"gpt-4o-mini"}]}' \
    "http://127.0.0.1:$MANAGEMENT_PORT/api/routing/fallback-chains")
  [[ ${created##*$'\n'} == 201 ]] || die "could not create the chain: $created"
  check_chat chain "$GATEWAY_URL" "$CHAIN_NAME"
  CHAIN_ATTEMPTS_FIRST=$(attempt_counts 20)
  MODEL=$CHAIN_NAME run_wrk chain-warmup "$GATEWAY_URL" "$CONNECTIONS" "$CHAIN_WARMUP" >/dev/null
  TP_CHAIN=$(MODEL=$CHAIN_NAME run_wrk tp-chain "$GATEWAY_URL" "$CONNECTIONS" "$DURATION")
  LAT_CHAIN=$(MODEL=$CHAIN_NAME run_wrk lat-chain "$GATEWAY_URL" 1 "$DURATION" --latency)
  CHAIN_ATTEMPTS_LAST=$(attempt_counts 20)
  CHAIN_HEALTH=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" "http://127.0.0.1:$MANAGEMENT_PORT/api/providers/health")
  CHAIN_STATUS=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" "http://127.0.0.1:$MANAGEMENT_PORT/api/routing/status")
fi

row() { printf '| %-34s | %10s | %10s | %10s |\n' "$@"; }
table() {
  local p g d metric label
  row metric gateway direct added
  row ---------------------------------- ---------- ---------- ----------
  row "throughput, $CONNECTIONS conns (req/s)" "$(rps "$TP_GW")" "$(rps "$TP_DIRECT")" ""
  row "socket errors during throughput" "$(socket_errors "$TP_GW")" "$(socket_errors "$TP_DIRECT")" ""
  for p in 50 99; do
    g=$(pct_ms "$LAT_GW" "$p"); d=$(pct_ms "$LAT_DIRECT" "$p")
    row "latency p$p, 1 conn (ms)" "$g" "$d" "$(added "$g" "$d")"
  done
  for p in 50 99; do
    g=$(pct_ms "$LAT_GW" "$p"); d=$(pct_ms "$LAT_FLOOR" "$p")
    row "cross-core floor p$p, 1 conn (ms)" "" "$d" "$(added "$g" "$d")"
  done
  for metric in "first_chunk_ms:stream first chunk" "stream_end_ms:stream end"; do
    label=${metric#*:}; metric=${metric%%:*}
    for p in p50 p99; do
      g=$(probe_ms "$PR_GW" "$metric" "$p"); d=$(probe_ms "$PR_DIRECT" "$metric" "$p")
      row "$label $p (ms)" "$g" "$d" "$(added "$g" "$d")"
    done
  done
  row "gateway RSS after throughput (MB)" "$RSS_MB" "" ""
  if [[ $CACHE == 1 ]]; then
    # "added" against the direct column (the instant FakeUpstream) for hits; against the no-cache runs for misses
    row "exact hit throughput, $CONNECTIONS conns" "$(rps "$TP_HIT")" "$(rps "$TP_DIRECT")" ""
    row "exact hit socket errors" "$(socket_errors "$TP_HIT")" "" ""
    for p in 50 99; do
      g=$(pct_ms "$LAT_HIT" "$p"); d=$(pct_ms "$LAT_DIRECT" "$p")
      row "exact hit p$p, 1 conn (ms)" "$g" "$d" "$(added "$g" "$d")"
    done
    row "direct, ${CACHE_ANSWER_DELAY_MS} ms upstream, $CONNECTIONS conns" "" "$(rps "$TP_SLOW")" ""
    for p in 50 99; do
      g=$(pct_ms "$LAT_HIT" "$p"); d=$(pct_ms "$LAT_SLOW" "$p")
      row "direct, ${CACHE_ANSWER_DELAY_MS} ms upstream, p$p (ms)" "" "$d" "$(added "$g" "$d")"
    done
    row "unique, no-cache,no-store (1st)" "$(rps "$TP_BYPASS1")" "" ""
    row "unique, lookup+miss+store" "$(rps "$TP_STORE")" "" ""
    row "unique, no-cache,no-store (2nd)" "$(rps "$TP_BYPASS2")" "" ""
    row "socket errors, unique runs" "$(( $(socket_errors "$TP_BYPASS1") + $(socket_errors "$TP_STORE") + $(socket_errors "$TP_BYPASS2") ))" "" ""
    row "RSS after hits / after store (MB)" "$RSS_HIT / $RSS_STORE" "" ""
  fi
  if [[ $CHAIN == 1 ]]; then
    # "added" here is against the single-target gateway figures above, not the upstream.
    row "chain throughput, $CONNECTIONS conns (req/s)" "$(rps "$TP_CHAIN")" "" ""
    row "chain socket errors" "$(socket_errors "$TP_CHAIN")" "" ""
    for p in 50 99; do
      g=$(pct_ms "$LAT_CHAIN" "$p"); d=$(pct_ms "$LAT_GW" "$p")
      row "chain latency p$p, 1 conn (ms)" "$g" "" "$(added "$g" "$d")"
    done
  fi
}

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo none)
[[ -z $(git status --porcelain 2>/dev/null | head -1) ]] || COMMIT="$COMMIT (dirty)"
TABLE=$(table)

echo
echo "$TABLE"

mkdir -p bench/results
[[ -f bench/results/latest.md ]] || printf '# Smartflow bench results\n\nAppended by bench/run.sh, newest last.\n' >bench/results/latest.md
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $COMMIT"
  echo
  echo "Command: \`$INVOCATION\`"
  echo
  echo "Gateway: \`$GATEWAY_CMD\`${SMARTFLOW_JAVA_OPTS:+ with SMARTFLOW_JAVA_OPTS=\`$SMARTFLOW_JAVA_OPTS\`};" \
    "calls authenticated with $([[ $VIRTUAL_KEY == 1 ]] && echo "a virtual key (budget, rpm and tpm limits on)" \
    || echo "the master key")."
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
    "$("$JAVA" -version 2>&1 | head -1). Gateway on core 1; FakeUpstream, wrk and StreamProbe on core 0."
  echo
  echo "$TABLE"
  if [[ $CACHE == 1 ]]; then
    echo
    echo "Cache (\`cache.metacache.semantic: false\`): the same request twice before the hit phase: $CACHE_FIRST," \
      "then $CACHE_SECOND; after it: $CACHE_AFTER. Delayed upstream: FakeUpstream --answer-delay-ms" \
      "$CACHE_ANSWER_DELAY_MS on core 0. Unique-prompt runs at $CONNECTIONS connections, ${DURATION}s each, in the" \
      "order listed, after ${CACHE_WARMUP}s of lookup+store warm-up."
    echo
    echo "Cache stats after the run: \`$CACHE_STATS\`"
  fi
  if [[ $CHAIN == 1 ]]; then
    echo
    echo "Chain \`$CHAIN_NAME\` (circuits $CHAIN_CIRCUIT; chain rows' \"added\" is against the single-target gateway):" \
      "20 calls before its load: $CHAIN_ATTEMPTS_FIRST; 20 calls after: $CHAIN_ATTEMPTS_LAST."
    echo
    echo "Provider health after the chain phase: \`$CHAIN_HEALTH\`"
    echo
    echo "Routing status: \`$CHAIN_STATUS\`"
  fi
} >>bench/results/latest.md
echo
echo "appended to bench/results/latest.md"
