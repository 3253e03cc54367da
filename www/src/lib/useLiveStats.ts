import { useEffect, useState } from "react";
import type { ResilientSocket, SocketStats } from "resilient-ws";

/**
 * `socket.stats()`, kept in state: read when the socket changes, every
 * `intervalMs` (uptime and counters move between events), and on the events
 * that change what it holds (state, connection, RTT, flapping). `null`
 * without a socket, and for the render in which `socket` changed, so one
 * socket's figures are never shown for another.
 */
export function useLiveStats(socket: ResilientSocket | null, intervalMs: number): SocketStats | null {
  const [held, setHeld] = useState<{ socket: ResilientSocket; stats: SocketStats } | null>(null);

  useEffect(() => {
    if (!socket) return;
    const refresh = () => setHeld({ socket, stats: socket.stats() });
    refresh();
    const timer = setInterval(refresh, intervalMs);
    socket.addEventListener("statechange", refresh);
    socket.addEventListener("open", refresh);
    socket.addEventListener("close", refresh);
    socket.addEventListener("reconnecting", refresh);
    socket.addEventListener("heartbeat", refresh);
    socket.addEventListener("flapping", refresh);
    return () => {
      clearInterval(timer);
      socket.removeEventListener("statechange", refresh);
      socket.removeEventListener("open", refresh);
      socket.removeEventListener("close", refresh);
      socket.removeEventListener("reconnecting", refresh);
      socket.removeEventListener("heartbeat", refresh);
      socket.removeEventListener("flapping", refresh);
    };
  }, [socket, intervalMs]);

  return held !== null && held.socket === socket ? held.stats : null;
}
