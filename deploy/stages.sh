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
  # setsid: the worker outlives this script and gets its own process group.
  (cd "$ROOT" && setsid "$PYTHON" -m "services.$stage" worker --loglevel "${WIRESTREAM_LOG_LEVEL:-info}" \
      >>"$LOG_DIR/$stage.log" 2>&1 < /dev/null & echo $! >"$RUN_DIR/$stage.pid")
  echo "$stage: started (pid $(pid_of "$stage"), log $LOG_DIR/$stage.log)"
}

stop() {
  local stage=$1 pid
  pid="$(pid_of "$stage")"
  if ! is_running "$stage"; then
    rm -f "$RUN_DIR/$stage.pid"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$RUN_DIR/$stage.pid"
  echo "$stage: stopped"
}

command=${1:-status}
shift || true
stages=("$@")
[[ ${#stages[@]} -eq 0 ]] && stages=("${ALL_STAGES[@]}")
case "$command" in
  start) for s in "${stages[@]}"; do start "$s"; done ;;
  stop) for s in "${stages[@]}"; do stop "$s"; done ;;
  status)
    for s in "${stages[@]}"; do
      if is_running "$s"; then echo "$s: running (pid $(pid_of "$s"))"; else echo "$s: stopped"; fi
    done ;;
  *) echo "usage: $0 start|stop|status [stage...]" >&2; exit 2 ;;
esac
