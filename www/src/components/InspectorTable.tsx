import { useEffect, useState } from "react";
import type { InspectorEntry, InspectorFilter, ResilientSocket, SocketInspector } from "resilient-ws";
import { downloadText } from "../lib/download";
import { clockTime } from "../lib/time";

interface Props {
  socket: ResilientSocket | null;
}

type Direction = "all" | "in" | "out";

const REFRESH_MS = 300;
const MAX_ROWS = 200;
/** The newest entries the type suggestions are taken from (each refresh reads only these, not all kept). */
const TYPE_SAMPLE = 1000;

/** Runs `use` with the socket's inspector and frees the wasm handle after. */
function withInspector(socket: ResilientSocket, use: (inspector: SocketInspector) => void): void {
  const inspector = socket.inspector;
  try {
    use(inspector);
  } finally {
    inspector.free();
  }
}

function fileStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
}

/** The last messages in and out, from `socket.inspector`, newest first. */
export function InspectorTable({ socket }: Props) {
  const [direction, setDirection] = useState<Direction>("all");
  const [type, setType] = useState("");
  const [paused, setPaused] = useState(false);
  const [rows, setRows] = useState<InspectorEntry[]>([]);
  const [types, setTypes] = useState<string[]>([]);
  const [total, setTotal] = useState(0);

  // Another socket (a new URL): drop the old one's rows, also while paused,
  // so the table never shows messages that Clear and Export do not act on.
  // Declared before the refresh below, which fills them again when live.
  useEffect(() => {
    setRows([]);
    setTypes([]);
    setTotal(0);
  }, [socket]);

  useEffect(() => {
    if (!socket || paused) return;
    const filter: InspectorFilter = {};
    if (direction !== "all") filter.direction = direction;
    if (type.trim() !== "") filter.type = type.trim();
    // `socket.inspector` is a new wasm object on each access: take one per
    // effect run and free it in the cleanup.
    const inspector = socket.inspector;
    // Each refresh reads a bounded number of entries (every read parses and
    // redacts them), however many the inspector keeps.
    const refresh = () => {
      setTotal(inspector.length);
      const sample = inspector.entries({ limit: TYPE_SAMPLE });
      setTypes([...new Set(sample.map((e) => e.type).filter((t): t is string => t !== null))].sort());
      setRows(inspector.entries({ ...filter, limit: MAX_ROWS }).reverse());
    };
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      clearInterval(timer);
      inspector.free();
    };
  }, [socket, direction, type, paused]);

  /** Empties the inspector, and the table with it (also while paused). */
  const clear = () => {
    if (!socket) return;
    withInspector(socket, (i) => i.clear());
    setRows([]);
    setTotal(0);
  };

  const exportJson = () => {
    if (socket) withInspector(socket, (i) => downloadText(`resilient-ws-inspector-${fileStamp()}.json`, i.exportJson({ fullText: true })));
  };

  return (
    <div className="inspector">
      <div className="toolbar">
        <label>
          direction{" "}
          <select
            data-testid="filter-direction"
            value={direction}
            onChange={(e) => setDirection(e.target.value as Direction)}
          >
            <option value="all">all</option>
            <option value="in">in</option>
            <option value="out">out</option>
          </select>
        </label>
        <label>
          type{" "}
          <input
            data-testid="filter-type"
            list="inspector-types"
            placeholder="any"
            value={type}
            onChange={(e) => setType(e.target.value)}
          />
          <datalist id="inspector-types">
            {types.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          <input type="checkbox" data-testid="inspector-pause" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> pause
        </label>
        <span className="muted" data-testid="inspector-count">
          {rows.length} shown of {total} kept
        </span>
        <button type="button" data-testid="export" disabled={!socket} onClick={exportJson}>
          Export JSON
        </button>
        <button type="button" disabled={!socket} onClick={clear}>
          Clear
        </button>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>dir</th>
              <th>time</th>
              <th>conn</th>
              <th>type</th>
              <th>id</th>
              <th className="num">size</th>
              <th>preview</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq} data-testid="inspector-row" data-direction={e.direction} className={e.direction}>
                <td>{e.seq}</td>
                <td>{e.direction === "in" ? "↓ in" : "↑ out"}</td>
                <td>{clockTime(e.atMs)}</td>
                <td>{e.connection}</td>
                <td>{e.type ?? ""}</td>
                <td>{e.id ?? ""}</td>
                <td className="num">
                  {e.size}
                  {e.binary ? " B" : ""}
                </td>
                <td className="preview">{e.preview}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="muted">No messages{total > 0 ? " match the filter" : " yet"}.</p>}
      </div>
    </div>
  );
}
