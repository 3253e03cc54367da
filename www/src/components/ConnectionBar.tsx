import { useState, type FormEvent } from "react";
import type { ConnectionState } from "resilient-ws";

interface Props {
  /** The URL the socket uses (or will use). */
  url: string;
  state: ConnectionState | null;
  onConnect: (url: string) => void;
  onDisconnect: () => void;
  onReconnect: () => void;
}

/** URL field and connect / disconnect / reconnect now. */
export function ConnectionBar({ url, state, onConnect, onDisconnect, onReconnect }: Props) {
  const [draft, setDraft] = useState(url);
  const [problem, setProblem] = useState<string | null>(null);
  const live = state !== null && state !== "closed" && state !== "idle";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    // The SDK would throw on these: say so here, keep the page.
    if (!/^wss?:\/\//i.test(next)) {
      setProblem("The URL must start with ws:// or wss://");
      return;
    }
    if (!URL.canParse(next)) {
      setProblem("The browser cannot parse this URL (check the host and port)");
      return;
    }
    setProblem(null);
    onConnect(next);
  };
  return (
    <form className="connection-bar" onSubmit={submit}>
      <label htmlFor="socket-url">WebSocket URL</label>
      <input
        id="socket-url"
        data-testid="url"
        value={draft}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        aria-invalid={problem !== null}
        aria-describedby={problem === null ? undefined : "socket-url-problem"}
      />
      <button type="submit" data-testid="connect" disabled={live && draft.trim() === url}>
        Connect
      </button>
      <button type="button" data-testid="disconnect" disabled={!live} onClick={onDisconnect}>
        Disconnect
      </button>
      <button type="button" data-testid="reconnect" disabled={state === null} onClick={onReconnect}>
        Reconnect now
      </button>
      {problem && (
        <span className="error" role="alert" id="socket-url-problem" data-testid="url-problem">
          {problem}
        </span>
      )}
    </form>
  );
}
