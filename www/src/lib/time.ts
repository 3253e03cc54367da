import { useEffect, useState } from "react";

/**
 * `performance.now()` as of the last tick, kept in state: taken when the
 * component mounts and every `intervalMs` after. Times stamped since the
 * last tick (an event's) can be later than it: callers that draw "now" take
 * the later of the two (see `ConnectionHistory.lastAt`). 0 before the first
 * tick.
 */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    const tick = () => setNow(performance.now());
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
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
