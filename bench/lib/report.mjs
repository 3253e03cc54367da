// Aggregation (medians over rounds, ratios to the raw WebSocket), the target
// checks, RESULTS.md and the hand-written SVG chart.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The A/A control's id: the raw client measured a second time per round. */
const CONTROL = "raw-b";

export const median = (xs) => {
  const v = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
/**
 * A distribution-free interval of at least 90% for the median of what `xs`
 * samples: the sorted values with the same number dropped at each end, as
 * many as the two binomial(n, 1/2) tails allow (n = 5: the whole range,
 * 93.8%; n = 8: the 2nd to the 7th, 93.0%; n = 11: the 3rd to the 9th,
 * 93.5%; n = 16: the 5th to the 12th, 92.3%); null under 5 values, where no
 * such interval exists. It bounds the median of the rounds' distribution,
 * assuming rounds are independent; it says whether a difference is one the
 * run can show, not how large it is (another run's median spreads wider
 * than this).
 */
export function medianInterval(xs, miss = 0.1) {
  const v = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  // P(binomial(n, 1/2) <= k)
  const cdf = (k) => {
    let sum = 0;
    for (let j = 0, c = 1; j <= k; c = (c * (n - j)) / (j + 1), j++) sum += c;
    return sum / 2 ** n;
  };
  let drop = -1;
  while (drop + 1 < n / 2 && 2 * cdf(drop + 1) <= miss) drop++;
  return drop < 0 ? null : { lo: v[drop], hi: v[n - 1 - drop] };
}
/**
 * A metric's per-round difference from the round's raw baseline (its
 * `values` minus `perRoundBase`, see `aggregate`): the median over rounds
 * and its interval, or null without a baseline.
 */
function overBaseline(entry) {
  const d = (entry?.values || []).map((x, i) => (entry.perRoundBase?.[i] == null ? null : x - entry.perRoundBase[i])).filter((x) => x != null);
  return d.length ? { median: median(d), interval: medianInterval(d) } : null;
}
/** Whether an interval lies wholly on one side of `limit` (higher is better). */
const resolvedAgainst = (iv, limit) => (iv == null ? null : iv.lo >= limit || iv.hi < limit);
/**
 * Whether a verdict against every peer (`vs`: each peer's per-round ratios
 * `rs`) is resolved. Met (ours on the right side of every peer): each
 * peer's own 90% interval must clear the limit, which holds all together
 * with 90% (an intersection-union test). Missed: some peer's interval,
 * widened so that all `k` hold together with 90% (Bonferroni: each misses
 * with at most 10% / k; at 8 rounds the whole range), must lie on the
 * wrong side; with a 90% interval each, one of four peers equal to ours
 * would read "resolved" ahead far more often than one run in ten. Null
 * when some interval cannot be had (too few rounds).
 */
function resolvedAgainstEvery(vs, met, clears, fails) {
  if (!vs.length) return null;
  const intervals = vs.map((x) => (met ? medianInterval(x.rs) : medianInterval(x.rs, 0.1 / vs.length)));
  if (intervals.some((iv) => iv == null)) return null;
  return met ? intervals.every(clears) : intervals.some(fails);
}
/**
 * Whether the A/A control (raw against raw) reads the two identical lanes
 * as different: its interval excludes 1. Then the lanes differ by more than
 * a ratio's interval shows, and no ratio over raw counts as resolved.
 */
const controlOffset = (control) => {
  const iv = control ? medianInterval(control.values) : null;
  return excludesOne(iv);
};
const excludesOne = (iv) => iv != null && (iv.lo > 1 || iv.hi < 1);
const showInterval = (iv, d = 3) => (iv ? `90% interval ${fmt(iv.lo, d)}-${fmt(iv.hi, d)}` : "no interval");
/** A paired or interleaved test's per-run ratios: median (90% interval; range). */
const showPaired = (p) => `${fmt(p.median, 3)} (${showInterval(medianInterval(p.values))}; range ${fmt(p.min, 3)}-${fmt(p.max, 3)})`;
const minOf = (xs) => (xs.length ? Math.min(...xs) : null);
const maxOf = (xs) => (xs.length ? Math.max(...xs) : null);

// metric -> which way is better
const METRICS = {
  recv64: { msgsPerSec: "up" },
  recv4k: { msgsPerSec: "up" },
  send: { msgsPerSec: "up", loopNsPerCall: "down" },
  dispatch: { nsPerMessage: "down" },
  "send-cpu": { nsPerMessage: "down" },
  "dispatch-slow": { nsPerMessage: "down" },
  echo: { p50: "down", p50WithinTick: "down", p99: "down", mean: "down", tickMs: "" },
  request: { p50: "down", p50WithinTick: "down", p99: "down", mean: "down" },
  // Their own ratio per run, against the raw socket in the same run:
  // throughput over the mean of raw's two lanes (interleaved, see
  // `overRawPair`); p50 over raw's (paired).
  "recv64-interleaved": { ratio: "", ratioOverRawAlone: "", msgsPerSec: "" },
  "recv4k-interleaved": { ratio: "", ratioOverRawAlone: "", msgsPerSec: "" },
  "send-interleaved": { ratio: "", ratioOverRawAlone: "", msgsPerSec: "" },
  "echo-paired": { ratio: "", plainRatio: "", p50: "", rawP50: "", p50WithinTick: "", rawP50WithinTick: "" },
  reconnect: { upToOpenMs: "down", overshootMs: "down", scheduledDelayMs: "", actualDelayMs: "", attempts: "", handshakeMs: "down" },
  deadpeer: { detectMs: "down", budgetMs: "", overBudgetMs: "down" },
  memory: { heapGrowth: "down", wasmGrowth: "down", ms: "down", cycles: "" },
  "memory-free": { heapGrowth: "down", wasmGrowth: "down", ms: "down", cycles: "" },
};

const INTERLEAVED = new Set(["recv64-interleaved", "recv4k-interleaved", "send-interleaved"]);
/**
 * The interleaved runs' ratios over the mean of the raw socket's two lanes
 * in the same run (raw and the A/A control), as the separate tests' rounds
 * are, where both lanes ran: then one raw lane's luck does not move every
 * other lane's ratio (it spread them ~1.3x wider). Ours over a peer is
 * unchanged (both share the baseline); the A/A control stays over raw
 * alone, its spread a bound on what the harness adds.
 */
function overRawPair(results) {
  const key = (r) => `${r.test}\u0000${r.run}\u0000${r.round}`;
  const lane = (id) => new Map(results.filter((r) => INTERLEAVED.has(r.test) && r.client === id && r.ok && r.msgsPerSec > 0).map((r) => [key(r), r]));
  const raw = lane("raw");
  const again = lane(CONTROL);
  return results.map((r) => {
    if (!INTERLEAVED.has(r.test) || r.client === "raw" || r.client === CONTROL || r.ratio == null || !(r.msgsPerSec > 0)) return r;
    const a = raw.get(key(r));
    const b = again.get(key(r));
    if (!a || !b) return r;
    return { ...r, ratioOverRawAlone: r.ratio, ratio: r.msgsPerSec / ((a.msgsPerSec + b.msgsPerSec) / 2) };
  });
}

// Measurements taken while other processes used more than `cleanPct` of the
// CPU (the runner's load monitor) are left out of the medians, as long as at
// least 3 (or all there are) remain; unknown load counts as clean.
export function aggregate(rawResults, clients, sizes, { cleanPct = 15 } = {}) {
  const results = overRawPair(rawResults);
  const isClean = (r) => !r.load || r.load.othersPct == null || r.load.othersPct <= cleanPct;
  const used = (test, client) => {
    const ok = results.filter((r) => r.test === test && r.client === client && r.ok && !r.skipped);
    const clean = ok.filter(isClean);
    return { ok, use: clean.length >= Math.min(3, ok.length) ? clean : ok };
  };
  const tests = {};
  for (const [test, metrics] of Object.entries(METRICS)) {
    const byClient = {};
    // The raw baseline per round (for per-round ratios; request compares to
    // raw echo): the mean of the raw client's two runs in the round (raw and
    // its A/A control) where both ran, so neither run's noise alone sets
    // every ratio; the A/A control itself is compared to raw alone.
    const baseTest = { request: "echo", "dispatch-slow": "dispatch" }[test] ?? test;
    const rawOnly = new Map(used(baseTest, "raw").use.map((r) => [r.round, r]));
    const again = new Map(used(baseTest, CONTROL).use.map((r) => [r.round, r]));
    const both = new Map(
      [...rawOnly].map(([round, r]) => {
        const b = again.get(round);
        if (!b) return [round, r];
        const mean = { round };
        for (const m of Object.keys(metrics)) mean[m] = r[m] != null && b[m] != null ? (r[m] + b[m]) / 2 : r[m];
        return [round, mean];
      }),
    );
    for (const c of clients) {
      const rawByRound = c.id === CONTROL ? rawOnly : both;
      const rs = results.filter((r) => r.test === test && r.client === c.id);
      if (!rs.length) continue;
      const { ok: okAll, use: ok } = used(test, c.id);
      const entry = { runs: rs.length, errors: rs.length - rs.filter((r) => r.ok).length, used: ok.length, usable: okAll.length };
      if (rs.every((r) => r.skipped)) entry.skipped = rs[0].skipped;
      for (const m of Object.keys(metrics)) {
        const vals = ok.map((r) => r[m]).filter((x) => x != null);
        if (!vals.length) continue;
        const withM = ok.filter((r) => r[m] != null);
        entry[m] = { median: median(vals), min: minOf(vals), max: maxOf(vals), values: vals, rounds: withM.map((r) => r.round) };
        // Worst cases are judged on every successful run: a round left out
        // of the medians for load must not hide the worst one.
        const allVals = okAll.map((r) => r[m]).filter((x) => x != null);
        entry[m].maxAll = maxOf(allVals);
        entry[m].leftOut = allVals.length - vals.length;
        const rawVals = [...rawByRound.values()].map((r) => r[m]).filter((x) => x != null);
        const rawMed = median(rawVals);
        if (rawMed && metrics[m] && !test.startsWith("memory") && test !== "deadpeer") {
          entry[m].ratio = entry[m].median / rawMed;
          // The round's baseline beside each value (null: no raw that round).
          entry[m].perRoundBase = withM.map((r) => rawByRound.get(r.round)?.[m] ?? null);
          // Both values must be there: a missing one (a round whose echo
          // showed no tick grid) is not a ratio of 0.
          const per = ok
            .filter((r) => r[m] != null && rawByRound.has(r.round) && rawByRound.get(r.round)[m])
            .map((r) => r[m] / rawByRound.get(r.round)[m]);
          if (per.length) entry[m].perRound = { median: median(per), min: minOf(per), max: maxOf(per), interval: medianInterval(per) };
        }
      }
      byClient[c.id] = entry;
    }
    tests[test] = byClient;
  }
  return { tests, cleanPct, targets: targets(tests, sizes, clients) };
}

/**
 * Ours over another client's value of the same metric, per round in which
 * both were measured: pairing removes the host's drift between rounds.
 */
function pairedRatios(mine, theirs) {
  if (!mine || !theirs) return [];
  const byRound = new Map(mine.rounds.map((r, i) => [r, mine.values[i]]));
  return theirs.rounds.map((r, i) => (byRound.has(r) && theirs.values[i] ? byRound.get(r) / theirs.values[i] : null)).filter((x) => x != null);
}

function targets(tests, sizes, clients) {
  const out = [];
  const peers = clients.filter((c) => !c.ours && !c.control && c.id !== "raw" && !c.id.startsWith("resilient-ws")).map((c) => c.id);
  const get = (t, c, m) => tests[t]?.[c]?.[m];
  // `resolved`: whether the run can tell the result from the limit (the
  // 90% interval of what is judged lies on one side of it); null where no
  // interval applies (single measurements, sizes, worst cases).
  const add = (name, value, limit, pass, detail, resolved = null) =>
    out.push({ name, value, limit, pass: value == null ? null : pass, detail, resolved: value == null ? null : resolved });
  // A target whose test ran but gave no usable measurement is missed, not
  // left out; one whose test was not run (a partial run) is "n/a".
  const unmeasured = (name, t, id) => {
    const entry = tests[t]?.[id];
    if (!entry) return out.push({ name, value: null, limit: null, pass: null, detail: "not run" });
    out.push({ name, value: null, limit: null, pass: false, detail: `no usable measurement (${entry.errors} error(s) in ${entry.runs} run(s))` });
  };
  for (const t of ["recv64", "recv4k", "send"]) {
    const label = { recv64: "receive 100k x 64 B", recv4k: "receive 10k x 4 KiB", send: "send 100k x 64 B" }[t];
    // Judged on the interleaved test where it ran (each run's client over
    // the raw socket in the same run; ours over a peer: the same run's two
    // ratios, which share that raw), else on the median of the separate
    // runs' per-round ratios (each round's ours over that round's raw),
    // which are shown too.
    const interTest = `${t}-interleaved`;
    for (const id of ["resilient-ws", "resilient-ws-noinsp"]) {
      const insp = id === "resilient-ws" ? "inspector on" : "inspector off";
      const v = get(t, id, "msgsPerSec");
      const inter = get(interTest, id, "ratio");
      if (!v && !inter) {
        const name = `${label}, ${insp}: >= 0.95 x raw`;
        // An interleaved run without the raw client (a partial run) has no
        // ratio to judge: not run, rather than missed.
        if (tests[interTest]?.[id] && !tests[interTest].raw) out.push({ name, value: null, limit: null, pass: null, detail: "interleaved without the raw client: no ratio" });
        else unmeasured(name, tests[interTest] ? interTest : t, id);
        continue;
      }
      const separate = v
        ? `per-round ratio median ${fmt(v.perRound?.median, 3)} (${showInterval(v.perRound?.interval)}; range ${fmt(v.perRound?.min, 3)}-${fmt(v.perRound?.max, 3)}); ratio of medians ${fmt(v.ratio, 3)}`
        : "not run";
      const judged = inter ? inter.median : v.perRound?.median ?? v.ratio;
      const iv = inter ? medianInterval(inter.values) : v.perRound?.interval;
      const control = inter ? get(interTest, CONTROL, "ratio") : null;
      const alone = inter ? get(interTest, id, "ratioOverRawAlone") : null;
      // Without the interleaved test (a partial run), the A/A control of
      // the separate runs guards the verdict instead.
      const offset = inter ? controlOffset(control) : excludesOne(get(t, CONTROL, "msgsPerSec")?.perRound?.interval);
      add(`${label}, ${insp}: >= 0.95 x raw`, judged, 0.95, judged >= 0.95,
        (inter
          ? `interleaved with every client, per-run ratio median ${showPaired(inter)}${alone ? ` (over the raw lane alone: ${fmt(alone.median, 3)})` : ""}${control ? `; the A/A control interleaved: ${showPaired(control)}` : ""}. Separate runs: ${separate}`
          : separate) + (offset ? "; not resolved: the A/A control's interval excludes 1" : ""),
        offset ? false : resolvedAgainst(iv, 0.95));
      if (id === "resilient-ws") {
        // Per peer, the median over rounds of ours / the peer in the same
        // round (interleaved: in the same run).
        const mine = inter ?? v;
        const theirs = (p) => (inter ? get(interTest, p, "ratio") : get(t, p, "msgsPerSec"));
        const paired = peers.map((p) => ({ p, rs: pairedRatios(mine, theirs(p)) }));
        // A peer of the run with no round to compare (it failed every
        // round) leaves "every peer" unproven: missed, and named.
        const unpaired = paired.filter((x) => !x.rs.length).map((x) => x.p);
        const vs = paired.filter((x) => x.rs.length).map((x) => ({ ...x, iv: medianInterval(x.rs) }));
        const behind = vs.filter((x) => median(x.rs) < 1);
        const show = (x) => `${x.p} ${fmt(median(x.rs), 3)} [${x.iv ? `${fmt(x.iv.lo, 3)}-${fmt(x.iv.hi, 3)}` : "-"}] (${fmt(Math.min(...x.rs), 2)}-${fmt(Math.max(...x.rs), 2)})`;
        const met = behind.length === 0 && unpaired.length === 0;
        const resolved = unpaired.length ? null : resolvedAgainstEvery(vs, met, (iv) => iv.lo >= 1, (iv) => iv.hi < 1);
        const peerName = `${label}, inspector on: >= every JS peer`;
        const peerDetail = `${inter ? "interleaved runs (ours over the peer in the same run), " : ""}ours / peer, per-round median [90% interval] (range): ${vs.map(show).join("; ")}${behind.length ? `; behind: ${behind.map((x) => x.p).join(", ")}` : ""}${unpaired.length ? `; no round to compare with: ${unpaired.join(", ")}` : ""}`;
        // No peer to compare with at all: missed, not "n/a" (add() reads a
        // missing value as a test not run).
        if (!vs.length && unpaired.length) out.push({ name: peerName, value: null, limit: 1, pass: false, detail: peerDetail, resolved: null });
        else add(peerName, vs.length ? Math.min(...vs.map((x) => median(x.rs))) : null, 1, met, peerDetail, resolved);
      }
    }
  }
  for (const [test, what] of [["dispatch", "CPU per received message (dispatch)"], ["send-cpu", "CPU per sent message (send-cpu)"]]) {
    // CPU per received (sent) message without the network (the dispatch and send-cpu tests): the
    // measure that tells clients' own code apart. Judged, like throughput,
    // per round: for each peer, the median over rounds of ours / the peer
    // in the same round (at most 1: ours no dearer).
    const v = get(test, "resilient-ws", "nsPerMessage");
    const raw = get(test, "raw", "nsPerMessage");
    if (v && raw) {
      const vs = peers
        .map((p) => ({ p, rs: pairedRatios(v, get(test, p, "nsPerMessage")) }))
        .filter((x) => x.rs.length)
        .map((x) => ({ ...x, med: median(x.rs), iv: medianInterval(x.rs) }));
      const dearer = vs.filter((x) => x.med > 1);
      const resolved = resolvedAgainstEvery(vs, dearer.length === 0, (iv) => iv.hi <= 1, (iv) => iv.lo > 1);
      // ns over raw, per round: each client's figure minus that round's raw
      // baseline (the mean of the raw client's two runs).
      const signed = (x) => `${x >= 0 ? "+" : ""}${fmt(x, 0)}`;
      const showOver = (id) => {
        const o = overBaseline(get(test, id, "nsPerMessage"));
        return o ? `${signed(o.median)} ns${o.interval ? ` [${signed(o.interval.lo)} to ${signed(o.interval.hi)}]` : ""}` : "-";
      };
      add(`${what}, inspector on: <= every JS peer (an extra target of ours, not the issue's)`, vs.length ? Math.max(...vs.map((x) => x.med)) : null, 1, dearer.length === 0,
        `ours / peer, per-round median [90% interval]: ${vs.map((x) => `${x.p} ${fmt(x.med, 3)} [${x.iv ? `${fmt(x.iv.lo, 3)}-${fmt(x.iv.hi, 3)}` : "-"}]`).join(", ")}` +
          `${dearer.length ? `; dearer than: ${dearer.map((x) => x.p).join(", ")}` : ""}` +
          `; ns over raw per round, median [90% interval]: ours ${showOver("resilient-ws")}, inspector off ${showOver("resilient-ws-noinsp")}, ${peers.map((p) => `${p} ${showOver(p)}`).join(", ")}`,
        resolved);
    }
  }
  for (const id of ["resilient-ws", "resilient-ws-noinsp"]) {
    // Judged on the paired test where it ran (each run's p50 over the p50 of
    // a raw socket measured alternately beside it), else on the separate
    // echo runs; the p50 read within the clock tick where the run has it
    // (the plain p50 moves in whole 5 us ticks, 3.6% of raw's ~140 us).
    const plain = get("echo", id, "p50");
    const within = get("echo", id, "p50WithinTick");
    const v = within ?? plain;
    const us = (m, c) => fmt(get("echo", c, m)?.median * 1000, 1);
    const separate = within
      ? `within the clock tick ${us("p50WithinTick", id)} us vs raw ${us("p50WithinTick", "raw")} us; as read off the clock ${us("p50", id)} vs ${us("p50", "raw")} us (${fmt(plain?.ratio, 2)}x)`
      : `${us("p50", id)} us vs raw ${us("p50", "raw")} us`;
    const eName = `echo p50 (${id === "resilient-ws" ? "inspector on" : "inspector off"}): <= 1.05 x raw`;
    const paired = get("echo-paired", id, "ratio");
    const control = get("echo-paired", CONTROL, "ratio");
    const perRound = v?.perRound ? `per-round ratio median ${fmt(v.perRound.median, 3)} (${showInterval(v.perRound.interval)}); ratio of medians ${fmt(v.ratio, 3)}` : "";
    if (paired) {
      const iv = medianInterval(paired.values);
      const pass = paired.median <= 1.05;
      const offset = controlOffset(control);
      add(eName, paired.median, 1.05, pass,
        `paired with a raw socket, per-run ratio median ${showPaired(paired)}${control ? `; the A/A control paired: ${showPaired(control)}` : ""}` +
          `. Separate runs: ${separate}${perRound ? `; ${perRound}` : ""}` +
          (offset ? "; not resolved: the A/A control's interval excludes 1" : ""),
        offset ? false : iv ? (pass ? iv.hi <= 1.05 : iv.lo > 1.05) : null);
      continue;
    }
    // Judged, like throughput, on the median of the per-round ratios (lower
    // is better here); the ratio of medians is shown too.
    const iv = v?.perRound?.interval;
    const judged = v?.perRound?.median ?? v?.ratio;
    const pass = judged <= 1.05;
    // The separate runs' A/A control guards the verdict, as the paired one does.
    const offset = excludesOne(get("echo", CONTROL, within ? "p50WithinTick" : "p50")?.perRound?.interval);
    if (v) add(eName, judged, 1.05, pass, separate + (perRound ? `; ${perRound}` : "") + (offset ? "; not resolved: the A/A control's interval excludes 1" : ""),
      offset ? false : iv ? (pass ? iv.hi <= 1.05 : iv.lo > 1.05) : null);
    else unmeasured(eName, "echo", id);
  }
  const s = sizes["resilient-ws"];
  if (s) add("wasm + JS glue <= 35 KB gzip -9", s.total, 35_000, s.total <= 35_000, `wasm ${s.wasmGzip} B + glue ${s.jsGzip} B = ${s.total} B (${fmt(s.total / 1024, 1)} KiB)`);
  for (const id of ["resilient-ws", "resilient-ws-noinsp"]) {
    const w = get("memory", id, "wasmGrowth");
    const h = get("memory", id, "heapGrowth");
    const cycles = get("memory", id, "cycles")?.median;
    const flat = `memory (${id}): WASM memory flat over ${cycles ?? "the"} cycles`;
    const wf = get("memory-free", id, "wasmGrowth");
    const freed = wf ? `; with free() after each dispose(): grew ${wf.maxAll} B` : "";
    if (w) add(flat, w.maxAll, 0, w.maxAll <= 0, `grew ${w.maxAll} B (dispose() only, the wasm side freed when the wrapper is collected)${freed}`);
    else unmeasured(flat, "memory", id);
    const heap = `memory (${id}): JS heap growth < 1 MB over ${cycles ?? "the"} cycles`;
    if (h) add(heap, h.maxAll, 1_000_000, h.maxAll < 1_000_000, `grew ${fmt(h.maxAll / 1024, 0)} KiB (median ${fmt(h.median / 1024, 0)} KiB)`);
    else unmeasured(heap, "memory", id);
    const r = get("reconnect", id, "overshootMs");
    const rName = `reconnect (${id}): open within scheduled delay + 20 ms`;
    // Judged both ways: from the last failed attempt (open - failure -
    // scheduled delay, the stricter) and from the server listening again
    // (open - up, against the scheduled delay).
    const up = get("reconnect", id, "upToOpenMs");
    const sched = get("reconnect", id, "scheduledDelayMs");
    // The worst round split in two: the wait the client made (its own
    // part) and the browser's handshake after it.
    const waited = get("reconnect", id, "actualDelayMs");
    const handshake = get("reconnect", id, "handshakeMs");
    const worst = r && r.maxAll === r.max ? r.values.indexOf(r.max) : -1;
    const split =
      worst >= 0 && waited && handshake && waited.rounds[worst] === r.rounds[worst] && handshake.rounds[worst] === r.rounds[worst]
        ? `; the worst round (${r.rounds[worst] + 1}) waited ${fmt(waited.values[worst], 1)} ms, then the handshake took ${fmt(handshake.values[worst], 1)} ms (median ${fmt(handshake.median, 1)})`
        : "";
    // Worst cases over every successful run, those left out of the medians
    // for load included (named when there were any).
    const loaded = (e) => (e?.leftOut ? ` (${e.leftOut} run(s) under load, left out of the median, included in the max)` : "");
    if (r) add(rName, r.maxAll, 20, r.maxAll <= 20 && (!up || !sched || up.maxAll <= sched.min + 20),
      `after the last failed attempt: overshoot median ${fmt(r.median, 1)} ms, max ${fmt(r.maxAll, 1)} ms${loaded(r)}; server up -> open median ${fmt(up?.median, 1)} ms, max ${fmt(up?.maxAll, 1)} ms (scheduled ${fmt(sched?.median, 0)} ms)${split}`);
    else unmeasured(rName, "reconnect", id);
    const d = get("deadpeer", id, "overBudgetMs");
    const dName = `dead peer (${id}): detected within interval + timeout + 50 ms`;
    if (d) add(dName, d.maxAll, 50, d.maxAll <= 50, `detected ${fmt(get("deadpeer", id, "detectMs")?.median, 0)} ms median (max ${fmt(get("deadpeer", id, "detectMs")?.maxAll, 0)})${loaded(d)}, budget ${get("deadpeer", id, "budgetMs")?.median} ms`);
    else unmeasured(dName, "deadpeer", id);
  }
  return out;
}

export function fmt(x, d = 0) {
  if (x == null || !Number.isFinite(x)) return "-";
  return Number(x).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

// ---------------------------------------------------------------------------
function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function writeReport(dir, out, { smoke, benchDir, screenshot }) {
  const { meta, sizes, aggregate: agg } = out;
  const clients = meta.page?.clients || [];
  const T = agg.tests;
  const label = (id) => clients.find((c) => c.id === id)?.label || id;
  const ratio = (v) => (v?.ratio == null ? "" : ` (${fmt(v.ratio, 2)}x)`);
  const spread = (v, d = 0, k = 1) => (v ? `${fmt(v.min * k, d)}-${fmt(v.max * k, d)}` : "-");
  const err = (t, id) => (T[t]?.[id]?.errors ? ` **${T[t][id].errors} error(s)**` : "");
  const L = meta.load;
  const md = [];
  md.push(`# Benchmark results${smoke ? " (SMOKE run: tiny sizes, not representative)" : ""}`);
  md.push("");
  md.push(`Generated by \`bash bench/run.sh${smoke ? " --smoke" : ""}\` on ${meta.date}. resilient-ws against a raw \`WebSocket\` and the JS peers, in one Chromium page (memory: each client in a fresh page of its own), ` +
    `${meta.rounds} round(s) after a discarded warm-up pass (throughput and echo tests at a tenth of their size), clients' order a Williams design (over each ${clients.length} rounds every client runs once in every position and right after every other client once; exact for the tests every client takes, approximate for reconnect and dead peer, which the A/A control skips), each throughput and echo test led in by one unrecorded run; medians over rounds; in the separate tests the raw baseline of a round is the mean of the raw client's two runs in it (raw and the A/A control), and ratios are the client's median over the baseline's median; the paired tests give each run's ratio over the raw socket in that run, the interleaved ones over the mean of the raw socket's two lanes in that run (the A/A control's over raw alone) ` +
    `(per-round ratio ranges in brackets where useful). Throughput, echo and CPU targets are judged on the median of the per-round ratios (each round's figure over the same round's baseline or peer). Raw per-round values: \`results.json\`.`);
  md.push("");
  md.push("![throughput ratios and sizes](chart.svg)");
  md.push("");
  md.push("## Machine, versions, load");
  md.push("");
  md.push(`- machine: ${meta.machine.nproc} cores (\`nproc\`), ${meta.machine.cpuModel}, ${meta.machine.memTotalGiB} GiB memory, Linux ${meta.machine.kernel}`);
  md.push(`- ${Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join("; ")}`);
  md.push(`- Chromium started directly by \`bench/run.mjs\` (no automation/CDP attached): \`${meta.chromiumArgs.join(" ")}\`; page served with COOP/COEP (cross-origin isolated: ${meta.page?.env?.crossOriginIsolated}, so \`performance.now()\` has 5 us resolution).`);
  md.push(`- load during the run (${L.durationS} s, sampled every ${L.sampleMs ? fmt(L.sampleMs / 1000, 1) : "?"} s from /proc): whole machine busy ${L.busyAvgPct}% of ${L.cores} cores on average, ` +
    `of which the benchmark's own processes (Chromium, fault server, runner) ${L.oursAvgPct}%, other processes ${L.othersAvgPct}% (peak ${L.othersMaxPct}%), ` +
    `and ${fmt(Math.max(0, L.busyAvgPct - L.oursAvgPct - L.othersAvgPct), 1)}% not attributable to a live process (kernel/softirq, i.e. loopback TCP, and processes that exited between samples); ` +
    `1-min load average peaked at ${L.loadavgMax}. Other heavy processes (cargo/rustc/wasm-pack/chromium/node...) present in ${L.samplesWithHeavyOthers} of ${L.samples} samples` +
    `${L.heavyOthersSeen.length ? `: ${L.heavyOthersSeen.join(", ")}` : ""}; at start: ${L.heavyAtStart.length ? L.heavyAtStart.join(" ") : "none"}.` +
    (L.topOthers.length ? ` Top other CPU users: ${L.topOthers.map((t) => `${t.comm} ${t.avgPct}%`).join(", ")}.` : ""));
  {
    const rs = out.results.filter((r) => r.load && r.load.othersPct != null && !r.skipped);
    const pcts = rs.map((r) => r.load.othersPct);
    const waited = rs.reduce((a, r) => a + (r.load.waitedMs || 0), 0);
    const loaded = rs.filter((r) => r.load.othersPct > (meta.gate?.retryPct ?? 15));
    if (rs.length)
      md.push((smoke ? "- load gate off (smoke): " : `- load gate: Chromium and the fault server ran at nice ${meta.nice}; before each measurement the page waits (up to ${meta.gate?.quietWaitS} s) until other processes use under ${meta.gate?.quietPct}% of the CPU, and a measurement during which they used over ${meta.gate?.retryPct}% is repeated once (memory: never): `) +
        `${out.discarded?.length || 0} measurement(s) were repeated, ${fmt(waited / 1000)} s spent waiting. Other processes' CPU during the kept measurements: median ${fmt(median(pcts), 1)}%, max ${fmt(Math.max(...pcts), 1)}%` +
        `${loaded.length ? `; ${loaded.length} kept measurement(s) still saw over ${meta.gate?.retryPct ?? 15}% (${loaded.map((r) => `${r.test}/${r.client} r${r.round + 1} ${r.load.othersPct}%`).join(", ")})` : ""}.`);
  }
  md.push("");
  const p = meta.page?.params || {};
  // Where up->open starts: runs that say so count from the restart
  // request's start (the earliest the server can listen again); older ones
  // from its answer's arrival, which can read a few ms short.
  const upFrom = out.results.some((r) => r.test === "reconnect" && r.upFrom === "request")
    ? "counted from the restart request's start + down_ms, the earliest the server can listen again, so never short"
    : "counted from the restart answer's arrival + down_ms: the server can listen again up to upUncertaintyMs earlier, so this reads up to that much short";
  md.push("## What was measured");
  md.push("");
  md.push(`1. **receive**: the fault server floods ${fmt(p.recv64)} x 64 B and ${fmt(p.recv4k)} x 4 KiB on connect (\`?flood=N&size=S\`); messages/s from constructing the client to the last message reaching the app's \`onmessage\`, which reads \`event.data\` as any app does (count, total bytes and last prefix checked).`);
  const bursts = p.interleavedBursts ?? 10;
  if (T["recv64-interleaved"] || T["recv4k-interleaved"] || T["send-interleaved"]) md.push(`   **1b, 2b. interleaved** (receive 64 B and 4 KiB, send): every client open at once, each on its own connection, taking bursts in turns: ${bursts} rounds of one burst per client (receive: ${fmt(p.recv64 / bursts)} x 64 B or ${fmt(p.recv4k / bursts)} x 4 KiB, asked for through the fault server's control port, timed from the burst's first message reaching the app's listener to its last; send: ${fmt(p.send / bursts)} x 64 B in the client's send loop, then \`ping\`, on a connection that echoes nothing (\`?echo=0\`), timed from the loop's start to the \`pong\` reaching the listener: the server answers in order, so it had read the whole burst; its count is checked after the last). The clients' order within each round of bursts is a Williams design too. Each run's figure is the client's throughput over the mean of the raw socket's two lanes in the same run (raw and the A/A control, the control itself over raw alone), so every client is read under the same drift of the host and no single raw lane's luck moves every ratio, and ours over a JS peer is the ratio of two figures from one run. The throughput targets are judged on it where it ran: the separate runs (1. and 2.) are seconds apart, and on this host their drift spreads the A/A control wider than the 5% the targets allow.`);
  md.push(`2. **send**: ${fmt(p.send)} x 64 B sent in a tight loop over the client's \`send\` to a connection opened with \`?silent=1\` (recorded, not echoed); messages/s until \`GET /clients/<id>/stats\` confirms all of them (count and bytes checked). "loop" is the JS time of the send loop alone, per call.`);
  md.push(`3. **echo**: ${fmt(p.echo)} sequential send -> echoed reply, p50/p99, each from just before the client's \`send\` to the reply reaching the app's message listener (the loop then awaits it through a Promise, outside the figure). resilient-ws also through \`request()\` (JSON with an id, matched reply), to where the awaiting code resumes, as that API answers.`);
  if (T["echo-paired"]) md.push(`   **3b. echo, paired** (resilient-ws and the A/A control): the same ${fmt(p.echo)} echoes on the client alternating one by one with ${fmt(p.echo)} on a raw \`WebSocket\` open beside it (which goes first alternates too), so both p50s are read under the same drift of the host; each run's figure is the client's p50 over the raw socket's, both read within the clock tick (a run whose durations show no tick grid gives none). The echo targets are judged on it: the separate runs of 3. are seconds apart, and this host's drift between them spreads the A/A control's ratio wider than the 5% the target allows.`);
  md.push(`4. **reconnect**: \`POST /restart?down_ms=${p.downMs}\`; the reconnect delay is set to ${p.reconnectDelayMs} ms fixed for every client (raw: a hand-written \`setTimeout\` reconnect). "up->open" = time from the server listening again to the app's \`open\` (${upFrom}); "overshoot" = (last failure -> app \`open\`) minus the delay the client had scheduled.`);
  md.push(`5. **dead peer**: \`POST /clients/<id>/silent?on=1\`; time until the client closes the connection (cause \`heartbeatTimeout\`), against heartbeat interval ${p.hbInterval} + timeout ${p.hbTimeout} ms.`);
  md.push(`6. **memory**: ${fmt(p.memCycles)} connect/close cycles after ${fmt(p.memWarmUp ?? 100)} warm-up cycles (${p.memRounds} round${p.memRounds > 1 ? "s; the table shows each client's worst" : ""})${p.memEcho ? ", each sending one message and awaiting its echo before closing (the server must have got every one)" : ", exchanging no message"}; JS heap (\`performance.memory.usedJSHeapSize\` after \`gc()\` x4) and WASM memory (\`memory.buffer.byteLength\` of the package's wasm export) before and after. Each cycle ends as an app's does: \`dispose()\` and the reference dropped, so the wasm side is freed when the garbage collector collects the wrapper; for ours a second run also calls \`free()\` right after \`dispose()\`. Each client's memory test runs in a fresh page (its own wasm instance), so one client's high-water mark is not the next one's slack; WASM memory grows in whole 64 KiB pages, so growth under a page's worth of slack does not show.`);
  md.push(`7. **size**: esbuild bundle of exactly what the page imports from each client, minified, \`gzip -9\`; ours = \`resilient_ws_bg.wasm\` gzip -9 + the JS glue bundled the same way.`);
  if (p.dispatch) md.push(`8. **dispatch** (CPU per received message, no network): the client connects as usual, then its socket (caught through a \`WebSocket\` subclass installed until it is open) gets ${fmt(p.dispatch)} synthetic 64 B \`MessageEvent\`s dispatched in a loop after 1,000 warm-up ones; ns per message = the browser's event dispatch + the client's code + the app's listener (count and bytes checked). Differences between clients are their own code; wall-clock receive throughput (1.) cannot show them, being bound by delivery.`);
  if (T["send-cpu"]) md.push(`9. **send-cpu** (CPU per sent message, no network): the send test's loop of ${fmt(p.dispatch)} x 64 B (after 1,000 warm-up sends) on the client's real, open socket, which (through a \`WebSocket\` subclass installed until it is open) counts what its \`send\` is given instead of sending it; ns per message = the client's \`send\` + that count (count and bytes checked). The differences between clients are their own code, which the send test's loop shows only under the browser's own send (about 1 us a call here, varying more than the clients differ).`);
  md.push("");

  md.push(`Medians leave out measurements during which other processes used over ${agg.cleanPct ?? 15}% of the CPU, as long as at least 3 remain; "n" is measurements used / taken.`);
  md.push("");
  md.push("## Throughput (median msg/s, ratio to raw)");
  md.push("");
  md.push(table(
    ["client", "receive 64 B", "receive 4 KiB", "send 64 B (server-confirmed)", "send loop ns/call"],
    clients.map((c) => {
      const r64 = T.recv64?.[c.id]?.msgsPerSec;
      const r4k = T.recv4k?.[c.id]?.msgsPerSec;
      const s = T.send?.[c.id]?.msgsPerSec;
      const l = T.send?.[c.id]?.loopNsPerCall;
      const pr = (v) => (v?.perRound ? ` [${fmt(v.perRound.min, 2)}-${fmt(v.perRound.max, 2)}]` : "");
      const n = (t) => (T[t]?.[c.id]?.usable ? ` n=${T[t][c.id].used}/${T[t][c.id].usable}` : "");
      return [label(c.id), `${fmt(r64?.median)}${ratio(r64)}${pr(r64)}${n("recv64")}${err("recv64", c.id)}`, `${fmt(r4k?.median)}${ratio(r4k)}${pr(r4k)}${n("recv4k")}${err("recv4k", c.id)}`,
        `${fmt(s?.median)}${ratio(s)}${pr(s)}${n("send")}${err("send", c.id)}`, `${fmt(l?.median)}${ratio(l)}`];
    }),
  ));
  md.push("");
  for (const [test, what] of [["recv64-interleaved", "Receive 64 B"], ["recv4k-interleaved", "Receive 4 KiB"], ["send-interleaved", "Send 64 B"]]) {
    const ours = T[test]?.["resilient-ws"]?.ratio;
    const rows = clients
      .filter((c) => T[test]?.[c.id]?.ratio && c.id !== "raw")
      .map((c) => {
        const e = T[test][c.id];
        const iv = medianInterval(e.ratio.values);
        // Ours over this client, per run (both ratios share the run's raw).
        const vsOurs = !c.ours && ours ? median(pairedRatios(ours, e.ratio)) : null;
        return [label(c.id), fmt(e.ratio.median, 3), iv ? `${fmt(iv.lo, 3)}-${fmt(iv.hi, 3)}` : "-", `${fmt(e.ratio.min, 3)}-${fmt(e.ratio.max, 3)}`,
          vsOurs == null ? "-" : fmt(vsOurs, 3), fmt(e.msgsPerSec?.median), `${e.used}/${e.usable}${err(test, c.id)}`];
      });
    if (!rows.length) continue;
    md.push(`${what}, interleaved (each run's client throughput over the mean of the raw socket's two lanes in the same run, the A/A control's over raw alone; medians over rounds):`);
    md.push("");
    md.push(table(["client", "throughput ratio to raw", "90% interval", "range", "resilient-ws (inspector on) over it, per-run median", "msg/s", "n"], rows));
    md.push("");
  }
  const control = clients.find((c) => c.control);
  if (control) {
    const pr = (t, m) => {
      const v = T[t]?.[control.id]?.[m]?.perRound;
      return v ? `${fmt(v.median, 3)} (${fmt(v.min, 2)}-${fmt(v.max, 2)})` : "-";
    };
    md.push("## A/A control: the raw WebSocket measured twice");
    md.push("");
    md.push(`\`${control.id}\` is the raw \`WebSocket\` client again, at another place in every round's order. Its per-round ratio to raw (median, range) is what the harness itself adds (order, JIT warmth, the host's drift): a ratio of ours that is this close to 1 is not a difference this run can show. In the separate and interleaved tests it is one raw run over another, while the other clients are over the mean of raw's two runs, whose noise is smaller, so there its spread is somewhat wider than theirs; in the paired test it is over the same raw run as every client.`);
    md.push("");
    const pairedOf = (t) => {
      const v = T[t]?.[control.id]?.ratio;
      return v ? `${fmt(v.median, 3)} (${fmt(v.min, 2)}-${fmt(v.max, 2)})` : "-";
    };
    md.push(table(["", "receive 64 B", "receive 64 B, interleaved", "receive 4 KiB", "receive 4 KiB, interleaved", "send 64 B", "send 64 B, interleaved", "dispatch ns", "echo p50", "echo p50, paired"],
      [[label(control.id), pr("recv64", "msgsPerSec"), pairedOf("recv64-interleaved"), pr("recv4k", "msgsPerSec"), pairedOf("recv4k-interleaved"), pr("send", "msgsPerSec"),
        pairedOf("send-interleaved"), pr("dispatch", "nsPerMessage"), pr("echo", "p50"), pairedOf("echo-paired")]]));
    md.push("");
  }
  for (const [test, title] of [["dispatch", "CPU per received message (dispatch test, median ns over rounds)"], ["send-cpu", "CPU per sent message (send-cpu test, median ns over rounds)"]]) {
    if (!T[test]) continue;
    md.push(`## ${title}`);
    md.push("");
    // The client's figure minus the same round's raw baseline, median over
    // rounds [90% interval].
    const overRaw = (v) => {
      const o = overBaseline(v);
      return o ? `${fmt(o.median, 0)}${o.interval ? ` [${fmt(o.interval.lo, 0)} to ${fmt(o.interval.hi, 0)}]` : ""}` : "-";
    };
    const row = (t, c, name) => {
      const v = T[t][c.id].nsPerMessage;
      const n = T[t][c.id].usable ? ` n=${T[t][c.id].used}/${T[t][c.id].usable}` : "";
      return [name, `${fmt(v?.median, 0)}${n}${err(t, c.id)}`, `${fmt(v?.perRound?.median, 2)}x`, overRaw(v), v ? `${fmt(v.min, 0)}-${fmt(v.max, 0)}` : "-"];
    };
    const slow = (test === "dispatch" && T["dispatch-slow"]) || {};
    md.push(table(
      ["client", "ns per message", "ratio to raw (per-round median)", "minus raw, per round (the client's own code) [90% interval]", "range over rounds"],
      clients.filter((c) => T[test][c.id]).flatMap((c) => [
        row(test, c, label(c.id)),
        ...(slow[c.id] ? [row("dispatch-slow", c, `${label(c.id)}, slow path (a reply awaited, every message has an "id")`)] : []),
      ]),
    ));
    md.push("");
    if (test === "dispatch") {
      md.push(`Only messages that could be the pong or the reply the engine awaits leave the JS fast path for the wasm engine (the "slow path" row: a \`request()\` pending and every message carrying an \`"id"\`, so every one does).`);
      md.push("");
    }
  }
  md.push("## Echo round trip (median over rounds of each round's p50 / p99, microseconds)");
  md.push("");
  const tickUs = T.echo?.raw?.tickMs?.median * 1000;
  md.push(`\`performance.now()\` ticks in ${tickUs ? fmt(tickUs, 0) : "?"} us here, so a plain p50 moves in whole ticks. "p50 within the tick" is the median of grouped data: each duration read as k ticks stands for the interval k +- half a tick, filled evenly, and the median is read where the cumulative count crosses half. Chromium rounds each clock reading up or down at a random point within its tick, so a duration's error (two readings) spreads over up to a tick either side but averages zero; for a smooth distribution the grouped median is then close to the true one, where the plain p50 is off by up to half a tick. Rounds in which the durations show no whole-tick grid report no such figure ("-").`);
  md.push("");
  const echoRows = [];
  const withinTick = (e) => (e?.p50WithinTick ? `${fmt(e.p50WithinTick.median * 1000, 1)}${ratio(e.p50WithinTick)}` : "-");
  for (const c of clients) {
    const e = T.echo?.[c.id];
    if (e) echoRows.push([label(c.id), `${fmt(e.p50?.median * 1000, 1)}${ratio(e.p50)} n=${e.used}/${e.usable}${err("echo", c.id)}`, withinTick(e), `${fmt(e.p99?.median * 1000, 1)}${ratio(e.p99)}`, spread(e.p50, 1, 1000)]);
    const r = T.request?.[c.id];
    if (r) echoRows.push([`${label(c.id)}, \`request()\``, `${fmt(r.p50?.median * 1000, 1)}${ratio(r.p50)}${err("request", c.id)}`, withinTick(r), `${fmt(r.p99?.median * 1000, 1)}${ratio(r.p99)}`, spread(r.p50, 1, 1000)]);
  }
  md.push(table(["client", "p50", "p50 within the tick", "p99", "p50 range over rounds"], echoRows));
  md.push("");
  const pairedRows = clients
    .filter((c) => T["echo-paired"]?.[c.id]?.ratio)
    .map((c) => {
      const e = T["echo-paired"][c.id];
      const iv = medianInterval(e.ratio.values);
      const us = (m) => fmt(e[m]?.median * 1000, 1);
      return [label(c.id), `${fmt(e.ratio.median, 3)}`, iv ? `${fmt(iv.lo, 3)}-${fmt(iv.hi, 3)}` : "-", `${fmt(e.ratio.min, 3)}-${fmt(e.ratio.max, 3)}`,
        `${us("p50WithinTick")} / ${us("rawP50WithinTick")}`, `${us("p50")} / ${us("rawP50")}`, `${e.used}/${e.usable}`];
    });
  if (pairedRows.length) {
    md.push("Paired with a raw socket (each run's client p50 over the p50 of the raw socket measured alternately beside it; medians over rounds):");
    md.push("");
    md.push(table(["client", "p50 ratio", "90% interval", "range", "p50 within the tick, us (client / raw)", "p50, us (client / raw)", "n"], pairedRows));
    md.push("");
  }
  md.push("The `request()` rows are over raw's echo, which ends when the listener gets the reply; a request ends where the code awaiting its Promise resumes, so their ratios also hold that Promise's step, which no raw baseline has.");
  md.push("");
  md.push("## Reconnect and dead peer (median ms over rounds)");
  md.push("");
  md.push(table(
    ["client", "reconnect config", "scheduled delay", "server up -> app open", "overshoot (max)", "attempts while down", "dead peer detection"],
    clients.filter((c) => !c.control).map((c) => {
      const r = T.reconnect?.[c.id];
      const d = T.deadpeer?.[c.id];
      const dead = d?.skipped ? d.skipped : d?.detectMs ? `${fmt(d.detectMs.median)} ms (budget ${fmt(d.budgetMs.median)}; max ${fmt(d.detectMs.max)})${err("deadpeer", c.id)}` : `-${err("deadpeer", c.id)}`;
      // A client that reports no scheduled delay is judged against the one
      // it was configured with.
      const configured = (out.results || []).some((x) => x.test === "reconnect" && x.client === c.id && x.delaySource === "configured");
      return [label(c.id), c.reconnectNote || "", `${fmt(r?.scheduledDelayMs?.median)}${configured ? " (configured; not reported)" : ""}`, `${fmt(r?.upToOpenMs?.median, 1)} (${spread(r?.upToOpenMs, 1)})`,
        `${fmt(r?.overshootMs?.median, 1)} (${fmt(r?.overshootMs?.max, 1)})${err("reconnect", c.id)}`, fmt(r?.attempts?.median), dead];
    }),
  ));
  md.push("");
  md.push(`## Memory over ${fmt(p.memCycles)} connect/close cycles`);
  md.push("");
  md.push(table(
    ["client", "JS heap before -> after (growth)", "WASM memory before -> after", "time per cycle"],
    clients.filter((c) => !c.control).flatMap((c) => {
      const row = (test, name) => {
        const rs = out.results.filter((r) => r.test === test && r.client === c.id && r.ok);
        const m = T[test]?.[c.id];
        // The worst round (WASM growth first, then heap): what the verdict judges.
        const growth = (r) => [r.wasmGrowth ?? 0, r.heapGrowth ?? 0];
        const worse = (a, b) => growth(b)[0] > growth(a)[0] || (growth(b)[0] === growth(a)[0] && growth(b)[1] > growth(a)[1]);
        const r0 = rs.reduce((a, r) => (a == null || worse(a, r) ? r : a), null);
        if (!r0) return [name, `-${err(test, c.id)}`, "-", "-"];
        return [name, `${fmt(r0.heapBefore / 1024)} -> ${fmt(r0.heapAfter / 1024)} KiB (${r0.heapGrowth >= 0 ? "+" : ""}${fmt(r0.heapGrowth / 1024)} KiB)${err(test, c.id)}`,
          r0.wasmBefore == null ? "n/a (JS only)" : `${fmt(r0.wasmBefore / 1024)} -> ${fmt(r0.wasmAfter / 1024)} KiB`, `${fmt(m.ms.median / r0.cycles, 2)} ms`];
      };
      return [row("memory", label(c.id)), ...(T["memory-free"]?.[c.id] ? [row("memory-free", `${label(c.id)}, free() after each dispose()`)] : [])];
    }),
  ));
  md.push("");
  md.push("## Size (what each client adds to a page)");
  md.push("");
  md.push(table(
    ["client", "minified JS", "gzip -9 total", "detail"],
    clients.filter((c) => c.id !== "resilient-ws-noinsp" && !c.control).map((c) => {
      const s = sizes[c.id];
      if (!s) return [label(c.id), "-", "-", ""];
      if (c.id === "raw") return [label(c.id), "0", "0", s.note];
      if (c.id === "resilient-ws")
        return ["resilient-ws", `${fmt(s.jsMin)} B + ${fmt(s.wasmRaw)} B wasm`, `**${fmt(s.total)} B** (${fmt(s.total / 1024, 1)} KiB)`,
          `wasm ${fmt(s.wasmGzip)} B + glue ${fmt(s.jsGzip)} B; with the React hook ${fmt(s.totalWithHook)} B; glue as shipped (unminified) ${fmt(s.shippedGlueGzip)} B gzip`];
      return [label(c.id), `${fmt(s.jsMin)} B`, `${fmt(s.total)} B (${fmt(s.total / 1024, 1)} KiB)`, `\`${s.entry}\``];
    }),
  ));
  md.push("");
  md.push("## Targets (resilient-ws)");
  md.push("");
  const ordinal = (k) => `${k}${k % 10 === 1 && k !== 11 ? "st" : k % 10 === 2 && k !== 12 ? "nd" : k % 10 === 3 && k !== 13 ? "rd" : "th"}`;
  const n = meta.rounds;
  const iv = medianInterval(Array.from({ length: n }, (_, i) => i + 1));
  const which = iv ? `with ${n} rounds the ${ordinal(iv.lo)} to the ${ordinal(iv.hi)} value` : `none with ${n} rounds`;
  md.push(`"Resolved": whether this run can tell the result from the limit, i.e. a distribution-free 90% interval of the median of the per-round ratios (order statistics: ${which}) lies wholly on the verdict's side of it. Against every JS peer: met is resolved when each peer's own interval clears the limit (together they then hold with 90%); missed is resolved when some peer's interval, widened so that the four hold together with 90% (Bonferroni; at 8 rounds each peer's whole range), lies on the wrong side: with a 90% interval each, one of four clients equal to ours would read "resolved" ahead far more often than one run in ten. Over raw, a ratio is not resolved while the A/A control (raw against raw) reads the two identical lanes as different (its interval excludes 1). "no" means another run of as many rounds could well print the other verdict; "-" where no interval applies (sizes, worst cases, fewer than 5 rounds).`);
  md.push("");
  const resolvedCell = (t) => (t.resolved == null ? "-" : t.resolved ? "yes" : "no");
  md.push(table(["target", "result", "resolved", "detail"], agg.targets.map((t) => [t.name, t.pass == null ? "n/a" : t.pass ? "met" : "**MISSED**", resolvedCell(t), t.detail])));
  md.push("");
  const analysis = join(benchDir, "ANALYSIS.md");
  if (!smoke && existsSync(analysis)) {
    md.push(readFileSync(analysis, "utf8").trim());
    md.push("");
  }
  if (out.fatals?.length) {
    md.push("## Page errors");
    md.push("");
    for (const f of out.fatals) md.push(`- ${f.error}`);
    md.push("");
  }
  writeFileSync(join(dir, "RESULTS.md"), md.join("\n"));
  const svg = chart(out, clients, label);
  writeFileSync(join(dir, "chart.svg"), svg.svg);
  if (screenshot) screenshot(join(dir, "chart.svg"), join(dir, "chart.png"), svg.width, svg.height);
}

// --- hand-written SVG: throughput ratios (left), gzip sizes (right) -----------------
function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
function chart(out, clients, label) {
  const T = out.aggregate.tests;
  const W = 1120;
  const rowH = 54;
  const top = 70;
  const H = top + clients.length * rowH + 70;
  const left = 200;
  const pw = 430; // left panel width
  const series = [
    ["recv64", "receive 64 B", "#3b82f6"],
    ["recv4k", "receive 4 KiB", "#10b981"],
    ["send", "send 64 B", "#f59e0b"],
  ];
  // The statistic the targets are judged on: the interleaved runs' ratios
  // where they ran, else the median of the separate runs' per-round ratios
  // (the ratio of medians where there is none), with its 90% interval.
  const judged = (t, id) => {
    const inter = T[`${t}-interleaved`]?.[id]?.ratio;
    if (inter) return { r: inter.median, iv: medianInterval(inter.values) };
    const v = T[t]?.[id]?.msgsPerSec;
    return v ? { r: v.perRound?.median ?? v.ratio, iv: v.perRound?.interval ?? null } : null;
  };
  const maxR =
    Math.max(1.1, ...clients.flatMap((c) => series.map(([t]) => judged(t, c.id)?.iv?.hi ?? judged(t, c.id)?.r ?? 0))) * 1.05;
  const x = (r) => left + (r / maxR) * pw;
  const s = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  s.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  s.push(`<text x="${left}" y="24" font-size="15" font-weight="bold">Throughput / raw WebSocket (as judged, 90% CI)</text>`);
  series.forEach(([, name, col], i) => {
    s.push(`<rect x="${left + i * 130}" y="36" width="12" height="12" fill="${col}"/><text x="${left + i * 130 + 16}" y="46">${esc(name)}</text>`);
  });
  const bottom = top + clients.length * rowH;
  for (const [r, dash, lab] of [[1, "", "1.0 = raw"], [0.95, "4 3", "0.95 target"]]) {
    s.push(`<line x1="${x(r)}" y1="${top - 6}" x2="${x(r)}" y2="${bottom}" stroke="${r === 1 ? "#111" : "#dc2626"}" stroke-dasharray="${dash}"/>`);
    s.push(`<text x="${x(r)}" y="${bottom + 16}" text-anchor="${r === 1 ? "start" : "end"}" fill="${r === 1 ? "#111" : "#dc2626"}" font-size="11">${lab}</text>`);
  }
  for (let k = 0; k <= maxR; k += 0.25) {
    s.push(`<text x="${x(k)}" y="${bottom + 32}" text-anchor="middle" fill="#666" font-size="10">${k.toFixed(2)}</text>`);
  }
  clients.forEach((c, i) => {
    const y = top + i * rowH;
    s.push(`<text x="${left - 8}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle"${c.id.startsWith("resilient") ? ' font-weight="bold"' : ""}>${esc(label(c.id))}</text>`);
    series.forEach(([t, , col], j) => {
      const v = judged(t, c.id);
      const by = y + 6 + j * 14;
      if (v?.r == null) {
        s.push(`<text x="${left + 4}" y="${by + 10}" fill="#999" font-size="10">n/a</text>`);
        return;
      }
      const { r, iv } = v;
      s.push(`<rect x="${left}" y="${by}" width="${Math.max(1, x(r) - left)}" height="12" fill="${col}"/>`);
      if (iv) s.push(`<line x1="${x(iv.lo)}" y1="${by + 6}" x2="${x(iv.hi)}" y2="${by + 6}" stroke="#111" stroke-width="1.5"/>`);
      s.push(`<text x="${x(iv ? Math.max(r, iv.hi) : r) + 4}" y="${by + 10}" font-size="10">${r.toFixed(2)}</text>`);
    });
  });
  // sizes
  const sl = left + pw + 250;
  const sw = W - sl - 60;
  const sizeOf = (id) => (id === "raw" ? 0 : out.sizes[id]?.total);
  const maxS = Math.max(36_000, ...clients.map((c) => sizeOf(c.id) || 0)) * 1.05;
  const sx = (b) => sl + (b / maxS) * sw;
  s.push(`<text x="${sl - 170}" y="24" font-size="15" font-weight="bold">Size added to a page (KB, min + gzip -9)</text>`);
  s.push(`<line x1="${sx(35000)}" y1="${top - 6}" x2="${sx(35000)}" y2="${bottom}" stroke="#dc2626" stroke-dasharray="4 3"/>`);
  s.push(`<text x="${sx(35000)}" y="${bottom + 16}" text-anchor="middle" fill="#dc2626" font-size="11">35 KB target</text>`);
  clients.forEach((c, i) => {
    const y = top + i * rowH;
    const b = sizeOf(c.id);
    s.push(`<text x="${sl - 8}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle">${esc(c.id === "resilient-ws-noinsp" ? "(same package)" : label(c.id))}</text>`);
    if (b == null || c.id === "resilient-ws-noinsp") return;
    const col = c.id.startsWith("resilient") ? "#7c3aed" : "#64748b";
    s.push(`<rect x="${sl}" y="${y + 16}" width="${Math.max(1, sx(b) - sl)}" height="20" fill="${col}"/>`);
    s.push(`<text x="${sx(b) + 4}" y="${y + 30}" font-size="11">${(b / 1000).toFixed(1)}</text>`);
  });
  const m = out.meta;
  s.push(`<text x="10" y="${H - 10}" fill="#555" font-size="10">${esc(`${m.smoke ? "SMOKE run - " : ""}${m.rounds} rounds, ${m.machine.nproc} cores ${m.machine.cpuModel}, ${m.versions.chromium}; other load avg ${m.load.othersAvgPct}% - ${m.date}`)}</text>`);
  s.push(`</svg>`);
  return { svg: s.join("\n") + "\n", width: W, height: H };
}
