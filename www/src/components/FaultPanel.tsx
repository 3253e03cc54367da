import { useEffect, useRef, useState } from "react";
import { faults, type FaultResult } from "../lib/faults";

interface Props {
  /** The fault server's id for this socket (from its URL), if any. */
  clientId: string | null;
  /** The socket's connection number: "silent" applies to one connection. */
  connection: number;
}

/** The `connections` a client action reached, from the control API's JSON answer (0 if unreadable). */
function openConnections(r: FaultResult): number {
  try {
    const answer: unknown = JSON.parse(r.text);
    if (typeof answer === "object" && answer !== null && "connections" in answer && typeof answer.connections === "number") {
      return answer.connections;
    }
  } catch {
    // Not JSON: an error text.
  }
  return 0;
}

/** Buttons that make the fault server misbehave, through its control API. */
export function FaultPanel({ clientId, connection }: Props) {
  const [downMs, setDownMs] = useState(1000);
  const [floodCount, setFloodCount] = useState(100);
  const [floodSize, setFloodSize] = useState(64);
  const [silent, setSilent] = useState(false);
  const [busy, setBusy] = useState(false);
  // `reachedNone`: the call acted on the client's open connections, and it had none.
  const [result, setResult] = useState<{ label: string; r: FaultResult; reachedNone: boolean } | null>(null);
  // A new connection is not silent (the server scripts each one afresh).
  useEffect(() => setSilent(false), [clientId, connection]);
  // The connection as of the last commit, for replies that arrive later.
  const current = useRef({ clientId, connection });
  useEffect(() => {
    current.current = { clientId, connection };
  }, [clientId, connection]);

  /** Asks for silence on (or off) and shows it, unless the connection changed meanwhile. */
  const toggleSilent = () => {
    const on = !silent;
    const askedOn = { clientId, connection };
    forOpenConnections(on ? "go silent" : "resume", async (id) => {
      const r = await faults.silent(id, on);
      const now = current.current;
      // The call acted on the connection of the click; a newer one starts
      // answering again (the reset above), whatever this reply says. With
      // no connection open at the server (still connecting), nothing went
      // silent.
      const acted = !on || openConnections(r) > 0;
      if (r.ok && acted && now.clientId === askedOn.clientId && now.connection === askedOn.connection) setSilent(on);
      return r;
    });
  };

  const run = async (label: string, call: () => Promise<FaultResult>, onOpenConnections = false) => {
    setBusy(true);
    const r = await call();
    setResult({ label, r, reachedNone: onOpenConnections && r.ok && openConnections(r) === 0 });
    setBusy(false);
  };
  /** A call on the client's next connection. */
  const forClient = (label: string, call: (id: string) => Promise<FaultResult>) => {
    if (clientId) void run(label, () => call(clientId));
  };
  /** A call on the client's open connections (none while it connects or waits to reconnect). */
  const forOpenConnections = (label: string, call: (id: string) => Promise<FaultResult>) => {
    if (clientId) void run(label, () => call(clientId), true);
  };
  const noClient = clientId === null;

  return (
    <div className="faults">
      <p className="muted">
        {clientId ? (
          <>
            fault server client <code data-testid="client-id">{clientId}</code>
          </>
        ) : (
          "The URL is not a /ws/<id> URL on this page's host (the fault server): only restart is available, and it restarts this page's fault server only."
        )}
      </p>
      <div className="fault-buttons">
        <span className="group">
          <button
            type="button"
            data-testid="fault-restart"
            disabled={busy}
            onClick={() => void run(`restart (down ${downMs} ms)`, () => faults.restart(downMs))}
          >
            Restart server
          </button>
          <label>
            down{" "}
            <input
              type="number"
              min={0}
              step={100}
              value={downMs}
              onChange={(e) => setDownMs(Number(e.target.value))}
            />{" "}
            ms
          </label>
        </span>
        <button
          type="button"
          data-testid="fault-silent"
          disabled={busy || noClient}
          onClick={toggleSilent}
        >
          {silent ? "Resume answering" : "Go silent"}
        </button>
        <button
          type="button"
          data-testid="fault-close-4004"
          disabled={busy || noClient}
          onClick={() => forOpenConnections("close 4004", (id) => faults.close(id, 4004, "project not found"))}
        >
          Close 4004
        </button>
        <button
          type="button"
          data-testid="fault-close-1011"
          disabled={busy || noClient}
          onClick={() => forOpenConnections("close 1011", (id) => faults.close(id, 1011, "internal error"))}
        >
          Close 1011
        </button>
        <button
          type="button"
          data-testid="fault-reject-403"
          disabled={busy || noClient}
          title="Takes effect at the next connection attempt (e.g. after Drop TCP)"
          onClick={() => forClient("reject next upgrade with 403", (id) => faults.rejectNext(id, 403))}
        >
          Reject next upgrade (403)
        </button>
        <span className="group">
          <button
            type="button"
            data-testid="fault-flood"
            disabled={busy || noClient}
            onClick={() =>
              forOpenConnections(`flood ${floodCount} x ${floodSize} B`, (id) => faults.flood(id, floodCount, floodSize))
            }
          >
            Flood
          </button>
          <input
            type="number"
            min={1}
            value={floodCount}
            aria-label="flood count"
            data-testid="flood-count"
            onChange={(e) => setFloodCount(Number(e.target.value))}
          />
          ×
          <input
            type="number"
            min={1}
            value={floodSize}
            aria-label="flood size"
            onChange={(e) => setFloodSize(Number(e.target.value))}
          />{" "}
          B
        </span>
        <button
          type="button"
          data-testid="fault-drop"
          disabled={busy || noClient}
          onClick={() => forOpenConnections("drop TCP", (id) => faults.drop(id))}
        >
          Drop TCP
        </button>
        <button
          type="button"
          data-testid="fault-bad-frame"
          disabled={busy || noClient}
          title="A text frame that is not UTF-8: the browser fails the connection, and the page sees only 1006"
          onClick={() => forOpenConnections("bad frame", (id) => faults.badFrame(id))}
        >
          Bad frame
        </button>
      </div>
      {/* Always there (empty until a first call): a screen reader may not
          announce a live region inserted together with its text. */}
      <p
        className={result && !result.r.ok ? "error" : result?.reachedNone ? "warning" : "muted"}
        role="status"
        data-testid="fault-result"
      >
        {result && (
          <>
            {result.label}: {result.r.status || "network error"} {result.r.text}
            {result.reachedNone && " (this client had no open connection at the fault server: nothing happened)"}
          </>
        )}
      </p>
    </div>
  );
}
