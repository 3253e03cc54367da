// Soak plumbing: a static server for soak/page and the built package, Debian's
// Chromium driven by playwright-core, a CDP session for memory and
// listeners, and the fault server's addresses (from scripts/env.sh).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../scripts/chromium.mjs";

export const SOAK = fileURLToPath(new URL("..", import.meta.url));
export const ROOT = path.dirname(SOAK.replace(/\/$/, ""));

/** The fault server the soak talks to (scripts/test.sh starts it). */
export const FAULT = {
  ws: (process.env.FAULT_SERVER_WS ?? `ws://127.0.0.1:${process.env.FAULT_WS_PORT ?? 8765}`).replace(/\/$/, ""),
  control: (process.env.FAULT_SERVER_CONTROL ?? `http://127.0.0.1:${process.env.FAULT_CONTROL_PORT ?? 8766}`).replace(/\/$/, ""),
};

/** Fails early, with the way out, when the fault server is not running. */
export async function requireFaultServer() {
  try {
    const res = await fetch(`${FAULT.control}/health`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new Error(
      `fault server not reachable at ${FAULT.control} (${err.message}); start it with ` +
        "`bash scripts/fault-server.sh start` (FAULT_SERVER_WS / FAULT_SERVER_CONTROL choose another one)",
    );
  }
}

/** Calls the fault server's control API. */
export async function control(pathAndQuery, method = "POST") {
  const res = await fetch(`${FAULT.control}${pathAndQuery}`, { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathAndQuery}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A client id no other run uses. */
export function uniqueId(prefix) {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/**
 * Serves soak/page at `/` and the package directory (default pkg/, or
 * RWS_PKG_DIR) at `/pkg/`, on a free port of 127.0.0.1.
 */
export async function startStaticServer({ pkgDir = process.env.RWS_PKG_DIR ?? path.join(ROOT, "pkg") } = {}) {
  const pkg = path.resolve(pkgDir);
  if (!existsSync(path.join(pkg, "resilient_ws_bg.wasm"))) {
    throw new Error(`no built package in ${pkg}; run \`bash scripts/build-pkg.sh\` first`);
  }
  const pageDir = path.join(SOAK, "page");
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const [base, rel] = url.pathname.startsWith("/pkg/")
      ? [pkg, url.pathname.slice("/pkg/".length)]
      : [pageDir, url.pathname === "/" ? "index.html" : url.pathname.slice(1)];
    const file = path.resolve(base, decodeURIComponent(rel));
    try {
      if (!file.startsWith(base + path.sep) || !(await stat(file)).isFile()) throw new Error("not found");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    pkg,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const HEADLESS_ARGS = ["--headless", ...CHROMIUM_ARGS];

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: HEADLESS_ARGS });
}

/**
 * Debian's Chromium started here and attached with `connectOverCDP` and
 * `noDefaults`, for page lifecycle tests: pages of its default context get
 * none of playwright's default overrides. (`chromium.launch` turns on
 * `Emulation.setFocusEmulationEnabled` for every page, which keeps the page
 * visible, so `Page.setWebLifecycleState` "frozen" would have no effect.)
 * Returns `{ browser, context, close() }`.
 */
export async function launchBrowserForLifecycle() {
  const profile = mkdtempSync(path.join(os.tmpdir(), "rws-soak-chromium-"));
  const child = spawn(CHROMIUM, [...HEADLESS_ARGS, "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const cleanUp = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    // Chromium's helper processes can still be writing to the profile for a
    // moment after the browser exits: retry, and never fail a test over a
    // temporary directory.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      console.warn(`soak: could not remove ${profile}: ${error.message}`);
    }
  };
  try {
    const endpoint = await new Promise((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`Chromium did not start in 30 s:\n${output}`)), 30_000);
      child.stderr.on("data", (data) => {
        output += data;
        const match = output.match(/DevTools listening on (ws:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code ?? signal}):\n${output}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
    return {
      browser,
      context: browser.contexts()[0],
      async close() {
        await browser.close().catch(() => {});
        await cleanUp();
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/**
 * Opens the soak page (the package loaded, `window.soak` ready) with a CDP
 * session. `problems()` lists page errors and console errors other than the
 * browser's own reports of WebSocket failures (expected under faults).
 */
export async function openSoakPage(browser, baseUrl, { context = null } = {}) {
  context ??= await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (/^WebSocket connection to '.*' failed/.test(text)) return;
    problems.push(`console.error: ${text}`);
  });
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.soakReady === true || window.soakError, null, { timeout: 30_000 });
  const error = await page.evaluate(() => window.soakError ?? null);
  if (error) throw new Error(`soak page failed to load the package: ${error}`);
  const cdp = await context.newCDPSession(page);
  return { context, page, cdp, problems: () => problems.slice() };
}

/**
 * Memory after a full garbage collection: the JS heap (CDP
 * Runtime.getHeapUsage) and the WebAssembly memory's size
 * (`memory.buffer.byteLength` of the package's instance).
 */
export async function measureMemory(page, cdp) {
  // Twice: the first pass can leave objects a finalizer freed for the second.
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const wasmBytes = await page.evaluate(() => window.soak.wasmBytes());
  return { jsHeapUsed: heap.usedSize, jsHeapTotal: heap.totalSize, wasmBytes };
}

/** Event listeners on `window` and on `document`, by type (CDP DOMDebugger.getEventListeners). */
export async function countListeners(cdp) {
  const counts = {};
  for (const target of ["window", "document"]) {
    const { result } = await cdp.send("Runtime.evaluate", { expression: target, objectGroup: "soak-listeners" });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    const byType = {};
    for (const listener of listeners) byType[listener.type] = (byType[listener.type] ?? 0) + 1;
    counts[target] = { total: listeners.length, byType };
  }
  await cdp.send("Runtime.releaseObjectGroup", { objectGroup: "soak-listeners" });
  return counts;
}
