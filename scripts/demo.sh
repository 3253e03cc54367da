#!/usr/bin/env bash
# Runs the demo: installs the toolchain, builds the npm package, starts the
# fault server and (once www/ exists) the Vite dev server. Ctrl-C stops all.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT"

STARTED_FAULT_SERVER=0
VITE_PID=""
# Vite's pid while this demo runs: a demo killed with SIGKILL runs no
# cleanup, and the next one names what it left running.
VITE_PID_FILE="$RWS_ROOT/target/demo-vite.pid"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Stop everything first, print after, and never die here: a closed
  # terminal or a pipe (`| tee`) that went away makes printing fail, which
  # must not leave a server running.
  set +e
  trap '' PIPE
  local vite_stopped=0
  if [ -n "$VITE_PID" ] && kill -0 "$VITE_PID" 2>/dev/null; then
    # Vite runs in its own process group (setsid): stop npm and its children.
    kill -- "-$VITE_PID" 2>/dev/null
    wait "$VITE_PID" 2>/dev/null
    vite_stopped=1
  fi
  if [ -n "$VITE_PID" ]; then rm -f "$VITE_PID_FILE"; fi
  if [ "$STARTED_FAULT_SERVER" = 1 ]; then
    bash scripts/fault-server.sh stop
  fi
  if [ "$vite_stopped" = 1 ]; then rws_say "demo: vite stopped"; fi
  exit "$rc"
}
trap cleanup EXIT
# Ctrl-C once the demo is serving is how it ends (status 0); before that it
# is an interrupted setup or build, and says so (130 / 143).
SERVING=0
trap 'if [ "$SERVING" = 1 ]; then exit 0; else exit 130; fi' INT
trap 'if [ "$SERVING" = 1 ]; then exit 0; else exit 143; fi' TERM

# Before any work: what a killed demo left running, by name, with how to
# stop it (the servers below would refuse to start, minutes later).
left_vite="$(cat "$VITE_PID_FILE" 2>/dev/null || true)"
if [ -n "$left_vite" ] && kill -0 "$left_vite" 2>/dev/null \
  && tr '\0' ' ' <"/proc/$left_vite/cmdline" 2>/dev/null | grep -q "npm run dev"; then
  rws_say "demo: an earlier demo's vite (pid $left_vite) is still running; stop it with: kill -- -$left_vite"
  exit 1
fi
if bash scripts/fault-server.sh status >/dev/null 2>&1; then
  rws_say "demo: a fault server from this checkout is still running on $FAULT_WS_PORT/$FAULT_CONTROL_PORT; stop it with: bash scripts/fault-server.sh stop"
  exit 1
fi
for port in "$FAULT_WS_PORT" "$FAULT_CONTROL_PORT"; do
  if rws_port_busy "$port"; then
    rws_say "demo: port $port is in use by another process (another checkout's demo?); set FAULT_WS_PORT / FAULT_CONTROL_PORT"
    exit 1
  fi
done
# With the port taken, vite exits (--strictPort) and the readiness check
# below would find the other server answering.
if [ -f www/package.json ] && rws_port_busy "$DEMO_PORT"; then
  rws_say "demo: port $DEMO_PORT is in use by another process; set DEMO_PORT"
  exit 1
fi

rws_say "demo: setup"
bash scripts/setup.sh
rws_say "demo: building the npm package"
bash scripts/build-pkg.sh
rws_say "demo: starting the fault server"
bash scripts/fault-server.sh start
STARTED_FAULT_SERVER=1

if [ -f www/package.json ]; then
  rws_say "demo: installing www dependencies"
  rws_npm_install www
  # Checked again: setup and the build took minutes.
  if rws_port_busy "$DEMO_PORT"; then
    rws_say "demo: port $DEMO_PORT was taken by another process meanwhile; set DEMO_PORT"
    exit 1
  fi
  rws_say "demo: starting vite"
  (cd www && exec setsid npm run dev -- --host 127.0.0.1 --port "$DEMO_PORT" --strictPort) &
  VITE_PID=$!
  mkdir -p "$(dirname "$VITE_PID_FILE")"
  echo "$VITE_PID" >"$VITE_PID_FILE"
  URL="http://127.0.0.1:$DEMO_PORT/"
  deadline=$((SECONDS + 60))
  until curl -sf -o /dev/null --max-time 2 "$URL"; do
    kill -0 "$VITE_PID" 2>/dev/null || { rws_say "demo: vite exited"; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { rws_say "demo: vite not answering after 60s"; exit 1; }
    sleep 0.5
  done
  # Taken meanwhile by another process: the answer was not vite's.
  kill -0 "$VITE_PID" 2>/dev/null || { rws_say "demo: vite exited (port $DEMO_PORT taken?)"; exit 1; }
  rws_say "demo: open $URL   (fault server ws=$FAULT_SERVER_WS control=$FAULT_SERVER_CONTROL)"
  rws_say "demo: press Ctrl-C to stop"
  SERVING=1
  wait "$VITE_PID"
else
  rws_say "demo: www/ does not exist yet; fault server at ws=$FAULT_SERVER_WS control=$FAULT_SERVER_CONTROL"
  rws_say "demo: press Ctrl-C to stop"
  SERVING=1
  while true; do sleep 1; done
fi
