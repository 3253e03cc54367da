#!/usr/bin/env bash
# Prints a hash of everything scripts/build-pkg.sh builds the npm package
# from (the crate's sources, manifests, packaging settings, build scripts,
# README.md and the extra files it ships). build-pkg.sh stores it in
# pkg/.source-hash; the benchmark compares it, so it never measures a package
# built from other sources.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The package's other inputs: README.md (its package README) and the extra
# files wasm-pack.toml ships.
extras="$(python3 -B -c '
import sys
sys.path.insert(0, "scripts")
from package_settings import extras, package
print("\n".join(src for src, _, _ in extras(package())))
')"
extra_files=()
while IFS= read -r f; do
  if [ -n "$f" ] && [ -e "$f" ]; then extra_files+=("$f"); fi
done <<< "$extras"
find src Cargo.toml Cargo.lock wasm-pack.toml scripts/build-pkg.sh scripts/package_settings.py scripts/short-names.mjs README.md "${extra_files[@]}" -type f -print0 \
  | LC_ALL=C sort -z \
  | xargs -0 sha256sum \
  | sha256sum \
  | cut -c1-16
