#!/usr/bin/env node
// Client overhead per message, from V8 CPU profiles (a SEPARATE run with CDP
// attached; never the benchmark's figures). Wall-clock throughput on loopback
// is bound by the browser's delivery, and its round-to-round spread (6-10%)
// hides gaps of a few percent between clients. This measures what a client
// adds instead: the CPU time the profiler finds in the client's own code
// (its JS chunk, and for resilient-ws the wasm), including the builtins that
// code calls, excluding the app's listener it calls into.
//
// Each profile sample is attributed by its stack, leaf first: the first frame
// with a script is the owner (a client's chunk, the .wasm = resilient-ws, or the
// page = the app and the harness); samples with no script on the stack are the
// browser's (event dispatch, networking), the garbage collector's or idle.
// A native call (`WebSocket.send`) has no frame of its own: its time is its
// JS caller's, the client's for every client and the app's for raw, so the
// send test compares the JS column (client + app). Reading `event.data` is a
// category of its own ("data"): the first read makes the string (later reads
// are cached), so it lands on whoever reads first, the client or the app.
// resilient-ws reads it in a one-line glue function, found by its body.
//
//   node bench/overhead.mjs [--tests recv64,recv4k,send] [--clients raw,resilient-ws,...]
//                           [--reps 3] [--sampling-us 50] [--pkg DIR]
//                           [--variants a=DIR,b=DIR]
// --variants: an A/B of resilient-ws builds in the same run, interleaved:
// each package gets a page of its own, and every resilient-ws client in
// --clients is also run as "<client>@<name>" on each of them.
// Writes bench/overhead.json and bench/OVERHEAD.md.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { killChildren, opt, serve } from "./lib/harness.mjs";
import { buildDiagPage, profileClientRun, startDiagServers } from "./lib/profile.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const TESTS = opt("--tests", "recv64,recv4k,send").split(",");
const VARIANTS = opt("--variants", "")
  .split(",")
  .filter(Boolean)
  .map((v) => {
    const [name, dir] = v.split("=");
    if (!name || !dir) throw new Error(`--variants: expected name=DIR, got ${v}`);
    return { name, dir };
  });
const BASE_CLIENTS = opt("--clients", "raw,resilient-ws,resilient-ws-noinsp,reconnecting-websocket,partysocket,websocket-ts,sockette").split(",");
// With variants, each resilient-ws client runs once per variant instead.
const CLIENTS = BASE_CLIENTS.flatMap((c) =>
  VARIANTS.length && c.startsWith("resilient-ws") ? VARIANTS.map((v) => `${c}@${v.name}`) : [c],
);
const REPS = Number(opt("--reps", 3));
const SAMPLING_US = Number(opt("--sampling-us", 50));
const say = (...a) => console.error("overhead:", ...a);

process.on("exit", killChildren);
process.on("SIGINT", () => process.exit(130));

/** Which client's chunk a script URL is (bench/vite.config.mjs names them). */
function owner(url, client) {
  // Wasm frames carry the module's URL (or wasm:// when it has none).
  if (url.startsWith("wasm://") || /\.wasm$/.test(url)) return client.startsWith("resilient-ws") ? "client" : "foreign:resilient-ws";
  const m = url.match(/\/client-([\w-]+)\.js$/);
  if (!m) return "app";
  // resilient-ws-noinsp is resilient-ws's chunk with other options.
  return client.startsWith(m[1]) ? "client" : `foreign:${m[1]}`;
}

/** The functions of the diagnostic page's resilient-ws chunk that read
 * `event.data` for the SDK: glue functions whose whole body is
 * `return arg0.data;` (by name), and the message handler snippet's arrow
 * function (`src/web/message_handler.rs`; anonymous, so by its line). */
function dataGetters(page) {
  const source = readFileSync(join(page, "assets", "client-resilient-ws.js"), "utf8");
  const getters = new Set([...source.matchAll(/function (\w+)\(arg0\) \{\s*return arg0\.data;\s*\}/g)].map((m) => m[1]));
  source.split("\n").forEach((line, i) => {
    if (/return \(event\) => \{/.test(line) && /const data = event\.data;/.test(source.split("\n")[i + 1] || "")) getters.add(`line:${i}`);
  });
  if (!getters.size) throw new Error(`${page}: found no function reading event.data in the resilient-ws chunk`);
  return getters;
}

/** Milliseconds of profile time by owner: client, data, app, browser, gc, idle, program. */
function attribute(profile, client, getters) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const ownerOf = new Map();
  const classify = (id) => {
    if (ownerOf.has(id)) return ownerOf.get(id);
    const leaf = byId.get(id).callFrame;
    let result;
    if (leaf.functionName === "(garbage collector)") result = "gc";
    else if (leaf.functionName === "(idle)") result = "idle";
    else if (leaf.functionName === "(program)" || leaf.functionName === "(root)") result = "program";
    else if (/\/client-resilient-ws\.js$/.test(leaf.url) && (getters.has(leaf.functionName) || (!leaf.functionName && getters.has(`line:${leaf.lineNumber}`)))) result = "data";
    else {
      result = "browser";
      for (let at = id; at != null; at = parent.get(at)) {
        const url = byId.get(at).callFrame.url;
        if (url) {
          result = owner(url, client);
          break;
        }
      }
    }
    ownerOf.set(id, result);
    return result;
  };
  const ms = { client: 0, data: 0, app: 0, browser: 0, gc: 0, idle: 0, program: 0 };
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const key = classify(samples[i]);
    ms[key] = (ms[key] || 0) + (timeDeltas[i + 1] ?? 0) / 1000;
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

async function main() {
  const pages = new Map(); // variant name ("" without variants) -> { getters, server }
  if (VARIANTS.length) {
    for (const v of VARIANTS) pages.set(v.name, { dir: buildDiagPage(BENCH, v.dir, say, `diag-page-${v.name}`) });
  } else {
    pages.set("", { dir: buildDiagPage(BENCH, opt("--pkg"), say) });
  }
  for (const page of pages.values()) page.getters = dataGetters(page.dir);
  const servers = await startDiagServers(ROOT, BENCH, say);
  for (const page of pages.values()) page.server = VARIANTS.length ? await serve(page.dir) : servers.page;
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate the clients' order each repetition, as the benchmark does.
    const order = CLIENTS.map((_, i) => CLIENTS[(i + rep) % CLIENTS.length]);
    for (const test of TESTS) {
      for (const client of order) {
        // Two rounds in one page: the first warms up (V8 compiles wasm and
        // JS functions on first use), the second is the one attributed.
        const [pageClient, variant = ""] = client.split("@");
        const page = pages.get(VARIANTS.length ? variant : "") ?? pages.values().next().value;
        const { windows, results } = await profileClientRun(servers, {
          tests: test,
          client: pageClient,
          samplingUs: SAMPLING_US,
          query: "profile=1&rounds=2",
          page: page.server,
        });
        const result = results.filter((r) => r.test === test && r.client === pageClient).at(-1);
        if (!result || !result.ok) throw new Error(`${test} ${client}: ${JSON.stringify(result)}`);
        if (windows.length !== 2) throw new Error(`${test} ${client}: ${windows.length} console profiles, expected 2 (one per round; a round repeated because other processes used the CPU adds one: run it again on a quiet machine)`);
        const ms = attribute(windows[1].profile, pageClient, page.getters);
        runs.push({ rep, test, client, messages: result.count, msgsPerSec: result.msgsPerSec, ms });
        say(`rep ${rep + 1}/${REPS} ${test} ${client}: client ${ms.client.toFixed(1)} ms, data ${ms.data.toFixed(1)}, app ${ms.app.toFixed(1)}, browser ${ms.browser.toFixed(1)}, gc ${ms.gc.toFixed(1)}, idle ${ms.idle.toFixed(1)}`);
      }
    }
  }
  servers.close();
  for (const page of pages.values()) if (page.server !== servers.page) page.server.close();
  killChildren();
  writeFileSync(join(BENCH, "overhead.json"), JSON.stringify({ date: new Date().toISOString(), samplingUs: SAMPLING_US, reps: REPS, runs }, null, 1) + "\n");
  writeFileSync(join(BENCH, "OVERHEAD.md"), report(runs));
  console.log(report(runs));
}

function report(runs) {
  const lines = [
    "# Client overhead per message (CPU profiles)",
    "",
    `Generated by \`node bench/overhead.mjs\` on ${new Date().toISOString()}: ${REPS} profiled run(s) per client and test, one Chromium each running the test twice and attributing the second (warm) run; CDP attached (sampling every ${SAMPLING_US} us requested; V8 takes a sample about every 100 us here), so throughput here is lower than in RESULTS.md and only the attribution is compared. "client" = CPU time in the client's own code and the builtins it calls, the app's listener and the first \`event.data\` read excluded, per message, median over runs [min-max]. "JS" adds the app's listener (or send loop) and the \`event.data\` read: whoever reads it first pays for making the string (Chromium caches it for later reads), the app for every peer, resilient-ws for itself. "minus raw's" is what the client adds to an app by that measure; it is noisier (the string's cost varies between runs). "gc" is the garbage collector's time in the same runs, not attributable to one side. In the send test the native \`WebSocket.send\` has no frame of its own: it is in each client's "client" time and in raw's app time, so compare the JS column there.`,
    "",
    "| test | client | client ns/message | JS ns/message (client + data + app) | minus raw's | gc ns/message | msg/s (profiled) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const perMessage = (r, ...keys) => (keys.reduce((sum, k) => sum + r.ms[k], 0) * 1e6) / r.messages;
  const range = (xs) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;
  for (const test of TESTS) {
    const rawRuns = runs.filter((r) => r.test === test && r.client === "raw");
    const rawJs = rawRuns.length ? median(rawRuns.map((r) => perMessage(r, "client", "data", "app"))) : null;
    for (const client of CLIENTS) {
      const rs = runs.filter((r) => r.test === test && r.client === client);
      if (!rs.length) continue;
      const js = rs.map((r) => perMessage(r, "client", "data", "app"));
      const above = rawJs == null ? "n/a" : (median(js) - rawJs).toFixed(0);
      lines.push(
        `| ${test} | ${client} | ${range(rs.map((r) => perMessage(r, "client")))} | ${range(js)} | ${above} | ${range(rs.map((r) => perMessage(r, "gc")))} | ${median(rs.map((r) => r.msgsPerSec)).toFixed(0)} |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

main().then(
  () => process.exit(0),
  (e) => {
    say(`FAILED: ${e.stack || e}`);
    process.exit(1);
  },
);
