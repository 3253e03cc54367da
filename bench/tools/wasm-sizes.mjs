#!/usr/bin/env node
// Where the bytes of a .wasm go: section sizes, and code size per function,
// per crate and per module, from the "name" section (so give it a build that
// kept names: wasm-opt -g, or the cargo output before wasm-bindgen). Also the
// data section, and gzip -9 of the whole file. A small stand-in for
// `twiggy top` that needs nothing installed.
//
//   node bench/tools/wasm-sizes.mjs FILE.wasm [--top 40]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const file = process.argv[2];
const TOP = Number(process.argv[process.argv.indexOf("--top") + 1] || 40);
const buf = readFileSync(file);
let pos = 8;
const u32 = () => {
  let r = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    r |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return r >>> 0;
    shift += 7;
  }
};
const names = new Map();
const bodies = [];
const sections = [];
let importedFuncs = 0;
const SEC = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const start = pos;
  let label = SEC[id] || `#${id}`;
  if (id === 0) {
    const n = u32();
    const name = buf.subarray(pos, pos + n).toString();
    pos += n;
    label = `custom "${name}"`;
    if (name === "name") {
      while (pos < start + size) {
        const sub = buf[pos++];
        const len = u32();
        const end = pos + len;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) {
            const idx = u32();
            const l = u32();
            names.set(idx, buf.subarray(pos, pos + l).toString());
            pos += l;
          }
        }
        pos = end;
      }
    }
  } else if (id === 2) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 2; k++) {
        const l = u32(); // module, field
        pos += l;
      }
      const kind = buf[pos++];
      if (kind === 0) {
        importedFuncs++;
        u32();
      } else if (kind === 1) {
        pos++;
        const f = u32();
        u32();
        if (f & 1) u32();
      } else if (kind === 2) {
        const f = u32();
        u32();
        if (f & 1) u32();
      } else if (kind === 3) {
        pos += 2;
      } else if (kind === 4) {
        pos++;
        u32();
      }
    }
  } else if (id === 10) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      const l = u32();
      bodies.push({ idx: importedFuncs + i, size: l + 1 });
      pos += l;
    }
  }
  sections.push({ label, size: size + 1 + (size < 128 ? 1 : size < 16384 ? 2 : 3) });
  pos = start + size;
}

// Rust legacy mangling: _ZN<len><seg>...17h<hash>E -> seg::seg
function demangle(s) {
  const m = s.match(/^_?_ZN(.*)E$/);
  if (!m) return s;
  const out = [];
  let r = m[1];
  while (r.length) {
    const d = r.match(/^(\d+)/);
    if (!d) break;
    const n = Number(d[1]);
    out.push(r.slice(d[1].length, d[1].length + n));
    r = r.slice(d[1].length + n);
  }
  if (out.length && /^h[0-9a-f]{16}$/.test(out[out.length - 1])) out.pop();
  return out.join("::").replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">").replace(/\$u20\$/g, " ").replace(/\$RF\$/g, "&").replace(/\$C\$/g, ",").replace(/\.\./g, "::").replace(/\$u7b\$/g, "{").replace(/\$u7d\$/g, "}");
}

const total = buf.length;
const code = bodies.reduce((a, b) => a + b.size, 0);
console.log(`${file}: ${total} B, gzip -9 ${gzipSync(buf, { level: 9 }).length} B; ${bodies.length} functions (${importedFuncs} imported), names for ${names.size}`);
console.log("\nsections:");
for (const s of sections.sort((a, b) => b.size - a.size)) console.log(`  ${String(s.size).padStart(8)} B ${((100 * s.size) / total).toFixed(1).padStart(5)}%  ${s.label}`);

const fnName = (b) => demangle(names.get(b.idx) || `func[${b.idx}]`);
const group = (depth) => {
  const g = new Map();
  for (const b of bodies) {
    let n = fnName(b);
    // <impl Trait for crate::x::Y>::f -> crate::x
    const inner = n.match(/^<(?:[^<>]* for )?([a-z_0-9]+(?:::[a-z_0-9]+)*)/);
    const path = inner ? inner[1] : n;
    const key = path.split("::").slice(0, depth).join("::") || n;
    g.set(key, (g.get(key) || 0) + b.size);
  }
  return [...g.entries()].sort((a, b) => b[1] - a[1]);
};
console.log(`\ncode by crate (of ${code} B code):`);
for (const [k, v] of group(1).slice(0, 15)) console.log(`  ${String(v).padStart(8)} B ${((100 * v) / code).toFixed(1).padStart(5)}%  ${k}`);
console.log(`\ncode by module:`);
for (const [k, v] of group(3).slice(0, 30)) console.log(`  ${String(v).padStart(8)} B ${((100 * v) / code).toFixed(1).padStart(5)}%  ${k}`);
console.log(`\nlargest functions:`);
for (const b of [...bodies].sort((a, b) => b.size - a.size).slice(0, TOP)) console.log(`  ${String(b.size).padStart(8)} B  ${fnName(b).slice(0, 160)}`);
