// Dashboard settings, read once from the page's query string so a link (or a
// test) can set them: ?url=ws://host/ws/id&initialDelayMs=50&heartbeatMs=1000
// (&maxAttempts=N gives up after N reconnects in a row; absent: never).
import type { ResilientSocketOptions } from "resilient-ws";

export interface DashboardConfig {
  /** The WebSocket URL to open. */
  url: string;
  /** Connect when the page loads. */
  autoConnect: boolean;
  /** Options for `new ResilientSocket`. */
  options: ResilientSocketOptions;
  /** Query parameters that were ignored, each with why (shown on the page). */
  ignored: string[];
}

/** The fault server through this page's Vite proxy (`/ws/*`). */
export function defaultSocketUrl(clientId: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/${clientId}`;
}

/** A fault-server client id (`/ws/<id>`), as the server accepts it. */
const CLIENT_ID = /^[A-Za-z0-9_-]+$/;

/**
 * This page's own fault-server client id, `dashboard-<random>`: fault
 * buttons act on a client id, so two tabs sharing one would fault each
 * other's socket. New on each load: a duplicated tab copies
 * `sessionStorage`, so an id kept there would be shared.
 */
export function pageClientId(): string {
  // getRandomValues, not randomUUID: the page may be served over plain http
  // from another host (no secure context).
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0"));
  return `dashboard-${random.join("")}`;
}

export function readConfig(search: string = location.search): DashboardConfig {
  const params = new URLSearchParams(search);
  const ignored: string[] = [];
  /**
   * A whole number of milliseconds (or entries) from the query string; the
   * fallback when absent, and when not one (noted in `ignored`). Values the
   * SDK refuses in combination (an initial delay above the maximum) reach
   * it and are shown as its error.
   */
  const numberParam = <F extends number | null>(name: string, fallback: F): number | F => {
    const raw = params.get(name);
    if (raw === null || raw.trim() === "") return fallback;
    const value = Number(raw);
    if (Number.isSafeInteger(value) && value >= 0) return value;
    ignored.push(`${name}=${raw}: not a whole number >= 0 (using ${fallback ?? "none"})`);
    return fallback;
  };
  let client = params.get("client");
  const url = params.get("url");
  if (client !== null && url !== null) {
    ignored.push(`client=${client}: the url parameter names the socket`);
    client = null;
  } else if (client !== null && !CLIENT_ID.test(client)) {
    const fallback = pageClientId();
    ignored.push(`client=${client}: not a fault-server client id ([A-Za-z0-9_-]+; using ${fallback})`);
    client = fallback;
  }
  return {
    ignored,
    url: url ?? defaultSocketUrl(client ?? pageClientId()),
    autoConnect: params.get("autoConnect") !== "0",
    options: {
      name: "dashboard",
      reconnect: {
        initialDelayMs: numberParam("initialDelayMs", 500),
        maxDelayMs: numberParam("maxDelayMs", 10_000),
        maxAttempts: numberParam("maxAttempts", null),
      },
      heartbeat: {
        intervalMs: numberParam("heartbeatMs", 2_000),
        timeoutMs: numberParam("heartbeatTimeoutMs", 4_000),
        message: '{"type":"ping"}',
        pongType: "pong",
      },
      connectTimeoutMs: numberParam("connectTimeoutMs", 5_000),
      inspector: { maxEntries: numberParam("inspectorEntries", 500) },
    },
  };
}
