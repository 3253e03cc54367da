import type { StateBand } from "../lib/history";
import { STATE_COLORS, STATES } from "../lib/states";

interface Props {
  bands: StateBand[];
  now: number;
  windowMs: number;
}

const WIDTH = 600;
const HEIGHT = 28;

/** Colored bands: which state the socket was in over the last `windowMs`. */
export function StateTimeline({ bands, now, windowMs }: Props) {
  const start = now - windowMs;
  const x = (t: number) => ((Math.max(t, start) - start) / windowMs) * WIDTH;
  const visible = bands.filter((b) => (b.to ?? now) > start);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 14}`}
        role="img"
        aria-label="state timeline"
        data-testid="timeline"
        preserveAspectRatio="none"
      >
        <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="#f1f2f4" />
        {visible.map((b) => (
          <rect
            key={b.seq}
            x={x(b.from)}
            y={0}
            width={Math.max(1, x(b.to ?? now) - x(b.from))}
            height={HEIGHT}
            fill={STATE_COLORS[b.state]}
            data-state={b.state}
          >
            <title>{`${b.state} for ${Math.round((b.to ?? now) - b.from)} ms`}</title>
          </rect>
        ))}
        <text x={0} y={HEIGHT + 12} className="axis">
          -{Math.round(windowMs / 1000)} s
        </text>
        <text x={WIDTH} y={HEIGHT + 12} className="axis" textAnchor="end">
          now
        </text>
      </svg>
      <figcaption className="legend">
        {STATES.map((s) => (
          <span key={s}>
            <i style={{ background: STATE_COLORS[s] }} /> {s}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
