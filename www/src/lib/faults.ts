// The fault server's control API (tests/fault-server), reached through the
// page's Vite proxy: /control/* -> http://127.0.0.1:<control port>/*.

const CONTROL = "/control";

/** The answer of one control call, for display. */
export interface FaultResult {
  ok: boolean;
  status: number;
  text: string;
}

/** How long a control call may take before it counts as failed, ms. */
const CONTROL_TIMEOUT_MS = 5_000;

/**
 * The fault server's client id: the path segment after `/ws/`, for a URL
 * through this page's proxy (`pageHost`). A URL to another host is not
 * this fault server's client, whatever its path: faults sent to the id
 * would act on someone else's socket, or on none.
 */
export function clientIdFromUrl(url: string, pageHost: string = location.host): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.host !== pageHost) return null;
    const match = /\/ws\/([^/?#]+)/.exec(parsed.pathname);
    return match?.[1] ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
}

async function post(path: string, params: Record<string, string | number> = {}): Promise<FaultResult> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  try {
    const response = await fetch(`${CONTROL}${path}${query ? `?${query}` : ""}`, {
      method: "POST",
      // A control port that never answers must not leave the buttons disabled.
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
    return { ok: response.ok, status: response.status, text: (await response.text()).trim() };
  } catch (err) {
    return { ok: false, status: 0, text: err instanceof Error ? err.message : String(err) };
  }
}

function client(id: string): string {
  return `/clients/${encodeURIComponent(id)}`;
}

export const faults = {
  /** Stops accepting and drops every connection, back after `downMs`. */
  restart: (downMs: number) => post("/restart", { down_ms: downMs }),
  /** Stop (or resume) answering: no echo, no pong. */
  silent: (id: string, on: boolean) => post(`${client(id)}/silent`, { on: on ? 1 : 0 }),
  /** Sends a close frame with this code and reason. */
  close: (id: string, code: number, reason: string) => post(`${client(id)}/close`, { code, reason }),
  /** The next upgrade of this client is refused with an HTTP status. */
  rejectNext: (id: string, status: number) => post(`${client(id)}/next`, { reject: status }),
  /** Sends `count` messages of `size` bytes at once. */
  flood: (id: string, count: number, size: number) => post(`${client(id)}/flood`, { count, size }),
  /** Drops the TCP connection without a close frame. */
  drop: (id: string) => post(`${client(id)}/drop`),
  /** Sends a text frame that is not UTF-8, which the browser refuses: it fails the connection (1006). */
  badFrame: (id: string) => post(`${client(id)}/bad-frame`, { kind: "utf8" }),
};
