#!/usr/bin/env bash
# The benchmark: installs bench/ dependencies, builds the npm package unless
# pkg/ was built from the current sources, and runs bench/run.mjs (Chromium
# started directly).
#   bash bench/run.sh            full run -> bench/results.json, RESULTS.md, chart.svg, chart.png
#   bash bench/run.sh --smoke    small, 1 round -> bench/out/smoke/ ; exits non-zero on any error
# Other options are passed to bench/run.mjs (--rounds N, --clients a,b, --tests t1,t2, --quiet-wait S, ...;
# its header lists them all; an unknown one stops the run).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

# Rebuild pkg/ unless it was built from exactly these sources (its
# .source-hash); --any-pkg measures whatever pkg/ holds (A/B of saved builds).
if [[ " $* " != *" --any-pkg "* && " $* " != *" --report-only "* ]]; then
  want_src="$(bash "$ROOT/scripts/source-hash.sh")"
  have_src="$(cat "$ROOT/pkg/.source-hash" 2>/dev/null || true)"
  if [ ! -f "$ROOT/pkg/resilient_ws_bg.wasm" ] || [ "$have_src" != "$want_src" ]; then
    rws_say "bench: pkg/ missing or built from other sources, building it (scripts/build-pkg.sh)"
    (cd "$ROOT" && bash scripts/build-pkg.sh)
  fi
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  rws_say "bench: /usr/bin/chromium missing; run scripts/setup.sh (apt-get install chromium)"
  exit 1
fi
# run.mjs runs in bench/: a path given to --report-only or --out is read
# from where this command ran, as the README shows them.
args=()
path_next=false
for arg in "$@"; do
  if $path_next && [[ "$arg" != /* ]]; then
    arg="$PWD/$arg"
  fi
  path_next=false
  case "$arg" in --report-only | --out) path_next=true ;; esac
  args+=("$arg")
done
cd "$BENCH"
# The page's dependencies (the peers); pkg/ is a file: link, seen live.
rws_npm_install "$BENCH"
exec node run.mjs "${args[@]}"
