// Builds bench/page into bench/out/page (static, served by bench/run.mjs).
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: resolve(import.meta.dirname, "page"),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: resolve(import.meta.dirname, "out/page"),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
});
