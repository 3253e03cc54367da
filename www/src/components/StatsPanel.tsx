import type { SocketStats } from "resilient-ws";
import { formatMs } from "../lib/time";

interface Props {
  stats: SocketStats | null;
}

function ms(value: number | null): string {
  return value === null ? "–" : formatMs(value);
}

/** `socket.stats()` as a compact grid. */
export function StatsPanel({ stats }: Props) {
  if (!stats) return <p className="muted">No socket.</p>;
  const rows: [string, string][] = [
    ["connection", String(stats.connection)],
    ["attempt", String(stats.attempt)],
    ["reconnects", String(stats.reconnects)],
    ["uptime", formatMs(stats.uptimeMs)],
    ["total uptime", formatMs(stats.totalUptimeMs)],
    ["RTT", ms(stats.rttMs)],
    ["messages in / out", `${stats.messagesIn} / ${stats.messagesOut}`],
    ["size in / out", `${stats.bytesIn} / ${stats.bytesOut}`],
    ["queued", `${stats.queued} (size ${stats.queuedBytes})`],
    ["pending requests", String(stats.pendingRequests)],
    ["request p50 / p99", `${ms(stats.requestP50Ms)} / ${ms(stats.requestP99Ms)}`],
    ["flapping", stats.flapping ? "yes" : "no"],
    ["late wake-ups", String(stats.lateWakeups)],
  ];
  return (
    <>
      <dl className="stats" data-testid="stats">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-testid={`stat-${k.replace(/[^a-z0-9]+/g, "-")}`}>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">Sizes count bytes of binary messages and UTF-16 code units of text.</p>
    </>
  );
}
