#!/usr/bin/env bash
# Start or stop the five Wirestream stages as background processes (one Faust worker each).
#   deploy/stages.sh start [stage...]   idempotent: a running stage is left alone
#   deploy/stages.sh stop  [stage...]   SIGTERM, then SIGKILL after a grace period
#   deploy/stages.sh status
# Logs go to .stack/logs/<stage>.log, pid files to .stack/run/<stage>.pid.
# Settings come from WIRESTREAM_* environment variables (see README).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
RUN_DIR="${WIRESTREAM_RUN_DIR:-$ROOT/.stack/run}"
LOG_DIR="${WIRESTREAM_LOG_DIR:-$ROOT/.stack/logs}"
ALL_STAGES=(indexer events entities dedup feeder)

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
is_running() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

start() {
  local stage=$1
  if is_running "$stage"; then
    echo "$stage: already running (pid $(pid_of "$stage"))"
    return
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  # setsid: the worker outlives this script in its own process group, and $! is the
  # worker itself (setsid execs it), so the pid file names the process to signal.
  setsid nohup "$PYTHON" -m "services.$stage" worker --loglevel "${WIRESTREAM_LOG_LEVEL:-info}" \
    >>"$LOG_DIR/$stage.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$stage.pid"
  echo "$stage: started (pid $(pid_of "$stage"), log $LOG_DIR/$stage.log)"
}

stop() {
  local stage=$1 pid
  pid="$(pid_of "$stage")"
  if ! is_running "$stage"; then
    rm -f "$RUN_DIR/$stage.pid"
    return
  fi
  # Faust flushes its producer and commits offsets on SIGTERM; give it time, then insist.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$stage: still running after 30s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
  fi
  rm -f "$RUN_DIR/$stage.pid"
  echo "$stage: stopped"
}

cd "$ROOT"
command=${1:-status}
shift || true
stages=("$@")
[[ ${#stages[@]} -eq 0 ]] && stages=("${ALL_STAGES[@]}")
case "$command" in
  start)
    for s in "${stages[@]}"; do start "$s"; done
    # Readiness-checked: a stage that crashes at start (port taken, Kafka unreachable), or
    # that runs without its partitions (a topic it cannot see), is reported now, with its
    # log, rather than as a pipeline that never delivers.
    if ! (cd "$ROOT" && "$PYTHON" -m services.cli health --ready --wait "${STAGE_TIMEOUT:-180}" "${stages[@]}"); then
      for s in "${stages[@]}"; do
        is_running "$s" || { echo "--- $s exited; end of $LOG_DIR/$s.log:"; tail -n 20 "$LOG_DIR/$s.log"; }
      done
      exit 1
    fi ;;
  stop) for s in "${stages[@]}"; do stop "$s"; done ;;
  status)
    for s in "${stages[@]}"; do
      if is_running "$s"; then echo "$s: running (pid $(pid_of "$s"))"; else echo "$s: stopped"; fi
    done ;;
  *) echo "usage: $0 start|stop|status [stage...]" >&2; exit 2 ;;
esac
