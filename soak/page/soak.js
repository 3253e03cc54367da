// Loads the built package (wasm-pack --target bundler output) without a
// bundler, keeping the WebAssembly instance so its memory can be measured,
// and exposes `window.soak` for soak/run.mjs and soak/*.test.mjs.
//
// The page makes no fetch() of its own during a soak: with CDP attached,
// DevTools keeps a record of every request the page makes, which would read
// as a leak. The runner calls the fault server's control API from node.
import * as glue from "/pkg/resilient_ws_bg.js";

let memory = null;

async function load() {
  const response = await fetch("/pkg/resilient_ws_bg.wasm");
  const module = await WebAssembly.compileStreaming(response);
  // The bundler target imports from its glue module and from the JS
  // snippets it ships (`./snippets/...`), each a module of its own.
  const imports = {};
  for (const { module: name } of WebAssembly.Module.imports(module)) {
    if (imports[name]) continue;
    imports[name] = name === "./resilient_ws_bg.js" ? glue : await import(`/pkg/${name.replace(/^\.\//, "")}`);
  }
  const instance = await WebAssembly.instantiate(module, imports);
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  memory = instance.exports.memory;
  // As the package's entry point does: text sent while open leaves from JS.
  // A package built before the fast path has no such file: say so.
  const { installSendFastPath } = await import("/pkg/send_fast_path.js").catch((error) => {
    throw new Error(`pkg/ has no send_fast_path.js (built before the send fast path?): rebuild it with scripts/build-pkg.sh (${error})`);
  });
  installSendFastPath(glue.ResilientSocket);
}

const EVENT_TYPES = ["open", "close", "error", "statechange", "reconnecting", "heartbeat", "flapping", "replay", "reauth"];

let socket = null;
let counters = null;
let log = null;
let waiter = null;
let expectedEcho = -1;

function freshCounters() {
  const c = { message: 0, misordered: 0, queuedWhileDown: 0, sentFromJs: 0, closeCauses: {}, closeCodes: {} };
  for (const type of EVENT_TYPES) c[type] = 0;
  return c;
}

function wake() {
  if (waiter !== null && waiter.done()) {
    const { resolve } = waiter;
    waiter = null;
    resolve();
  }
}

/** Resolves once `done()` holds (checked after every socket event), or rejects after `timeoutMs`. */
function until(what, done, timeoutMs = 10_000) {
  if (done()) return Promise.resolve();
  if (waiter !== null) return Promise.reject(new Error(`already waiting for ${waiter.what}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiter = null;
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; state ${socket?.state}, counters ${JSON.stringify(counters)}`));
    }, timeoutMs);
    waiter = {
      what,
      done,
      resolve: () => {
        clearTimeout(timer);
        resolve();
      },
    };
  });
}

/**
 * Counts the sends that took the package's fast path (left from JS, not
 * through the module): the runner checks that the messages phase's did.
 * (A package without the fast path already failed in load().)
 */
function countSendsFromJs(socket) {
  const path = socket.__sendFastPath();
  const send = path.send;
  path.send = (data) => {
    const sent = send.call(path, data);
    if (sent) counters.sentFromJs += 1;
    return sent;
  };
}

function onMessage(event) {
  counters.message += 1;
  if (expectedEcho >= 0) {
    if (event.data !== `m-${expectedEcho}`) counters.misordered += 1;
    expectedEcho += 1;
  }
  if (waiter !== null) wake();
}

function listenerFor(type) {
  return (event) => {
    counters[type] += 1;
    if (type === "close") {
      counters.closeCauses[event.cause] = (counters.closeCauses[event.cause] ?? 0) + 1;
      counters.closeCodes[event.code] = (counters.closeCodes[event.code] ?? 0) + 1;
    }
    if (log !== null) {
      const entry = { type, at: performance.now() };
      for (const key of ["cause", "code", "rttMs", "to", "delayMs", "willReconnect", "connection"]) {
        if (event[key] !== undefined) entry[key] = event[key];
      }
      log.push(entry);
    }
    wake();
  };
}

window.soak = {
  wasmBytes: () => memory.buffer.byteLength,

  /** Creates the one client; `logEvents` keeps a timeline (not for long runs). */
  async create({ url, options, logEvents = false }) {
    if (socket !== null) throw new Error("a socket already exists");
    counters = freshCounters();
    log = logEvents ? [] : null;
    expectedEcho = -1;
    socket = new glue.ResilientSocket(url, options);
    countSendsFromJs(socket);
    socket.addEventListener("message", onMessage);
    for (const type of EVENT_TYPES) socket.addEventListener(type, listenerFor(type));
    await until("the first open", () => counters.open >= 1);
    return socket.state;
  },

  /**
   * One reconnect cycle, after the runner provoked a fault at the server
   * (`app` false) or, with `app` true, by calling `reconnect()` here: wait
   * for the connection to go, queue a message and set a replay key while
   * down, wait for the next open, make a request every tenth cycle, and
   * wait for the echo of everything sent (so the server has read it all).
   */
  async cycle({ i, app, opens, closes }) {
    if (app) socket.reconnect();
    await until(`cycle ${i}: the connection to go`, () => counters.close > closes || socket.state !== "open");
    if (socket.state !== "open") {
      if (socket.send(`q-${i}`) !== false) throw new Error(`cycle ${i}: q-${i} was not queued`);
      counters.queuedWhileDown += 1;
      socket.setReplayState("soak:cycle", { i });
    }
    await until(`cycle ${i}: the next open`, () => counters.open > opens && socket.state === "open");
    if (i % 10 === 0) {
      const reply = await socket.request({ type: "soak-request", i }, { timeoutMs: 10_000 });
      if (reply.i !== i) throw new Error(`cycle ${i}: request answered with ${JSON.stringify(reply)}`);
    }
    await until(`cycle ${i}: every echo`, () => {
      const stats = socket.stats();
      return stats.messagesIn === stats.messagesOut && stats.queued === 0;
    });
  },

  /** Where the next cycle starts from (event counts before its fault). */
  mark: () => ({ opens: counters.open, closes: counters.close }),

  /** `count` messages echoed by the server, in batches; checks order. */
  async messages({ from, count, batch = 1000 }) {
    expectedEcho = from;
    const start = counters.message;
    for (let sent = 0; sent < count; ) {
      const n = Math.min(batch, count - sent);
      for (let k = 0; k < n; k += 1) socket.send(`m-${from + sent + k}`);
      sent += n;
      const target = start + sent;
      await until(`echo of m-${from + sent - 1}`, () => counters.message >= target, 30_000);
    }
    expectedEcho = -1;
    return this.summary();
  },

  summary() {
    const stats = socket.stats();
    return {
      state: socket.state,
      counters: structuredClone(counters),
      stats: {
        connection: stats.connection,
        reconnects: stats.reconnects,
        messagesIn: stats.messagesIn,
        messagesOut: stats.messagesOut,
        queued: stats.queued,
        pendingRequests: stats.pendingRequests,
        lateWakeups: stats.lateWakeups,
        flapping: stats.flapping,
        rttMs: stats.rttMs,
      },
      inspectorLength: socket.inspector.length,
      replayKeys: socket.replayState().length,
    };
  },

  stats: () => socket.stats(),
  state: () => socket.state,
  events: () => (log ?? []).slice(),

  /** Resolves at the next event of `type` after now (for the lifecycle tests). */
  nextEvent(type, timeoutMs = 10_000) {
    const seen = counters[type];
    return until(`a ${type} event`, () => counters[type] > seen, timeoutMs).then(() => log?.findLast((e) => e.type === type) ?? null);
  },

  /**
   * Records document `freeze`/`resume` events (and when the last resume
   * came) and the longest gap between ticks of a 50 ms interval (how long
   * the page really stood still).
   */
  watchLifecycle() {
    const seen = { freeze: 0, resume: 0, resumedAt: null, maxGapMs: 0, visibility: [] };
    let last = performance.now();
    document.addEventListener("freeze", () => (seen.freeze += 1));
    document.addEventListener("resume", () => {
      seen.resume += 1;
      seen.resumedAt = performance.now();
    });
    document.addEventListener("visibilitychange", () => seen.visibility.push(document.visibilityState));
    setInterval(() => {
      const now = performance.now();
      seen.maxGapMs = Math.max(seen.maxGapMs, now - last);
      last = now;
    }, 50);
    window.soakLifecycle = seen;
  },

  lifecycle: () => structuredClone(window.soakLifecycle),

  /** A plain browser WebSocket beside the SDK's, as a control: resolves when open. */
  openRaw(url) {
    const raw = { log: [], socket: new WebSocket(url) };
    window.soakRaw = raw;
    raw.socket.addEventListener("close", (e) => raw.log.push({ type: "close", code: e.code, at: performance.now() }));
    return new Promise((resolve, reject) => {
      raw.socket.addEventListener("open", () => resolve());
      raw.socket.addEventListener("error", () => reject(new Error("raw socket failed")));
    });
  },

  raw: () => ({ readyState: window.soakRaw.socket.readyState, log: window.soakRaw.log.slice() }),

  /**
   * Waits for the SDK's next outgoing message (checked every 5 ms), then
   * keeps the main thread busy for `ms`: every timer due meanwhile fires
   * late. Resolves with when the stall started and ended.
   */
  stallAfterNextSend(ms) {
    const sent = socket.stats().messagesOut;
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        if (socket.stats().messagesOut === sent) return;
        clearInterval(poll);
        const start = performance.now();
        while (performance.now() < start + ms) {
          // busy
        }
        resolve({ start, end: performance.now() });
      }, 5);
    });
  },

  dispose() {
    socket.dispose();
    socket = null;
    counters = null;
    log = null;
    waiter = null;
  },
};

load().then(
  () => {
    window.soakReady = true;
  },
  (err) => {
    window.soakError = String(err?.stack ?? err);
  },
);
