// What README.md asks of an app that installed resilient-ws as a copy (a
// tarball, or a registry): no fs.allow or dedupe (that is for a file: link),
// but no dependency pre-bundling of the package either, or the dev server
// loads its wasm's JS glue twice and the wasm talks to the copy that was
// never initialised.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  optimizeDeps: { exclude: ["resilient-ws"] },
});
