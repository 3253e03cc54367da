import type { FlappingEvent, OpenEvent, ReconnectingEvent, ResilientCloseEvent } from "resilient-ws";
import type { Stamped } from "../lib/history";
import { clockTime, formatMs } from "../lib/time";

interface Props {
  close: Stamped<ResilientCloseEvent> | null;
  nextRetry: Stamped<ReconnectingEvent> | null;
  /** The first `open` after `close`, once the socket reopened. */
  reopened: Stamped<OpenEvent> | null;
  flapping: Stamped<FlappingEvent> | null;
  now: number;
}

type RetryProps = Omit<Props, "flapping" | "close"> & { close: Stamped<ResilientCloseEvent> };

/** What followed the close: why there is no retry, the retry to come, or the one that reopened. */
function RetryLine({ close, nextRetry, reopened, now }: RetryProps) {
  const e = close.event;
  const after = e.delayMs !== null ? ` after ${formatMs(e.delayMs)}` : "";
  if (reopened) {
    // Reopened since: by the SDK's retry, or by Connect after a close
    // that was not retried.
    return (
      <p className="retry" data-testid="retry">
        {e.willReconnect ? `retried${after}` : "no retry; Connect"}: reopened as connection{" "}
        {reopened.event.connection} at {clockTime(reopened.at)}
      </p>
    );
  }
  if (!e.willReconnect) {
    // `close()` always stops ("stop"), whatever the code's own policy.
    const why =
      e.cause === "app"
        ? "closed by this app (Disconnect): no retry. Press Connect to connect again."
        : e.cause === "refused"
          ? "no retry: the browser refused to open this URL (the reason says why, e.g. ws:// from an https:// page), and would refuse every attempt. Fix the URL, then press Connect."
          : e.action === "stop"
          ? `no retry: the policy for code ${e.code} is “stop”. Fix the cause, then press Connect.`
          : `no retry: the SDK stopped retrying (reconnect.maxAttempts used up, or reconnecting is off; action “${e.action}”). Press Connect to try again.`;
    return (
      <p className="retry no-retry" data-testid="retry">
        {why}
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
      retries{after}
    </p>
  );
}

/** The last close, explained: code, name, reason, hint, and what happens next. */
export function LastClose({ close, nextRetry, reopened, flapping, now }: Props) {
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
          <RetryLine close={close} nextRetry={nextRetry} reopened={reopened} now={now} />
        </>
      ) : (
        <p className="muted">No close yet.</p>
      )}
    </div>
  );
}
