// The subpath "resilient-ws/react": useResilientSocket opens a socket,
// sends once open, and re-renders with the echo as lastMessage. It is given
// a new `URL` object each render, as the types allow: keyed by its href, the
// socket is not recreated (the test checks the text went out once, on
// connection 1).
import { useEffect } from "react";
import { useResilientSocket } from "resilient-ws/react";
import type { Outcome } from "./outcome";

const TEXT = "hello from the hook";

export function HookCheck({ url, onResult }: { url: string; onResult: (outcome: Outcome) => void }) {
  const { state, lastMessage, send, stats } = useResilientSocket(new URL(url), { reconnect: { maxDelayMs: 1000 } });

  useEffect(() => {
    if (state === "open") send(TEXT);
  }, [state, send]);

  useEffect(() => {
    if (lastMessage?.data === TEXT) {
      onResult({ ok: true, detail: `hook ${state}, echo received, ${stats?.messagesIn ?? 0} in` });
    }
  }, [lastMessage, state, stats, onResult]);

  return <p data-testid="hook-state">{state}</p>;
}
