// Records what a socket went through, for the timeline, the RTT chart, the
// last-close panel and the event log. Times are `performance.now()` ms (the
// clock the inspector uses too).
import { useEffect, useReducer } from "react";
import type {
  ConnectionState,
  FlappingEvent,
  OpenEvent,
  QueueOverflowEvent,
  ReauthEvent,
  ReconnectingEvent,
  ReplayEvent,
  ResilientCloseEvent,
  ResilientSocket,
} from "resilient-ws";

/** A stretch of time spent in one state; `to === null` while it lasts. */
export interface StateBand {
  /** Unique within the history (a React key: two bands may share a `from`). */
  seq: number;
  state: ConnectionState;
  from: number;
  to: number | null;
}

export interface RttPoint {
  at: number;
  rttMs: number;
}

export interface Stamped<T> {
  at: number;
  event: T;
}

export interface LogLine {
  /** Unique within the history (a React key). */
  seq: number;
  at: number;
  type: string;
  text: string;
}

export interface ConnectionHistory {
  bands: StateBand[];
  rtts: RttPoint[];
  lastClose: Stamped<ResilientCloseEvent> | null;
  /** The first `open` since `lastClose` (null until the socket reopens after it). */
  reopened: Stamped<OpenEvent> | null;
  /** The scheduled attempt while reconnecting. */
  nextRetry: Stamped<ReconnectingEvent> | null;
  lastReplay: { at: number; keys: readonly string[]; connection: number } | null;
  flapping: Stamped<FlappingEvent> | null;
  log: LogLine[];
  /** The `seq` of the next band or log line. */
  nextSeq: number;
  /** The latest time stamped on anything above (0 before the first). */
  lastAt: number;
}

/** How much history is kept: the last 5 minutes, at most KEEP_POINTS bands and RTTs each (short delays can make many). */
const KEEP_MS = 5 * 60_000;
const KEEP_POINTS = 2_000;
const KEEP_LOG = 200;

/** The newest KEEP_POINTS of `items`. */
function capped<T>(items: T[]): T[] {
  return items.length > KEEP_POINTS ? items.slice(-KEEP_POINTS) : items;
}

type Action =
  | { kind: "reset"; at: number; state: ConnectionState }
  | { kind: "state"; at: number; to: ConnectionState }
  | { kind: "rtt"; at: number; rttMs: number }
  | { kind: "close"; at: number; event: ResilientCloseEvent }
  | { kind: "open"; at: number; event: OpenEvent }
  | { kind: "reconnecting"; at: number; event: ReconnectingEvent }
  | { kind: "replay"; at: number; keys: readonly string[]; connection: number }
  | { kind: "flapping"; at: number; event: FlappingEvent }
  | { kind: "log"; at: number; type: string; text: string };

const EMPTY: ConnectionHistory = {
  bands: [],
  rtts: [],
  lastClose: null,
  reopened: null,
  nextRetry: null,
  lastReplay: null,
  flapping: null,
  log: [],
  nextSeq: 0,
  lastAt: 0,
};

function withLog(h: ConnectionHistory, line: Omit<LogLine, "seq">): ConnectionHistory {
  const log = h.log.length >= KEEP_LOG ? h.log.slice(1 - KEEP_LOG) : h.log.slice();
  log.push({ ...line, seq: h.nextSeq });
  return { ...h, log, nextSeq: h.nextSeq + 1 };
}

/** `reduceAction`, and `lastAt` moved on to the action's time. */
function reduce(h: ConnectionHistory, a: Action): ConnectionHistory {
  const next = reduceAction(h, a);
  return { ...next, lastAt: Math.max(next.lastAt, a.at) };
}

function reduceAction(h: ConnectionHistory, a: Action): ConnectionHistory {
  switch (a.kind) {
    case "reset":
      return {
        ...EMPTY,
        bands: [{ seq: h.nextSeq, state: a.state, from: a.at, to: null }],
        nextSeq: h.nextSeq + 1,
        lastAt: h.lastAt,
      };
    case "state": {
      const bands = h.bands.filter((b) => b.to === null || b.to > a.at - KEEP_MS);
      const last = bands[bands.length - 1];
      if (last && last.to === null) bands[bands.length - 1] = { ...last, to: a.at };
      bands.push({ seq: h.nextSeq, state: a.to, from: a.at, to: null });
      const nextRetry = a.to === "reconnecting" ? h.nextRetry : null;
      return { ...h, bands: capped(bands), nextRetry, nextSeq: h.nextSeq + 1 };
    }
    case "rtt": {
      const rtts = h.rtts.filter((p) => p.at > a.at - KEEP_MS);
      rtts.push({ at: a.at, rttMs: a.rttMs });
      return { ...h, rtts: capped(rtts) };
    }
    case "close":
      return { ...h, lastClose: { at: a.at, event: a.event }, reopened: null };
    case "open":
      return h.lastClose && !h.reopened ? { ...h, reopened: { at: a.at, event: a.event } } : h;
    case "reconnecting":
      return { ...h, nextRetry: { at: a.at, event: a.event } };
    case "replay":
      return { ...h, lastReplay: { at: a.at, keys: a.keys, connection: a.connection } };
    case "flapping": {
      // The same stretch of flapping (its count still growing) keeps the
      // time it began.
      const since = h.flapping && a.event.count > h.flapping.event.count ? h.flapping.at : a.at;
      return { ...h, flapping: { at: since, event: a.event } };
    }
    case "log":
      return withLog(h, { at: a.at, type: a.type, text: a.text });
  }
}

/** Subscribes to `socket` and returns everything it went through. */
export function useConnectionHistory(socket: ResilientSocket | null): ConnectionHistory {
  const [history, dispatch] = useReducer(reduce, EMPTY);

  useEffect(() => {
    if (!socket) return;
    const now = () => performance.now();
    const log = (type: string, text: string) => dispatch({ kind: "log", at: now(), type, text });
    dispatch({ kind: "reset", at: now(), state: socket.state });

    const onState = (e: { from: ConnectionState; to: ConnectionState }) => {
      dispatch({ kind: "state", at: now(), to: e.to });
      log("statechange", `${e.from} -> ${e.to}`);
    };
    const onHeartbeat = (e: { rttMs: number }) => dispatch({ kind: "rtt", at: now(), rttMs: e.rttMs });
    const onClose = (e: ResilientCloseEvent) => {
      dispatch({ kind: "close", at: now(), event: e });
      const retry = e.willReconnect ? `retry in ${e.delayMs ?? 0} ms` : "no retry";
      log("close", `${e.code} ${e.name}${e.reason ? ` "${e.reason}"` : ""} (${e.cause}, ${retry})`);
    };
    const onReconnecting = (e: ReconnectingEvent) => {
      dispatch({ kind: "reconnecting", at: now(), event: e });
      log("reconnecting", `attempt ${e.attempt} in ${e.delayMs} ms`);
    };
    const onReplay = (e: ReplayEvent) => {
      dispatch({ kind: "replay", at: now(), keys: e.keys, connection: e.connection });
      log("replay", `${e.keys.length} key(s) on connection ${e.connection}`);
    };
    const onFlapping = (e: FlappingEvent) => {
      dispatch({ kind: "flapping", at: now(), event: e });
      log("flapping", `${e.count} short connections: ${e.likelyCauses.join("; ")}`);
    };
    const onOpen = (e: OpenEvent) => {
      dispatch({ kind: "open", at: now(), event: e });
      log("open", `connection ${e.connection} (replayed ${e.replayed}, flushed ${e.flushed})`);
    };
    const onError = (e: { message: string }) => log("error", e.message);
    const onSlow = (e: { id: string; latencyMs: number }) => log("slow", `request ${e.id}: ${e.latencyMs} ms`);
    const onReauth = (e: ReauthEvent) => log("reauth", `close ${e.code}: the server asks to authenticate again`);
    const onQueueOverflow = (e: QueueOverflowEvent) => log("queueoverflow", `dropped the ${e.dropped} oldest queued message(s)`);

    socket.addEventListener("statechange", onState);
    socket.addEventListener("heartbeat", onHeartbeat);
    socket.addEventListener("close", onClose);
    socket.addEventListener("reconnecting", onReconnecting);
    socket.addEventListener("replay", onReplay);
    socket.addEventListener("flapping", onFlapping);
    socket.addEventListener("open", onOpen);
    socket.addEventListener("error", onError);
    socket.addEventListener("slow", onSlow);
    socket.addEventListener("reauth", onReauth);
    socket.addEventListener("queueoverflow", onQueueOverflow);
    return () => {
      socket.removeEventListener("statechange", onState);
      socket.removeEventListener("heartbeat", onHeartbeat);
      socket.removeEventListener("close", onClose);
      socket.removeEventListener("reconnecting", onReconnecting);
      socket.removeEventListener("replay", onReplay);
      socket.removeEventListener("flapping", onFlapping);
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("error", onError);
      socket.removeEventListener("slow", onSlow);
      socket.removeEventListener("reauth", onReauth);
      socket.removeEventListener("queueoverflow", onQueueOverflow);
    };
  }, [socket]);

  return history;
}
