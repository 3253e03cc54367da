#!/usr/bin/env node
// Benchmark runner: builds the page, starts the fault server with
// --report-file, serves the page on localhost, launches /usr/bin/chromium
// DIRECTLY (no automation attached: Playwright/CDP distorts receive
// throughput), waits for the page's final report line, kills Chromium and
// writes the results.
//
//   node bench/run.mjs            full run (8 rounds, or a multiple of 8) -> bench/results.json, RESULTS.md, chart.svg/png
//                                 (a full run with any problem writes to bench/out/failed/ instead)
//   node bench/run.mjs --smoke    a few hundred messages, 1 round -> bench/out/smoke/ ; exits 1 on any error
// Options: --rounds N, --clients a,b  --tests recv64,send  --out DIR  --no-build  --any-pkg
//          (a partial run, i.e. any of --rounds not a multiple of 8, --clients, --tests, --mem-cycles, --mem-rounds,
//          --echo-split, --any-pkg, --no-build, or a load-gate, --nice or --timeout option, writes to bench/out/partial/ unless
//          --out says otherwise)
//          --quiet-pct P (8), --retry-pct P (15), --quiet-wait SECONDS (20): the load gate, see below
//          --nice N (-15 when root; 0 in smoke): priority of Chromium and the fault server
//          --mem-cycles N (default 10000), --mem-rounds N (default 1): the memory tests' cycles,
//          and how many times each client's memory page runs
//          An unknown argument, or an option without its value, stops the run (status 2).
//          --echo-split 1   a diagnostic: split each echo where the browser socket sees it (the
//          page's echoSplitter; it wraps every client's socket, so use it with --tests echo and
//          read it with `node bench/tools/echo-split.mjs DIR/results.json`, not as the benchmark)
//          --report-only bench/results.json   rewrite RESULTS.md and the chart from saved results
// Env: BENCH_WS_PORT / BENCH_CONTROL_PORT (default 0: any free port), CHROMIUM (default /usr/bin/chromium)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { heavyOthers, loadMonitor, machineInfo, ourPids, treeMatcher } from "./lib/sysinfo.mjs";
import os from "node:os";
import { measureSizes } from "./lib/sizes.mjs";
import { aggregate, writeReport } from "./lib/report.mjs";
import { CHROME_ARGS, CHROMIUM, chromiumVersion, flag, killChildren, launchChromium, opt, refuseUnknownArgs, run, screenshot, serve, startFaultServer } from "./lib/harness.mjs";

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
const PKG = join(ROOT, "pkg");

// --- args --------------------------------------------------------------------
refuseUnknownArgs(
  ["--rounds", "--clients", "--tests", "--out", "--mem-cycles", "--mem-rounds", "--echo-split", "--quiet-pct", "--retry-pct", "--quiet-wait", "--nice", "--timeout", "--report-only"],
  ["--smoke", "--no-build", "--any-pkg"],
);
const SMOKE = flag("--smoke");
// 8: one whole Williams design over the 8 clients (page/main.js orderFor).
const ROUNDS = Number(opt("--rounds", SMOKE ? 1 : 8));
// Only a full run (every test and client, whole Williams designs of 8
// rounds, pkg/ from these sources) replaces the committed
// bench/results.json and RESULTS.md by default, and only when it has no
// problem: fewer rounds leave the clients' order unbalanced.
// --no-build measures the page built earlier (its own copy of the wasm,
// maybe from other sources): partial too. So is a run whose load gate,
// priority or timeout differ from the defaults: its figures were taken
// under other conditions than a full run's.
const PARTIAL = !SMOKE && (["--tests", "--clients", "--mem-cycles", "--mem-rounds", "--echo-split", "--quiet-pct", "--retry-pct", "--quiet-wait", "--nice", "--timeout"].some((o) => opt(o) != null) || ROUNDS < 8 || ROUNDS % 8 !== 0 || flag("--any-pkg") || flag("--no-build"));
const OUT = resolve(opt("--out", SMOKE ? join(BENCH, "out", "smoke") : PARTIAL ? join(BENCH, "out", "partial") : BENCH));
const WORK = join(BENCH, "out", SMOKE ? "smoke-work" : "work");
// 0 = any free port (the fault server prints the ones it got): no clash with
// a colleague's test run on 8765/8766.
const WS_PORT = Number(process.env.BENCH_WS_PORT || 0);
const CONTROL_PORT = Number(process.env.BENCH_CONTROL_PORT || 0);
const TIMEOUT_MS = Number(opt("--timeout", SMOKE ? 240 : 5400)) * 1000;
// Quiet: other processes below this share of all cores (avg over 1.5 s).
const QUIET_PCT = Number(opt("--quiet-pct", 8));
// A measurement whose window saw more than this is repeated (full run).
const RETRY_PCT = Number(opt("--retry-pct", 15));
const QUIET_WAIT_MS = Number(opt("--quiet-wait", 20)) * 1000;
// Colleagues build and test on the same 2 cores: the measured processes
// (Chromium, fault server) run at a higher priority so that others' work
// takes less of their CPU. Negative values need root; 0 disables.
const NICE = Number(opt("--nice", SMOKE || process.getuid?.() !== 0 ? 0 : -15));

const say = (...a) => console.error("bench:", ...a);
let exiting = false;
const tempDirs = [];
const cleanup = () => {
  killChildren();
  for (const d of tempDirs.splice(0)) removeDir(d);
};
process.on("exit", cleanup);
for (const s of ["SIGINT", "SIGTERM"]) {
  process.on(s, () => {
    if (exiting) return;
    exiting = true;
    say(`${s}: stopping`);
    cleanup();
    process.exit(130);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The load monitor's sample period, ms. */
const LOAD_SAMPLE_MS = 500;


function versionOf(modDir) {
  try {
    return JSON.parse(readFileSync(join(modDir, "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

function gitInfo() {
  const g = (...a) => {
    try {
      return execFileSync("git", ["-C", ROOT, ...a], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  // What the package is built from: the files scripts/source-hash.sh
  // hashes, the extra files wasm-pack.toml ships among them.
  const extras = execFileSync("python3", ["-B", "-c", "import sys; sys.path.insert(0, 'scripts'); from package_settings import extras, package; print('\\n'.join(src for src, _, _ in extras(package())))"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const inputs = ["src", "Cargo.toml", "Cargo.lock", "wasm-pack.toml", "scripts/build-pkg.sh", "scripts/package_settings.py", "scripts/short-names.mjs", "README.md", ...extras];
  const dirty = g("status", "--porcelain", "--", ...inputs);
  return { commit: g("rev-parse", "--short", "HEAD"), srcDirty: dirty.length > 0 };
}

/**
 * Whether pkg/ was built from the current sources (scripts/source-hash.sh,
 * stored by build-pkg.sh). Refuses a mismatch unless --any-pkg (an A/B of
 * saved builds), which the results then say.
 */
function pkgSourceCheck() {
  const current = execFileSync("bash", [join(ROOT, "scripts", "source-hash.sh")], { encoding: "utf8" }).trim();
  const built = existsSync(join(PKG, ".source-hash")) ? readFileSync(join(PKG, ".source-hash"), "utf8").trim() : null;
  const matches = built === current;
  if (!matches && !flag("--any-pkg")) {
    throw new Error(`pkg/ was built from other sources (${built ?? "no .source-hash"}, current ${current}): run bash scripts/build-pkg.sh (bench/run.sh does), or pass --any-pkg to measure it anyway`);
  }
  return { built, current, matches };
}

// --- main -------------------------------------------------------------------------
// Rebuild RESULTS.md / chart from a results.json (e.g. after editing ANALYSIS.md).
function reportOnly(file) {
  const out = JSON.parse(readFileSync(file, "utf8"));
  out.aggregate = aggregate(out.results, out.meta.page?.clients || [], out.sizes, { cleanPct: out.meta.gate?.retryPct ?? RETRY_PCT });
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  writeReport(dirname(resolve(file)), out, { smoke: out.meta.smoke, benchDir: BENCH, screenshot });
  say(`rewrote ${dirname(resolve(file))}/RESULTS.md and chart.svg from ${file}`);
  return 0;
}

async function main() {
  if (opt("--report-only")) return reportOnly(opt("--report-only"));
  mkdirSync(WORK, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(join(PKG, "resilient_ws_bg.wasm"))) throw new Error("pkg/ is not built: run bash scripts/build-pkg.sh (bench/run.sh does)");
  const pkgSource = pkgSourceCheck();

  if (!flag("--no-build")) {
    say("building the page (vite)");
    run(join(BENCH, "node_modules", ".bin", "vite"), ["build", "--config", join(BENCH, "vite.config.mjs")], { cwd: BENCH });
  }

  const pidsOurs = new Set([process.pid]);
  const ours = treeMatcher(() => pidsOurs);

  const heavyAtStart = heavyOthers(ours);
  const git = gitInfo();
  const wasmBytes = readFileSync(join(PKG, "resilient_ws_bg.wasm"));
  const pkgId = `${createHash("sha256").update(wasmBytes).digest("hex").slice(0, 12)}, pkg/ built ${statSync(join(PKG, "resilient_ws_bg.wasm")).mtime.toISOString()}`;

  say("measuring sizes (esbuild, minified, gzip -9)");
  const sizes = await measureSizes(BENCH, PKG);

  const reportFile = join(WORK, "report.jsonl");
  const fs = await startFaultServer(ROOT, reportFile, join(WORK, "fault-server.log"), { wsPort: WS_PORT, controlPort: CONTROL_PORT, say, nice: NICE });
  pidsOurs.add(fs.proc.pid);
  say(`fault server ws=${fs.ws} control=${fs.control}`);
  // The page asks before each measurement for a quiet machine (other
  // processes under QUIET_PCT of the CPU), and after it how loaded the machine
  // was meanwhile; a measurement taken under load is repeated (full run only).
  const monitor = loadMonitor(ours, LOAD_SAMPLE_MS);
  const json = (rsp, o) => rsp.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(o));
  const srv = await serve(join(BENCH, "out", "page"), {
    "/__load/quiet": async (u, rsp) => {
      const maxWait = SMOKE ? 0 : Number(u.searchParams.get("maxWaitMs") || QUIET_WAIT_MS);
      const t0 = Date.now();
      let r = monitor.recent(1500);
      while (Date.now() - t0 < maxWait && (r.othersPct == null || r.othersPct > QUIET_PCT)) {
        await sleep(500);
        r = monitor.recent(1500);
      }
      json(rsp, { waitedMs: Date.now() - t0, quiet: r.othersPct != null && r.othersPct <= QUIET_PCT, ...r });
    },
    "/__load/window": async (u, rsp) => {
      const from = Number(u.searchParams.get("from"));
      const to = Number(u.searchParams.get("to"));
      // A measurement shorter than a sample period has no sample yet when
      // it ends (the page asks at once): wait for the one that covers it,
      // or its load would read unknown and count as quiet.
      const deadline = Date.now() + 2 * LOAD_SAMPLE_MS;
      while (monitor.window(from, to).samples === 0 && Date.now() < deadline) await sleep(50);
      json(rsp, monitor.window(from, to));
    },
  });
  const port = srv.address().port;
  const base = {
    ws: fs.ws,
    control: fs.control,
    rounds: String(ROUNDS),
    smoke: SMOKE ? "1" : "0",
    retryPct: String(RETRY_PCT),
  };
  for (const k of ["clients", "tests", "mem-cycles", "mem-rounds", "echo-split"]) {
    const v = opt(`--${k}`);
    if (v) base[k.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = v;
  }

  // Chromium sets its children's priorities itself (renderers 0 or +5):
  // keep every process of ours at NICE.
  const renice = () => {
    if (!NICE) return;
    for (const pid of ourPids(ours)) {
      if (pid === process.pid) continue;
      let tids = [pid];
      try {
        tids = readdirSync(`/proc/${pid}/task`).map(Number); // nice is per thread on Linux
      } catch {}
      for (const tid of tids) {
        try {
          if (os.getPriority(tid) !== NICE) os.setPriority(tid, NICE);
        } catch {}
      }
    }
  };
  const reniceTimer = setInterval(renice, 1000);
  const started = Date.now();
  let offset = 0;

  /** Runs the page once with `query` in a fresh Chromium; its report lines. */
  async function runPage(query) {
    const runId = String(Date.now());
    const url = `http://127.0.0.1:${port}/?${new URLSearchParams({ ...base, ...query, run: runId })}`;
    const profile = mkdtempSync(join(tmpdir(), "bench-chromium-"));
    tempDirs.push(profile);
    say(`launching ${CHROMIUM} on ${url}`);
    const chrome = launchChromium(url, profile, join(WORK, "chromium.log"), [], undefined, NICE);
    pidsOurs.add(chrome.pid);
    let chromeExited = false;
    const exited = new Promise((r) => chrome.on("exit", () => r((chromeExited = true))));

    // Follow the report file until the final line.
    const lines = [];
    let final = null;
    let lastProgress = Date.now();
    while (!final) {
      await sleep(500);
      const buf = readFileSync(reportFile);
      if (buf.length > offset) {
        const text = buf.subarray(offset).toString("utf8");
        const end = text.lastIndexOf("\n");
        if (end >= 0) {
          offset += Buffer.byteLength(text.slice(0, end + 1));
          for (const l of text.slice(0, end).split("\n")) {
            if (!l.trim()) continue;
            let o;
            try {
              o = JSON.parse(l);
            } catch {
              continue;
            }
            if (o.run !== runId) continue;
            lines.push(o);
            lastProgress = Date.now();
            if (o.kind === "result") {
              const v = o.ok ? (o.skipped ? `skipped (${o.skipped})` : summarize(o)) : `ERROR ${o.error}`;
              say(`r${o.round + 1} ${o.test.padEnd(9)} ${o.client.padEnd(22)} ${v}`);
            } else if (o.kind === "discarded") say(`r${o.round + 1} ${o.test.padEnd(9)} ${o.client.padEnd(22)} repeated: other processes used ${o.load.othersPct}% of the CPU meanwhile (${o.load.busy.join(" ")})`);
            else if (o.kind === "fatal") say(`page error: ${o.error}`);
            else if (o.kind === "final") final = o;
          }
        }
      }
      if (chromeExited && !final) throw new Error("chromium exited before the final report");
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`no final report after ${TIMEOUT_MS / 1000}s`);
      if (Date.now() - lastProgress > (SMOKE ? 120_000 : 600_000)) throw new Error("no progress from the page for too long");
    }
    try {
      process.kill(-chrome.pid, "SIGKILL");
    } catch {}
    await exited;
    removeDir(profile);
    return lines;
  }

  // Every test but memory in one page. Memory then runs each client in a
  // page of its own: its own wasm instance and heap, so that neither a
  // client's nor an earlier test's high-water mark is another's slack
  // (wasm memory only grows).
  const MEMORY_TESTS = ["memory", "memory-free"];
  const lines = await runPage({ skipTests: MEMORY_TESTS.join(",") });
  const start = lines.find((l) => l.kind === "start");
  const memoryTests = MEMORY_TESTS.filter((t) => !base.tests || base.tests.split(",").includes(t));
  const memRounds = Number(opt("--mem-rounds", 1));
  for (const test of memoryTests) {
    // The clients the page says take this test.
    for (const id of start?.takers?.[test] || []) {
      for (let r = 0; r < memRounds; r++) {
        const page = await runPage({ tests: test, clients: id, rounds: "1", memRounds: "1" });
        // Each page is its own round 0: number them as the memory rounds.
        lines.push(...page.filter((l) => l.kind !== "start" && l.kind !== "final").map((l) => ({ ...l, round: r })));
        const pageStart = page.find((l) => l.kind === "start");
        if (start && pageStart) start.expected += pageStart.expected;
      }
    }
  }
  clearInterval(reniceTimer);
  const load = monitor.stop();
  load.heavyAtStart = heavyAtStart;
  load.durationS = Math.round((Date.now() - started) / 1000);
  cleanup();
  srv.close();

  const results = lines.filter((l) => l.kind === "result");
  const fatals = lines.filter((l) => l.kind === "fatal");
  const discarded = lines.filter((l) => l.kind === "discarded");
  const pj = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  const nm = join(BENCH, "node_modules");
  const meta = {
    date: new Date().toISOString(),
    smoke: SMOKE,
    rounds: ROUNDS,
    machine: machineInfo(),
    versions: {
      chromium: chromiumVersion(),
      node: process.version,
      "resilient-ws": `${pj.version} (git ${git.commit}${git.srcDirty ? " + uncommitted src/ changes" : ""}; ${pkgSource.matches ? `pkg/ built from these sources (${pkgSource.current})` : `pkg/ built from OTHER sources (${pkgSource.built ?? "unknown"}; --any-pkg)`}; wasm sha256 ${pkgId})`,
      "reconnecting-websocket": versionOf(join(nm, "reconnecting-websocket")),
      partysocket: versionOf(join(nm, "partysocket")),
      "websocket-ts": versionOf(join(nm, "websocket-ts")),
      sockette: versionOf(join(nm, "sockette")),
      vite: versionOf(join(nm, "vite")),
      esbuild: versionOf(join(nm, "esbuild")),
    },
    chromiumArgs: CHROME_ARGS,
    nice: NICE,
    gate: { quietPct: QUIET_PCT, retryPct: RETRY_PCT, quietWaitS: QUIET_WAIT_MS / 1000 },
    page: start ? { params: start.params, env: start.env, clients: start.clients } : null,
    load,
  };
  const agg = aggregate(results, start ? start.clients : [], sizes, { cleanPct: RETRY_PCT });
  const out = { meta, sizes, aggregate: agg, fatals, results, discarded };

  // Failures: any errored run, any count mismatch, any missing result.
  const errors = results.filter((r) => !r.ok);
  const problems = [...errors.map((r) => `${r.test}/${r.client} round ${r.round + 1}: ${r.error}`), ...fatals.map((f) => `page: ${f.error}`)];
  const expected = start ? start.expected : Infinity;
  if (results.length !== expected) problems.push(`${results.length} of ${expected} results arrived`);
  // What the figures rest on: the page's 5 us clock needs cross-origin
  // isolation (COOP/COEP), and a run of every test must judge every target.
  if (start?.env?.crossOriginIsolated !== true) problems.push("the page was not cross-origin isolated (COOP/COEP headers lost): its clock is coarse");
  if (!PARTIAL) {
    for (const t of agg.targets.filter((t) => t.value == null)) problems.push(`target without a value: ${t.name} (${t.detail ?? "no detail"})`);
  }
  // The committed results name the commit they measured.
  if (OUT === BENCH && git.srcDirty) problems.push("the package's sources have uncommitted changes: the results could not name what they measured");
  // A full run with a problem must not replace the committed results.
  const dir = problems.length && OUT === BENCH ? join(BENCH, "out", "failed") : OUT;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), JSON.stringify(out, null, 2) + "\n");
  writeReport(dir, out, { smoke: SMOKE, benchDir: BENCH, screenshot });
  say(`wrote ${join(dir, "results.json")}, RESULTS.md, chart.svg`);
  if (problems.length) {
    say(`${problems.length} problem(s):`);
    for (const p of problems) say(`  ${p}`);
    return 1;
  }
  say(`${results.length} results, no errors`);
  return 0;
}

function summarize(o) {
  const f = (x, d = 0) => (x == null ? "-" : Number(x).toFixed(d));
  switch (o.test) {
    case "recv64":
    case "recv4k":
      return `${f(o.msgsPerSec)} msg/s (${f(o.ms)} ms)`;
    case "send":
      return `${f(o.msgsPerSec)} msg/s confirmed (${f(o.ms)} ms), loop ${f(o.loopNsPerCall)} ns/call`;
    case "echo":
    case "request":
      return `p50 ${f(o.p50 * 1000)} us (within the tick ${f(o.p50WithinTick * 1000, 1)}), p99 ${f(o.p99 * 1000)} us`;
    case "recv64-interleaved":
    case "recv4k-interleaved":
    case "send-interleaved":
      return `${f(o.msgsPerSec)} msg/s, interleaved: ratio to raw ${f(o.ratio, 3)}`;
    case "echo-paired":
      return `p50 ${f(o.p50 * 1000)} us vs raw beside it ${f(o.rawP50 * 1000)} us: ratio ${f(o.ratio, 3)} within the tick, ${f(o.plainRatio, 3)} as read`;
    case "reconnect":
      return `up->open ${f(o.upToOpenMs, 1)} ms, scheduled ${f(o.scheduledDelayMs)} ms, overshoot ${f(o.overshootMs, 1)} ms, ${o.attempts} attempts`;
    case "deadpeer":
      return `detected in ${f(o.detectMs)} ms (budget ${o.budgetMs})`;
    case "dispatch":
    case "dispatch-slow":
    case "send-cpu":
      return `${f(o.nsPerMessage)} ns per message`;
    case "memory":
    case "memory-free":
      return `heap ${f(o.heapGrowth / 1024)} KiB, wasm ${o.wasmGrowth == null ? "n/a" : f(o.wasmGrowth / 1024) + " KiB"} over ${o.cycles} cycles (${f(o.ms / 1000, 1)} s)`;
    default:
      return "";
  }
}

main().then(
  (code) => {
    cleanup();
    process.exit(code);
  },
  (e) => {
    say(`FAILED: ${e.stack || e}`);
    cleanup();
    process.exit(1);
  },
);
