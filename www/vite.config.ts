import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { faultProxy, quietProxyLogger } from "./fault-proxy.ts";

export default defineConfig({
  plugins: [react()],
  customLogger: quietProxyLogger(),
  resolve: {
    // "resilient-ws" is linked (file:../pkg), so its "resilient-ws/react"
    // entry lives outside node_modules: resolve its React from this app.
    dedupe: ["react", "react-dom"],
  },
  server: {
    // "resilient-ws" is a file: dependency on ../pkg (symlinked).
    fs: { allow: [".."] },
    proxy: faultProxy(),
  },
  preview: {
    proxy: faultProxy(),
  },
  optimizeDeps: {
    // Scan both pages up front so the dev server never reloads mid-session
    // after discovering a dependency.
    entries: ["index.html", "hook-test.html"],
  },
  build: {
    target: "es2022",
    rolldownOptions: {
      input: {
        dashboard: resolve(import.meta.dirname, "index.html"),
        hookTest: resolve(import.meta.dirname, "hook-test.html"),
      },
    },
  },
});
