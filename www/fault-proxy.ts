// Vite proxy to the fault server (tests/fault-server), for `vite` and
// `vite preview` alike:
//   /ws/<client-id>   -> ws://127.0.0.1:<ws port>/ws/<client-id>   (WebSocket)
//   /control/<path>   -> http://127.0.0.1:<control port>/<path>     (fault API)
// Ports come from FAULT_SERVER_WS_PORT / FAULT_SERVER_CONTROL_PORT (or the
// scripts' FAULT_WS_PORT / FAULT_CONTROL_PORT), default 8765 / 8766.
//
// The fault server restarts, drops TCP and rejects upgrades on purpose, so
// proxy sockets fail all the time: every error path has a handler (no
// unhandled EPIPE / ECONNRESET), and the logger turns the expected network
// errors into one short line instead of a stack trace.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createLogger, type Logger, type ProxyOptions } from "vite";

type ProxyServer = Parameters<NonNullable<ProxyOptions["configure"]>>[0];

function port(names: string[], fallback: number): number {
  for (const name of names) {
    const value = Number(process.env[name]);
    if (Number.isInteger(value) && value > 0) return value;
  }
  return fallback;
}

export const FAULT_WS_PORT = port(["FAULT_SERVER_WS_PORT", "FAULT_WS_PORT"], 8765);
export const FAULT_CONTROL_PORT = port(["FAULT_SERVER_CONTROL_PORT", "FAULT_CONTROL_PORT"], 8766);

/** Network errors that a fault (restart, drop, reject) causes on purpose. */
const EXPECTED = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ERR_STREAM_WRITE_AFTER_END"]);

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object" && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

function isSocket(res: ServerResponse | Socket): res is Socket {
  return !("req" in res);
}

function attach(proxy: ProxyServer): void {
  proxy.on("error", (_err: Error, _req: IncomingMessage, res: ServerResponse | Socket) => {
    // Vite answers 502 (HTTP) or ends the socket (WebSocket); make sure a
    // WebSocket whose upstream failed is freed at once.
    if (isSocket(res) && !res.destroyed) res.destroy();
  });
  proxy.on("proxyReqWs", (proxyReq, _req, socket) => {
    socket.on("error", () => proxyReq.destroy());
    proxyReq.on("error", () => socket.destroy());
  });
  proxy.on("open", (proxySocket: Socket) => {
    proxySocket.on("error", () => proxySocket.destroy());
  });
}

export function faultProxy(): Record<string, ProxyOptions> {
  return {
    "^/ws/": {
      target: `ws://127.0.0.1:${FAULT_WS_PORT}`,
      ws: true,
      configure: attach,
    },
    "^/control/": {
      target: `http://127.0.0.1:${FAULT_CONTROL_PORT}`,
      rewrite: (path) => path.replace(/^\/control/, ""),
      configure: attach,
    },
  };
}

/**
 * Vite's logger, except that proxy errors with an expected network code
 * become one warning line ("fault server unreachable: ECONNREFUSED").
 */
export function quietProxyLogger(): Logger {
  const logger = createLogger();
  const error = logger.error.bind(logger);
  logger.error = (msg, options) => {
    const code = errorCode(options?.error);
    if (code && EXPECTED.has(code) && /proxy/.test(msg)) {
      logger.warn(`fault-server proxy: ${code} (expected while a fault is injected)`, { timestamp: true });
      return;
    }
    error(msg, options);
  };
  return logger;
}
