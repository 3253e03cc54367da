// The benchmark suite. Runs in Chromium started directly (no automation
// attached) and POSTs every result as one JSON line to the fault server's
// /report; the runner (bench/run.mjs) reads them from the report file.
import { memory as rwsMemory } from "resilient-ws/resilient_ws_bg.wasm";
import { CLIENTS } from "./clients.js";

const q = new URLSearchParams(location.search);
const WS = q.get("ws") || "ws://127.0.0.1:8765";
const CONTROL = q.get("control") || "http://127.0.0.1:8766";
const RUN = q.get("run") || String(Date.now());
const SMOKE = q.get("smoke") === "1";
const ROUNDS = Number(q.get("rounds") || (SMOKE ? 1 : 8));
const ONLY_CLIENTS = q.get("clients") ? q.get("clients").split(",") : null;
const ONLY_TESTS = q.get("tests") ? q.get("tests").split(",") : null;
// Tests the runner gives pages of their own (memory: one client per page).
const SKIP_TESTS = q.get("skipTests") ? q.get("skipTests").split(",") : [];
// profile=1 (bench/overhead.mjs, CDP attached): each throughput measurement
// is wrapped in console.profile()/profileEnd(), so the profile holds exactly
// the measured window. Never set by bench/run.mjs. Only recorded runs are
// profiled: not the warm-up pass nor a round's lead-in, whose profiles
// bench/overhead.mjs would take for a round's (at a tenth of the messages).
const PROFILE = q.get("profile") === "1";
let recording = false;
const profileStart = (name) => PROFILE && recording && console.profile(name);
const profileEnd = (name) => PROFILE && recording && console.profileEnd(name);

// Sizes: the figures, or a few hundred messages in smoke mode.
const P = SMOKE
  ? { recv64: 300, recv4k: 100, send: 300, dispatch: 300, echo: 100, memCycles: 20, memRounds: 1, hbInterval: 300, hbTimeout: 300 }
  : { recv64: 100_000, recv4k: 10_000, send: 100_000, dispatch: 100_000, echo: 5_000, memCycles: Number(q.get("memCycles") || 10_000),
      memRounds: Number(q.get("memRounds") || 1), hbInterval: 500, hbTimeout: 500 };
const RECONNECT_DELAY = 100; // ms, fixed, for every client that allows it
// Not a multiple of the reconnect delay: with 300 an attempt lands right at
// the moment the server listens again, and "server up -> open" measures
// whether it lost that race, not the client.
const DOWN_MS = 350;

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const statusEl = document.getElementById("status");
const logEl = document.getElementById("log");
function status(s) {
  statusEl.textContent = s;
}

// The runner's load gate (same origin): wait for a quiet machine before a
// measurement, and ask how loaded it was during one.
const RETRY_PCT = Number(q.get("retryPct") || 15);
async function loadQuiet() {
  try {
    return await (await fetch("/__load/quiet")).json();
  } catch (_) {
    return { waitedMs: 0, quiet: null };
  }
}
async function loadWindow(from, to) {
  try {
    return await (await fetch(`/__load/window?from=${from}&to=${to}`)).json();
  } catch (_) {
    return { othersPct: null, busy: [] };
  }
}

async function post(obj) {
  const body = JSON.stringify({ run: RUN, at: Date.now(), ...obj });
  for (let i = 0; i < 5; i++) {
    try {
      const r = await fetch(`${CONTROL}/report`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (r.ok) return;
    } catch (_) {
      /* server restarting: retry */
    }
    await sleep(200);
  }
  console.error("report failed", obj);
}

function forceGc() {
  if (typeof gc === "function") gc();
}
/**
 * A young-generation collection, outside any timed window: before each
 * burst of the interleaved tests, so that a scavenge set off by one lane's
 * garbage does not land in the next lane's timed burst (each burst pays
 * only for what its own client allocates).
 */
function minorGc() {
  if (typeof gc === "function") gc({ type: "minor" });
}
async function settle(ms = 100) {
  forceGc();
  await sleep(ms);
}

/** `what`: the error's text, or a function giving it when the time is up. */
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`${typeof what === "function" ? what() : what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function waitFor(cond, ms, what) {
  const end = now() + ms;
  while (!cond()) {
    if (now() > end) throw new Error(`${what}: timed out after ${ms} ms`);
    await sleep(2);
  }
}

let seq = 0;
const clientId = (test, c, round) => `b${RUN}-${round}-${test}-${c.id}-${++seq}`;

async function control(path) {
  const r = await fetch(`${CONTROL}${path}`, { method: "POST" });
  if (!r.ok) throw new Error(`control ${path}: HTTP ${r.status}`);
  return r.json();
}
async function stats(id) {
  const r = await fetch(`${CONTROL}/clients/${encodeURIComponent(id)}/stats`);
  return r.json();
}
/** The texts the server kept from client `id` (a connection with `store=1`), in the order they arrived. */
async function receivedTexts(id) {
  const r = await fetch(`${CONTROL}/clients/${encodeURIComponent(id)}/received`);
  const body = await r.json();
  if (body.truncated) throw new Error(`received ${id}: the server's record is truncated`);
  return body.messages.map((m) => m.text);
}

const rel = (t, base) => (t == null ? null : Math.round((t - base) * 10) / 10);

// The clock tick of durations read off performance.now(): the smallest gap
// between distinct values, if every value is a whole number of it (5 us when
// cross-origin isolated, 100 us otherwise); 0 when the values show no tick.
// Gaps under 1 ns are floating-point noise (readings are ~1e4 ms), not ticks;
// the tick is snapped to whole nanoseconds so that noise does not grow with
// the value it divides (a 1e-9 error in a 5 us tick is 2% at 100 ms).
function clockTick(sorted) {
  let tick = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i] - sorted[i - 1];
    if (gap > 1e-6 && gap < tick) tick = gap;
  }
  if (!Number.isFinite(tick)) return 0;
  tick = Math.round(tick * 1e6) / 1e6;
  const whole = sorted.every((v) => Math.abs(v / tick - Math.round(v / tick)) < 0.01);
  return whole ? tick : 0;
}

// The median of durations that the clock rounds to whole ticks. Chromium
// rounds each reading up or down at a random point within its tick, so a
// duration's reading is unbiased but lands on a multiple of the tick, and
// the plain p50 can only move in whole ticks (140 -> 145 us is 3.6%). This
// is the median of grouped data: each reading v stands for the interval
// [v - tick/2, v + tick/2), filled evenly, and the median is read where the
// cumulative count crosses half. With no tick it is null (not the plain
// p50, which would mix two estimators in the medians over rounds).
function medianWithinTick(sorted, tick) {
  const mid = quantile(sorted, 0.5);
  if (!tick || mid == null) return null;
  const lo = mid - tick / 2;
  const hi = mid + tick / 2;
  let below = 0;
  let within = 0;
  for (const v of sorted) {
    if (v < lo) below++;
    else if (v < hi) within++;
  }
  return lo + ((sorted.length / 2 - below) / within) * tick;
}

function quantile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

// ---------------------------------------------------------------------------
/** The raw WebSocket client: the baseline of the paired and interleaved tests. */
const RAW = CLIENTS.find((c) => c.id === "raw");

// 1. receive throughput: the server floods n x size bytes on connect; time from
// constructing the client until the last message reaches the app's listener.
async function receive(c, round, n, size, test) {
  const id = clientId(test, c, round);
  let count = 0;
  let bytes = 0;
  let tLast = 0;
  let lastData = null;
  let done;
  const finished = new Promise((r) => (done = r));
  // What an app does at the least: read the data. (Reading `event.data`
  // materializes the string in Chromium; every client pays it once.)
  const onmessage = (e) => {
    const d = e.data;
    bytes += d.length;
    if (++count === n) {
      tLast = performance.now();
      lastData = d;
      done();
    }
  };
  await settle();
  profileStart(id);
  const t0 = now();
  const h = c.open(`${WS}/ws/${id}?flood=${n}&size=${size}`, { onmessage, reconnectDelayMs: 1000 });
  try {
    await withTimeout(finished, 120_000, `${test} (${count}/${n} received)`);
    profileEnd(id);
    await sleep(50); // anything beyond n would be a duplicate
    const ms = tLast - t0;
    const expectPrefix = `${n - 1}:`;
    const okLast = typeof lastData === "string" && lastData.startsWith(expectPrefix) && lastData.length === size;
    const res = { ms, msgsPerSec: n / (ms / 1000), count, bytes, expected: n };
    if (count !== n) return { ...res, ok: false, error: `count mismatch: got ${count}, expected ${n}` };
    if (bytes !== n * size) return { ...res, ok: false, error: `byte mismatch: got ${bytes}, expected ${n * size}` };
    if (!okLast) return { ...res, ok: false, error: `last message is not "${expectPrefix}..." of ${size} B` };
    return { ...res, ok: true };
  } finally {
    h.close();
    h.dispose();
  }
}

// 1b and 2b. interleaved (receive 64 B, receive 4 KiB, send 64 B): every
// client open at once, each on its own connection, taking bursts in turns:
// `blocks` rounds of one burst per client, the clients' order within each a
// Williams design too. Every client is measured under the same drift of the
// host, so the figure is each run's ratio of the client's time to the raw
// socket's in the same run (the raw lane alone, for every client and the A/A
// control alike), and ours over a JS peer is read directly (both ratios
// share one raw). Separate runs (1. and 2.) are seconds apart, and on this
// host their drift spreads wider than the 5% the targets allow.
async function interleaved(clients, round, blocks, openLane, test) {
  const lanes = [];
  try {
    for (const c of clients) lanes.push(openLane(c, clientId(test, c, round)));
    await withTimeout(Promise.all(lanes.map((l) => l.opened)), 10_000, `${test}: open`);
    await settle();
    const ms = lanes.map(() => 0);
    const indexes = lanes.map((_, i) => i);
    for (let b = 0; b < blocks; b++) {
      for (const i of orderFor(Math.max(0, round) * blocks + b, indexes)) {
        minorGc();
        ms[i] += await lanes[i].burst();
      }
    }
    const problems = [];
    for (const lane of lanes) problems.push(lane.problem ?? (await lane.finalCheck(blocks)));
    // No raw lane (a partial run without it): no ratio. A failed one fails
    // every ratio over it.
    const rawAt = clients.indexOf(RAW);
    const rawMs = rawAt < 0 ? null : ms[rawAt];
    const rawProblem = rawAt < 0 ? null : problems[rawAt];
    return lanes.map((lane, i) => {
      const problem = problems[i] ?? (rawProblem && `the raw lane failed: ${rawProblem}`);
      const res = { ms: ms[i], msgsPerSec: (blocks * lane.timedPerBurst) / (ms[i] / 1000), ratio: rawMs == null ? null : rawMs / ms[i], count: lane.total, expected: blocks * lane.perBurst };
      return { client: clients[i], res: problem ? { ...res, ok: false, error: problem } : { ...res, ok: true } };
    });
  } finally {
    for (const l of lanes) {
      try {
        l.handle.close();
        l.handle.dispose();
      } catch (e) {
        console.error(`${test}: closing a lane threw`, e);
      }
    }
  }
}

/**
 * A receive lane of `interleaved`: `burst()` asks the server for a flood of
 * n x size B (the control port's `/flood`) and resolves with the ms from its
 * first message reaching the app's listener to its last (n - 1 intervals;
 * count, size and order checked).
 */
function openFlooded(c, id, n, size) {
  let opened;
  const lane = { opened: new Promise((r) => (opened = r)), total: 0, problem: null, perBurst: n, timedPerBurst: n - 1 };
  let got = 0;
  let firstAt = 0;
  let done = null;
  lane.handle = c.open(`${WS}/ws/${id}?store=0`, {
    onopen: () => opened(),
    // What an app does at the least: read the data.
    // The clock is read at a flood's first and last message only: a read
    // per message would add the same cost to every client and pull every
    // ratio toward 1.
    onmessage: (e) => {
      const d = e.data;
      if (got === 0) firstAt = performance.now();
      if (d.length !== size || !d.startsWith(`${got}:`)) lane.problem ??= `message ${got} of a burst to ${c.id} was ${JSON.stringify(d.slice(0, 16))}`;
      lane.total++;
      if (++got === n) done(performance.now() - firstAt);
    },
    reconnectDelayMs: 1000,
  });
  lane.burst = async () => {
    got = 0;
    const finished = new Promise((r) => (done = r));
    await control(`/clients/${encodeURIComponent(id)}/flood?count=${n}&size=${size}`);
    return withTimeout(finished, 30_000, () => `${c.id}: burst of ${n} x ${size} B (${got} received)`);
  };
  lane.finalCheck = async (blocks) => {
    await sleep(50); // anything beyond the last burst would be a duplicate
    return lane.total === blocks * n ? null : `${c.id} got ${lane.total} messages in ${blocks} bursts of ${n}`;
  };
  return lane;
}

/**
 * A send lane of `interleaved`: `burst()` sends n x 64 B in the client's
 * tight loop, then `ping`, on a connection that echoes nothing (`echo=0`);
 * it resolves with the ms from the loop's start to the `pong` reaching the
 * app's listener: the server answers in order, so it had read the whole
 * burst. The server's count is checked after the last burst.
 */
function openSender(c, id, n) {
  if (!burstMsgs || burstMsgs.length !== n) burstMsgs = makeMessages(n, 64);
  const msgs = burstMsgs;
  let opened;
  const lane = { opened: new Promise((r) => (opened = r)), total: 0, problem: null, perBurst: n, timedPerBurst: n };
  let done = null;
  lane.handle = c.open(`${WS}/ws/${id}?echo=0&store=0`, {
    onopen: () => opened(),
    onmessage: (e) => {
      const r = done;
      done = null;
      if (e.data === "pong" && r) r(performance.now());
      else lane.problem ??= `${c.id} got ${JSON.stringify(String(e.data).slice(0, 16))}, expected only pongs`;
    },
    reconnectDelayMs: 1000,
  });
  lane.burst = async () => {
    const pong = new Promise((r) => (done = r));
    const t0 = performance.now();
    const queued = lane.handle.sendAll(msgs);
    lane.handle.send("ping");
    const t1 = await withTimeout(pong, 30_000, `${c.id}: pong after a burst of ${n}`);
    if (queued) lane.problem ??= `${c.id} queued ${queued} of a burst on an open socket`;
    lane.total += n;
    return t1 - t0;
  };
  lane.finalCheck = async (blocks) => {
    const s = await stats(id);
    const want = blocks * (n + 1);
    const wantBytes = blocks * (n * 64 + "ping".length);
    // A client's own heartbeat pings (a run can outlast ours's 25 s
    // interval) come on top, each of its ping's size.
    const pings = s.count - want;
    const ok = pings === 0 ? s.bytes === wantBytes : c.heartbeatPing != null && pings > 0 && s.bytes === wantBytes + pings * c.heartbeatPing.length;
    return ok ? null : `server got ${s.count} messages / ${s.bytes} B from ${c.id}, expected ${want} / ${wantBytes}${c.heartbeatPing ? " (plus heartbeat pings)" : ""}`;
  };
  return lane;
}

// 2. send throughput: n x 64 B from the client; time until the server's stats
// confirm all of them.
function makeMessages(n, size) {
  const pad = "x".repeat(size);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = `${i}:`;
    out[i] = p + pad.slice(p.length);
  }
  return out;
}
let sendMsgs = null;
/** The interleaved send's burst (1/BURSTS of the send test's messages). */
let burstMsgs = null;
/** n JSON messages of exactly `size` characters, each with an "id" field. */
function makeIdMessages(n, size) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const head = `{"id":"m${i}","x":"`;
    out[i] = head + "x".repeat(size - head.length - 2) + '"}';
  }
  return out;
}
let idMsgs = null;
async function send(c, round, n) {
  const id = clientId("send", c, round);
  if (!sendMsgs || sendMsgs.length !== n) sendMsgs = makeMessages(n, 64);
  let opened;
  const isOpen = new Promise((r) => (opened = r));
  // silent=1: the server records and does not echo, so no client spends
  // time on 100,000 echoes it never asked for (its own socket listener would).
  // The smoke run keeps the texts, to check their order.
  const h = c.open(`${WS}/ws/${id}?silent=1&store=${SMOKE ? 1 : 0}`, { onopen: () => opened(), reconnectDelayMs: 1000 });
  try {
    await withTimeout(isOpen, 10_000, "send: open");
    await settle();
    profileStart(id);
    const t0 = now();
    const queued = h.sendAll(sendMsgs);
    const tLoop = now();
    let s;
    const end = t0 + 120_000;
    for (;;) {
      s = await stats(id);
      if (s.count >= n || now() > end) break;
      await sleep(5);
    }
    const t1 = now();
    profileEnd(id);
    await sleep(50);
    s = await stats(id);
    const res = {
      ms: t1 - t0,
      msgsPerSec: n / ((t1 - t0) / 1000),
      loopMs: tLoop - t0,
      loopNsPerCall: ((tLoop - t0) * 1e6) / n,
      count: s.count,
      bytes: s.bytes,
      expected: n,
      queued: queued || 0,
    };
    if (s.count !== n || s.bytes !== n * 64)
      return { ...res, ok: false, error: `server got ${s.count} messages / ${s.bytes} B, expected ${n} / ${n * 64}` };
    if (res.queued > 0) return { ...res, ok: false, error: `${c.id} queued ${res.queued} of ${n} sends on an open socket` };
    const problem = (SMOKE ? await sentOutOfOrder(id, sendMsgs) : null) ?? inspectorMismatch(c, h);
    if (problem) return { ...res, ok: false, error: problem };
    return { ...res, ok: true };
  } finally {
    h.close();
    h.dispose();
  }
}

/** The first message the server got out of the order `sent` went in, or null. */
async function sentOutOfOrder(id, sent) {
  const got = await receivedTexts(id);
  const at = sent.findIndex((text, i) => got[i] !== text);
  return at < 0 ? null : `message ${at} arrived as ${JSON.stringify(got[at]?.slice(0, 16))}, expected ${JSON.stringify(sent[at].slice(0, 16))}`;
}

/** For ours: whether the inspector recorded as the client's name says (on: something, off: nothing). */
function inspectorMismatch(c, h) {
  if (!c.ours) return null;
  const inspector = h.socket.inspector;
  const kept = inspector.length;
  inspector.free();
  const on = c.id === "resilient-ws";
  return (kept > 0) === on ? null : `${c.id}: the inspector kept ${kept} entries with the inspector ${on ? "on" : "off"}`;
}

// echoSplit=1 (`bench/run.sh --echo-split 1`, a diagnostic, never in the
// default run): each echo's round trip is split where the browser socket
// sees it, through a WebSocket subclass installed while the client opens.
// Per round it reports trimmed means (the fastest 90% of each mark on its
// own; the clock's 5 us tick averages out over 5,000 echoes), in ms from
// the app's send() call, of when: the socket's send() begins (the client's
// work before the message leaves), it returns, the app's send() returns,
// the reply's `message` event reaches the socket, and the app's listener
// gets the reply (as `samples`).
// `node bench/tools/echo-split.mjs <results.json>` prints them per client.
const ECHO_SPLIT = q.get("echoSplit") === "1";
function echoSplitter() {
  const Native = window.WebSocket;
  const marks = { nativeSend: [], nativeSent: [], returned: [], nativeMessage: [] };
  let t0 = 0;
  const since = () => performance.now() - t0;
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener("message", () => marks.nativeMessage.push(since()));
    }
    send(data) {
      marks.nativeSend.push(since());
      const r = super.send(data);
      marks.nativeSent.push(since());
      return r;
    }
  };
  const trimmedMean = (a) => {
    const x = Float64Array.from(a).sort().subarray(0, Math.max(1, Math.floor(a.length * 0.9)));
    return x.reduce((s, v) => s + v, 0) / x.length;
  };
  return {
    restore: () => (window.WebSocket = Native),
    start() {
      for (const m of Object.values(marks)) m.length = 0;
    },
    begin: () => (t0 = performance.now()),
    returned: () => marks.returned.push(since()),
    summary: (samples) => ({
      ...Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v.length ? trimmedMean(v) : null])),
      app: trimmedMean(samples),
    }),
  };
}

// 3. echo round trip: n sequential send -> echoed reply, p50/p99.
async function echo(c, round, n, viaRequest) {
  const id = clientId(viaRequest ? "request" : "echo", c, round);
  let opened;
  const isOpen = new Promise((r) => (opened = r));
  let next = null;
  // When the app's listener got the reply: the round trip ends there, as
  // the receive test's does, so the Promise and timeout the loop awaits it
  // through (the same for every client) are not in the figure.
  let replyAt = 0;
  const onmessage = viaRequest
    ? undefined
    : (e) => {
        replyAt = performance.now();
        const r = next;
        next = null;
        if (r) r(e.data);
      };
  const split = ECHO_SPLIT && !viaRequest ? echoSplitter() : null;
  let h;
  try {
    // store=0: the server keeps no copy of the 5,000 echoes per run.
    h = c.open(`${WS}/ws/${id}?store=0`, { onopen: () => opened(), onmessage, reconnectDelayMs: 1000 });
  } finally {
    split?.restore();
  }
  try {
    await withTimeout(isOpen, 10_000, "echo: open");
    await settle();
    split?.start();
    const samples = new Float64Array(n);
    let bad = 0;
    for (let k = 0; k < n; k++) {
      const msg = `{"type":"echo","seq":${k}}`;
      let reply;
      if (viaRequest) {
        // request() answers through its Promise: that is its API, so the
        // round trip ends where the awaiting code resumes.
        const t0 = performance.now();
        reply = await withTimeout(h.request({ type: "echo", seq: k }, { timeoutMs: 5000 }), 6000, "request");
        samples[k] = performance.now() - t0;
        if (!reply || reply.seq !== k) bad++;
      } else {
        const p = new Promise((r) => (next = r));
        split?.begin();
        const t0 = performance.now();
        h.send(msg);
        split?.returned();
        reply = await withTimeout(p, 5000, `echo ${k}`);
        samples[k] = replyAt - t0;
        if (reply !== msg) bad++;
      }
    }
    const sorted = Array.from(samples).sort((a, b) => a - b);
    const tickMs = clockTick(sorted);
    const res = { p50: quantile(sorted, 0.5), p50WithinTick: medianWithinTick(sorted, tickMs), tickMs, p99: quantile(sorted, 0.99), mean: sorted.reduce((a, b) => a + b, 0) / n, count: n - bad, expected: n };
    if (split) res.split = split.summary(samples);
    if (bad) return { ...res, ok: false, error: `${bad} replies did not match` };
    return { ...res, ok: true };
  } finally {
    h.close();
    h.dispose();
  }
}

// 3b. echo, paired: n sequential echoes on the client alternating with n on
// a raw WebSocket open beside it (which of the two goes first alternates
// too), so both p50s are read under the same drift of the host. The
// separate echo test compares runs seconds apart, and on a noisy host its
// A/A control's per-round ratio spreads wider than the 5% the target allows;
// here the per-run ratio (client p50 over raw p50) is the figure.
async function echoPaired(c, round, n) {
  const pair = [openEchoer(c, clientId("echo-paired", c, round)), openEchoer(RAW, clientId("echo-paired-raw", c, round))];
  try {
    await withTimeout(Promise.all(pair.map((e) => e.opened)), 10_000, "echo-paired: open");
    await settle();
    const samples = [new Float64Array(n), new Float64Array(n)];
    let bad = 0;
    for (let k = 0; k < n; k++) {
      for (const side of k % 2 ? [1, 0] : [0, 1]) {
        const msg = `{"type":"echo","seq":${k}}`;
        const { ms, reply } = await pair[side].roundTrip(msg, k);
        samples[side][k] = ms;
        if (reply !== msg) bad++;
      }
    }
    const [mine, raw] = samples.map((s) => {
      const sorted = Array.from(s).sort((a, b) => a - b);
      const tickMs = clockTick(sorted);
      return { p50: quantile(sorted, 0.5), p50WithinTick: medianWithinTick(sorted, tickMs) };
    });
    const within = mine.p50WithinTick != null && raw.p50WithinTick != null;
    const res = {
      p50: mine.p50,
      rawP50: raw.p50,
      p50WithinTick: mine.p50WithinTick,
      rawP50WithinTick: raw.p50WithinTick,
      // Read within the clock tick, as the echo target is; none for a run
      // whose durations show no tick grid (a plain p50 moves in whole ticks,
      // and one estimator is not mixed with the other over rounds).
      ratio: within ? mine.p50WithinTick / raw.p50WithinTick : null,
      plainRatio: mine.p50 / raw.p50,
      count: 2 * n - bad,
      expected: 2 * n,
    };
    if (bad) return { ...res, ok: false, error: `${bad} replies did not match` };
    return { ...res, ok: true };
  } finally {
    for (const e of pair) {
      e.handle?.close();
      e.handle?.dispose();
    }
  }
}

/**
 * One echo connection of `echoPaired`: `roundTrip(msg)` sends and resolves
 * with the time from just before the client's `send` to the reply reaching
 * the app's message listener, as the echo test measures.
 */
function openEchoer(c, id) {
  let opened;
  const echoer = { opened: new Promise((r) => (opened = r)) };
  let next = null;
  let replyAt = 0;
  echoer.handle = c.open(`${WS}/ws/${id}?store=0`, {
    onopen: () => opened(),
    onmessage: (e) => {
      replyAt = performance.now();
      const r = next;
      next = null;
      if (r) r(e.data);
    },
    reconnectDelayMs: 1000,
  });
  echoer.roundTrip = async (msg, k) => {
    const p = new Promise((r) => (next = r));
    const t0 = performance.now();
    echoer.handle.send(msg);
    const reply = await withTimeout(p, 5000, `echo-paired ${c.id} ${k}`);
    return { ms: replyAt - t0, reply };
  };
  return echoer;
}

// 4. reconnect: the server restarts (down DOWN_MS); time from it listening
// again to the app's `open`, against the delay the client had scheduled.
// Browser sockets are tracked by a WebSocket subclass (this test only), which
// gives every client's attempt and failure times.
async function reconnect(c, round) {
  const id = clientId("reconnect", c, round);
  const Native = window.WebSocket;
  const sockets = [];
  class Tracked extends Native {
    constructor(...a) {
      super(...a);
      const rec = { created: performance.now() };
      sockets.push(rec);
      this.addEventListener("open", () => (rec.opened = performance.now()));
      this.addEventListener("close", () => (rec.closed = performance.now()));
    }
  }
  const opens = [];
  const scheduled = [];
  let h;
  window.WebSocket = Tracked;
  try {
    h = c.open(`${WS}/ws/${id}`, {
      onopen: () => opens.push(performance.now()),
      reconnectDelayMs: RECONNECT_DELAY,
      onreconnecting: (delayMs) => scheduled.push({ t: performance.now(), delayMs }),
    });
    await waitFor(() => opens.length >= 1, 10_000, "reconnect: first open");
    await sleep(200);
    const tReq = now();
    const r = await control(`/restart?down_ms=${DOWN_MS}`);
    const tResp = now();
    // The server answers once its listener is closed; it listens again
    // down_ms after it took the request: within [tReq, tResp] + down_ms.
    // The earliest bound, so up->open is never read short (by at most
    // upUncertaintyMs long).
    const tUp = tReq + r.downMs;
    await waitFor(() => opens.length >= 2, 10_000, "reconnect: open after restart");
    const tOpen = opens[1];
    const okIdx = sockets.findIndex((s) => s.opened && s.opened > tReq);
    const ok = sockets[okIdx];
    const prev = sockets[okIdx - 1];
    const lastSched = [...scheduled].reverse().find((s) => s.t <= ok.created);
    const scheduledDelay = lastSched && Number.isFinite(lastSched.delayMs) ? lastSched.delayMs : RECONNECT_DELAY;
    const fromFailure = tOpen - prev.closed; // last failure -> app open
    return {
      ok: true,
      upToOpenMs: tOpen - tUp,
      upFrom: "request",
      upUncertaintyMs: tResp - tReq,
      scheduledDelayMs: scheduledDelay,
      // Where the delay came from: the client's own report of it, or (a
      // client that reports none) the delay it was configured with.
      delaySource: lastSched && Number.isFinite(lastSched.delayMs) ? "reported" : "configured",
      actualDelayMs: ok.created - prev.closed,
      failureToOpenMs: fromFailure,
      overshootMs: fromFailure - scheduledDelay,
      attempts: sockets.filter((s) => s.created > tReq).length,
      handshakeMs: ok.opened - ok.created,
      // For diagnosis: every browser socket and scheduled delay, ms relative
      // to the server listening again (negative: before).
      timeline: {
        sockets: sockets.map((s) => ({ created: rel(s.created, tUp), opened: rel(s.opened, tUp), closed: rel(s.closed, tUp) })),
        scheduled: scheduled.map((s) => ({ at: rel(s.t, tUp), delayMs: s.delayMs })),
        appOpens: opens.map((t) => rel(t, tUp)),
      },
    };
  } finally {
    window.WebSocket = Native;
    if (h) {
      h.close();
      h.dispose();
    }
  }
}

// 5. dead peer: the server goes silent; time until the client declares the
// connection dead, against interval + timeout.
async function deadPeer(c, round) {
  if (!c.heartbeat) return { ok: true, skipped: "no heartbeat" };
  const id = clientId("dead", c, round);
  const I = P.hbInterval;
  const T = P.hbTimeout;
  const opens = [];
  const closes = [];
  const beats = [];
  const h = c.open(`${WS}/ws/${id}`, {
    heartbeat: { intervalMs: I, timeoutMs: T },
    onopen: () => opens.push(now()),
    onclose: (e) => closes.push({ t: now(), cause: e.cause, code: e.code }),
    onheartbeat: () => beats.push(now()),
    reconnectDelayMs: 5000,
  });
  try {
    await waitFor(() => beats.length >= 1, 10_000, "dead peer: first pong");
    const t0 = now();
    await control(`/clients/${encodeURIComponent(id)}/silent?on=1`);
    const t1 = now();
    await waitFor(() => closes.length >= 1, I + T + 5000, "dead peer: detection");
    const det = closes[0];
    const ms = det.t - t0;
    const res = { ok: true, detectMs: ms, budgetMs: I + T, overBudgetMs: ms - (I + T), cause: det.cause, silentCallMs: t1 - t0, sinceLastPongMs: det.t - beats[beats.length - 1] };
    if (det.cause !== "heartbeatTimeout") return { ...res, ok: false, error: `closed with cause ${det.cause}, expected heartbeatTimeout` };
    return res;
  } finally {
    h.close();
    h.dispose();
  }
}

// 6. memory: connect/close cycles, each with one message out and its echo
// back (so what a client keeps per message, such as ours's inspector
// records, is inside the verdict); JS heap (after forced GC) and WASM memory
// before (after a warm-up) and after.
async function measureMemory() {
  for (let i = 0; i < 4; i++) {
    forceGc();
    await sleep(60); // let FinalizationRegistry callbacks run
  }
  return {
    heap: performance.memory ? performance.memory.usedJSHeapSize : null,
    wasm: rwsMemory ? rwsMemory.buffer.byteLength : null,
  };
}
/**
 * Cycles each memory test runs before its "before" reading. Disposed
 * sockets wait for the collector to finalize their wrappers, and the wasm
 * side of those waiting is a backlog that builds over the first ~1,000
 * cycles: read before it settled, its high-water mark counts as growth
 * (or not) depending on where it falls against a 64 KiB page.
 */
const MEMORY_WARM_UP_CYCLES = 1000;
// `free` (ours only): free() right after dispose(), as an app can, instead of
// leaving the wasm side to the wrapper's collection.
async function memory(c, round, cycles, free = false) {
  const id = clientId(free ? "mem-free" : "mem", c, round);
  const url = `${WS}/ws/${id}?store=0`;
  let timeouts = 0;
  let sent = 0;
  const cycle = async () => {
    let opened, echoed, closed;
    const isOpen = new Promise((r) => (opened = r));
    const isEchoed = new Promise((r) => (echoed = r));
    const isClosed = new Promise((r) => (closed = r));
    const text = `memory ${sent}`;
    const onmessage = (e) => e.data === text && echoed();
    const h = c.open(url, { onopen: () => opened(), onmessage, onclose: () => closed(), reconnectDelayMs: 1000 });
    await withTimeout(isOpen, 10_000, "memory: open");
    h.send(text);
    sent++;
    await withTimeout(isEchoed, 10_000, "memory: echo");
    h.close();
    try {
      await withTimeout(isClosed, 3000, "memory: close");
    } catch (_) {
      timeouts++;
    }
    h.dispose();
    if (free) h.free();
  };
  const warm = Math.min(MEMORY_WARM_UP_CYCLES, cycles);
  for (let i = 0; i < warm; i++) await cycle();
  const before = await measureMemory();
  const t0 = now();
  for (let i = 0; i < cycles; i++) {
    await cycle();
    if (i % 500 === 499) status(`memory ${c.label}: ${i + 1}/${cycles}`);
  }
  const ms = now() - t0;
  const after = await measureMemory();
  const s = await stats(id);
  const res = {
    cycles,
    ms,
    heapBefore: before.heap,
    heapAfter: after.heap,
    heapGrowth: after.heap - before.heap,
    wasmBefore: c.ours ? before.wasm : null,
    wasmAfter: c.ours ? after.wasm : null,
    wasmGrowth: c.ours ? after.wasm - before.wasm : null,
    closeTimeouts: timeouts,
    connections: s.connections,
    messages: s.count,
    expected: cycles + warm,
    ok: true,
  };
  // Without a forced GC or a heap reading, "no growth" would be a reading of
  // nothing: fail instead.
  if (typeof gc !== "function") return { ...res, ok: false, error: "gc() is missing (Chromium needs --js-flags=--expose-gc)" };
  if (before.heap == null || after.heap == null) return { ...res, ok: false, error: "performance.memory is missing: no JS heap reading" };
  if (c.ours && (before.wasm == null || after.wasm == null)) return { ...res, ok: false, error: "the wasm memory export is missing" };
  if (s.connections !== cycles + warm) return { ...res, ok: false, error: `server saw ${s.connections} connections, expected ${cycles + warm}` };
  if (s.count !== sent) return { ...res, ok: false, error: `server got ${s.count} messages, ${sent} sent` };
  if (timeouts) return { ...res, ok: false, error: `${timeouts} closes never reported` };
  return res;
}

/**
 * Opens client `c` on a silent connection with its browser socket built
 * through a `WebSocket` subclass (`extend(WebSocket)`, plain by default),
 * installed only until the client is open (partysocket constructs its
 * socket after a microtask). `ws`: the last socket built that way (none if
 * the client did not go through `globalThis.WebSocket`).
 */
async function openCaught(c, id, handlers, extend = (Base) => Base) {
  const Native = globalThis.WebSocket;
  const Extended = extend(Native);
  const sockets = [];
  globalThis.WebSocket = class extends Extended {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
  let opened;
  const isOpen = new Promise((r) => (opened = r));
  let h;
  try {
    h = c.open(`${WS}/ws/${id}?silent=1`, { ...handlers, onopen: () => opened(), reconnectDelayMs: 1000 });
    await withTimeout(isOpen, 10_000, `${id}: open`);
  } finally {
    globalThis.WebSocket = Native;
  }
  return { h, ws: sockets.at(-1) };
}

// 8. dispatch: what the client's code costs per received message, apart
// from the network. The client connects to the real server as usual; its
// socket (caught by a WebSocket subclass installed until it is open:
// partysocket constructs it after a microtask) then gets n synthetic MessageEvents of 64 B, dispatched in a loop:
// ns per message = the browser's event dispatch + the client + the app's
// listener, with no network in between, so the differences between clients
// are their own code. 1,000 warm-up events first.
// `sieved` (ours only): a request() awaits its reply and every message has an
// "id" field, so each one could be that reply: none takes the JS fast path,
// every one goes through the wasm engine (the slow path).
async function dispatch(c, round, n, sieved = false) {
  const id = clientId(sieved ? "dispatch-slow" : "dispatch", c, round);
  if (!sendMsgs || sendMsgs.length !== n) sendMsgs = makeMessages(n, 64);
  if (sieved && (!idMsgs || idMsgs.length !== n)) idMsgs = makeIdMessages(n, 64);
  const msgs = sieved ? idMsgs : sendMsgs;
  let count = 0;
  let bytes = 0;
  const onmessage = (e) => {
    const d = e.data;
    bytes += d.length;
    count++;
  };
  const { h, ws } = await openCaught(c, id, { onmessage });
  try {
    if (!ws) return { ok: false, error: "the client did not construct its socket through globalThis.WebSocket" };
    if (sieved) h.request({ type: "never-answered" }, { timeoutMs: 600_000 }).catch(() => {});
    const warm = Math.min(1_000, n);
    for (let i = 0; i < warm; i++) ws.dispatchEvent(new MessageEvent("message", { data: msgs[i] }));
    await settle();
    count = 0;
    bytes = 0;
    profileStart(id);
    const t0 = now();
    for (let i = 0; i < n; i++) ws.dispatchEvent(new MessageEvent("message", { data: msgs[i] }));
    const ms = now() - t0;
    profileEnd(id);
    const res = { ms, nsPerMessage: (ms * 1e6) / n, count, bytes, expected: n };
    if (count !== n || bytes !== n * 64) return { ...res, ok: false, error: `the app got ${count} messages / ${bytes} B, expected ${n} / ${n * 64}` };
    return { ...res, ok: true };
  } finally {
    h.close();
    h.dispose();
  }
}

// 9. send-cpu: what the client's code costs per sent message, apart from
// the network: the send test's loop, with the client's socket (a WebSocket
// subclass installed until it is open) counting what it is given instead of
// sending it. ns per message = the client's `send` + the subclass's count,
// so the differences between clients are their own code, which the send
// test's loop shows only under the browser's send (~1 us a call, varying
// more than the clients differ). 1,000 warm-up sends first.
async function sendCpu(c, round, n) {
  const id = clientId("send-cpu", c, round);
  if (!sendMsgs || sendMsgs.length !== n) sendMsgs = makeMessages(n, 64);
  let count = 0;
  let bytes = 0;
  const counting = (Base) =>
    class extends Base {
      send(data) {
        if (!this.counting) return super.send(data);
        count++;
        bytes += data.length;
      }
    };
  const { h, ws } = await openCaught(c, id, {}, counting);
  try {
    if (!ws) return { ok: false, error: "the client did not construct its socket through globalThis.WebSocket" };
    ws.counting = true;
    h.sendAll(sendMsgs.slice(0, Math.min(1_000, n)));
    await settle();
    count = 0;
    bytes = 0;
    profileStart(id);
    const t0 = now();
    const queued = h.sendAll(sendMsgs);
    const ms = now() - t0;
    profileEnd(id);
    const res = { ms, nsPerMessage: (ms * 1e6) / n, count, bytes, expected: n };
    if (queued) return { ...res, ok: false, error: `${c.id} queued ${queued} sends on an open socket` };
    if (count !== n || bytes !== n * 64) return { ...res, ok: false, error: `the socket got ${count} sends / ${bytes} B, expected ${n} / ${n * 64}` };
    return { ...res, ok: true };
  } finally {
    if (ws) ws.counting = false;
    h.close();
    h.dispose();
  }
}

// ---------------------------------------------------------------------------
/**
 * Bursts per client in an interleaved run: many short ones, so that each
 * client's total samples the host's drift over the whole run (10 bursts
 * of 10,000 x 64 B spread the A/A control's ratio over 0.92-1.05).
 */
const BURSTS = SMOKE ? 10 : 40;
// `scale` (0-1] shrinks a test's message count for the warm-up pass.
const scaled = (n, scale = 1) => Math.max(1, Math.round(n * scale));
const TESTS = [
  { name: "recv64", run: (c, r, k) => receive(c, r, scaled(P.recv64, k), 64, "recv64") },
  { name: "recv4k", run: (c, r, k) => receive(c, r, scaled(P.recv4k, k), 4096, "recv4k") },
  // Interleaved: every client at once, BURSTS bursts each (see `interleaved`).
  // 10,000 x 4 KiB per client: bursts of 250 (smoke: 10 of 10).
  { name: "recv4k-interleaved", interleaved: true, run: (cs, r, k) => interleaved(cs, r, BURSTS, (c, id) => openFlooded(c, id, scaled(P.recv4k / BURSTS, k), 4096), "recv4k-interleaved") },
  // 100,000 x 64 B per client: bursts of 2,500 (smoke: 10 of 30).
  { name: "recv64-interleaved", interleaved: true, run: (cs, r, k) => interleaved(cs, r, BURSTS, (c, id) => openFlooded(c, id, scaled(P.recv64 / BURSTS, k), 64), "recv64-interleaved") },
  { name: "send", run: (c, r, k) => send(c, r, scaled(P.send, k)) },
  // 100,000 x 64 B per client: bursts of 2,500 (smoke: 10 of 30).
  { name: "send-interleaved", interleaved: true, run: (cs, r, k) => interleaved(cs, r, BURSTS, (c, id) => openSender(c, id, scaled(P.send / BURSTS, k)), "send-interleaved") },
  { name: "dispatch", run: (c, r, k) => dispatch(c, r, scaled(P.dispatch, k)) },
  { name: "send-cpu", run: (c, r, k) => sendCpu(c, r, scaled(P.dispatch, k)) },
  { name: "dispatch-slow", only: (c) => c.id === "resilient-ws", run: (c, r, k) => dispatch(c, r, scaled(P.dispatch, k), true) },
  { name: "echo", run: (c, r, k) => echo(c, r, scaled(P.echo, k), false) },
  { name: "echo-paired", only: (c) => c.ours || c.control, run: (c, r, k) => echoPaired(c, r, scaled(P.echo, k)) },
  { name: "request", only: (c) => c.ours, run: (c, r, k) => echo(c, r, scaled(P.echo, k), true) },
  { name: "reconnect", run: (c, r) => reconnect(c, r) },
  { name: "deadpeer", run: (c, r) => deadPeer(c, r) },
  { name: "memory", rounds: P.memRounds, run: (c, r) => memory(c, r, P.memCycles) },
  { name: "memory-free", only: (c) => c.ours, rounds: P.memRounds, run: (c, r) => memory(c, r, P.memCycles, true) },
];

const WARMUP_TESTS = ["recv64", "recv64-interleaved", "recv4k", "recv4k-interleaved", "send", "send-interleaved", "dispatch", "send-cpu", "dispatch-slow", "echo", "echo-paired", "request"];
/** Whether client `c` takes test `t` (the A/A control: throughput and echo only). */
const takes = (t, c) => (!t.only || t.only(c)) && (!c.control || WARMUP_TESTS.includes(t.name));
/**
 * What one run of test `t` measures, for each of `list`'s clients that take
 * it: one client per run, or (an interleaved test) all of them in one run.
 */
const runsOf = (t, list) => {
  const takers = list.filter((c) => takes(t, c));
  return t.interleaved ? (takers.length ? [takers] : []) : takers;
};
const nameOf = (who) => (Array.isArray(who) ? "every client, interleaved" : who.label);
const WARMUP_SCALE = 0.1;

/**
 * The clients' order in `round`: a Williams design. Over each `list.length`
 * rounds (twice that for an odd count), every client runs once in every
 * position and right after every other client once, so neither a slot's
 * penalty (the first after another test) nor a neighbour's leftovers fall
 * on some clients more than others.
 */
function orderFor(round, list) {
  const n = list.length;
  // 0, 1, n-1, 2, n-2, ...: the first row; each round shifts it by one.
  const first = Array.from({ length: n }, (_, j) => (j % 2 ? (j + 1) / 2 : (n - j / 2) % n));
  const row = first.map((k) => list[(k + round) % n]);
  return n % 2 && Math.floor(round / n) % 2 ? row.reverse() : row;
}

async function main() {
  const clients = CLIENTS.filter((c) => !ONLY_CLIENTS || ONLY_CLIENTS.includes(c.id));
  const tests = TESTS.filter((t) => (!ONLY_TESTS || ONLY_TESTS.includes(t.name)) && !SKIP_TESTS.includes(t.name));
  let expected = 0;
  for (let round = 0; round < ROUNDS; round++)
    for (const t of tests) if (t.rounds == null || round < t.rounds) expected += clients.filter((c) => takes(t, c)).length;
  await post({
    kind: "start",
    expected,
    tests: tests.map((t) => t.name),
    // Which clients take each test asked for, the skipped ones included:
    // the runner launches a page per client for those (memory).
    takers: Object.fromEntries(
      TESTS.filter((t) => !ONLY_TESTS || ONLY_TESTS.includes(t.name)).map((t) => [t.name, clients.filter((c) => takes(t, c)).map((c) => c.id)]),
    ),
    smoke: SMOKE,
    rounds: ROUNDS,
    params: { ...P, reconnectDelayMs: RECONNECT_DELAY, downMs: DOWN_MS, interleavedBursts: BURSTS, memEcho: true, memWarmUp: MEMORY_WARM_UP_CYCLES },
    clients: clients.map((c) => ({ id: c.id, label: c.label, ours: !!c.ours, control: !!c.control, heartbeat: c.heartbeat, reconnectNote: c.reconnectNote })),
    env: {
      userAgent: navigator.userAgent,
      crossOriginIsolated: self.crossOriginIsolated,
      hasGc: typeof gc === "function",
      hasPerformanceMemory: !!performance.memory,
      hardwareConcurrency: navigator.hardwareConcurrency,
      visibility: document.visibilityState,
    },
  });
  // Warm-up: every throughput and latency test once per client at a tenth of
  // its size, results discarded, so that no client's first measurement (in
  // round 0: raw's, the denominator of every ratio) runs cold code. (Also in
  // smoke runs, so that it cannot rot.)
  {
    for (const t of tests.filter((t) => WARMUP_TESTS.includes(t.name))) {
      for (const who of runsOf(t, clients)) {
        status(`warm-up: ${t.name} ${nameOf(who)}`);
        try {
          await t.run(who, -1, WARMUP_SCALE);
        } catch (_) {
          /* a failing test fails in the rounds, where it is reported */
        }
        await sleep(100);
      }
    }
  }
  let errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = orderFor(round, clients);
    for (const t of tests) {
      if (t.rounds != null && round >= t.rounds) continue;
      // A lead-in, not recorded: the first run after another test is slower
      // (measured: ~11% in dispatch), so no recorded run comes first.
      const lead = runsOf(t, order)[0];
      if (lead && WARMUP_TESTS.includes(t.name)) {
        status(`round ${round + 1}/${ROUNDS}: ${t.name} lead-in`);
        try {
          await t.run(lead, round, WARMUP_SCALE);
        } catch (_) {
          /* a failing test fails in the recorded runs */
        }
        await sleep(100);
      }
      for (const who of runsOf(t, order)) {
        status(`round ${round + 1}/${ROUNDS}: ${t.name} ${nameOf(who)}`);
        const lanes = Array.isArray(who) ? who : [who];
        let outcomes;
        let t0;
        const tries = t.name.startsWith("memory") ? 1 : 2;
        for (let attempt = 1; ; attempt++) {
          const q = await loadQuiet();
          t0 = now();
          const from = Date.now();
          recording = true;
          try {
            outcomes = t.interleaved ? await t.run(who, round) : [{ client: who, res: await t.run(who, round) }];
          } catch (e) {
            const error = String((e && e.stack) || e);
            outcomes = lanes.map((client) => ({ client, res: { ok: false, error } }));
          } finally {
            recording = false;
          }
          const w = await loadWindow(from, Date.now());
          const load = { waitedMs: q.waitedMs, quietBefore: q.quiet, othersPct: w.othersPct, othersMaxPct: w.othersMaxPct, busy: w.busy, attempt };
          for (const o of outcomes) o.res.load = load;
          // Measured while other processes used the CPU: repeat (not in smoke).
          const measured = outcomes.some((o) => o.res.ok && !o.res.skipped);
          if (!SMOKE && measured && w.othersPct != null && w.othersPct > RETRY_PCT && attempt < tries) {
            for (const o of outcomes) await post({ kind: "discarded", round, test: t.name, client: o.client.id, ...o.res });
            continue;
          }
          break;
        }
        const wallMs = now() - t0;
        for (const { client, res } of outcomes) {
          if (!res.ok) errors++;
          const line = { kind: "result", round, order: order.map((x) => x.id), test: t.name, client: client.id, wallMs, ...res };
          logEl.textContent += JSON.stringify(line) + "\n";
          await post(line);
        }
        await sleep(100);
      }
    }
  }
  await post({ kind: "final", errors });
  status(`done (${errors} errors)`);
}

window.addEventListener("error", (e) => post({ kind: "fatal", error: String(e.message) }));
window.addEventListener("unhandledrejection", (e) => post({ kind: "fatal", error: String(e.reason && (e.reason.stack || e.reason)) }));
main().catch((e) => post({ kind: "fatal", error: String((e && e.stack) || e) }));
