import type { RttPoint } from "../lib/history";
import { formatMs } from "../lib/time";

interface Props {
  points: RttPoint[];
  now: number;
  windowMs: number;
}

const WIDTH = 600;
const HEIGHT = 120;
const PAD_LEFT = 44;
const PAD_BOTTOM = 16;

/** Smallest "nice" axis maximum (1, 2, 5 x 10^n) at or above `value`. */
function niceCeil(value: number): number {
  const exp = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  for (const step of [1, 2, 5, 10]) if (step * exp >= value) return step * exp;
  return 10 * exp;
}

/** Heartbeat round trips over the last `windowMs`. */
export function RttChart({ points, now, windowMs }: Props) {
  const start = now - windowMs;
  const visible = points.filter((p) => p.at >= start);
  const max = niceCeil(visible.reduce((m, p) => Math.max(m, p.rttMs), 5));
  const plotW = WIDTH - PAD_LEFT;
  const plotH = HEIGHT - PAD_BOTTOM;
  const x = (t: number) => PAD_LEFT + ((t - start) / windowMs) * plotW;
  const y = (ms: number) => plotH - (ms / max) * (plotH - 4);
  const line = visible.map((p) => `${x(p.at).toFixed(1)},${y(p.rttMs).toFixed(1)}`).join(" ");
  const last = visible[visible.length - 1];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="RTT chart" data-testid="rtt-chart">
        <rect x={PAD_LEFT} y={0} width={plotW} height={plotH} fill="#f7f8fa" />
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD_LEFT} x2={WIDTH} y1={y(max * f)} y2={y(max * f)} stroke="#dde0e5" />
            <text x={PAD_LEFT - 4} y={y(max * f) + 4} textAnchor="end" className="axis">
              {formatMs(max * f)}
            </text>
          </g>
        ))}
        {visible.length > 1 && <polyline points={line} fill="none" stroke="#2f6fde" strokeWidth={1.5} />}
        {visible.map((p) => (
          <circle key={p.at} cx={x(p.at)} cy={y(p.rttMs)} r={2} fill="#2f6fde" data-at={p.at} />
        ))}
        <text x={PAD_LEFT} y={HEIGHT - 2} className="axis">
          -{Math.round(windowMs / 1000)} s
        </text>
        <text x={WIDTH} y={HEIGHT - 2} className="axis" textAnchor="end">
          now
        </text>
      </svg>
      <figcaption>
        {last ? (
          <>
            last RTT <strong data-testid="rtt-last">{formatMs(last.rttMs)}</strong>, {visible.length} pongs in
            view
          </>
        ) : (
          "no heartbeat yet"
        )}
      </figcaption>
    </figure>
  );
}
