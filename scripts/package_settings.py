"""The [package] table of wasm-pack.toml, which the project's own build reads
(wasm-pack itself reads no wasm-pack.toml). Shared by scripts/build-pkg.sh
and scripts/source-hash.sh; run Python with -B so no __pycache__ is left."""

import os
import tomllib


def package(path="wasm-pack.toml"):
    """The [package] table (empty if there is none)."""
    with open(path, "rb") as f:
        return tomllib.load(f).get("package", {})


def extras(pkg):
    """Each extra file the package ships: (its source in the repo, its name
    in the package, its whole entry)."""
    for item in pkg.get("files", {}).get("extra", []):
        yield item["from"], item.get("to", os.path.basename(item["from"])), item
