#!/usr/bin/env node
// Soak: one client through many reconnect cycles and many messages against
// the fault server, in Chromium (playwright-core, CDP attached), checking
// that memory stays flat after warm-up and that dispose() leaves the page's
// listeners as they were.
//
//   node soak/run.mjs                      long: 10,000 cycles, 1,000,000 messages
//   node soak/run.mjs --short              short (scripts/test.sh): 300 cycles, 50,000 messages
//   node soak/run.mjs --cycles N --messages N [--checkpoints K] [--json FILE]
//                     [--max-js-growth BYTES] [--max-wasm-growth BYTES]
//
// Needs the fault server (FAULT_SERVER_WS / FAULT_SERVER_CONTROL, default
// 127.0.0.1:8765/8766) and the built package (pkg/, or RWS_PKG_DIR).
//
// Each phase (cycles, then messages) runs in K chunks; memory is measured
// after a forced GC (CDP HeapProfiler.collectGarbage) at the end of each
// chunk. The first chunk of a phase is its warm-up; "growth" is the last
// sample minus the warm-up sample. It fails (exit 1) on growth above the
// limits, on a listener left on window/document, on any lost, duplicated or
// misordered message, or on a page error.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  FAULT, SOAK, control, countListeners, launchBrowser, measureMemory, openSoakPage,
  requireFaultServer, startStaticServer, uniqueId,
} from "./lib/harness.mjs";

const KIB = 1024;

/**
 * How each reconnect cycle is provoked, in turn: the app's `reconnect()`
 * (no control call), or the fault server's control API, called from node.
 */
const FAULTS = [
  ["app reconnect()", null],
  ["server drop, no close frame (1006)", (id) => `/clients/${id}/drop`],
  ["server close 1011", (id) => `/clients/${id}/close?code=1011&reason=soak`],
  ["server close 1001", (id) => `/clients/${id}/close?code=1001&reason=soak`],
  ["server close 1012", (id) => `/clients/${id}/close?code=1012&reason=soak`],
];
const DEFAULTS = {
  long: { cycles: 10_000, messages: 1_000_000 },
  short: { cycles: 300, messages: 50_000 },
};

function parseArgs(argv) {
  const args = {
    short: false, cycles: null, messages: null, checkpoints: 10, json: null,
    // JS heap: a little noise from V8's own caches is normal after a GC.
    maxJsGrowth: 256 * KIB,
    // WebAssembly memory grows in 64 KiB pages and never shrinks.
    maxWasmGrowth: 64 * KIB,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const count = () => {
      const raw = value();
      const n = Number(raw.replaceAll("_", "").replaceAll(",", ""));
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg}: expected a whole number, got ${raw}`);
      return n;
    };
    switch (arg) {
      case "--short": args.short = true; break;
      case "--cycles": args.cycles = count(); break;
      case "--messages": args.messages = count(); break;
      case "--checkpoints": args.checkpoints = Math.max(2, count()); break;
      case "--json": args.json = value(); break;
      case "--max-js-growth": args.maxJsGrowth = count(); break;
      case "--max-wasm-growth": args.maxWasmGrowth = count(); break;
      case "-h": case "--help":
        console.log("usage: node soak/run.mjs [--short] [--cycles N] [--messages N] [--checkpoints K] [--json FILE] [--max-js-growth BYTES] [--max-wasm-growth BYTES]");
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  const preset = args.short ? DEFAULTS.short : DEFAULTS.long;
  args.cycles ??= preset.cycles;
  args.messages ??= preset.messages;
  args.json ??= path.join(SOAK, "out", args.short ? "last-short.json" : "last-run.json");
  return args;
}

/** Splits `total` into `parts` chunks (the last ones may be one smaller). */
function chunks(total, parts) {
  const n = Math.min(parts, Math.max(1, total));
  const out = [];
  for (let i = 0; i < n; i += 1) out.push(Math.floor((total * (i + 1)) / n) - Math.floor((total * i) / n));
  return out.filter((c) => c > 0);
}

const fmtBytes = (b) => (Math.abs(b) >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const signed = (b) => `${b >= 0 ? "+" : "-"}${fmtBytes(Math.abs(b))}`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await requireFaultServer();
  const started = Date.now();
  const failures = [];
  const server = await startStaticServer();
  const browser = await launchBrowser();
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}`,
      memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
      node: process.version,
      chromium: browser.version(),
    },
    package: { dir: server.pkg },
    options: { cycles: args.cycles, messages: args.messages, checkpoints: args.checkpoints, maxJsGrowth: args.maxJsGrowth, maxWasmGrowth: args.maxWasmGrowth },
    samples: [],
  };
  try {
    const { page, cdp, problems } = await openSoakPage(browser, server.url);
    const listenersBefore = await countListeners(cdp);
    result.samples.push({ phase: "loaded", done: 0, ...(await measureMemory(page, cdp)) });

    const id = uniqueId("soak");
    result.client = id;
    const options = {
      // Short delays: the cycles are about the SDK, not about waiting.
      reconnect: { initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: "full", tryLaterDelayMs: 2 },
      heartbeat: { intervalMs: 0 },
      requests: { timeoutMs: 10_000 },
    };
    await page.evaluate((a) => window.soak.create(a), { url: `${FAULT.ws}/ws/${id}`, options });
    const listenersOpen = await countListeners(cdp);
    result.faults = FAULTS.map(([name]) => name);

    // ----- reconnect cycles -----
    let done = 0;
    const cyclesStarted = Date.now();
    let summary = null;
    for (const count of chunks(args.cycles, args.checkpoints)) {
      for (let i = done; i < done + count; i += 1) {
        const [, fault] = FAULTS[i % FAULTS.length];
        const mark = await page.evaluate(() => window.soak.mark());
        if (fault) await control(fault(id));
        await page.evaluate((a) => window.soak.cycle(a), { i, app: !fault, ...mark });
      }
      summary = await page.evaluate(() => window.soak.summary());
      done += count;
      result.samples.push({ phase: "cycles", done, ...(await measureMemory(page, cdp)) });
      progress(`cycles ${done}/${args.cycles}`, result.samples.at(-1));
    }
    result.cyclesMs = Date.now() - cyclesStarted;
    if (args.cycles > 0) {
      result.afterCycles = summary;
      const serverStats = await control(`/clients/${id}/stats`, "GET");
      result.afterCycles.server = serverStats;
      const { stats } = summary;
      if (stats.messagesIn !== stats.messagesOut) failures.push(`cycles: ${stats.messagesOut} messages sent, ${stats.messagesIn} echoed`);
      if (serverStats.count !== stats.messagesOut) failures.push(`cycles: the client sent ${stats.messagesOut} messages, the server received ${serverStats.count}`);
      if (serverStats.connections !== stats.connection) failures.push(`cycles: ${stats.connection} client connections, ${serverStats.connections} at the server`);
      if (serverStats.open !== 1) failures.push(`cycles: ${serverStats.open} connections open at the server, expected 1`);
      if (summary.counters.open !== args.cycles + 1) failures.push(`cycles: ${summary.counters.open} opens for ${args.cycles} cycles`);
      // Every queued message exactly once (the records hold 100,000 messages).
      const received = await control(`/clients/${id}/received`, "GET");
      if (!received.truncated) {
        const queued = new Map();
        for (const { text } of received.messages) if (text.startsWith("q-")) queued.set(text, (queued.get(text) ?? 0) + 1);
        const twice = [...queued].filter(([, n]) => n > 1).map(([t]) => t);
        // Cycles whose reconnect was quicker than the page could queue have none.
        const expected = summary.counters.queuedWhileDown;
        result.afterCycles.queuedDelivered = queued.size;
        if (twice.length) failures.push(`cycles: queued messages delivered twice: ${twice.slice(0, 5).join(", ")}`);
        if (queued.size !== expected) failures.push(`cycles: ${expected} messages queued while down, ${queued.size} distinct ones received`);
      }
    }

    // ----- messages -----
    const messagesStarted = Date.now();
    const sentFromJsBefore = summary?.counters.sentFromJs ?? 0;
    done = 0;
    for (const count of chunks(args.messages, args.checkpoints)) {
      summary = await page.evaluate((a) => window.soak.messages(a), { from: done, count });
      done += count;
      result.samples.push({ phase: "messages", done, ...(await measureMemory(page, cdp)) });
      progress(`messages ${done}/${args.messages}`, result.samples.at(-1));
    }
    result.messagesMs = Date.now() - messagesStarted;
    result.final = summary;
    if (args.messages > 0) {
      const serverStats = await control(`/clients/${id}/stats`, "GET");
      result.final.server = serverStats;
      const { stats, counters } = summary;
      if (counters.misordered !== 0) failures.push(`messages: ${counters.misordered} echoes out of order`);
      if (stats.messagesIn !== stats.messagesOut) failures.push(`messages: ${stats.messagesOut} sent, ${stats.messagesIn} received`);
      if (serverStats.count !== stats.messagesOut) failures.push(`messages: the client sent ${stats.messagesOut}, the server received ${serverStats.count}`);
      // The socket stays open through this phase: every send leaves from JS.
      const fromJs = counters.sentFromJs - sentFromJsBefore;
      result.final.sentFromJs = fromJs;
      if (fromJs !== args.messages) failures.push(`messages: ${fromJs} of ${args.messages} sends left from JS (the package's fast path)`);
    }

    // ----- dispose -----
    await page.evaluate(() => window.soak.dispose());
    const listenersAfter = await countListeners(cdp);
    result.samples.push({ phase: "disposed", done: 0, ...(await measureMemory(page, cdp)) });
    result.listeners = { before: listenersBefore, whileOpen: listenersOpen, afterDispose: listenersAfter };
    // The count must see the SDK's own page listeners while it is open
    // (src/web/environment.rs), or "as before after dispose" proves nothing.
    for (const [target, type] of [["window", "online"], ["window", "offline"], ["document", "visibilitychange"]]) {
      const count = (listeners) => listeners[target].byType[type] ?? 0;
      if (count(listenersOpen) <= count(listenersBefore)) {
        failures.push(`listeners on ${target}: no ${type} listener of the SDK counted while open (${count(listenersBefore)} before, ${count(listenersOpen)} open)`);
      }
    }
    for (const target of ["window", "document"]) {
      const before = JSON.stringify(listenersBefore[target].byType);
      const after = JSON.stringify(listenersAfter[target].byType);
      if (before !== after) failures.push(`listeners on ${target}: before ${before}, after dispose ${after}`);
    }
    const closedAtServer = await waitForServerOpen(id, 0);
    if (!closedAtServer) failures.push("the server still has an open connection after dispose");

    // ----- memory growth after warm-up, per phase -----
    result.growth = {};
    for (const phase of ["cycles", "messages"]) {
      const samples = result.samples.filter((s) => s.phase === phase);
      if (samples.length < 2) continue;
      const [warm, last] = [samples[0], samples.at(-1)];
      const units = last.done - warm.done;
      const growth = {
        afterWarmUp: `${warm.done} ${phase}`,
        jsHeap: last.jsHeapUsed - warm.jsHeapUsed,
        jsHeapMax: Math.max(...samples.map((s) => s.jsHeapUsed)) - warm.jsHeapUsed,
        wasm: last.wasmBytes - warm.wasmBytes,
        units,
      };
      growth.jsHeapPerUnit = +(growth.jsHeap / units).toFixed(3);
      result.growth[phase] = growth;
      if (growth.jsHeap > args.maxJsGrowth) failures.push(`${phase}: JS heap grew ${fmtBytes(growth.jsHeap)} after warm-up (limit ${fmtBytes(args.maxJsGrowth)})`);
      if (growth.wasm > args.maxWasmGrowth) failures.push(`${phase}: WebAssembly memory grew ${fmtBytes(growth.wasm)} after warm-up (limit ${fmtBytes(args.maxWasmGrowth)})`);
    }
    for (const problem of problems()) failures.push(problem);
  } catch (err) {
    failures.push(`error: ${err.stack ?? err}`);
  } finally {
    await browser.close();
    await server.close();
  }
  result.totalMs = Date.now() - started;
  result.failures = failures;
  result.ok = failures.length === 0;
  mkdirSync(path.dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  report(result, args);
  process.exitCode = result.ok ? 0 : 1;
}

async function waitForServerOpen(id, want) {
  for (let i = 0; i < 100; i += 1) {
    const stats = await control(`/clients/${id}/stats`, "GET");
    if (stats.open === want) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function progress(what, sample) {
  process.stderr.write(`soak: ${what}: JS heap ${fmtBytes(sample.jsHeapUsed)}, wasm ${fmtBytes(sample.wasmBytes)}\n`);
}

function report(result, args) {
  const lines = [];
  lines.push(`soak: ${args.cycles} reconnect cycles (${(result.cyclesMs / 1000 || 0).toFixed(1)} s), ${args.messages} messages (${(result.messagesMs / 1000 || 0).toFixed(1)} s), total ${(result.totalMs / 1000).toFixed(1)} s`);
  lines.push(`soak: ${result.machine.cpus}, ${result.machine.os}, Chromium ${result.machine.chromium}, node ${result.machine.node}`);
  for (const [phase, g] of Object.entries(result.growth ?? {})) {
    lines.push(`soak: ${phase} after warm-up (${g.afterWarmUp}): JS heap ${signed(g.jsHeap)} (max ${signed(g.jsHeapMax)}, ${g.jsHeapPerUnit} B per unit), wasm memory ${signed(g.wasm)}`);
  }
  if (result.listeners) {
    const l = result.listeners;
    lines.push(`soak: listeners window/document: before ${l.before.window.total}/${l.before.document.total}, open ${l.whileOpen.window.total}/${l.whileOpen.document.total}, after dispose ${l.afterDispose.window.total}/${l.afterDispose.document.total}`);
  }
  lines.push(`soak: details in ${args.json}`);
  if (result.ok) lines.push("soak: ok");
  else for (const f of result.failures) lines.push(`soak: FAIL ${f}`);
  console.log(lines.join("\n"));
}

await main();
