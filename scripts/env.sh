# shellcheck shell=bash
# Sourced by every script in scripts/: paths and constants, nothing else.
# Safe to source more than once.

RWS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RWS_ROOT

# Project-local tools (npm binaryen for wasm-opt); gitignored.
RWS_TOOLS="$RWS_ROOT/.tools"
export RWS_TOOLS

case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) PATH="$HOME/.cargo/bin:$PATH" ;;
esac
case ":$PATH:" in
  *":$RWS_TOOLS/node_modules/.bin:"*) ;;
  *) PATH="$RWS_TOOLS/node_modules/.bin:$PATH" ;;
esac
export PATH

# Pinned tool versions.
RWS_BINARYEN_VERSION="${RWS_BINARYEN_VERSION:-132}"
export RWS_BINARYEN_VERSION
# build-pkg.sh reads wasm-pack's log (which wasm-opt it ran): a version
# whose log it was checked against.
RWS_WASM_PACK_VERSION="${RWS_WASM_PACK_VERSION:-0.15.1}"
export RWS_WASM_PACK_VERSION
# cargo-fuzz decides the coverage flags libFuzzer's mutations follow: the
# fuzz smoke repeats a passing run only with the same version.
RWS_CARGO_FUZZ_VERSION="${RWS_CARGO_FUZZ_VERSION:-0.13.2}"
export RWS_CARGO_FUZZ_VERSION

# Fault server (tests/fault-server) ports; override from the environment.
# When neither is set, the defaults (the demo's) are marked as env.sh's own
# choice, so that scripts/test.sh, run from a shell that sourced this file,
# still picks its own free pair instead of taking them for the caller's.
if [ -z "${FAULT_WS_PORT:-}" ] && [ -z "${FAULT_CONTROL_PORT:-}" ]; then
  export RWS_FAULT_PORTS_DEFAULTED="8765/8766"
fi
FAULT_WS_PORT="${FAULT_WS_PORT:-8765}"
FAULT_CONTROL_PORT="${FAULT_CONTROL_PORT:-8766}"
FAULT_SERVER_WS="${FAULT_SERVER_WS:-ws://127.0.0.1:$FAULT_WS_PORT}"
FAULT_SERVER_CONTROL="${FAULT_SERVER_CONTROL:-http://127.0.0.1:$FAULT_CONTROL_PORT}"
export FAULT_WS_PORT FAULT_CONTROL_PORT FAULT_SERVER_WS FAULT_SERVER_CONTROL
# The names the server, Vite's proxy and www's e2e harness read first: from
# the ones above, so a value left in the shell cannot point them elsewhere.
export FAULT_SERVER_WS_PORT="$FAULT_WS_PORT" FAULT_SERVER_CONTROL_PORT="$FAULT_CONTROL_PORT"

# Vite dev server for the demo.
DEMO_PORT="${DEMO_PORT:-5173}"
export DEMO_PORT

# One-line progress messages on stderr.
rws_say() { printf '%s\n' "$*" >&2; }

# Whether something listens on 127.0.0.1:$1.
rws_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The version of the wasm-pack PATH finds (empty if none): setup.sh installs
# RWS_WASM_PACK_VERSION, build-pkg.sh refuses another.
rws_wasm_pack_version() { wasm-pack --version 2>/dev/null | awk '{print $2}'; }

# Installs the npm dependencies of directory $1 (npm ci; npm install without a
# lockfile), unless node_modules was installed from this very package.json and
# lockfile (a stamp written after the last install that succeeded).
rws_npm_install() {
  local dir="$1" want stamp="$1/node_modules/.rws-install-stamp"
  # (A missing lockfile must not fail the pipeline: pipefail.)
  want="$({ cat "$dir/package.json"; cat "$dir/package-lock.json" 2>/dev/null || true; } | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    rws_say "npm: $dir dependencies present"
    return 0
  fi
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
  echo "$want" > "$stamp"
}
