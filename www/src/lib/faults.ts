// The fault server's control API (tests/fault-server), reached through the
// page's Vite proxy: /control/* -> http://127.0.0.1:<control port>/*.

const CONTROL = "/control";

/** The answer of one control call, for display. */
export interface FaultResult {
  ok: boolean;
  status: number;
  text: string;
}

/** The fault server's client id: the path segment after `/ws/` in the URL. */
export function clientIdFromUrl(url: string): string | null {
  try {
    const match = /\/ws\/([^/?#]+)/.exec(new URL(url).pathname);
    return match?.[1] ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
}

async function post(path: string, params: Record<string, string | number> = {}): Promise<FaultResult> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  try {
    const response = await fetch(`${CONTROL}${path}${query ? `?${query}` : ""}`, { method: "POST" });
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
};
