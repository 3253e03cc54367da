// Shared by bench/diagnose.mjs and bench/overhead.mjs: the unminified
// diagnostic page, and one page run in Chromium with a V8 CPU profile recorded
// over CDP (--remote-debugging-pipe). CDP attached costs throughput, so these
// profiles are compared with each other, never with bench/RESULTS.md.
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchChromium, removeDir, run, serve, startFaultServer } from "./harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A CDP connection over Chromium's pipe (fd 3: to Chromium, fd 4: from
 * Chromium, messages framed by \0). */
function cdp(proc) {
  let id = 0;
  const pending = new Map();
  const events = [];
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
      } else if (msg.method) events.push(msg);
    }
  });
  return {
    send(method, params = {}, sessionId) {
      const m = { id: ++id, method, params };
      if (sessionId) m.sessionId = sessionId;
      proc.stdio[3].write(JSON.stringify(m) + "\0");
      return new Promise((res, rej) => pending.set(m.id, { res, rej }));
    },
    /** The events received so far (messages without an id). */
    events,
  };
}

/** Builds the bench page unminified into bench/out/<outName>, each client's
 * package in a chunk of its own (bench/vite.config.mjs, BENCH_DIAG=1), so
 * profiles show function names and which client a frame belongs to.
 * `pkgOverride`: another resilient-ws package directory, for this build only.
 * Returns the page's directory. */
export function buildDiagPage(bench, pkgOverride, say, outName = "diag-page") {
  const link = join(bench, "node_modules", "resilient-ws");
  let restoreLink = null;
  if (pkgOverride) {
    restoreLink = readlinkSync(link);
    unlinkSync(link);
    symlinkSync(resolve(pkgOverride), link);
  }
  try {
    say("building the unminified diagnostic page");
    run(join(bench, "node_modules", ".bin", "vite"), ["build", "--config", join(bench, "vite.config.mjs")], {
      cwd: bench,
      env: { ...process.env, BENCH_DIAG: "1", BENCH_DIAG_OUT: join("out", outName) },
    });
  } finally {
    if (restoreLink) {
      unlinkSync(link);
      symlinkSync(restoreLink, link);
    }
  }
  return join(bench, "out", outName);
}

/** The fault server and the page server for profiled runs; `close()` stops the page server. */
export async function startDiagServers(root, bench, say) {
  const work = join(bench, "out", "diag-work");
  mkdirSync(work, { recursive: true });
  const reportFile = join(work, "report.jsonl");
  const fault = await startFaultServer(root, reportFile, join(work, "fault-server.log"), { say });
  const page = await serve(join(bench, "out", "diag-page"));
  return { work, reportFile, fault, page, close: () => page.close() };
}

/** Runs `tests` for one client in a fresh Chromium (on `page`, another page
 * server, if given) with the V8 CPU profiler
 * on from navigation to the page's final report. Returns that profile, the
 * profiles the page recorded itself with console.profile() (`windows`, by
 * title; the page does so with `profile=1` in `query`), the page's results
 * and the URL. `query`: extra page parameters ("a=1&b=2"). */
export async function profileClientRun(servers, { tests, client, samplingUs = 50, query = "", page = servers.page }) {
  const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const qs = new URLSearchParams({ ws: servers.fault.ws, control: servers.fault.control, run: runId, rounds: "1", tests, clients: client });
  for (const kv of query.split("&").filter(Boolean)) qs.set(...kv.split("="));
  const url = `http://127.0.0.1:${page.address().port}/?${qs}`;
  const profileDir = mkdtempSync(join(tmpdir(), "bench-diag-"));
  const chrome = launchChromium("about:blank", profileDir, join(servers.work, "chromium.log"), ["--remote-debugging-pipe"], ["ignore", "ignore", "pipe", "pipe", "pipe"]);
  try {
    const c = cdp(chrome);
    const { targetInfos } = await c.send("Target.getTargets");
    const target = targetInfos.find((t) => t.type === "page");
    const { sessionId } = await c.send("Target.attachToTarget", { targetId: target.targetId, flatten: true });
    await c.send("Profiler.enable", {}, sessionId);
    await c.send("Profiler.setSamplingInterval", { interval: samplingUs }, sessionId);
    await c.send("Profiler.start", {}, sessionId);
    await c.send("Page.navigate", { url }, sessionId);
    const end = Date.now() + 15 * 60_000;
    let results = [];
    for (;;) {
      await sleep(200);
      const lines = readFileSync(servers.reportFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.run === runId);
      results = lines.filter((l) => l.kind === "result");
      if (lines.some((l) => l.kind === "final")) break;
      if (Date.now() > end) throw new Error(`no final report from ${url}`);
    }
    const { profile } = await c.send("Profiler.stop", {}, sessionId);
    const windows = c.events
      .filter((e) => e.method === "Profiler.consoleProfileFinished")
      .map((e) => ({ title: e.params.title, profile: e.params.profile }));
    return { profile, windows, results, url };
  } finally {
    try {
      process.kill(-chrome.pid, "SIGKILL");
    } catch {}
    await sleep(300);
    removeDir(profileDir);
  }
}
