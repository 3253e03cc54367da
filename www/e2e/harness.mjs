// Shared e2e plumbing: free ports, a Vite server (preview or dev) started and
// stopped by the test, Debian's Chromium driven by playwright-core, console
// and page-error capture, the fault server's control API, condition waits.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../scripts/chromium.mjs";

export const WWW = fileURLToPath(new URL("..", import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));

function envPort(names, fallback) {
  for (const name of names) {
    const value = Number(process.env[name]);
    if (Number.isInteger(value) && value > 0) return value;
  }
  return fallback;
}

/** The fault server the tests expect to be running (scripts/test.sh starts it). */
export const FAULT = (() => {
  const wsPort = envPort(["FAULT_SERVER_WS_PORT", "FAULT_WS_PORT"], 8765);
  const controlPort = envPort(["FAULT_SERVER_CONTROL_PORT", "FAULT_CONTROL_PORT"], 8766);
  return { wsPort, controlPort, ws: `ws://127.0.0.1:${wsPort}`, control: `http://127.0.0.1:${controlPort}` };
})();


/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` (async, truthy = done) every `everyMs` until `timeoutMs`. */
export async function until(what, check, { timeoutMs = 15_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Fails early, with the way out, when the fault server is not running. */
export async function requireFaultServer() {
  try {
    const res = await fetch(`${FAULT.control}/health`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) return;
    throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new Error(
      `fault server not reachable at ${FAULT.control} (${err.message}); start it with ` +
        "`bash scripts/fault-server.sh start` (ports: FAULT_SERVER_WS_PORT / FAULT_SERVER_CONTROL_PORT)",
    );
  }
}

/** Calls the fault server's control API directly (not through the page). */
export async function control(path, { method = "POST" } = {}) {
  const res = await fetch(`${FAULT.control}${path}`, { method, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A client id no other test (or run) uses. */
export function uniqueId(prefix) {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Starts `vite preview` (needs `npm run build` first) or the `vite` dev
 * server on a free port, with the fault-server proxy; resolves once it
 * answers. `stop()` ends it. `root`: the app (default www/), with its own
 * node_modules/vite.
 */
export async function startVite(mode, { root = WWW } = {}) {
  const port = await freePort();
  const bin = join(root, "node_modules/vite/bin/vite.js");
  const args = mode === "dev" ? [bin] : [bin, "preview"];
  args.push("--host", "127.0.0.1", "--port", String(port), "--strictPort");
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      FAULT_SERVER_WS_PORT: String(FAULT.wsPort),
      FAULT_SERVER_CONTROL_PORT: String(FAULT.controlPort),
      NO_COLOR: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let gone = false;
  exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  try {
    await until(`vite ${mode} on ${url}`, async () => {
      if (gone) throw new Error(`vite ${mode} exited:\n${output}`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    }, { timeoutMs: 60_000, everyMs: 100 });
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  return {
    url,
    output: () => output,
    async stop() {
      if (gone) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", ...CHROMIUM_ARGS],
  });
}

/**
 * A new page that records page errors and console errors. `allow` lists
 * console error patterns that are expected (e.g. the browser's own report of
 * a WebSocket that a fault made fail). `problems()` returns the rest.
 */
export async function openPage(browser, { allow = [] } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (allow.some((re) => re.test(text))) return;
    problems.push(`console.error: ${text}`);
  });
  return { context, page, problems: () => problems.slice() };
}

/** Waits until the element with data-testid `id` has text matching `re`. */
export async function waitForTestIdText(page, id, re, timeout = 15_000) {
  await page.waitForFunction(
    ([id, source, flags]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return el !== null && new RegExp(source, flags).test(el.textContent ?? "");
    },
    [id, re.source, re.flags],
    { timeout, polling: 20 },
  );
  return page.getByTestId(id).first().textContent();
}

/**
 * Resolves once the RTT chart shows `count` heartbeats stamped after `since`
 * (a `performance.now()` of the page): pongs of a connection opened by then.
 */
export async function waitForRttPointsSince(page, since, count = 1, timeout = 15_000) {
  await page.waitForFunction(
    ([since, count]) =>
      [...document.querySelectorAll('[data-testid="rtt-chart"] circle')].filter((c) => Number(c.dataset.at) > since)
        .length >= count,
    [since, count],
    { timeout, polling: 20 },
  );
}

/** The page's `performance.now()`. */
export function pageNow(page) {
  return page.evaluate(() => performance.now());
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return `${SCREENSHOTS}${name}`;
}

/** The browser's own console report of a WebSocket that failed (expected under faults). */
export const WEBSOCKET_FAILURE = /^WebSocket connection to '.*' failed/;
