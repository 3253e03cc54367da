// Builds bench/page into bench/out/page (static, served by bench/run.mjs).
// BENCH_DIAG=1 (bench/diagnose.mjs): unminified into bench/out/diag-page, so
// CPU profiles show function names.
import { resolve } from "node:path";
import { defineConfig } from "vite";

const diag = process.env.BENCH_DIAG === "1";

export default defineConfig({
  root: resolve(import.meta.dirname, "page"),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: resolve(import.meta.dirname, diag ? "out/diag-page" : "out/page"),
    emptyOutDir: true,
    target: "es2022",
    minify: !diag,
    reportCompressedSize: false,
  },
});
