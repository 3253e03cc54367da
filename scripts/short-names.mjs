// Shortens the names the .wasm and its JS glue use to reach each other, and
// drops the wasm's tool-metadata sections. Run by scripts/build-pkg.sh on the
// wasm-pack output; usage: node scripts/short-names.mjs PKG_DIR OUT_NAME
//
// Why: wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and
// every export after its Rust path. Each name is stored twice (in the .wasm
// and in the glue), the hex digits do not compress, and no bundler can rename
// them because the other side refers to them by name. With ~80 imports and
// ~60 exports that is kilobytes of gzip on every page.
//
// What changes, in the .wasm and consistently in every .js / .d.ts of the
// package: each import from the glue module is renamed `__w<n>`, each
// export `x<n>` (accessed as `wasm.<name>`); `memory` and `__wbindgen_start`
// keep their names. Custom sections "producers" and "target_features"
// (ignored by engines) are dropped; "name" is kept if present.
// The build instantiates the package afterwards, so a broken rename fails
// the build.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [pkgDir, outName] = process.argv.slice(2);
if (!pkgDir || !outName) {
  console.error("usage: node scripts/short-names.mjs PKG_DIR OUT_NAME");
  process.exit(2);
}
const wasmPath = join(pkgDir, `${outName}_bg.wasm`);
const glueModule = `./${outName}_bg.js`;
const KEEP_EXPORTS = new Set(["memory", "__wbindgen_start"]);
const DROP_CUSTOM = new Set(["producers", "target_features"]);

// --- the wasm binary: read and write the few shapes we touch --------------------

class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  byte() {
    return this.bytes[this.at++];
  }
  u32() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
      shift += 7;
    }
  }
  name() {
    const length = this.u32();
    const text = new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }
  /** Skips a `limits` (table and memory types). */
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
  /** The bytes of an import's type description, as they are. */
  importDesc() {
    const start = this.at;
    const kind = this.byte();
    if (kind === 0x00) this.u32(); // function: type index
    else if (kind === 0x01) (this.byte(), this.limits()); // table: reftype, limits
    else if (kind === 0x02) this.limits(); // memory
    else if (kind === 0x03) (this.byte(), this.byte()); // global: valtype, mutability
    else if (kind === 0x04) (this.byte(), this.u32()); // tag: attribute, type index
    else throw new Error(`unknown import kind ${kind}`);
    return this.bytes.subarray(start, this.at);
  }
}

function u32Bytes(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return Buffer.from(out);
}

function nameBytes(text) {
  const utf8 = Buffer.from(text, "utf8");
  return Buffer.concat([u32Bytes(utf8.length), utf8]);
}

function section(id, body) {
  return Buffer.concat([Buffer.from([id]), u32Bytes(body.length), body]);
}

// --- rename ---------------------------------------------------------------------

const wasm = readFileSync(wasmPath);
if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${wasmPath}: not a wasm module`);
const importNames = new Map(); // old -> new
const exportNames = new Map();
const sections = [wasm.subarray(0, 8)];
const top = new Reader(wasm, 8);
while (top.at < wasm.length) {
  const id = top.byte();
  const size = top.u32();
  const body = wasm.subarray(top.at, top.at + size);
  top.at += size;
  const r = new Reader(body);
  if (id === 0 && DROP_CUSTOM.has(r.name())) continue;
  if (id === 2) {
    const count = r.u32();
    const parts = [u32Bytes(count)];
    for (let i = 0; i < count; i++) {
      const module = r.name();
      let name = r.name();
      const desc = r.importDesc();
      if (module === glueModule) {
        if (!importNames.has(name)) importNames.set(name, `__w${importNames.size.toString(36)}`);
        name = importNames.get(name);
      }
      parts.push(nameBytes(module), nameBytes(name), desc);
    }
    sections.push(section(id, Buffer.concat(parts)));
  } else if (id === 7) {
    const count = r.u32();
    const parts = [u32Bytes(count)];
    for (let i = 0; i < count; i++) {
      let name = r.name();
      const kind = r.byte();
      const index = r.u32();
      if (!KEEP_EXPORTS.has(name)) {
        const short = `x${exportNames.size.toString(36)}`;
        exportNames.set(name, short);
        name = short;
      }
      parts.push(nameBytes(name), Buffer.from([kind]), u32Bytes(index));
    }
    sections.push(section(id, Buffer.concat(parts)));
  } else {
    sections.push(section(id, body));
  }
}
if (importNames.size === 0) throw new Error(`${wasmPath} imports nothing from ${glueModule}: wrong OUT_NAME?`);

const escape = (text) => text.replace(/[$]/g, "\\$");
const files = readdirSync(pkgDir).filter((f) => f.startsWith(outName) && /\.(js|d\.ts)$/.test(f));
const texts = new Map(files.map((f) => [f, readFileSync(join(pkgDir, f), "utf8")]));
const everything = [...texts.values()].join("\n");
for (const short of [...importNames.values(), ...exportNames.values()]) {
  if (new RegExp(`\\b${escape(short)}\\b`).test(everything)) throw new Error(`the glue already uses the name ${short}`);
}
for (const old of importNames.keys()) {
  if (!new RegExp(`\\b${escape(old)}\\b`).test(everything)) throw new Error(`no glue file defines the import ${old}`);
}
for (const [file, before] of texts) {
  let text = before;
  for (const [old, short] of importNames) text = text.replace(new RegExp(`\\b${escape(old)}\\b`, "g"), short);
  for (const [old, short] of exportNames) {
    // Uses (`wasm.name`) in the glue; declarations in `<out>_bg.wasm.d.ts`.
    text = text.replace(new RegExp(`\\bwasm\\.${escape(old)}\\b`, "g"), `wasm.${short}`);
    if (file.endsWith(".wasm.d.ts")) text = text.replace(new RegExp(`\\bconst ${escape(old)}:`, "g"), `const ${short}:`);
  }
  if (text !== before) writeFileSync(join(pkgDir, file), text);
}
const out = Buffer.concat(sections);
writeFileSync(wasmPath, out);
console.error(
  `short-names: ${importNames.size} imports and ${exportNames.size} exports renamed; ${wasm.length} -> ${out.length} B raw`,
);
