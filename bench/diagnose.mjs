#!/usr/bin/env node
// SEPARATE diagnostic run (never the benchmark's figures): runs selected tests
// of the bench page in Chromium with CDP attached over --remote-debugging-pipe,
// records a V8 CPU profile per client, and prints self time by function.
// CDP attached distorts throughput (network tracking is not enabled here, but
// the profiler itself costs): compare profiles with each other, not with
// bench/RESULTS.md.
//
//   node bench/diagnose.mjs --tests send --clients raw,resilient-ws [--sampling-us 50] [--top 25]
//                           [--pkg DIR]  (another wasm-pack output, e.g. a --profiling build with names)
// Writes bench/out/diag/<test>-<client>.cpuprofile (open in Chrome DevTools) and .txt summaries.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, symlinkSync, lstatSync, readlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { killChildren, launchChromium, run, serve, startFaultServer } from "./lib/harness.mjs";

/** Removes a temporary directory; Chromium's helper processes may still be
 * writing to a profile for a moment after exit, so retry and never throw. */
function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    console.error(`bench: could not remove ${dir}: ${error.message}`);
  }
}


const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(n);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
const TESTS = opt("--tests", "recv64");
const CLIENTS = opt("--clients", "raw,resilient-ws").split(",");
const SAMPLING_US = Number(opt("--sampling-us", 50));
const TOP = Number(opt("--top", 25));
const EXTRA = opt("--query", ""); // extra page query, e.g. "memCycles=2000"
const OUT = join(BENCH, "out", "diag");
const say = (...a) => console.error("diagnose:", ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

process.on("exit", killChildren);
process.on("SIGINT", () => process.exit(130));

// --- CDP over the pipe (fd 3: to Chromium, fd 4: from Chromium, \0-framed) ----
function cdp(proc) {
  let id = 0;
  const pending = new Map();
  const listeners = [];
  let buf = Buffer.alloc(0);
  proc.stdio[4].on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    let i;
    while ((i = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, i).toString("utf8"));
      buf = buf.subarray(i + 1);
      if (msg.id && pending.has(msg.id)) {
        const { res, rej } = pending.get(msg.id);
        pending.delete(msg.id);
        msg.error ? rej(new Error(`${msg.error.message} (${msg.error.code})`)) : res(msg.result);
      } else for (const l of listeners) l(msg);
    }
  });
  return {
    send(method, params = {}, sessionId) {
      const m = { id: ++id, method, params };
      if (sessionId) m.sessionId = sessionId;
      proc.stdio[3].write(JSON.stringify(m) + "\0");
      return new Promise((res, rej) => pending.set(m.id, { res, rej }));
    },
    on: (f) => listeners.push(f),
  };
}

function summarize(profile, top) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + dt);
  }
  const agg = new Map();
  const cat = new Map();
  let total = 0;
  for (const [nid, us] of selfUs) {
    const n = byNode.get(nid);
    const cf = n.callFrame;
    const url = cf.url || "";
    const file = url.replace(/^.*\//, "");
    const key = `${cf.functionName || "(anonymous)"}  ${file}${cf.lineNumber >= 0 && file ? ":" + (cf.lineNumber + 1) : ""}`;
    agg.set(key, (agg.get(key) || 0) + us);
    const c = url.startsWith("wasm://") ? "wasm" : url ? "page JS" : cf.functionName.startsWith("(") ? cf.functionName : "native/builtin";
    cat.set(c, (cat.get(c) || 0) + us);
    total += us;
  }
  const lines = [];
  lines.push(`total sampled ${(total / 1000).toFixed(1)} ms`);
  lines.push("by category: " + [...cat.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} ms (${((100 * v) / total).toFixed(1)}%)`).join(", "));
  lines.push("self time, top functions:");
  for (const [k, v] of [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${(v / 1000).toFixed(1).padStart(9)} ms  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
  return lines.join("\n");
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const pkgOverride = opt("--pkg");
  const link = join(BENCH, "node_modules", "resilient-ws");
  let restoreLink = null;
  if (pkgOverride) {
    // Point the page at another package build for this run only.
    restoreLink = readlinkSync(link);
    unlinkSync(link);
    symlinkSync(resolve(pkgOverride), link);
  }
  try {
    say("building the unminified diagnostic page");
    run(join(BENCH, "node_modules", ".bin", "vite"), ["build", "--config", join(BENCH, "vite.config.mjs")], {
      cwd: BENCH,
      env: { ...process.env, BENCH_DIAG: "1" },
    });
  } finally {
    if (restoreLink) {
      unlinkSync(link);
      symlinkSync(restoreLink, link);
    }
  }
  const work = join(BENCH, "out", "diag-work");
  mkdirSync(work, { recursive: true });
  const reportFile = join(work, "report.jsonl");
  const fs = await startFaultServer(ROOT, reportFile, join(work, "fault-server.log"), { say });
  const srv = await serve(join(BENCH, "out", "diag-page"));
  for (const client of CLIENTS) {
    const runId = String(Date.now());
    const qs = new URLSearchParams({ ws: fs.ws, control: fs.control, run: runId, rounds: "1", tests: TESTS, clients: client });
    for (const kv of EXTRA.split("&").filter(Boolean)) qs.set(...kv.split("="));
    const url = `http://127.0.0.1:${srv.address().port}/?${qs}`;
    const profileDir = mkdtempSync(join(tmpdir(), "bench-diag-"));
    const chrome = launchChromium("about:blank", profileDir, join(work, "chromium.log"), ["--remote-debugging-pipe"], ["ignore", "ignore", "pipe", "pipe", "pipe"]);
    const c = cdp(chrome);
    const { targetInfos } = await c.send("Target.getTargets");
    const page = targetInfos.find((t) => t.type === "page");
    const { sessionId } = await c.send("Target.attachToTarget", { targetId: page.targetId, flatten: true });
    await c.send("Profiler.enable", {}, sessionId);
    await c.send("Profiler.setSamplingInterval", { interval: SAMPLING_US }, sessionId);
    await c.send("Profiler.start", {}, sessionId);
    await c.send("Page.navigate", { url }, sessionId);
    const end = Date.now() + 15 * 60_000;
    let results = [];
    for (;;) {
      await sleep(300);
      const lines = readFileSync(reportFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.run === runId);
      results = lines.filter((l) => l.kind === "result");
      if (lines.some((l) => l.kind === "final")) break;
      if (Date.now() > end) throw new Error("no final report");
    }
    const { profile } = await c.send("Profiler.stop", {}, sessionId);
    for (const r of results) say(`${r.test} ${r.client}: ${JSON.stringify(r)}`);
    const name = `${TESTS.replace(/,/g, "+")}-${client}`;
    writeFileSync(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
    const sum = summarize(profile, TOP);
    writeFileSync(join(OUT, `${name}.txt`), `${url}\n${results.map((r) => JSON.stringify(r)).join("\n")}\n\n${sum}\n`);
    console.log(`\n=== ${name} ===\n${sum}`);
    try {
      process.kill(-chrome.pid, "SIGKILL");
    } catch {}
    await sleep(300);
    removeDir(profileDir);
  }
  srv.close();
  killChildren();
}

main().then(
  () => process.exit(0),
  (e) => {
    say(`FAILED: ${e.stack || e}`);
    process.exit(1);
  },
);
