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
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { killChildren, opt } from "./lib/harness.mjs";
import { buildDiagPage, profileClientRun, startDiagServers } from "./lib/profile.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const TESTS = opt("--tests", "recv64");
const CLIENTS = opt("--clients", "raw,resilient-ws").split(",");
const SAMPLING_US = Number(opt("--sampling-us", 50));
const TOP = Number(opt("--top", 25));
const EXTRA = opt("--query", ""); // extra page query, e.g. "memCycles=2000"
const OUT = join(BENCH, "out", "diag");
const say = (...a) => console.error("diagnose:", ...a);

process.on("exit", killChildren);
process.on("SIGINT", () => process.exit(130));

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
    const c = url.startsWith("wasm://") || /\.wasm$/.test(url) ? "wasm" : url ? "page JS" : cf.functionName.startsWith("(") ? cf.functionName : "native/builtin";
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
  buildDiagPage(BENCH, opt("--pkg"), say);
  const servers = await startDiagServers(ROOT, BENCH, say);
  for (const client of CLIENTS) {
    const { profile, results, url } = await profileClientRun(servers, { tests: TESTS, client, samplingUs: SAMPLING_US, query: EXTRA });
    for (const r of results) say(`${r.test} ${r.client}: ${JSON.stringify(r)}`);
    const name = `${TESTS.replace(/,/g, "+")}-${client}`;
    writeFileSync(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
    const sum = summarize(profile, TOP);
    writeFileSync(join(OUT, `${name}.txt`), `${url}\n${results.map((r) => JSON.stringify(r)).join("\n")}\n\n${sum}\n`);
    console.log(`\n=== ${name} ===\n${sum}`);
  }
  servers.close();
  killChildren();
}

main().then(
  () => process.exit(0),
  (e) => {
    say(`FAILED: ${e.stack || e}`);
    process.exit(1);
  },
);
