// Builds bench/page into bench/out/page (static, served by bench/run.mjs).
// BENCH_DIAG=1 (bench/diagnose.mjs): unminified into bench/out/diag-page, so
// CPU profiles show function names, with each client's package in a chunk of
// its own (`client-<name>.js`), so bench/overhead.mjs can tell whose code a
// profile sample is in.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineConfig } from "vite";

const diag = process.env.BENCH_DIAG === "1";

/** The client a module belongs to, by its package (resilient-ws is linked
 * from ../pkg, its files named resilient_ws*); partysocket's EventTarget polyfill counts as partysocket. */
const PACKAGES = {
  "resilient-ws": "resilient-ws",
  "reconnecting-websocket": "reconnecting-websocket",
  partysocket: "partysocket",
  "event-target-polyfill": "partysocket",
  "websocket-ts": "websocket-ts",
  sockette: "sockette",
};
function clientChunk(id) {
  // The package's own files (also from another build given with --pkg): its
  // entry point and send fast path (next to the wasm), the wasm-bindgen
  // output and snippets.
  if (/\/resilient_ws[^/]*$|\/snippets\/resilient-ws-/.test(id)) return "client-resilient-ws";
  if (/\/(index|send_fast_path)\.js$/.test(id) && existsSync(join(dirname(id), "resilient_ws_bg.wasm"))) {
    return "client-resilient-ws";
  }
  const m = id.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  return m && PACKAGES[m[1]] ? `client-${PACKAGES[m[1]]}` : undefined;
}

export default defineConfig({
  root: resolve(import.meta.dirname, "page"),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: resolve(import.meta.dirname, diag ? process.env.BENCH_DIAG_OUT || "out/diag-page" : "out/page"),
    emptyOutDir: true,
    target: "es2022",
    minify: !diag,
    reportCompressedSize: false,
    rollupOptions: diag ? { output: { manualChunks: clientChunk, chunkFileNames: "assets/[name].js" } } : {},
  },
});
