#!/usr/bin/env bash
# Builds the npm package (wasm-pack output) as configured in wasm-pack.toml,
# copies the extra files listed there, merges an "exports" map into
# package.json, checks the wasm, and prints gzip -9 sizes.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT"

# --- read wasm-pack.toml (wasm-pack does not; we do) -------------------------
# Captured first: `eval "$(...)"` would hide the script's failure from set -e.
settings="$(python3 -B - <<'PY'
import shlex, sys
sys.path.insert(0, "scripts")
from package_settings import package
pkg = package()
profile = pkg.get("profile", "release")
if profile not in ("release", "dev", "profiling"):
    raise SystemExit(f"wasm-pack.toml: unknown profile {profile!r}")
for key, var, default in (("target", "T", "bundler"), ("out-dir", "D", "pkg"),
                          ("out-name", "N", "resilient_ws"), ("scope", "S", "")):
    print(f"PKG_{var}={shlex.quote(str(pkg.get(key, default)))}")
print(f"PKG_PROFILE={shlex.quote(profile)}")
features = pkg.get("features", [])
if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
    raise SystemExit("wasm-pack.toml: features must be a list of cargo feature names")
print(f"PKG_FEATURES={shlex.quote(','.join(features))}")
budget = pkg.get("max-wasm-gzip-bytes", 0)
if not isinstance(budget, int) or budget < 0:
    raise SystemExit("wasm-pack.toml: max-wasm-gzip-bytes must be a byte count (0: no limit)")
print(f"PKG_MAX_WASM_GZIP={budget}")
short = pkg.get("short-names", False)
if not isinstance(short, bool):
    raise SystemExit("wasm-pack.toml: short-names must be true or false")
print(f"PKG_SHORT_NAMES={int(short)}")
PY
)"
eval "$settings"

# --- wasm-opt must be binaryen from .tools, or wasm-pack silently skips it ----
WASM_OPT="$(command -v wasm-opt || true)"
if [ "$WASM_OPT" != "$RWS_TOOLS/node_modules/.bin/wasm-opt" ]; then
  rws_say "build-pkg: wasm-opt is '${WASM_OPT:-missing}', expected $RWS_TOOLS/node_modules/.bin/wasm-opt; run scripts/setup.sh"
  exit 1
fi
rws_say "build-pkg: $(wasm-opt --version)"
# Its log is read below (which wasm-opt ran): the version it was checked with.
if [ "$(rws_wasm_pack_version)" != "$RWS_WASM_PACK_VERSION" ]; then
  rws_say "build-pkg: wasm-pack is '$(wasm-pack --version 2>/dev/null || echo missing)', expected $RWS_WASM_PACK_VERSION; run scripts/setup.sh"
  exit 1
fi

# out-dir is emptied below: it must be a directory of its own at the top of
# the repo, not hidden (`.git`, `.tools`), not cargo's `target`, and holding
# no tracked file (`src`, `pkg/..` or `./www` passed a check of the text).
out_path="$(realpath -m -- "$PKG_D")"
root_path="$(realpath -- "$RWS_ROOT")"
out_name="${out_path#"$root_path"/}"
if [[ "$out_path" != "$root_path"/?* || "$out_name" == */* || "$out_name" == .* || "$out_name" == target ]] \
  || [ -n "$(git ls-files -- "$out_path" | head -n1)" ]; then
  rws_say "build-pkg: out-dir '$PKG_D' must be a directory at the top of the repo, not hidden, not target, holding no tracked file"
  exit 1
fi
rm -rf "${PKG_D:?}"   # no stale files from an earlier target or removed extras
# What this build is built from; written into the package once it passed
# every check below (the benchmark refuses a package built from other sources).
source_hash="$(bash scripts/source-hash.sh)"

args=(build --mode no-install "--$PKG_PROFILE" --target "$PKG_T" --out-dir "$PKG_D" --out-name "$PKG_N")
[ -n "$PKG_S" ] && args+=(--scope "$PKG_S")
[ -n "$PKG_FEATURES" ] && args+=(-- --features "$PKG_FEATURES")
rws_say "build-pkg: wasm-pack ${args[*]}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
wasm-pack "${args[@]}" 2>&1 | tee "$log"
if [ "$PKG_PROFILE" = "release" ] && ! grep -q 'Optimizing wasm binaries with `wasm-opt`' "$log"; then
  rws_say "build-pkg: wasm-pack did not run wasm-opt"
  exit 1
fi
if grep -qi 'wasm-opt.*\(skip\|not found\|failed\)' "$log"; then
  rws_say "build-pkg: wasm-opt was skipped or failed (see above)"
  exit 1
fi

# --- shorter names between the wasm and its glue (wasm-pack.toml short-names) ---
if [ "$PKG_SHORT_NAMES" = 1 ]; then
  node scripts/short-names.mjs "$PKG_D" "$PKG_N"
fi

# --- extra files + package.json "exports" -------------------------------------
python3 -B - "$PKG_D" "$PKG_N" <<'PY'
import json, os, re, shutil, sys
sys.path.insert(0, "scripts")
from package_settings import extras, package
out_dir, out_name = sys.argv[1], sys.argv[2]
pj_path = os.path.join(out_dir, "package.json")
with open(pj_path) as f:
    pj = json.load(f)

# wasm-pack writes "main" (+ "type": "module" for ESM targets) or "module".
main_js = pj.get("module") or pj.get("main") or f"{out_name}.js"
is_esm = pj.get("type") == "module" or "module" in pj
main_entry = {}
if pj.get("types"):
    main_entry["types"] = "./" + pj["types"]
main_entry["import" if is_esm else "require"] = "./" + main_js
main_entry["default"] = "./" + main_js
exports = {".": main_entry, "./package.json": "./package.json"}
files = pj.setdefault("files", [])
# The .wasm itself (its `memory`, e.g. to watch WASM memory), with the types
# wasm-bindgen wrote for it.
wasm = f"{out_name}_bg.wasm"
if os.path.exists(os.path.join(out_dir, wasm)):
    exports["./" + wasm] = "./" + wasm
    if os.path.exists(os.path.join(out_dir, wasm + ".d.ts")):
        exports["./" + wasm] = {"types": f"./{wasm}.d.ts", "default": "./" + wasm}
        if wasm + ".d.ts" not in files:
            files.append(wasm + ".d.ts")
        # Only `memory` is for apps: the other exports are the glue's, with
        # names that change from build to build (short-names).
        with open(os.path.join(out_dir, wasm + ".d.ts"), "w") as f:
            f.write("/** The SDK's WebAssembly memory, e.g. to watch its size; the module's\n"
                    " * other exports are internal to the package. */\n"
                    "export const memory: WebAssembly.Memory;\n")
# The classes declare `[Symbol.dispose]` (wasm-bindgen): the types bring the
# lib that declares it, so an app with `skipLibCheck: false` needs no setting.
types_path = os.path.join(out_dir, f"{out_name}.d.ts")
if os.path.exists(types_path):
    with open(types_path) as f:
        types = f.read()
    reference = '/// <reference lib="esnext.disposable" />\n'
    if "Symbol.dispose" in types and reference not in types:
        with open(types_path, "w") as f:
            f.write(reference + types)
# `using socket = new ResilientSocket(...)`: leaving the block must close the
# socket, as the reader expects, not only let go of the handle. wasm-bindgen
# makes `[Symbol.dispose]` be `free()`, and a socket without a handle stays
# connected (its heartbeat keeps it up) until its connection ends.
glue_path = os.path.join(out_dir, f"{out_name}_bg.js")
generated = "if (Symbol.dispose) ResilientSocket.prototype[Symbol.dispose] = ResilientSocket.prototype.free;"
closing = ("if (Symbol.dispose) ResilientSocket.prototype[Symbol.dispose] = function () {\n"
           "    if (this.__wbg_ptr === 0) return; // free() already ran\n"
           "    this.dispose();\n"
           "    this.free();\n"
           "};")
with open(glue_path) as f:
    glue = f.read()
if glue.count(generated) != 1 or "this.__wbg_ptr = 0;" not in glue:
    raise SystemExit(f"build-pkg: {glue_path}: wasm-bindgen's [Symbol.dispose] line changed; update the patch here")
glue = glue.replace(generated, closing)
# `free()` from a listener the socket calls inside one of its own methods
# (`close()` emits `close` synchronously): wasm-bindgen's free refuses a
# handle in use with an error, after letting go of it all the same. Freed
# "delayed" (as its FinalizationRegistry frees), the method's own hold on
# the socket ends the socket when it returns, without the error.
free_call = re.compile(r"(export class ResilientSocket \{(?:(?!\nexport class ).)*?\n    free\(\) \{\n        const ptr = this\.__destroy_into_raw\(\);\n        wasm\.[A-Za-z0-9_$]+\(ptr(?: >>> 0)?, )0(\);\n    \})", re.S)
glue, found = free_call.subn(r"\g<1>1\g<2>", glue, count=1)
if found != 1:
    raise SystemExit(f"build-pkg: {glue_path}: ResilientSocket's free() changed; update the patch here")
with open(glue_path, "w") as f:
    f.write(glue)
declared = "export class ResilientSocket {\n    free(): void;\n    [Symbol.dispose](): void;\n"
documented = ("export class ResilientSocket {\n    free(): void;\n"
              "    /** `dispose()`, then `free()`: leaving a `using` block closes the socket. */\n"
              "    [Symbol.dispose](): void;\n")
if os.path.exists(types_path):
    with open(types_path) as f:
        types = f.read()
    if types.count(declared) != 1:
        raise SystemExit(f"build-pkg: {types_path}: ResilientSocket's [Symbol.dispose] declaration changed; update the patch here")
    with open(types_path, "w") as f:
        f.write(types.replace(declared, documented))
for src, dst, item in extras(package()):
    if not os.path.exists(src):
        # A package without it would still build and load (say, without
        # send()'s fast path): a moved file must be renamed here too.
        raise SystemExit(f"build-pkg: wasm-pack.toml: extra file {src} does not exist")
    shutil.copyfile(src, os.path.join(out_dir, dst))
    # Extra JS/d.ts files import the package's own module as "./resilient_ws";
    # follow a different out-name.
    if out_name != "resilient_ws" and dst.endswith((".js", ".d.ts")):
        path = os.path.join(out_dir, dst)
        with open(path) as f:
            text = f.read()
        text = text.replace('"./resilient_ws.js"', f'"./{out_name}.js"').replace('"./resilient_ws"', f'"./{out_name}"')
        with open(path, "w") as f:
            f.write(text)
    print(f"build-pkg: copied {src} -> {out_dir}/{dst}", file=sys.stderr)
    if dst not in files:
        files.append(dst)
    if item.get("main"):
        if dst == f"{out_name}.js":
            raise SystemExit(f"build-pkg: extra {src}: the main module {dst} would replace wasm-pack's {out_name}.js")
        pj["module" if "module" in pj else "main"] = dst
        effects = pj.setdefault("sideEffects", [])
        if isinstance(effects, list) and "./" + dst not in effects:
            effects.append("./" + dst)
    sub = item.get("export")
    if sub:
        entry = exports.setdefault(sub, {})
        if dst.endswith(".d.ts"):
            entry["types"] = "./" + dst
        else:
            entry["import"] = "./" + dst
            entry["default"] = "./" + dst
    for name, version in item.get("peer", {}).items():
        pj.setdefault("peerDependencies", {})[name] = version
        pj.setdefault("peerDependenciesMeta", {})[name] = {"optional": True}

# "types" must come first in every conditional entry, "default" last.
order = {"types": 0, "import": 1, "require": 2, "default": 3}
for key, entry in exports.items():
    if isinstance(entry, dict):
        exports[key] = dict(sorted(entry.items(), key=lambda kv: order.get(kv[0], 2)))
pj["exports"] = exports
with open(pj_path, "w") as f:
    json.dump(pj, f, indent=2)
    f.write("\n")
PY

# --- the package's README (wasm-pack.toml readme-sections) -------------------
# wasm-pack copied the repo's README, which is mostly about working on the SDK.
# npm shows the package's: the title and introduction, then the listed
# sections. A registry page cannot follow a relative link, so a link to a
# file the package ships (an `extra`, by its `from`) becomes the file's name
# in the package; any other relative link, image or reference fails the build.
python3 -B - "$PKG_D" <<'PY'
import os, re, sys
sys.path.insert(0, "scripts")
from package_settings import extras, package
out_dir = sys.argv[1]
pkg = package()
sections = pkg.get("readme-sections")
if sections is None:
    raise SystemExit(0)
if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
    raise SystemExit("wasm-pack.toml: readme-sections must be a list of README.md '## ' headings")
shipped = {src: dst for src, dst, _ in extras(pkg)}
with open("README.md") as f:
    lines = f.read().splitlines(keepends=True)
# Which lines are inside a fenced code block (``` or ~~~, closed by the same).
fence, in_code = None, []
for line in lines:
    marker = re.match(r" {0,3}(```|~~~)", line)
    if fence is None and marker:
        fence = marker.group(1)
        in_code.append(True)
    elif fence is not None:
        in_code.append(True)
        if line.lstrip().startswith(fence):
            fence = None
    else:
        in_code.append(False)
# Split at "## " headings outside code: the introduction, then the sections.
parts, heading, body, intro = {}, None, [], None
for line, code in zip(lines, in_code):
    if not code and line.startswith("## "):
        if heading is None:
            intro = body
        else:
            parts[heading] = body
        heading, body = line[3:].strip(), []
    body.append((line, code))
parts[heading] = body
missing = [s for s in sections if s not in parts]
if missing:
    raise SystemExit(f"wasm-pack.toml: readme-sections {missing} are not '## ' headings of README.md")
# The title and the first paragraph (the repo's own set-up commands follow).
first = []
for line, code in intro:
    if first and not line.strip() and len([l for l in first if not l.strip()]) == 1:
        break
    first.append(line)
LINK = re.compile(r'(!?)\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)')
def relink(match):
    image, label, target = match.groups()
    if re.match(r"[a-z][a-z0-9+.-]*:|#", target):
        return match.group(0)
    if image or target not in shipped:
        raise SystemExit(f"build-pkg: the package README {'shows' if image else 'links to'} {target}, which a registry page cannot follow (ship it as an [package.files] extra, or use an absolute URL)")
    return f"`{shipped[target]}` (in this package)"
def outside_code(line):
    if re.match(r" {0,3}\[[^\]]+\]:\s*\S", line):
        raise SystemExit(f"build-pkg: the package README has a link reference definition, which this step does not rewrite: {line.strip()}")
    # Inline code spans (between backticks) stay as written.
    pieces = line.split("`")
    return "`".join(LINK.sub(relink, p) if k % 2 == 0 else p for k, p in enumerate(pieces))
out = "".join(first).rstrip("\n") + "\n\n"
for name in sections:
    out += "".join(line if code else outside_code(line) for line, code in parts[name])
with open(os.path.join(out_dir, "README.md"), "w") as f:
    f.write(out)
print(f"build-pkg: {out_dir}/README.md: the introduction and {', '.join(sections)}", file=sys.stderr)
PY

# --- check the wasm is valid and the package instantiates ---------------------
# (a bad wasm-opt can produce a module that validates but fails at init, e.g.
# "Table.set(): Argument 1 is invalid")
WASM_FILE="$PKG_D/${PKG_N}_bg.wasm"
node --no-warnings --experimental-wasm-modules --input-type=module -e '
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
const [wasm, js, target] = process.argv.slice(1);
const bytes = readFileSync(wasm);
if (!WebAssembly.validate(bytes)) throw new Error(wasm + " is not valid wasm");
const path = resolve(js);
if (target === "bundler") await import(path);
else if (target === "web") (await import(path)).initSync({ module: bytes });
else if (target === "nodejs") createRequire(import.meta.url)(path);
console.error("build-pkg: " + wasm + " valid, instantiated (" + target + ")");
' "$WASM_FILE" "$PKG_D/$PKG_N.js" "$PKG_T"

# --- sizes (gzip -9) ------------------------------------------------------------
gz() { gzip -9 -c "$1" | wc -c; }
wasm_gz="$(gz "$WASM_FILE")"
js_gz=0
while IFS= read -r -d '' f; do
  js_gz=$((js_gz + $(gz "$f")))
done < <(find "$PKG_D" \( -name "${PKG_N}*.js" -o -path "$PKG_D/snippets/*.js" \) -type f -print0)
printf 'build-pkg: %s/  wasm %d B raw, %d B gzip -9; JS glue %d B gzip -9; total %d B gzip -9\n' \
  "$PKG_D" "$(wc -c < "$WASM_FILE")" "$wasm_gz" "$js_gz" "$((wasm_gz + js_gz))"
if [ "$PKG_MAX_WASM_GZIP" -gt 0 ] && [ "$wasm_gz" -gt "$PKG_MAX_WASM_GZIP" ]; then
  rws_say "build-pkg: the wasm grew to $wasm_gz B gzip -9, over max-wasm-gzip-bytes = $PKG_MAX_WASM_GZIP (wasm-pack.toml); find what grew with bench/tools/wasm-sizes.mjs"
  exit 1
fi
echo "$source_hash" > "$PKG_D/.source-hash"
