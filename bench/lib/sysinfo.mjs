// Machine facts and a CPU-load monitor that separates the benchmark's own
// processes (its Chromium, the fault server, this runner) from everybody
// else's, by reading /proc.
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";

export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model || "unknown";
  try {
    const m = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m);
    if (m) cpuModel = m[1];
  } catch {}
  let nproc = os.cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {}
  return {
    nproc,
    cpuModel,
    memTotalGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
  };
}

function readProcStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    // f[0] = state (field 3); ppid f[1]; pgrp f[2]; utime f[11]; stime f[12]
    return { pid: Number(pid), comm, ppid: Number(f[1]), pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

function allProcs() {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const p = readProcStat(d);
    if (p) out.push(p);
  }
  return out;
}

function cpuTotals() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] || 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}

// (Chromium's crash handler daemonizes out of our process tree and is idle:
// not counted.)
const HEAVY = /^(cargo|rustc|wasm-pack|wasm-opt|wasm-bindgen.*|chrom(e|ium)(?!_crashpad).*|node|esbuild|vite|rust-analyzer|cc1.*|ld|clippy-driver|fault-server)$/;

/** Pids of the processes `ours(proc)` accepts. */
export function ourPids(ours) {
  return allProcs().filter((p) => ours(p)).map((p) => p.pid);
}

/** Heavy processes (by name) that are not ours. */
export function heavyOthers(ours = () => false, re = HEAVY) {
  return allProcs()
    .filter((p) => re.test(p.comm) && !ours(p))
    .map((p) => `${p.comm}(${p.pid})`);
}

// What the runner waits for before measuring: builds and browser tests.
export const BUSY = /^(cargo|rustc|wasm-pack|wasm-opt|wasm-bindgen.*|chrom(e|ium)|clippy-driver|cc1.*)$/;

/**
 * Samples every `everyMs`: total busy CPU, and the part spent by processes
 * `ours(proc)` says are the benchmark's. Returns { stop() -> summary }.
 */
export function loadMonitor(ours, everyMs = 2000) {
  const ncpu = os.cpus().length;
  const samples = [];
  let prevT = cpuTotals();
  let prevTicks = new Map(allProcs().map((p) => [p.pid, p.ticks]));
  const othersByName = new Map();
  const tick = () => {
    const t = cpuTotals();
    const procs = allProcs();
    const dTotal = t.total - prevT.total;
    const dBusy = dTotal - (t.idle - prevT.idle);
    let oursTicks = 0;
    let othersTicks = 0;
    const seen = new Map();
    for (const p of procs) {
      const before = prevTicks.get(p.pid) ?? p.ticks; // new process: count from now
      const d = Math.max(0, p.ticks - before);
      seen.set(p.pid, p.ticks);
      if (ours(p)) oursTicks += d;
      else {
        othersTicks += d;
        if (d > 0) othersByName.set(p.comm, (othersByName.get(p.comm) || 0) + d);
      }
    }
    if (dTotal > 0) {
      samples.push({
        at: Date.now(),
        busyPct: (100 * dBusy) / dTotal, // of all cores
        oursPct: Math.min(100, (100 * oursTicks) / dTotal),
        othersPct: Math.min(100, (100 * othersTicks) / dTotal),
        heavyOthers: heavyOthers(ours),
        busyOthers: heavyOthers(ours, BUSY).map((x) => x.replace(/\(\d+\)$/, "")),
        loadavg: os.loadavg()[0],
      });
    }
    prevT = t;
    prevTicks = seen;
  };
  const timer = setInterval(tick, everyMs);
  const span = (from, to) => samples.filter((x) => x.at > from && x.at <= to + everyMs);
  return {
    samples,
    /** Load of other processes between two Date.now() times. */
    window(from, to) {
      const w = span(from, to);
      return {
        samples: w.length,
        othersPct: w.length ? +(w.reduce((a, x) => a + x.othersPct, 0) / w.length).toFixed(1) : null,
        othersMaxPct: w.length ? +Math.max(...w.map((x) => x.othersPct)).toFixed(1) : null,
        busy: [...new Set(w.flatMap((x) => x.busyOthers))],
      };
    },
    /** Other processes' load over the last `ms`. */
    recent(ms) {
      return this.window(Date.now() - ms, Date.now());
    },
    stop() {
      clearInterval(timer);
      tick();
      const avg = (k) => (samples.length ? samples.reduce((a, s) => a + s[k], 0) / samples.length : 0);
      const max = (k) => (samples.length ? Math.max(...samples.map((s) => s[k])) : 0);
      const heavy = new Set(samples.flatMap((s) => s.heavyOthers.map((x) => x.replace(/\(\d+\)$/, ""))));
      const pctOf = (ticks) => {
        const span = samples.length * (everyMs / 1000) * 100 * ncpu; // ticks at 100 Hz over all cores
        return span ? (100 * ticks) / span : 0;
      };
      return {
        cores: ncpu,
        sampleMs: everyMs,
        samples: samples.length,
        busyAvgPct: +avg("busyPct").toFixed(1),
        oursAvgPct: +avg("oursPct").toFixed(1),
        othersAvgPct: +avg("othersPct").toFixed(1),
        othersMaxPct: +max("othersPct").toFixed(1),
        loadavgMax: +max("loadavg").toFixed(2),
        heavyOthersSeen: [...heavy],
        samplesWithHeavyOthers: samples.filter((s) => s.heavyOthers.length).length,
        topOthers: [...othersByName.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([comm, ticks]) => ({ comm, avgPct: +pctOf(ticks).toFixed(1) })),
      };
    },
  };
}

/** Process-tree membership: pid or any ancestor in `roots`. */
export function treeMatcher(rootsFn) {
  const parentOf = (pid) => {
    const p = readProcStat(pid);
    return p ? p.ppid : 0;
  };
  return (proc) => {
    const roots = rootsFn();
    let pid = proc.pid;
    // Not cached: pids are reused, and roots are added while the run starts.
    for (let i = 0; i < 12 && pid > 1; i++) {
      if (roots.has(pid)) return true;
      pid = pid === proc.pid ? proc.ppid : parentOf(pid);
    }
    return roots.has(proc.pgrp);
  };
}
