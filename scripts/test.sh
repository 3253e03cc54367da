#!/usr/bin/env bash
# Runs every test: formatting, clippy (native + wasm32), native tests, the core
# purity check, browser tests against the fault server, the npm package build,
# www's tests and the packed-install test (a checkout without www/ fails), the
# fuzz smoke, the bench smoke and the short soak. Exits non-zero on the first
# failure.
set -euo pipefail
# The test run's own fault-server ports: the first free pair from
# 18765/18766, picked when the server starts (start_fault_server), so a
# running demo (8765/8766), a by-hand server or another checkout's test run
# does not stop it. Set FAULT_WS_PORT/FAULT_CONTROL_PORT to choose (the
# demo's defaults that a `source scripts/env.sh` exported are not a choice).
PICK_FAULT_PORTS=0
if [ -z "${FAULT_WS_PORT:-}" ] && [ -z "${FAULT_CONTROL_PORT:-}" ]; then PICK_FAULT_PORTS=1; fi
if [ -n "${RWS_FAULT_PORTS_DEFAULTED:-}" ] \
   && [ "$RWS_FAULT_PORTS_DEFAULTED" = "${FAULT_WS_PORT:-}/${FAULT_CONTROL_PORT:-}" ]; then
  PICK_FAULT_PORTS=1
  unset FAULT_WS_PORT FAULT_CONTROL_PORT
fi
export FAULT_WS_PORT="${FAULT_WS_PORT:-18765}" FAULT_CONTROL_PORT="${FAULT_CONTROL_PORT:-18766}"
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT"

STARTED_FAULT_SERVER=0
cleanup() {
  local rc=$?
  # Stop first, print after, and never die here: a closed terminal or a
  # pipe (`| tee`) that went away makes printing fail, which must not leave
  # the fault server running.
  set +e
  trap '' PIPE
  if [ "$STARTED_FAULT_SERVER" = 1 ]; then
    bash scripts/fault-server.sh stop
    # A failed browser or www test often needs the server's side of it.
    local log="$RWS_ROOT/target/fault-server-$FAULT_WS_PORT.log"
    if [ "$rc" -ne 0 ] && [ -f "$log" ]; then
      rws_say "test: the fault server's last 80 log lines ($log):"
      tail -n 80 "$log" >&2
    fi
  fi
  if [ "$rc" -ne 0 ]; then rws_say "test: FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TOTAL_START=$SECONDS
TIMES=()
phase() {
  local name="$1"; shift
  local t0=$SECONDS
  rws_say "test: $name"
  "$@"
  TIMES+=("$name $((SECONDS - t0))s")
  rws_say "test: $name ok ($((SECONDS - t0))s)"
}

core_purity() {
  local hits rc=0
  # Any clock, by any name: `std::time` (also `use std::time::Instant as I`)
  # and `Instant` or `SystemTime` however imported.
  hits="$(grep -rnE "web_sys|js_sys|wasm_bindgen|gloo|std::time|\bInstant\b|SystemTime" src/core)" || rc=$?
  # grep: 0 found, 1 none found, 2 an error (src/core missing): only 1 passes.
  if [ "$rc" -gt 1 ]; then
    rws_say "test: core purity check could not read src/core"
    return 1
  fi
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits" >&2
    rws_say "test: src/core must not use browser APIs or read a clock"
    return 1
  fi
}

# Each server this script starts is marked with the test run that owns it
# (target/fault-server-PORT.test-run holds the run's pid, written by
# fault-server.sh with its pid file: RWS_FAULT_SERVER_OWNER), so a later run
# stops only servers whose run is gone (killed, even by SIGKILL, on whatever
# ports it had picked), never a demo's server or a running test's.
stop_servers_of_gone_runs() {
  local mark port owner
  for mark in "$RWS_ROOT"/target/fault-server-*.test-run; do
    [ -f "$mark" ] || continue
    port="${mark##*/fault-server-}"
    port="${port%.test-run}"
    owner="$(cat "$mark" 2>/dev/null || true)"
    # Alive, and a shell running a test.sh (not, say, an editor open on it).
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null \
      && tr '\0' '\n' < "/proc/$owner/cmdline" 2>/dev/null \
        | awk 'NR == 1 && $0 !~ /(^|\/)(ba)?sh$/ { exit 1 } NR > 1 && /(^|\/)test\.sh$/ { found = 1 } END { exit !found }'; then
      continue
    fi
    FAULT_WS_PORT="$port" bash scripts/fault-server.sh stop >/dev/null 2>&1 || true
    rm -f "$mark"
  done
}

start_fault_server() {
  # Built before the ports are picked, so that they are still free when it
  # binds them (the build can take minutes on a clean checkout).
  cargo build --release -p fault-server --quiet
  if [ "$PICK_FAULT_PORTS" = 1 ]; then
    stop_servers_of_gone_runs
    # The first free pair; a pair taken between the check and the bind (a
    # test run started at the same moment) moves on to the next one.
    local tries=0 started
    while :; do
      if ! rws_port_busy "$FAULT_WS_PORT" && ! rws_port_busy "$FAULT_CONTROL_PORT"; then
        rws_say "test: fault server on $FAULT_WS_PORT/$FAULT_CONTROL_PORT"
        started=0
        RWS_FAULT_SERVER_OWNER=$$ bash scripts/fault-server.sh start || started=$?
        if [ "$started" = 0 ]; then break; fi
        # 3: the pair was taken meanwhile (fault-server.sh); else give up.
        if [ "$started" != 3 ]; then return 1; fi
      fi
      tries=$((tries + 1))
      if [ "$tries" -ge 20 ]; then
        rws_say "test: no free fault-server port pair from 18765 in 20 tries; set FAULT_WS_PORT/FAULT_CONTROL_PORT"
        return 1
      fi
      FAULT_WS_PORT=$((FAULT_WS_PORT + 2))
      FAULT_CONTROL_PORT=$((FAULT_WS_PORT + 1))
    done
  else
    RWS_FAULT_SERVER_OWNER=$$ bash scripts/fault-server.sh start
  fi
  STARTED_FAULT_SERVER=1
  # Every suite talks to the server started here, whatever an earlier
  # `source scripts/env.sh` or a hand-started server left in the
  # environment: the browser tests read the URLs when they are compiled
  # (option_env!), www's e2e harness and Vite proxy the *_PORT names first.
  export FAULT_WS_PORT FAULT_CONTROL_PORT
  export FAULT_SERVER_WS="ws://127.0.0.1:$FAULT_WS_PORT"
  export FAULT_SERVER_CONTROL="http://127.0.0.1:$FAULT_CONTROL_PORT"
  export FAULT_SERVER_WS_PORT="$FAULT_WS_PORT" FAULT_SERVER_CONTROL_PORT="$FAULT_CONTROL_PORT"
}


browser_tests() {
  # FAULT_SERVER_WS / FAULT_SERVER_CONTROL are exported by env.sh and read by
  # the tests with option_env!; webdriver.json adds Chromium flags. Debian's
  # chromedriver, the one that matches /usr/bin/chromium (setup.sh).
  # The runner gives a whole test file 20 s by default; a loaded or cold
  # machine can need more (each test has its own 6 s limit inside).
  WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    wasm-pack test --mode no-install --headless --chrome --chromedriver /usr/bin/chromedriver
}

www_tests() {
  rws_npm_install www
  (cd www && npm test)
}

# What `npm install resilient-ws` gives (not www's file:../pkg link): the
# packed tarball installed as a copy into a fresh Vite + React + strict
# TypeScript app, README's ts/tsx blocks type-checked, built and run in
# Chromium. Uses www's node_modules (playwright-core) and the fault server.
packed_install_test() {
  node --test --test-concurrency=1 --test-timeout=300000 www/packed-install/packed-install.test.mjs
}

phase "setup" bash scripts/setup.sh
phase "cargo fmt --check" cargo fmt --all --check
phase "clippy (native)" cargo clippy --all-targets -- -D warnings
phase "clippy (fault-server)" cargo clippy -p fault-server --all-targets -- -D warnings
phase "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
phase "clippy (wasm32, package build)" cargo clippy --target wasm32-unknown-unknown --lib --features standalone -- -D warnings
phase "cargo test (core + simulation)" cargo test
phase "cargo test (fault-server)" cargo test -p fault-server
phase "core purity" core_purity
# --- fuzz smoke (owner: fuzz/) -------------------------------------------------
# Every cargo-fuzz target from the committed seeds, a fixed seed and a fixed
# number of inputs, so the same commit gives the same verdict; fails on any
# crash and prints the reproducer. Exploring (new seeds, longer): scripts/fuzz.sh 600.
phase "cargo fmt --check (fuzz)" cargo fmt --manifest-path fuzz/Cargo.toml --check
phase "fuzz smoke" env FUZZ_SEED="${RWS_FUZZ_SEED:-1}" FUZZ_RUNS="${RWS_FUZZ_RUNS:-300000}" \
  bash scripts/fuzz.sh "${RWS_FUZZ_SECONDS:-180}"
# --- end fuzz smoke -------------------------------------------------------------
phase "start fault server" start_fault_server
phase "browser tests (headless Chromium)" browser_tests
phase "build npm package" bash scripts/build-pkg.sh
# --- benchmark smoke (owner: bench/) ------------------------------------------
# A few hundred messages per client against the package just built; fails on
# any client error or count mismatch, so the benchmark cannot silently rot.
phase "bench smoke" bash bench/run.sh --smoke
# --- end benchmark smoke -------------------------------------------------------
# --- soak and page lifecycle (owner: soak/) -----------------------------------
# The package just built, in Chromium (playwright-core + CDP): a stalled or
# frozen page keeps a healthy socket (soak/lifecycle.test.mjs), and a short
# soak (300 reconnect cycles, 50,000 messages) fails on memory growth after
# warm-up, a listener left after dispose(), or a lost/duplicated message.
# The long soak is `node soak/run.mjs` (docs/RELIABILITY.md).
soak_tests() {
  rws_npm_install soak
  (cd soak && node --test --test-concurrency=1 --test-timeout=180000 lifecycle.test.mjs)
  # --foreground: Ctrl-C reaches the soak (timeout otherwise takes it into
  # its own process group).
  timeout --foreground 600 node soak/run.mjs --short
}
phase "soak (short) and page lifecycle" soak_tests
# --- end soak -------------------------------------------------------------------
# No skipping: a checkout without www/ fails here instead of passing quietly.
phase "www tests" www_tests
phase "packed install" packed_install_test
phase "stop fault server" bash scripts/fault-server.sh stop
STARTED_FAULT_SERVER=0

rws_say "test: timings: $(printf '%s, ' "${TIMES[@]}" | sed 's/, $//')"
rws_say "test: all passed ($((SECONDS - TOTAL_START))s)"
