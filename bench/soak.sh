#!/usr/bin/env bash
# Memory soak: the gateway under steady load for SOAK_SECONDS (default 600), RSS sampled every SAMPLE seconds.
# Same layout as run.sh: gateway on core 1, FakeUpstream and wrk on core 0. Prints one line per sample.
# VIRTUAL_KEY [1]: load with a virtual key that has a budget and rpm/tpm limits, as run.sh does; 0: the master key.
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECONDS=${SOAK_SECONDS:-600}
SAMPLE=${SAMPLE:-30}
CONNECTIONS=${CONNECTIONS:-32}
UPSTREAM_PORT=${UPSTREAM_PORT:-18180}
GATEWAY_PORT=${GATEWAY_PORT:-17875}
MANAGEMENT_PORT=$((GATEWAY_PORT + 3))
VIRTUAL_KEY=${VIRTUAL_KEY:-1}
KEY=sk-bench-soak
[[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
[[ -f smartflow-app/target/smartflow.jar && -d bench/target/classes ]] \
  || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 1; }

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/smartflow-soak.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; rm -rf "$WORKDIR"; }
trap cleanup EXIT

setsid taskset -c 0 "$JAVA" -XX:+UseParallelGC -Xmx256m -cp bench/target/classes dev.smartflow.bench.FakeUpstream \
  --port "$UPSTREAM_PORT" >"$WORKDIR/upstream.log" 2>&1 &
PIDS+=($!)
PROXY_PORT=$GATEWAY_PORT MANAGEMENT_PORT=$MANAGEMENT_PORT OPENAI_API_BASE=http://127.0.0.1:$UPSTREAM_PORT/v1 \
  OPENAI_API_KEY=sk-fake SMARTFLOW_MASTER_KEY=$KEY setsid taskset -c 1 ./smartflow serve \
  --services proxy,management --data "$WORKDIR/data" >"$WORKDIR/gateway.log" 2>&1 &
PIDS+=($!)
GATEWAY=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$GATEWAY_PORT/health" >/dev/null && break
  sleep 0.25
done
JPID=$(pgrep -f "smartflow.jar serve --services proxy,management --data $WORKDIR/data" | head -1)
if [[ $VIRTUAL_KEY == 1 ]]; then
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/health" >/dev/null && break
    sleep 0.25
  done
  created=$(curl -s --max-time 10 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"name":"soak","owner_id":"soak","budget_usd":1000000,"period":"monthly","rpm_limit":1000000000,"tpm_limit":1000000000000}' \
    "http://127.0.0.1:$MANAGEMENT_PORT/api/enterprise/vkeys")
  KEY=$(sed -n 's/.*"token":"\(sk-sf-[0-9a-f]*\)".*/\1/p' <<<"$created")
  [[ -n $KEY ]] || { echo "could not create a virtual key: $created" >&2; exit 1; }
fi

cat >"$WORKDIR/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${SOAK_SECONDS}s" -s "$WORKDIR/chat.lua" \
  "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" >"$WORKDIR/wrk.txt" &
WRK=$!
START=$SECONDS
while kill -0 "$WRK" 2>/dev/null; do
  printf 't=%4ds rss=%sMB\n' $((SECONDS - START)) "$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$JPID/status")"
  sleep "$SAMPLE"
done
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" "$WORKDIR/wrk.txt"
