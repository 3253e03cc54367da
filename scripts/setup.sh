#!/usr/bin/env bash
# Installs everything the build and the tests need. Idempotent: each tool is
# checked first and skipped when present. Prints one line per tool.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT"

SUDO=""
# -n: fail at once instead of waiting for a password nobody types.
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

# --- what the scripts use and nobody installs for them -----------------------
# Checked first: a missing one would otherwise fail minutes into a test run
# (python3's tomllib reads wasm-pack.toml in the package build; the fuzz
# smoke builds libFuzzer's C++).
missing=()
python3 -c 'import tomllib' 2>/dev/null || missing+=("python3 3.11 or later (tomllib)")
for tool in c++ curl flock setsid timeout; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: missing: ${missing[*]}; install them (Debian: apt-get install python3 g++ curl util-linux coreutils)" >&2
  exit 1
fi

# --- headless Chromium + chromedriver (in the background) ---------------------
# apt waits on the network and the disk, the cargo installs below on the CPU:
# on a fresh machine they overlap. Its output goes to a log, printed on failure.
APT_PID=""
APT_LOG=""
# Debian's pair only: a chromedriver elsewhere on PATH (an older Google one
# in /usr/local/bin) would not match this chromium.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "setup: chromium present"
else
  # Asked now, not after the cargo installs: a sudo that wants a password
  # would otherwise fail only at the end.
  if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
    echo "setup: installing chromium needs root: run 'sudo -v' first (or install chromium and chromium-driver yourself), then run this again" >&2
    exit 1
  fi
  echo "setup: chromium installing (apt, in the background)"
  APT_LOG="$(mktemp)"
  (
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
      install -y -qq chromium chromium-driver
  ) >"$APT_LOG" 2>&1 &
  APT_PID=$!
  # If a step below fails, apt must not be left running unseen (the next run
  # would wait on its lock, and killing it mid-dpkg leaves dpkg half done):
  # wait for it and say how it went.
  trap 'if [ -n "$APT_PID" ]; then echo "setup: waiting for the background apt to finish (log: $APT_LOG)" >&2; wait "$APT_PID" || cat "$APT_LOG" >&2; fi' EXIT
fi

# --- rust target and components ------------------------------------------
# Each list is captured before grep reads it: `rustup ... | grep -q` under
# pipefail fails when grep quits early and rustup's next write breaks.
installed_targets="$(rustup target list --installed)"
installed_components="$(rustup component list --installed)"
if grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  echo "setup: wasm32-unknown-unknown present"
else
  echo "setup: wasm32-unknown-unknown installing"
  rustup target add wasm32-unknown-unknown
fi
for comp in clippy rustfmt; do
  if grep -q "^$comp" <<<"$installed_components"; then
    echo "setup: $comp present"
  else
    echo "setup: $comp installing"
    rustup component add "$comp"
  fi
done

# --- wasm-bindgen CLI: exactly the version in Cargo.lock -------------------
if [ ! -f Cargo.lock ]; then
  echo "setup: Cargo.lock missing, generating" >&2
  cargo generate-lockfile
fi
# The CLI must match the wasm-bindgen the build will use: a Cargo.toml
# changed without its lock would have cargo rewrite the lock later, and the
# browser tests fail minutes on with a CLI of the old version.
if ! cargo metadata --locked --format-version 1 >/dev/null; then
  echo "setup: Cargo.lock does not match Cargo.toml (above); update it (cargo update -w), then run this again" >&2
  exit 1
fi
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then
  echo "setup: cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if command -v wasm-bindgen >/dev/null 2>&1 \
   && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WB_VERSION" ]; then
  echo "setup: wasm-bindgen-cli $WB_VERSION present"
else
  echo "setup: wasm-bindgen-cli $WB_VERSION installing"
  # No --locked: the CLI's own lockfile pins a crate version the registry does not serve.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
  # Another wasm-bindgen earlier on PATH would still answer (and every run
  # would install again): name it.
  found="$(command -v wasm-bindgen || true)"
  if [ -z "$found" ] || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]; then
    echo "setup: installed wasm-bindgen-cli $WB_VERSION, but PATH finds ${found:-none} ($(wasm-bindgen --version 2>/dev/null || echo 'no version')); put ~/.cargo/bin first" >&2
    exit 1
  fi
fi

# --- wasm-pack: the pinned version -------------------------------------------
if [ "$(rws_wasm_pack_version)" = "$RWS_WASM_PACK_VERSION" ]; then
  echo "setup: wasm-pack $RWS_WASM_PACK_VERSION present"
else
  echo "setup: wasm-pack $RWS_WASM_PACK_VERSION installing"
  cargo install --locked wasm-pack --version "$RWS_WASM_PACK_VERSION" --force
  # npm's wasm-pack wrapper (it downloads a binary, which fails here) or
  # another version earlier on PATH would still answer: name it.
  if [ "$(rws_wasm_pack_version)" != "$RWS_WASM_PACK_VERSION" ]; then
    echo "setup: installed wasm-pack $RWS_WASM_PACK_VERSION, but PATH finds $(command -v wasm-pack || echo none) ($(wasm-pack --version 2>/dev/null || echo 'no version')); put ~/.cargo/bin first" >&2
    exit 1
  fi
fi

# --- wasm-opt from npm binaryen (never Debian's binaryen) -------------------
if [ -x "$RWS_TOOLS/node_modules/.bin/wasm-opt" ] \
   && [ "$("$RWS_TOOLS/node_modules/.bin/wasm-opt" --version | grep -oE '[0-9]+' | head -n1)" = "$RWS_BINARYEN_VERSION" ]; then
  echo "setup: wasm-opt (binaryen $RWS_BINARYEN_VERSION) present"
else
  echo "setup: wasm-opt (binaryen $RWS_BINARYEN_VERSION) installing"
  mkdir -p "$RWS_TOOLS"
  [ -f "$RWS_TOOLS/package.json" ] || echo '{ "private": true }' > "$RWS_TOOLS/package.json"
  npm install --prefix "$RWS_TOOLS" --no-audit --no-fund --save-exact "binaryen@$RWS_BINARYEN_VERSION" >/dev/null
fi

# --- cargo-fuzz (owner: fuzz/) ----------------------------------------------
# scripts/fuzz.sh runs it on the stable toolchain (with RUSTC_BOOTSTRAP=1
# when a sanitizer is on; no nightly toolchain needed); see docs/SECURITY.md.
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" = "$RWS_CARGO_FUZZ_VERSION" ]; then
  echo "setup: cargo-fuzz $RWS_CARGO_FUZZ_VERSION present"
else
  echo "setup: cargo-fuzz $RWS_CARGO_FUZZ_VERSION installing"
  nice -n 10 cargo install --locked cargo-fuzz --version "$RWS_CARGO_FUZZ_VERSION" --force
fi
# --- end cargo-fuzz -----------------------------------------------------------

if [ -n "$APT_PID" ]; then
  apt_status=0
  wait "$APT_PID" || apt_status=$?
  APT_PID=""
  if [ "$apt_status" -eq 0 ]; then
    echo "setup: chromium installed"
    rm -f "$APT_LOG"
  else
    cat "$APT_LOG" >&2
    echo "setup: installing chromium and chromium-driver with apt failed (above)" >&2
    exit 1
  fi
fi

echo "setup: done"
