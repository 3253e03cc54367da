import type { ConnectionState } from "resilient-ws";
import { STATE_COLORS } from "../lib/states";

interface Props {
  state: ConnectionState;
  detail: string | null;
}

/** The current state, big. */
export function StateBadge({ state, detail }: Props) {
  return (
    <div className="state-badge" style={{ borderColor: STATE_COLORS[state] }}>
      <span className="state-dot" style={{ background: STATE_COLORS[state] }} />
      {/* A live region: a screen reader says each new state. Not the
          detail, whose uptime and countdown change every tick. */}
      <span className="state-name" aria-live="polite" data-testid="state" data-state={state}>
        {state}
      </span>
      {detail && <span className="state-detail">{detail}</span>}
    </div>
  );
}
