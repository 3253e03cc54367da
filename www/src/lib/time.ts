import { useEffect, useState } from "react";

/**
 * `performance.now()` as of this render; re-renders every `intervalMs` while
 * mounted. Read at render, not at the last tick, so a time stamped since the
 * tick (an event's) is never in the future.
 */
export function useNow(intervalMs: number): number {
  const [, setTicks] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTicks((ticks) => ticks + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return performance.now();
}

/** Wall-clock time of a `performance.now()` reading, as HH:MM:SS.mmm. */
export function clockTime(perfMs: number): string {
  const d = new Date(performance.timeOrigin + perfMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `1234` -> "1.2 s", `87` -> "87 ms". */
export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${Math.round(ms / 1000)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms > 0 && ms < 10 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}
