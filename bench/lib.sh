# Helpers shared by bench/run.sh and bench/drills.sh; sourced. Started servers' pids are kept in PIDS.

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A process that has not ended; an ended one that is not reaped yet (a zombie) does not count, unlike with kill -0.
alive() { [[ $(ps -o stat= -p "$1" 2>/dev/null) =~ ^[^Z] ]]; }

# Own process group per server (setsid), so stopping it also reaches a JVM that a launcher script forks. The log is
# appended to, so a restarted server keeps one log.
start_bg() {
  local log=$1; shift
  setsid "$@" >>"$log" 2>&1 </dev/null &
  PIDS+=($!)
}

wait_http_200() {
  local url=$1 pid=$2 deadline=$((SECONDS + $3))
  while (( SECONDS < deadline )); do
    alive "$pid" || return 1
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true) == 200 ]] && return 0
    sleep 0.25
  done
  return 1
}

# Descends from the launcher to the JVM it runs (bounded depth) so RSS, jcmd and kill -9 reach the gateway, not a shell.
java_pid() {
  local pid=$1
  for _ in 1 2 3 4; do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == java ]] && { echo "$pid"; return; }
    local child
    child=$(pgrep -P "$pid" | head -1 || true)
    [[ -n $child ]] || break
    pid=$child
  done
  echo "$1"
}
