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
}

/** The fault server through this page's Vite proxy (`/ws/*`). */
export function defaultSocketUrl(clientId = "dashboard"): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/${clientId}`;
}

/**
 * A whole number of milliseconds (or entries) from the query string; the
 * fallback when absent or not one. Values the SDK refuses in combination
 * (an initial delay above the maximum) reach it and are shown as its error.
 */
function numberParam(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

export function readConfig(search: string = location.search): DashboardConfig {
  const params = new URLSearchParams(search);
  return {
    url: params.get("url") ?? defaultSocketUrl(params.get("client") ?? "dashboard"),
    autoConnect: params.get("autoConnect") !== "0",
    options: {
      name: "dashboard",
      reconnect: {
        initialDelayMs: numberParam(params, "initialDelayMs", 500),
        maxDelayMs: numberParam(params, "maxDelayMs", 10_000),
        maxAttempts: params.has("maxAttempts") ? numberParam(params, "maxAttempts", 0) : null,
      },
      heartbeat: {
        intervalMs: numberParam(params, "heartbeatMs", 2_000),
        timeoutMs: numberParam(params, "heartbeatTimeoutMs", 4_000),
        message: '{"type":"ping"}',
        pongType: "pong",
      },
      connectTimeoutMs: numberParam(params, "connectTimeoutMs", 5_000),
      inspector: { maxEntries: numberParam(params, "inspectorEntries", 500) },
    },
  };
}
