import { useEffect, useRef, useState } from "react";
import type { ReplayEntry, ReplayValue, ResilientSocket } from "resilient-ws";
import { clockTime } from "../lib/time";

interface Props {
  socket: ResilientSocket | null;
  lastReplay: { at: number; keys: readonly string[]; connection: number } | null;
}

/** JSON text becomes a value (object, number...); anything else stays text. */
function parseValue(text: string): ReplayValue {
  try {
    return JSON.parse(text) as ReplayValue;
  } catch {
    return text;
  }
}

function show(value: ReplayEntry["value"]): string {
  return typeof value === "string" ? value : `(${value.constructor.name})`;
}

interface RowProps {
  entry: ReplayEntry;
  onSave: (key: string, text: string) => void;
  onDelete: (key: string) => void;
}

function ReplayRow({ entry, onSave, onDelete }: RowProps) {
  const [draft, setDraft] = useState(show(entry.value));
  useEffect(() => setDraft(show(entry.value)), [entry.value]);
  return (
    <tr data-testid="replay-row" data-key={entry.key}>
      <td className="key">{entry.key}</td>
      <td>
        <input
          aria-label={`value of ${entry.key}`}
          value={draft}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
        />
      </td>
      <td>
        <button type="button" disabled={draft === show(entry.value)} onClick={() => onSave(entry.key, draft)}>
          Save
        </button>
        <button type="button" onClick={() => onDelete(entry.key)}>
          Delete
        </button>
      </td>
    </tr>
  );
}

/**
 * The replay store: keyed state the SDK re-sends after every reconnect.
 * The dashboard keeps its own copy of what the user set, so a new socket
 * (another URL) gets the same keys: they go out when it opens.
 */
export function ReplayStore({ socket, lastReplay }: Props) {
  const [entries, setEntries] = useState<ReplayEntry[]>([]);
  const [version, setVersion] = useState(0);
  const [newKey, setNewKey] = useState("plugin:reverb");
  const [newValue, setNewValue] = useState('{"type":"param","mix":0.3}');
  const [error, setError] = useState("");
  /** How many keys were set again on the current socket, when it replaced another. */
  const [carried, setCarried] = useState<{ socket: ResilientSocket; keys: number } | null>(null);
  /** What the user set, in first-set order, as the SDK holds it (for the next socket). */
  const kept = useRef<ReplayEntry[]>([]);
  /** The socket `kept` was last applied to (an effect can run twice for one). */
  const appliedTo = useRef<ResilientSocket | null>(null);

  // A new socket starts with an empty store: set the kept keys on it.
  useEffect(() => {
    if (!socket || appliedTo.current === socket) return;
    const carry = appliedTo.current !== null && kept.current.length > 0;
    appliedTo.current = socket;
    if (!carry) return;
    const failed: string[] = [];
    for (const { key, value } of kept.current) {
      try {
        socket.setReplayState(key, value);
      } catch (err) {
        failed.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    kept.current = socket.replayState();
    setCarried({ socket, keys: kept.current.length });
    setError(failed.join("; "));
    setVersion((v) => v + 1);
  }, [socket]);

  useEffect(() => {
    setEntries(socket ? socket.replayState() : kept.current);
  }, [socket, version, lastReplay]);

  const run = (action: (socket: ResilientSocket) => void) => {
    if (!socket) return;
    try {
      action(socket);
      setError("");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    kept.current = socket.replayState();
    setVersion((v) => v + 1);
  };
  const save = (key: string, text: string) => run((s) => s.setReplayState(key, parseValue(text)));
  const remove = (key: string) => run((s) => s.deleteReplayState(key));

  return (
    <div className="replay">
      <p className="muted" data-testid="last-replay">
        {lastReplay
          ? `last replay ${clockTime(lastReplay.at)} on connection ${lastReplay.connection}: ${lastReplay.keys.join(", ") || "(no keys)"}`
          : "not replayed yet (happens on every reconnect)"}
      </p>
      {carried && carried.socket === socket && (
        <p className="muted" data-testid="replay-carried">
          {carried.keys} key(s) carried over from the previous URL: sent when this socket opens.
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>key</th>
            <th>value (as sent)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <ReplayRow key={e.key} entry={e} onSave={save} onDelete={remove} />
          ))}
          <tr>
            <td>
              <input
                data-testid="replay-new-key"
                aria-label="new key"
                placeholder="key"
                value={newKey}
                onChange={(e) => setNewKey(e.target.value)}
              />
            </td>
            <td>
              <input
                data-testid="replay-new-value"
                aria-label="new value"
                placeholder="JSON or text"
                spellCheck={false}
                value={newValue}
                onChange={(e) => setNewValue(e.target.value)}
              />
            </td>
            <td>
              <button
                type="button"
                data-testid="replay-add"
                disabled={!socket || newKey.trim() === ""}
                onClick={() => save(newKey.trim(), newValue)}
              >
                Set
              </button>
            </td>
          </tr>
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </div>
  );
}
