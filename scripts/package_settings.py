"""The [package] table of wasm-pack.toml, which the project's own build reads
(wasm-pack itself reads no wasm-pack.toml). Shared by scripts/build-pkg.sh
and scripts/source-hash.sh; run Python with -B so no __pycache__ is left."""

import os
import tomllib


# The settings the build reads: any other key is a typo (a misspelt
# `max-wasm-gzip-bytes` would turn the size guard off without a word).
PACKAGE_KEYS = {"target", "out-dir", "out-name", "profile", "features",
                "max-wasm-gzip-bytes", "short-names", "scope", "readme-sections", "files"}
FILES_KEYS = {"extra"}
EXTRA_KEYS = {"from", "to", "export", "main", "peer"}


def refuse_unknown(table, known, where):
    unknown = sorted(set(table) - known)
    if unknown:
        raise SystemExit(f"wasm-pack.toml: unknown key(s) {', '.join(unknown)} in {where}; "
                         f"allowed: {', '.join(sorted(known))}")


def package(path="wasm-pack.toml"):
    """The [package] table (empty if there is none); exits naming any key
    the build does not read."""
    with open(path, "rb") as f:
        pkg = tomllib.load(f).get("package", {})
    refuse_unknown(pkg, PACKAGE_KEYS, "[package]")
    refuse_unknown(pkg.get("files", {}), FILES_KEYS, "[package.files]")
    for item in pkg.get("files", {}).get("extra", []):
        refuse_unknown(item, EXTRA_KEYS, f"the extra entry {item.get('from', item)!r}")
    return pkg


def extras(pkg):
    """Each extra file the package ships: (its source in the repo, its name
    in the package, its whole entry)."""
    for item in pkg.get("files", {}).get("extra", []):
        yield item["from"], item.get("to", os.path.basename(item["from"])), item
