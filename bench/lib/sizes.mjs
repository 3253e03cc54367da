// What each client adds to a page: esbuild bundle of exactly what the bench
// page imports from it, minified, then gzip -9. Ours: the .wasm (gzip -9) plus
// the JS glue bundled and minified the same way (the .wasm import left
// external), and the same with the React hook ("resilient-ws/react", React
// itself external).
//
// The glue bundle also re-exports every function the .wasm imports from
// `resilient_ws_bg.js` and from the package's wasm-bindgen snippets
// (`snippets/.../inline0.js`). A bundler that loads the .wasm as an ES module
// (Vite, webpack) must keep them, but esbuild cannot see the .wasm's imports
// and would drop them as unused, measuring a glue smaller than any app ships.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

export function gzip9(buf) {
  return execFileSync("gzip", ["-9", "-c"], { input: buf, maxBuffer: 64 << 20 }).length;
}

async function bundle(benchDir, contents, external = []) {
  const r = await build({
    stdin: { contents, resolveDir: benchDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: ["*.wasm", ...external],
    logLevel: "silent",
  });
  return Buffer.from(r.outputFiles[0].contents);
}

const PEERS = [
  { id: "reconnecting-websocket", entry: `export { default } from "reconnecting-websocket";` },
  { id: "partysocket", entry: `export { WebSocket } from "partysocket";` },
  { id: "websocket-ts", entry: `export { WebsocketBuilder, ConstantBackoff } from "websocket-ts";` },
  { id: "sockette", entry: `export { default } from "sockette";` },
];

// `export { ... } from ".../resilient_ws_bg.js"` (and from each snippet) for
// every function the .wasm imports: what an ES-module bundler keeps alive
// for it.
function wasmImports(wasm, pkgDir) {
  const byModule = new Map();
  for (const { module, name } of WebAssembly.Module.imports(new WebAssembly.Module(wasm))) {
    if (!byModule.has(module)) byModule.set(module, new Set());
    byModule.get(module).add(name);
  }
  if (!byModule.has("./resilient_ws_bg.js")) throw new Error(`${join(pkgDir, "resilient_ws_bg.wasm")} imports nothing from the glue`);
  return [...byModule]
    .map(([module, names]) => `export { ${[...names].join(", ")} } from ${JSON.stringify(join(pkgDir, module))};`)
    .join("\n");
}

/** The package's JS files as shipped: the entry, the glue and the snippets. */
function shippedJs(pkgDir) {
  const files = ["index.js", "send_fast_path.js", "resilient_ws.js", "resilient_ws_bg.js"].map((f) => join(pkgDir, f));
  const snippets = join(pkgDir, "snippets");
  if (existsSync(snippets)) {
    for (const entry of readdirSync(snippets, { recursive: true })) {
      if (String(entry).endsWith(".js")) files.push(join(snippets, String(entry)));
    }
  }
  return files.filter((f) => existsSync(f));
}

export async function measureSizes(benchDir, pkgDir) {
  const out = { raw: { total: 0, note: "built into the browser" } };
  for (const p of PEERS) {
    const js = await bundle(benchDir, p.entry);
    out[p.id] = { jsMin: js.length, jsGzip: gzip9(js), total: gzip9(js), entry: p.entry };
  }
  const wasmPath = join(pkgDir, "resilient_ws_bg.wasm");
  const wasm = readFileSync(wasmPath);
  const wasmGzip = gzip9(wasm);
  const glueEntry = `export { ResilientSocket } from "resilient-ws";\n${wasmImports(wasm, pkgDir)}`;
  const glue = await bundle(benchDir, glueEntry);
  const glueGzip = gzip9(glue);
  // The glue as shipped (not minified), as scripts/build-pkg.sh reports it.
  let shippedGlueGzip = 0;
  for (const f of shippedJs(pkgDir)) shippedGlueGzip += gzip9(readFileSync(f));
  const ours = {
    wasmRaw: wasm.length,
    wasmGzip,
    jsMin: glue.length,
    jsGzip: glueGzip,
    total: wasmGzip + glueGzip,
    shippedGlueGzip,
    entry: `export { ResilientSocket } from "resilient-ws"; + resilient_ws_bg.wasm and the glue functions it imports`,
  };
  if (existsSync(join(pkgDir, "react.js"))) {
    const withHook = await bundle(
      benchDir,
      `${glueEntry}\nexport { useResilientSocket } from "resilient-ws/react";`,
      ["react", "react-dom"],
    );
    ours.jsWithHookMin = withHook.length;
    ours.jsWithHookGzip = gzip9(withHook);
    ours.totalWithHook = wasmGzip + ours.jsWithHookGzip;
  }
  out["resilient-ws"] = ours;
  out["resilient-ws-noinsp"] = { ...ours, note: "same package" };
  return out;
}
