import type { FlappingEvent, ReconnectingEvent, ResilientCloseEvent } from "resilient-ws";
import type { Stamped } from "../lib/history";
import { clockTime, formatMs } from "../lib/time";

interface Props {
  close: Stamped<ResilientCloseEvent> | null;
  nextRetry: Stamped<ReconnectingEvent> | null;
  flapping: Stamped<FlappingEvent> | null;
  now: number;
}

function RetryLine({ close, nextRetry, now }: Omit<Props, "flapping"> & { close: Stamped<ResilientCloseEvent> }) {
  const e = close.event;
  if (!e.willReconnect) {
    return (
      <p className="retry no-retry" data-testid="retry">
        no retry: the socket stays closed (action “{e.action}”). Fix the cause, then press Connect.
      </p>
    );
  }
  if (nextRetry && nextRetry.at >= close.at) {
    const due = nextRetry.at + nextRetry.event.delayMs;
    const left = due - now;
    return (
      <p className="retry" data-testid="retry">
        retries: attempt {nextRetry.event.attempt} at {clockTime(due)}
        {left > 0 ? ` (in ${formatMs(left)})` : " (now)"}
      </p>
    );
  }
  return (
    <p className="retry" data-testid="retry">
      retries{e.delayMs !== null ? ` after ${formatMs(e.delayMs)}` : ""}
    </p>
  );
}

/** The last close, explained: code, name, reason, hint, and what happens next. */
export function LastClose({ close, nextRetry, flapping, now }: Props) {
  return (
    <div className="last-close" data-testid="last-close">
      {flapping && (
        <div className="flapping" data-testid="flapping">
          <strong>Flapping</strong> (since {clockTime(flapping.at)}): {flapping.event.count} connections in a
          row died right after opening.
          Likely causes:
          <ul>
            {flapping.event.likelyCauses.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </div>
      )}
      {close ? (
        <>
          <p className="close-code">
            <strong data-testid="close-code">{close.event.code}</strong>{" "}
            <span data-testid="close-name">{close.event.name}</span>
            <span className="muted">
              {" "}
              · {close.event.category} · {close.event.wasClean ? "clean" : "not clean"} ·{" "}
              {close.event.opened ? "after opening" : "before opening"} · cause {close.event.cause} · connection{" "}
              {close.event.connection} · {clockTime(close.at)}
            </span>
          </p>
          <p>
            reason:{" "}
            {close.event.reason ? (
              <q data-testid="close-reason">{close.event.reason}</q>
            ) : (
              <span className="muted" data-testid="close-reason">
                (none)
              </span>
            )}
          </p>
          <p className="hint" data-testid="close-hint">
            {close.event.hint}
          </p>
          <RetryLine close={close} nextRetry={nextRetry} now={now} />
        </>
      ) : (
        <p className="muted">No close yet.</p>
      )}
    </div>
  );
}
