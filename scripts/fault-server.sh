#!/usr/bin/env bash
# Starts or stops tests/fault-server in the background.
#   scripts/fault-server.sh start   build (release) and start, wait until ready
#   scripts/fault-server.sh stop    stop the one started by `start`
#   scripts/fault-server.sh status
# Ports come from FAULT_WS_PORT / FAULT_CONTROL_PORT (default 8765 / 8766);
# the pid and log files are per port, under target/. `start` exits 3 when
# the ports are taken (by another process, or another `start` of them
# meanwhile), 1 on any other failure.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT"

PID_FILE="$RWS_ROOT/target/fault-server-$FAULT_WS_PORT.pid"
LOCK_FILE="$RWS_ROOT/target/fault-server-$FAULT_WS_PORT.lock"
# Which test run owns the server (scripts/test.sh sets RWS_FAULT_SERVER_OWNER
# to its pid): written with the pid file, under the lock, removed by `stop`.
OWNER_FILE="$RWS_ROOT/target/fault-server-$FAULT_WS_PORT.test-run"
LOG_FILE="$RWS_ROOT/target/fault-server-$FAULT_WS_PORT.log"
BIN="${CARGO_TARGET_DIR:-$RWS_ROOT/target}/release/fault-server"
READY_TIMEOUT="${FAULT_READY_TIMEOUT:-30}"
LOCK_HELD=0

# Takes the ports' lock on descriptor 9 (once per process: `start` holds it
# and may call `stop`), waiting for a `start` under way to finish. Every
# command reads the pid file under it: read during a start, the pid is still
# bash's or setsid's, not the server's, and `running_pid` would remove the
# file of a server about to be ready, which no `stop` could find then.
lock_ports() {
  [ "$LOCK_HELD" = 1 ] && return 0
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  if ! flock -w "$((READY_TIMEOUT + 10))" 9; then
    rws_say "fault-server: ports $FAULT_WS_PORT/$FAULT_CONTROL_PORT still locked by a start after $((READY_TIMEOUT + 10))s"
    exit 1
  fi
  LOCK_HELD=1
}

running_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  if [ -n "$pid" ] && alive "$pid"; then echo "$pid"; return 0; fi
  rm -f "$PID_FILE"
  return 1
}

# Alive, running this checkout's server binary (the pid was not reused by
# another process, not even a `tail -f` of the log), and not a zombie
# waiting for its parent to reap it.
alive() {
  local exe
  kill -0 "$1" 2>/dev/null || return 1
  exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
  # A rebuild while it runs replaces the file: " (deleted)".
  [ "${exe% (deleted)}" = "$(realpath -m -- "$BIN")" ] || return 1
  not_a_zombie "$1"
}

# `start`'s own child, not yet reaped: its pid cannot have been reused, so
# its command line is not checked (it reads empty for a moment while the
# child execs, and `alive` then said "exited": start waited on a running
# server for ever).
child_running() {
  kill -0 "$1" 2>/dev/null && not_a_zombie "$1"
}

not_a_zombie() {
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}


stop() {
  local pid
  lock_ports
  if ! pid="$(running_pid)"; then
    rm -f "$OWNER_FILE"
    rws_say "fault-server: not running"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE" "$OWNER_FILE"
  rws_say "fault-server: stopped (pid $pid)"
}

start() {
  local pid
  # (Whether one is running already is asked under the lock below: asked
  # here, it could find another start's server before it is ready, and
  # take it for gone.)
  # Built first, so the ports are checked right before the server binds
  # them, not minutes earlier.
  rws_say "fault-server: building (cargo build --release -p fault-server)"
  cargo build --release -p fault-server --quiet
  mkdir -p "$(dirname "$PID_FILE")"
  # One start of these ports at a time (two test runs that picked the same
  # free pair): they would share the pid and log files, and each could take
  # the other's ready line for its own. Held until this start returns.
  # Waits a moment: a `status` or `stop` holds it for milliseconds, another
  # start for as long as its server takes to be ready.
  exec 9>"$LOCK_FILE"
  if ! flock -w 2 9; then
    rws_say "fault-server: ports $FAULT_WS_PORT/$FAULT_CONTROL_PORT are being started by another process"
    exit 3
  fi
  LOCK_HELD=1
  if pid="$(running_pid)"; then
    rws_say "fault-server: already running (pid $pid); run '$0 stop' first"
    exit 3
  fi
  for port in "$FAULT_WS_PORT" "$FAULT_CONTROL_PORT"; do
    if rws_port_busy "$port"; then
      rws_say "fault-server: port $port is in use by another process; set FAULT_WS_PORT/FAULT_CONTROL_PORT"
      exit 3
    fi
  done
  : > "$LOG_FILE"
  # Own session so a Ctrl-C in the caller's terminal reaches it only via stop.
  # (Without the lock's descriptor: the lock is this start's, not the server's.)
  setsid "$BIN" --ws-port "$FAULT_WS_PORT" --control-port "$FAULT_CONTROL_PORT" \
    >"$LOG_FILE" 2>&1 < /dev/null 9>&- &
  pid=$!
  echo "$pid" > "$PID_FILE"
  rm -f "$OWNER_FILE"
  if [ -n "${RWS_FAULT_SERVER_OWNER:-}" ]; then echo "$RWS_FAULT_SERVER_OWNER" > "$OWNER_FILE"; fi
  # Until it is ready, a failure here must not leave it running.
  trap 'stop >/dev/null 2>&1' EXIT
  local deadline=$((SECONDS + READY_TIMEOUT))
  # Its own ready line only: a /health answer could come from another server.
  until grep -q '^fault-server ws=.* control=' "$LOG_FILE"; do
    if ! child_running "$pid"; then
      local code=0
      wait "$pid" || code=$?
      rws_say "fault-server: exited during start (exit code $code); log:"
      cat "$LOG_FILE" >&2
      # Taken between the check and the bind.
      if rws_port_busy "$FAULT_WS_PORT" || rws_port_busy "$FAULT_CONTROL_PORT"; then exit 3; fi
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      rws_say "fault-server: not ready after ${READY_TIMEOUT}s; log:"
      cat "$LOG_FILE" >&2
      exit 1
    fi
    sleep 0.2
  done
  trap - EXIT
  rws_say "fault-server: ready (pid $pid) ws=ws://127.0.0.1:$FAULT_WS_PORT control=http://127.0.0.1:$FAULT_CONTROL_PORT log=${LOG_FILE#"$RWS_ROOT"/}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    lock_ports
    if pid="$(running_pid)"; then rws_say "fault-server: running (pid $pid)"; else rws_say "fault-server: not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
