import type { ConnectionState } from "resilient-ws";
import { STATE_COLORS } from "../lib/states";

interface Props {
  state: ConnectionState;
  detail: string | null;
}

/** The current state, big. */
export function StateBadge({ state, detail }: Props) {
  return (
    // A live region: a screen reader says each new state, as it is shown.
    <div className="state-badge" aria-live="polite" style={{ borderColor: STATE_COLORS[state] }}>
      <span className="state-dot" style={{ background: STATE_COLORS[state] }} />
      <span className="state-name" data-testid="state" data-state={state}>
        {state}
      </span>
      {detail && <span className="state-detail">{detail}</span>}
    </div>
  );
}
