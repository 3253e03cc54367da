#!/usr/bin/env bash
# Prints a hash of everything scripts/build-pkg.sh builds the npm package
# from (the crate's sources, manifests, packaging settings and build
# scripts). build-pkg.sh stores it in pkg/.source-hash; the benchmark compares
# it, so it never measures a package built from other sources.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
find src Cargo.toml Cargo.lock wasm-pack.toml scripts/build-pkg.sh scripts/short-names.mjs -type f -print0 \
  | LC_ALL=C sort -z \
  | xargs -0 sha256sum \
  | sha256sum \
  | cut -c1-16
