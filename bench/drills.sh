#!/usr/bin/env bash
# Reliability drills: what the gateway does when it is killed, when Redis or PostgreSQL goes away under load, and
# whether misbehaving upstreams leave anything behind. Run by hand (not part of ./mvnw verify or CI); the figures go
# into BENCHMARKS.md, "Reliability".
#
#   bench/drills.sh [kill9|redis|database|faults|all]...     (default: all, ~5 minutes)
#
#   kill9     gateway (H2 in the work dir) under load with virtual keys; kill -9 mid-load, restart on the same data,
#             then every acknowledged call (a complete 200, by x-smartflow-request-id) is looked up in the audit log
#             (GET /api/vas/logs): lost = acknowledged but never audited. KILL9_ROUNDS rounds.
#   redis     gateway on a PRIVATE redis-server (REDIS_PORT, never 6379) with a budgeted key, steady load; Redis is
#             shut down for REDIS_OUTAGE s and started again: statuses and latency during the outage, /health/ready,
#             recovery time, and which calls issued during the outage reached the upstream later.
#   database  gateway on a PRIVATE PostgreSQL (PG_PORT, never 5432; initdb into the work dir as the postgres user);
#             PostgreSQL stopped for DB_OUTAGE s under load: statuses and latency, then how long the audit backlog
#             takes to drain and whether any acknowledged call's record was lost.
#   faults    FakeUpstream misbehaves on a mix of calls (500, 429, reset mid-body, stall, truncated stream, garbage
#             JSON, slow drip) for FAULT_SECONDS; the gateway JVM's heap after a forced GC, threads, file descriptors,
#             connections to the upstream and RSS before and after, the statuses per fault, and how long the gateway
#             holds an upstream call whose client went away.
#
# Each drill prints a summary block and appends key=value lines to $WORKDIR/drills.txt (kept, with the logs; the
# bulky data directories are deleted on success unless KEEP=1). The build runs first under the shared Maven lock
# (/tmp/smartflow-mvn.lock); each drill then holds that lock while it runs, so no build competes with a measurement.
# Only 127.0.0.1 is ever targeted; every loop and wait is bounded. Needs: a JDK 21+ (Temurin 25 preferred), curl,
# redis-server/redis-cli (redis), PostgreSQL server binaries under /usr/lib/postgresql (database), ss (faults).
#
# Environment (defaults in brackets):
#   UPSTREAM_PORT [18280]  GATEWAY_PORT [17975] (management: +3)  REDIS_PORT [16379]  PG_PORT [15432]
#   BUILD [1] (0: use the built tree as it is)  KEEP [0]  CALL_TIMEOUT_MS [30000] (the load client's own limit)
#   KILL9_ROUNDS [2]  KILL9_LOAD_SECONDS [8]  KILL9_WORKERS [32]  KILL9_KEYS [16]
#   REDIS_BEFORE [5]  REDIS_OUTAGE [20]  REDIS_AFTER [30]  REDIS_RATE [50]
#   DB_BEFORE [5]  DB_OUTAGE [30]  DB_AFTER [15]  DB_RATE [200]  DB_KEYS [4]
#   IN_FLIGHT [4000]: the redis and database drills' load is open loop (calls start at the rate whatever earlier
#     calls do, at most IN_FLIGHT at once), so hung calls cannot hide when the gateway recovers
#   OUTAGE_WARMUP [5]: seconds of load before the "before" window of the redis and database drills (a fresh JVM)
#   HEALTHY_MS [1000]: recovery is the first run of 20 calls answered 200 within this, from the dependency's return
#   DB_AUDIT_MAX_PENDING [2000] (SMARTFLOW_AUDIT_MAX_PENDING for the drill: low enough that the outage spills)
#   FAULT_WARMUP [10]  FAULT_SECONDS [60]  FAULT_IDLE [10]  FAULT_RATE [100] (open loop too)
#   FAULT_MIX [ok=4,500=1,429=1,reset=1,stall=1,abandon=1,truncated=1,garbage=1,drip=1]  FAULT_PROVIDER_TIMEOUT [3s]
#     (abandon: the upstream stalls and the client gives up after 500 ms; FakeUpstream reports how long the gateway
#     kept each stalled upstream connection open, so an abandoned call that is cancelled shows ~500 ms, not ~3 s)
#   SMARTFLOW_JAVA_OPTS is passed through to the launcher.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
OVERRIDES=""
for var in UPSTREAM_PORT GATEWAY_PORT REDIS_PORT PG_PORT BUILD KEEP CALL_TIMEOUT_MS KILL9_ROUNDS KILL9_LOAD_SECONDS \
  KILL9_WORKERS KILL9_KEYS REDIS_BEFORE REDIS_OUTAGE REDIS_AFTER REDIS_RATE IN_FLIGHT HEALTHY_MS OUTAGE_WARMUP DB_BEFORE DB_OUTAGE \
  DB_AFTER DB_RATE DB_KEYS DB_AUDIT_MAX_PENDING FAULT_WARMUP FAULT_SECONDS FAULT_IDLE FAULT_RATE \
  FAULT_MIX FAULT_PROVIDER_TIMEOUT SMARTFLOW_JAVA_OPTS; do
  [[ -z ${!var+set} ]] || OVERRIDES+="$var=$(printf %q "${!var}") "
done
INVOCATION="$OVERRIDES$0${*:+ $*}"

UPSTREAM_PORT=${UPSTREAM_PORT:-18280}
GATEWAY_PORT=${GATEWAY_PORT:-17975}
MANAGEMENT_PORT=$((GATEWAY_PORT + 3))
REDIS_PORT=${REDIS_PORT:-16379}
PG_PORT=${PG_PORT:-15432}
BUILD=${BUILD:-1}
KEEP=${KEEP:-0}
CALL_TIMEOUT_MS=${CALL_TIMEOUT_MS:-30000}
KILL9_ROUNDS=${KILL9_ROUNDS:-2}
KILL9_LOAD_SECONDS=${KILL9_LOAD_SECONDS:-8}
KILL9_WORKERS=${KILL9_WORKERS:-32}
KILL9_KEYS=${KILL9_KEYS:-16}
REDIS_BEFORE=${REDIS_BEFORE:-5}
REDIS_OUTAGE=${REDIS_OUTAGE:-20}
REDIS_AFTER=${REDIS_AFTER:-30}
REDIS_RATE=${REDIS_RATE:-50}
IN_FLIGHT=${IN_FLIGHT:-4000}
HEALTHY_MS=${HEALTHY_MS:-1000}
OUTAGE_WARMUP=${OUTAGE_WARMUP:-5}
DB_BEFORE=${DB_BEFORE:-5}
DB_OUTAGE=${DB_OUTAGE:-30}
DB_AFTER=${DB_AFTER:-15}
DB_RATE=${DB_RATE:-200}
DB_KEYS=${DB_KEYS:-4}
DB_AUDIT_MAX_PENDING=${DB_AUDIT_MAX_PENDING:-2000}
FAULT_WARMUP=${FAULT_WARMUP:-10}
FAULT_SECONDS=${FAULT_SECONDS:-60}
FAULT_IDLE=${FAULT_IDLE:-10}
FAULT_RATE=${FAULT_RATE:-100}
FAULT_MIX=${FAULT_MIX:-ok=4,500=1,429=1,reset=1,stall=1,abandon=1,truncated=1,garbage=1,drip=1}
FAULT_PROVIDER_TIMEOUT=${FAULT_PROVIDER_TIMEOUT:-3s}

MASTER=sk-drill-master
GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT
MANAGEMENT_URL=http://127.0.0.1:$MANAGEMENT_PORT
UPSTREAM_URL=http://127.0.0.1:$UPSTREAM_PORT

die() { echo "drills.sh: $*" >&2; exit 1; }

DRILLS=()
for arg in "${@:-all}"; do
  case $arg in
    all) DRILLS+=(kill9 redis database faults) ;;
    kill9|redis|database|faults) DRILLS+=("$arg") ;;
    *) die "unknown drill '$arg' (kill9, redis, database, faults, all)" ;;
  esac
done
(( REDIS_PORT != 6379 )) || die "REDIS_PORT must not be the shared Redis' 6379"
(( PG_PORT != 5432 )) || die "PG_PORT must not be the shared PostgreSQL's 5432"
command -v curl >/dev/null || die "curl is missing: apt-get install curl"

if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[[ -z ${JAVA_HOME:-} ]] || export PATH=$JAVA_HOME/bin:$PATH
JAVA=java
JCMD=jcmd

# Gateway on core 1, everything else (upstream, load, Redis, PostgreSQL) on core 0, as in run.sh.
PIN_GATEWAY=()
PIN_REST=()
if command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  PIN_GATEWAY=(taskset -c 1)
  PIN_REST=(taskset -c 0)
fi

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/smartflow-drills.XXXXXX")
# PostgreSQL runs as its own user and must reach its directory below this one
chmod 711 "$WORKDIR"
RESULTS=$WORKDIR/drills.txt
PIDS=()
PG_DATA=""
PG_AS=()

stop_group() {
  local pid=$1
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do stop_group "$pid"; done
  PIDS=()
  if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m immediate -w -t 20 >/dev/null 2>&1 || true
  fi
}

cleanup() {
  local rc=$?
  stop_all
  if (( rc == 0 )) && [[ $KEEP != 1 ]]; then
    # the databases and the per-call logs are bulky; drills.txt, the summaries and the server logs stay
    rm -rf "$WORKDIR"/*/data "$WORKDIR"/redis "$WORKDIR"/*.calls "$WORKDIR"/*.received "$WORKDIR"/*.acked \
      "$WORKDIR"/*.audited
  fi
  if (( rc == 0 )); then
    echo "drills.sh: results in $RESULTS"
  else
    echo "drills.sh: failed (exit $rc); logs kept in $WORKDIR" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (bounded) for a process of ours to end, reaps it and forgets it, so no later signal can reach a reused pid.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2)) kept=() p
  while alive "$pid"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]}")
}

now_ms() { date +%s%3N; }

tool() { "${PIN_REST[@]}" "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx128m -cp bench/target/classes "$@"; }

# Appends "drill=NAME key=value..." lines to drills.txt and shows them.
emit() {
  local drill=$1; shift
  local line
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    echo "drill=$drill $* $line" >>"$RESULTS"
    echo "  $* $line"
  done
}

start_upstream() {
  port_free "$UPSTREAM_PORT" || die "port $UPSTREAM_PORT is already in use"
  start_bg "$WORKDIR/$1-upstream.log" "${PIN_REST[@]}" "$JAVA" -XX:+UseParallelGC -Xmx256m -cp bench/target/classes \
    dev.smartflow.bench.FakeUpstream --port "$UPSTREAM_PORT"
  UPSTREAM_PID=${PIDS[-1]}
  wait_http_200 "$UPSTREAM_URL/v1/models" "$UPSTREAM_PID" 15 || die "FakeUpstream did not start"
}

# start_gateway DRILL DATA_DIR [VAR=value...]: the gateway on core 1, proxy and management, OpenAI on FakeUpstream.
start_gateway() {
  local drill=$1 data=$2; shift 2
  port_free "$GATEWAY_PORT" || die "port $GATEWAY_PORT is already in use"
  port_free "$MANAGEMENT_PORT" || die "port $MANAGEMENT_PORT is already in use"
  start_bg "$WORKDIR/$drill-gateway.log" env PROXY_PORT="$GATEWAY_PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" \
    OPENAI_API_BASE="$UPSTREAM_URL/v1" OPENAI_API_KEY=sk-fake SMARTFLOW_MASTER_KEY="$MASTER" "$@" \
    "${PIN_GATEWAY[@]}" ./smartflow serve --services proxy,management --data "$data" ${GATEWAY_CONFIG:+--config "$GATEWAY_CONFIG"}
  GATEWAY_PID=${PIDS[-1]}
  if ! wait_http_200 "$GATEWAY_URL/health" "$GATEWAY_PID" 60 \
      || ! wait_http_200 "$MANAGEMENT_URL/health" "$GATEWAY_PID" 30; then
    tail -40 "$WORKDIR/$drill-gateway.log" >&2
    die "$drill: the gateway did not start"
  fi
  GATEWAY_JPID=$(java_pid "$GATEWAY_PID")
}

# create_keys N: virtual keys with a budget far above what a drill spends and limits far above its rate, so every
# call takes the full path (key lookup, rate windows, budget reserve and settle). Sets TOKENS and KEY_IDS (comma lists).
create_keys() {
  local i created token id
  TOKENS=""
  KEY_IDS=""
  for i in $(seq "$1"); do
    created=$(curl -s --max-time 10 -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' \
      -d '{"name":"drill-'"$i"'","owner_id":"drill","budget_usd":1000000,"period":"monthly","rpm_limit":1000000000,"tpm_limit":1000000000000}' \
      "$MANAGEMENT_URL/api/enterprise/vkeys")
    token=$(sed -n 's/.*"token":"\(sk-sf-[0-9a-f]*\)".*/\1/p' <<<"$created")
    id=$(sed -n 's/.*"key_id":"\(key_[^"]*\)".*/\1/p' <<<"$created")
    [[ -n $token && -n $id ]] || die "could not create a virtual key: $created"
    TOKENS+="${TOKENS:+,}$token"
    KEY_IDS+="${KEY_IDS:+,}$id"
  done
}

# start_load NAME DrillLoad-options...: in the background until NAME.stop appears (or its own --seconds bound).
start_load() {
  local name=$1; shift
  rm -f "$WORKDIR/$name.stop"
  start_bg "$WORKDIR/$name.out" "${PIN_REST[@]}" "$JAVA" -XX:+UseParallelGC -Xmx384m -cp bench/target/classes \
    dev.smartflow.bench.DrillLoad --url "$GATEWAY_URL/v1/chat/completions" --log "$WORKDIR/$name.calls" \
    --stop-file "$WORKDIR/$name.stop" --timeout-ms "$CALL_TIMEOUT_MS" "$@"
  LOAD_PID=${PIDS[-1]}
}

# stop_load NAME [LABEL]: not in a $(...), so that its die ends the script and the reaped pid is forgotten.
stop_load() {
  touch "$WORKDIR/$1.stop"
  wait_gone "$LOAD_PID" $((CALL_TIMEOUT_MS / 1000 + 15)) || die "$1: the load client did not stop"
  echo "  ${2:-load}: $(tail -1 "$WORKDIR/$1.out")"
}

lock() {
  echo "== $1: waiting for the build lock $LOCK"
  flock 9
}
unlock() { flock -u 9; }

# ---------------------------------------------------------------------------------------------------------- kill9
drill_kill9() {
  echo "== kill9: $KILL9_ROUNDS rounds, kill -9 after ${KILL9_LOAD_SECONDS}s of load ($KILL9_WORKERS workers, $KILL9_KEYS keys)"
  local data=$WORKDIR/kill9/data round since killed_at up_at acked audited settled fetched
  mkdir -p "$WORKDIR/kill9"
  start_upstream kill9
  start_gateway kill9 "$data"
  create_keys "$KILL9_KEYS"
  for round in $(seq "$KILL9_ROUNDS"); do
    since=$(now_ms)
    start_load "kill9-$round" --keys "$TOKENS" --workers "$KILL9_WORKERS" --seconds $((KILL9_LOAD_SECONDS + 60)) \
      --acked "$WORKDIR/kill9-$round.acked" --seq-start $((round * 100000000))
    sleep "$KILL9_LOAD_SECONDS"
    kill -9 "$GATEWAY_JPID"
    killed_at=$(now_ms)
    wait_gone "$GATEWAY_PID" 10 || die "kill9: the gateway survived kill -9"
    echo "  round $round: killed the gateway (pid $GATEWAY_JPID) after $((killed_at - since)) ms of load"
    stop_load "kill9-$round"
    start_gateway kill9 "$data"
    up_at=$(now_ms)
    settled=$(tool dev.smartflow.bench.DrillAudit settle --url "$MANAGEMENT_URL" --master "$MASTER" \
      --since-ms "$since" --origin-ms "$up_at" --stable-ms 3000 --max-ms 60000)
    fetched=$(tool dev.smartflow.bench.DrillAudit ids --url "$MANAGEMENT_URL" --master "$MASTER" --since-ms "$since" \
      --keys "$KEY_IDS" --out "$WORKDIR/kill9-$round.audited")
    tool dev.smartflow.bench.DrillReport compare --acked "$WORKDIR/kill9-$round.acked" \
      --audited "$WORKDIR/kill9-$round.audited" | emit kill9 "round=$round" "restart_ms=$((up_at - killed_at))" \
      "$settled" "$fetched"
    [[ $fetched == *truncated=0* ]] || echo "  WARNING: a key had more than 10,000 records; raise KILL9_KEYS" >&2
  done
  stop_all
}

# ---------------------------------------------------------------------------------------------------------- redis
redis_up() {
  start_bg "$WORKDIR/redis.log" "${PIN_REST[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
    --appendonly no --dir "$WORKDIR/redis"
  REDIS_PID=${PIDS[-1]}
  for _ in $(seq 100); do
    [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  die "the private redis-server did not start on $REDIS_PORT"
}

drill_redis() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "redis: redis-server/redis-cli missing"
  echo "== redis: private redis-server on $REDIS_PORT stopped for ${REDIS_OUTAGE}s under ${REDIS_RATE} calls/s"
  local t0 down up end
  port_free "$REDIS_PORT" || die "port $REDIS_PORT is already in use"
  mkdir -p "$WORKDIR/redis"
  redis_up
  start_upstream redis
  start_gateway redis "$WORKDIR/redis-gw/data" SMARTFLOW_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  create_keys 1
  start_load redis --keys "$TOKENS" --max-in-flight "$IN_FLIGHT" --rate "$REDIS_RATE" \
    --seconds $((OUTAGE_WARMUP + REDIS_BEFORE + REDIS_OUTAGE + REDIS_AFTER + 60)) --probe-url "$GATEWAY_URL/health/ready"
  sleep "$OUTAGE_WARMUP"
  t0=$(now_ms)
  sleep "$REDIS_BEFORE"
  down=$(now_ms)
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  wait_gone "$REDIS_PID" 10 || die "redis: the private redis-server did not stop"
  sleep "$REDIS_OUTAGE"
  redis_up
  up=$(now_ms)
  sleep "$REDIS_AFTER"
  end=$(now_ms)
  stop_load redis
  curl -s --max-time 10 "$UPSTREAM_URL/stats/received" >"$WORKDIR/redis.received"
  local stats ok
  stats=$(curl -s --max-time 10 "$UPSTREAM_URL/stats")
  ok=$(awk '$1 == "req" && $5 == 200' "$WORKDIR/redis.calls" | wc -l)
  {
    echo "phase=before $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/redis.calls" --from "$t0" --to "$down")"
    echo "phase=outage outage_ms=$((up - down)) $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/redis.calls" --from "$down" --to "$up")"
    echo "phase=after $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/redis.calls" --from "$up" --to "$end")"
    echo "phase=recovery $(tool dev.smartflow.bench.DrillReport recovery --log "$WORKDIR/redis.calls" --after "$up" --healthy-ms "$HEALTHY_MS")"
    echo "phase=outage $(tool dev.smartflow.bench.DrillReport later --log "$WORKDIR/redis.calls" \
      --received "$WORKDIR/redis.received" --from "$down" --to "$up")"
    echo "phase=total gateway_200=$ok upstream_chat_requests=$(sed -n 's/.*"chat_requests":\([0-9]*\).*/\1/p' <<<"$stats")"
  } | emit redis
  stop_all
}

# ------------------------------------------------------------------------------------------------------- database
pg_ctl_run() { "${PIN_REST[@]}" "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }

drill_database() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "database: PostgreSQL server binaries not found under /usr/lib/postgresql"
  echo "== database: private PostgreSQL on $PG_PORT stopped for ${DB_OUTAGE}s under ${DB_RATE} calls/s"
  port_free "$PG_PORT" || die "port $PG_PORT is already in use"
  local pg=$WORKDIR/pg load_start t0 down up end backlog settled fetched
  mkdir -p "$pg"
  if (( EUID == 0 )); then
    PG_AS=(runuser -u postgres --)
    chown postgres "$pg"
  fi
  chmod 700 "$pg"
  PG_DATA=$pg/data
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >"$pg/initdb.log" 2>&1 \
    || { cat "$pg/initdb.log" >&2; die "database: initdb failed"; }
  local pg_opts="-p $PG_PORT -k $pg -c listen_addresses=127.0.0.1"
  pg_ctl_run -o "$pg_opts" -l "$pg/postgres.log" -w -t 30 start >/dev/null || die "database: PostgreSQL did not start"
  start_upstream database
  start_gateway database "$WORKDIR/database-gw/data" \
    SMARTFLOW_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres" \
    SMARTFLOW_AUDIT_MAX_PENDING="$DB_AUDIT_MAX_PENDING"
  # one more key, first used during the outage: its lookup cannot come from the gateway's key cache
  create_keys $((DB_KEYS + 1))
  local cold_token=${TOKENS##*,}
  TOKENS=${TOKENS%,*}
  KEY_IDS=${KEY_IDS%,*}
  load_start=$(now_ms)
  start_load database --keys "$TOKENS" --max-in-flight "$IN_FLIGHT" --rate "$DB_RATE" --acked "$WORKDIR/database.acked" \
    --seconds $((OUTAGE_WARMUP + DB_BEFORE + DB_OUTAGE + DB_AFTER + 150)) --probe-url "$GATEWAY_URL/health/ready"
  sleep "$OUTAGE_WARMUP"
  t0=$(now_ms)
  sleep "$DB_BEFORE"
  down=$(now_ms)
  pg_ctl_run -m fast -w -t 30 stop >/dev/null || die "database: PostgreSQL did not stop"
  sleep 2
  curl -s -o "$WORKDIR/database-cold.body" -w '%{http_code} %{time_total}' --max-time $((DB_OUTAGE + 30)) \
    -H "Authorization: Bearer $cold_token" -H 'Content-Type: application/json' \
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"cold key"}]}' \
    "$GATEWAY_URL/v1/chat/completions" >"$WORKDIR/database-cold.txt" 2>/dev/null &
  local cold_pid=$!
  sleep $((DB_OUTAGE - 2))
  pg_ctl_run -o "$pg_opts" -l "$pg/postgres.log" -w -t 30 start >/dev/null || die "database: PostgreSQL did not restart"
  up=$(now_ms)
  # The backlog: records of the calls started before PostgreSQL came back, counted until they stop changing (the
  # load goes on meanwhile).
  backlog=$(tool dev.smartflow.bench.DrillAudit settle --url "$MANAGEMENT_URL" --master "$MASTER" --since-ms "$load_start" \
    --until-ms "$up" --origin-ms "$up" --stable-ms 3000 --max-ms 120000)
  local left=$((up + DB_AFTER * 1000 - $(now_ms)))
  (( left <= 0 )) || sleep "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')"
  end=$(now_ms)
  stop_load database
  settled=$(tool dev.smartflow.bench.DrillAudit settle --url "$MANAGEMENT_URL" --master "$MASTER" --since-ms "$load_start" \
    --origin-ms "$end" --stable-ms 3000 --max-ms 120000)
  fetched=$(tool dev.smartflow.bench.DrillAudit ids --url "$MANAGEMENT_URL" --master "$MASTER" \
    --since-ms "$load_start" --keys "$KEY_IDS" --out "$WORKDIR/database.audited")
  wait "$cold_pid" || true
  local cold_code
  cold_code=$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$WORKDIR/database-cold.body" 2>/dev/null | head -1)
  local spooled=0
  [[ ! -d $WORKDIR/database-gw/data/audit-spool ]] \
    || spooled=$(find "$WORKDIR/database-gw/data/audit-spool" -type f ! -name '*.lock' | wc -l)
  {
    echo "phase=before $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/database.calls" --from "$t0" --to "$down")"
    echo "phase=outage outage_ms=$((up - down)) $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/database.calls" --from "$down" --to "$up")"
    echo "phase=after $(tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/database.calls" --from "$up" --to "$end")"
    echo "phase=recovery $(tool dev.smartflow.bench.DrillReport recovery --log "$WORKDIR/database.calls" --after "$up" --healthy-ms "$HEALTHY_MS")"
    echo "phase=outage cold_key_call=$(awk '{printf "status=%s ms=%.0f", $1, $2 * 1000}' "$WORKDIR/database-cold.txt")" \
      "code=${cold_code:--}"
    echo "phase=backlog $backlog"
    echo "phase=audit $settled $fetched spool_files_left=$spooled $(tool dev.smartflow.bench.DrillReport compare \
      --acked "$WORKDIR/database.acked" --audited "$WORKDIR/database.audited")"
  } | emit database
  [[ $fetched == *truncated=0* ]] || echo "  WARNING: a key had more than 10,000 records; raise DB_KEYS" >&2
  stop_all
  PG_DATA=""
}

# --------------------------------------------------------------------------------------------------------- faults
# Leak indicators of the gateway JVM, one key=value line; the heap is measured right after a forced full GC.
jvm_state() {
  local pid=$1 heap
  "$JCMD" "$pid" GC.run >/dev/null
  sleep 1
  # "PSYoungGen total 19456K, used 1234K" and the like: the generations' used sizes, without metaspace
  heap=$("$JCMD" "$pid" GC.heap_info | awk '/ total [0-9]+K, used [0-9]+K/ && !/Metaspace|class space/ {
    for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); kb += v } } END { print kb + 0 }')
  echo "heap_used_kb=$heap" \
    "threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")" \
    "fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)" \
    "upstream_established=$(ss -tnpH state established "( dport = :$UPSTREAM_PORT )" | grep -c "pid=$pid," || true)" \
    "upstream_any_state=$(ss -tanpH "( dport = :$UPSTREAM_PORT )" | grep -c "pid=$pid," || true)" \
    "rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")" \
    "upstream_open=$(curl -s --max-time 5 "$UPSTREAM_URL/stats" | sed -n 's/.*"open_connections":\([0-9]*\).*/\1/p')"
}

delta() {
  local before=$1 after=$2 kv name out=""
  for kv in $after; do
    name=${kv%%=*}
    local b
    b=$(tr ' ' '\n' <<<"$before" | sed -n "s/^$name=//p")
    out+="$name=$(( ${kv#*=} - b )) "
  done
  echo "${out% }"
}

# How many stalled upstream connections of one fault the gateway closed (warm-up included), after how long.
held() {
  sed -n 's/.*"'"$1"'":{"closed":\([0-9]*\),"p50_ms":\(-*[0-9]*\),"max_ms":\(-*[0-9]*\)}.*/'"$1"'_closed=\1 '"$1"'_held_p50_ms=\2 '"$1"'_held_max_ms=\3/p' <<<"$2"
}

drill_faults() {
  command -v ss >/dev/null || die "faults: ss is missing (apt-get install iproute2)"
  echo "== faults: ${FAULT_SECONDS}s of $FAULT_MIX at ${FAULT_RATE} calls/s, provider timeout $FAULT_PROVIDER_TIMEOUT"
  local before after t0 end stats
  mkdir -p "$WORKDIR/faults"
  # the provider timeout only has a file setting; the rest comes from the environment as in the other drills
  cat >"$WORKDIR/faults/smartflow.yaml" <<YAML
providers:
  openai:
    timeout: $FAULT_PROVIDER_TIMEOUT
    stream_idle_timeout: $FAULT_PROVIDER_TIMEOUT
YAML
  start_upstream faults
  GATEWAY_CONFIG=$WORKDIR/faults/smartflow.yaml start_gateway faults "$WORKDIR/faults/data"
  create_keys 1
  # the same mix once before measuring, so one-time growth (classes, pools) is not counted as a leak
  start_load faults-warmup --keys "$TOKENS" --max-in-flight "$IN_FLIGHT" --rate "$FAULT_RATE" --faults "$FAULT_MIX" \
    --seconds "$FAULT_WARMUP" --seq-start 900000000
  sleep "$FAULT_WARMUP"
  stop_load faults-warmup warm-up
  sleep 3
  before=$(jvm_state "$GATEWAY_JPID")
  t0=$(now_ms)
  start_load faults --keys "$TOKENS" --max-in-flight "$IN_FLIGHT" --rate "$FAULT_RATE" --faults "$FAULT_MIX" \
    --seconds "$FAULT_SECONDS"
  sleep "$FAULT_SECONDS"
  stop_load faults
  end=$(now_ms)
  sleep "$FAULT_IDLE"
  after=$(jvm_state "$GATEWAY_JPID")
  stats=$(curl -s --max-time 10 "$UPSTREAM_URL/stats")
  {
    echo "phase=before $before"
    echo "phase=after idle_s=$FAULT_IDLE $after"
    echo "phase=delta $(delta "$before" "$after")"
    tool dev.smartflow.bench.DrillReport window --log "$WORKDIR/faults.calls" --from "$t0" --to "$end" --by-fault \
      | sed 's/^/phase=load /'
    echo "phase=upstream open_connections=$(sed -n 's/.*"open_connections":\([0-9]*\).*/\1/p' <<<"$stats")" \
      "chat_requests=$(sed -n 's/.*"chat_requests":\([0-9]*\).*/\1/p' <<<"$stats")" \
      "$(held stall "$stats") $(held abandon "$stats")"
  } | emit faults
  stop_all
}

# ------------------------------------------------------------------------------------------------------------ run
LOCK=${BENCH_LOCK:-/tmp/smartflow-mvn.lock}
if [[ $BUILD == 1 ]]; then
  echo "== building the gateway and bench (under $LOCK)"
  flock "$LOCK" ./mvnw -B -o -q -DskipTests -pl smartflow-app,bench -am package
fi
GATEWAY_JAR=smartflow-app/target/smartflow.jar
[[ -f $GATEWAY_JAR && -d bench/target/classes ]] || die "build first (BUILD=1)"
# the launcher would rebuild a stale jar inside a drill, with the lock held: refuse instead
[[ -z $(find . -path ./bench -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$GATEWAY_JAR" -print -quit) ]] \
  || die "$GATEWAY_JAR is older than the sources: run with BUILD=1"
exec 9>"$LOCK"

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo none)
[[ -z $(git status --porcelain 2>/dev/null | head -1) ]] || COMMIT="$COMMIT (dirty)"
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $COMMIT"
  echo "# command: $INVOCATION"
} >>"$RESULTS"
echo "== command: $INVOCATION (commit $COMMIT); results in $RESULTS"

for drill in "${DRILLS[@]}"; do
  lock "$drill"
  started=$SECONDS
  "drill_$drill"
  unlock
  echo "== $drill took $((SECONDS - started)) s (not counting the wait for the lock)"
done

echo
echo "== figures (commit $COMMIT) from: $INVOCATION"
grep -v '^#' "$RESULTS"
