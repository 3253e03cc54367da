// One adapter per client under test. Each adapter wires the app's handlers the
// way an app would (the client's own `onmessage`/builder/option), and exposes:
//   open(url, h) -> handle     h = { onopen, onmessage, onclose, reconnectDelayMs,
//                                    heartbeat: {intervalMs, timeoutMs}, onheartbeat,
//                                    onreconnecting }
//   handle.send(data), handle.sendAll(array) (a tight loop over the client's
//   own send method), handle.close() (stop for good), handle.dispose()
//
// Reconnect delays are configured small and fixed where the client allows it.
import { ResilientSocket } from "resilient-ws";
import ReconnectingWebSocket from "reconnecting-websocket";
import { WebSocket as PartySocketWS } from "partysocket";
import { WebsocketBuilder, ConstantBackoff } from "websocket-ts";
import Sockette from "sockette";

const noop = () => {};

// Each adapter writes its own `sendAll` loop on purpose: one loop shared by
// all clients would see several socket classes at its `send` call and be
// optimized as a polymorphic site, unlike the loop an app writes, and would
// skew the send benchmark between clients.

// --- raw WebSocket: the baseline. Reconnect is the hand-written
// setTimeout-after-close an app would write (fixed delay, no jitter).
const raw = {
  id: "raw",
  label: "raw WebSocket",
  heartbeat: false,
  reconnectNote: "hand-written setTimeout(connect, delay) in onclose",
  open(url, h) {
    let ws;
    let stopped = false;
    let timer;
    const connect = () => {
      ws = new WebSocket(url);
      ws.onopen = h.onopen || noop;
      ws.onmessage = h.onmessage || noop;
      ws.onclose = (e) => {
        if (h.onclose) h.onclose(e);
        if (!stopped && h.reconnectDelayMs != null) {
          if (h.onreconnecting) h.onreconnecting(h.reconnectDelayMs);
          timer = setTimeout(connect, h.reconnectDelayMs);
        }
      };
    };
    connect();
    return {
      send: (d) => ws.send(d),
      sendAll(msgs) {
        const w = ws;
        for (let i = 0; i < msgs.length; i++) w.send(msgs[i]);
      },
      close() {
        stopped = true;
        clearTimeout(timer);
        ws.close();
      },
      dispose: noop,
    };
  },
};

// --- resilient-ws, with the inspector at its defaults (on) or off.
function resilient(inspectorOn) {
  return {
    id: inspectorOn ? "resilient-ws" : "resilient-ws-noinsp",
    label: inspectorOn ? "resilient-ws (inspector on)" : "resilient-ws (inspector off)",
    heartbeat: true,
    // What its heartbeat sends (at its defaults: every 25 s), which a run
    // that long counts beside the app's messages.
    heartbeatPing: '{"type":"ping"}',
    ours: true,
    reconnectNote: "reconnect {initialDelayMs: D, maxDelayMs: D, jitter: 'none'}",
    open(url, h) {
      const options = {
        reconnect: {
          initialDelayMs: h.reconnectDelayMs ?? 100,
          maxDelayMs: h.reconnectDelayMs ?? 100,
          jitter: "none",
        },
      };
      if (h.heartbeat) {
        options.heartbeat = {
          intervalMs: h.heartbeat.intervalMs,
          timeoutMs: h.heartbeat.timeoutMs,
          message: '{"type":"ping"}',
          pongType: "pong",
        };
      }
      // heartbeat otherwise at its defaults (25 s interval, pongType "pong"),
      // as an app gets it. The interleaved send test can outlast 25 s: its
      // count check allows for those pings (`heartbeatPing`).
      if (!inspectorOn) options.inspector = { maxEntries: 0 };
      const s = new ResilientSocket(url, options);
      if (h.onopen) s.onopen = h.onopen;
      if (h.onmessage) s.onmessage = h.onmessage;
      if (h.onclose) s.onclose = h.onclose;
      if (h.onheartbeat) s.addEventListener("heartbeat", h.onheartbeat);
      if (h.onreconnecting) s.addEventListener("reconnecting", (e) => h.onreconnecting(e.delayMs, e));
      return {
        socket: s,
        send: (d) => s.send(d),
        sendAll(msgs) {
          let queued = 0;
          for (let i = 0; i < msgs.length; i++) if (!s.send(msgs[i])) queued++;
          return queued;
        },
        request: (m, o) => s.request(m, o),
        close: () => s.close(),
        // As an app (and the React hook) lets go: dispose() and drop the
        // reference; the wasm side is freed when the wrapper is collected.
        dispose: () => s.dispose(),
        // What an app can add to return the wasm side at once.
        free: () => s.free(),
      };
    },
  };
}

// --- reconnecting-websocket 4.x and partysocket (a fork of it, exported as
// WebSocket): same options, same adapter.
function reconnectingWebSocketClient(id, Socket) {
  return {
    id,
    label: id,
    heartbeat: false,
    reconnectNote: "minReconnectionDelay = maxReconnectionDelay = D, growFactor 1",
    open(url, h) {
      const d = h.reconnectDelayMs ?? 100;
      const s = new Socket(url, [], {
        minReconnectionDelay: d,
        maxReconnectionDelay: d,
        reconnectionDelayGrowFactor: 1,
        connectionTimeout: 4000,
      });
      if (h.onopen) s.onopen = h.onopen;
      if (h.onmessage) s.onmessage = h.onmessage;
      if (h.onclose) s.onclose = h.onclose;
      return {
        send: (x) => s.send(x),
        sendAll(msgs) {
          for (let i = 0; i < msgs.length; i++) s.send(msgs[i]);
        },
        close: () => s.close(),
        dispose: noop,
      };
    },
  };
}

const rws = reconnectingWebSocketClient("reconnecting-websocket", ReconnectingWebSocket);
const party = reconnectingWebSocketClient("partysocket", PartySocketWS);

// --- websocket-ts 2.x (builder; listeners get (ws, event))
const wsts = {
  id: "websocket-ts",
  label: "websocket-ts",
  heartbeat: false,
  reconnectNote: "withBackoff(new ConstantBackoff(D))",
  open(url, h) {
    const d = h.reconnectDelayMs ?? 100;
    let b = new WebsocketBuilder(url).withBackoff(new ConstantBackoff(d));
    if (h.onopen) b = b.onOpen((_, e) => h.onopen(e));
    if (h.onmessage) {
      const m = h.onmessage;
      b = b.onMessage((_, e) => m(e));
    }
    if (h.onclose) b = b.onClose((_, e) => h.onclose(e));
    if (h.onreconnecting) b = b.onRetry((_, e) => h.onreconnecting(e.detail && e.detail.backoff, e));
    const s = b.build();
    return {
      send: (x) => s.send(x),
      sendAll(msgs) {
        for (let i = 0; i < msgs.length; i++) s.send(msgs[i]);
      },
      close: () => s.close(),
      dispose: noop,
    };
  },
};

// --- sockette 2.x (handlers are options; it assigns onmessage to the socket)
const sockette = {
  id: "sockette",
  label: "sockette",
  heartbeat: false,
  reconnectNote: "timeout: D (fixed), maxAttempts: Infinity",
  open(url, h) {
    const d = h.reconnectDelayMs ?? 100;
    const s = new Sockette(url, {
      timeout: d,
      maxAttempts: Infinity,
      onopen: h.onopen || noop,
      onmessage: h.onmessage || noop,
      onclose: h.onclose || noop,
      onerror: noop,
    });
    return {
      send: (x) => s.send(x),
      sendAll(msgs) {
        for (let i = 0; i < msgs.length; i++) s.send(msgs[i]);
      },
      close: () => s.close(),
      dispose: noop,
    };
  },
};

// --- the A/A control: the raw client measured a second time in every round,
// elsewhere in the order. Its ratio to raw is the harness's own bias and
// noise; it is no peer and has no size.
const rawAgain = { ...raw, id: "raw-b", label: "raw WebSocket (A/A control)", control: true };

export const CLIENTS = [raw, resilient(true), resilient(false), rws, party, wsts, sockette, rawAgain];
