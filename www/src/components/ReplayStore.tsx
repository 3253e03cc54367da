import { useEffect, useState } from "react";
import type { ReplayEntry, ReplayValue, ResilientSocket } from "resilient-ws";
import { clockTime } from "../lib/time";

interface Props {
  socket: ResilientSocket | null;
  lastReplay: { at: number; keys: string[]; connection: number } | null;
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
        <input value={draft} spellCheck={false} onChange={(e) => setDraft(e.target.value)} />
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

/** The replay store: keyed state the SDK re-sends after every reconnect. */
export function ReplayStore({ socket, lastReplay }: Props) {
  const [entries, setEntries] = useState<ReplayEntry[]>([]);
  const [version, setVersion] = useState(0);
  const [newKey, setNewKey] = useState("plugin:reverb");
  const [newValue, setNewValue] = useState('{"type":"param","mix":0.3}');
  const [error, setError] = useState("");

  useEffect(() => {
    setEntries(socket ? socket.replayState() : []);
  }, [socket, version, lastReplay]);

  const run = (action: () => void) => {
    try {
      action();
      setError("");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    setVersion((v) => v + 1);
  };
  const save = (key: string, text: string) => run(() => socket?.setReplayState(key, parseValue(text)));
  const remove = (key: string) => run(() => socket?.deleteReplayState(key));

  return (
    <div className="replay">
      <p className="muted" data-testid="last-replay">
        {lastReplay
          ? `last replay ${clockTime(lastReplay.at)} on connection ${lastReplay.connection}: ${lastReplay.keys.join(", ") || "(no keys)"}`
          : "not replayed yet (happens on every reconnect)"}
      </p>
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
                placeholder="key"
                value={newKey}
                onChange={(e) => setNewKey(e.target.value)}
              />
            </td>
            <td>
              <input
                data-testid="replay-new-value"
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
