import { useMemo, useState } from "react";
import { useResilientSocket } from "resilient-ws/react";
import { ConnectionBar } from "./components/ConnectionBar";
import { EventLog } from "./components/EventLog";
import { FaultPanel } from "./components/FaultPanel";
import { InspectorTable } from "./components/InspectorTable";
import { LastClose } from "./components/LastClose";
import { Panel } from "./components/Panel";
import { ReplayStore } from "./components/ReplayStore";
import { RttChart } from "./components/RttChart";
import { SendBox } from "./components/SendBox";
import { StateBadge } from "./components/StateBadge";
import { StateTimeline } from "./components/StateTimeline";
import { StatsPanel } from "./components/StatsPanel";
import { WindowPicker } from "./components/WindowPicker";
import type { DashboardConfig } from "./lib/config";
import { clientIdFromUrl } from "./lib/faults";
import { useConnectionHistory } from "./lib/history";
import { formatMs, useNow } from "./lib/time";
import { useLiveStats } from "./lib/useLiveStats";

/** How often the clock and the stats move between events, ms. */
const TICK_MS = 250;

/** Chart windows to pick from; "auto" grows from 10 s to 60 s with the session. */
const WINDOWS = { auto: 0, "10 s": 10_000, "1 min": 60_000, "5 min": 300_000 } as const;
type WindowName = keyof typeof WINDOWS;

interface Props {
  config: DashboardConfig;
}

export function App({ config }: Props) {
  const [url, setUrl] = useState(config.url);
  const [active, setActive] = useState(config.autoConnect);
  const { socket, state, send } = useResilientSocket(active ? url : null, config.options);
  const history = useConnectionHistory(socket);
  const clock = useNow(TICK_MS);
  // The clock's last tick, or the latest event if it came since: nothing
  // drawn is stamped after "now".
  const now = Math.max(clock, history.lastAt);
  const liveStats = useLiveStats(socket, TICK_MS);
  const clientId = useMemo(() => clientIdFromUrl(url), [url]);
  const [windowName, setWindowName] = useState<WindowName>("auto");
  const sessionStart = history.bands[0]?.from ?? now;
  const windowMs = WINDOWS[windowName] || Math.min(60_000, Math.max(10_000, Math.ceil((now - sessionStart) / 10_000) * 10_000));

  const connect = (next: string) => {
    if (next !== url || !active) {
      setUrl(next);
      setActive(true);
    } else if (socket && (socket.state === "closed" || socket.state === "idle")) {
      socket.connect();
    }
  };

  const retry = history.nextRetry;
  const band = history.bands.at(-1);
  const detail =
    state === "reconnecting" && retry
      ? `attempt ${retry.event.attempt} in ${formatMs(Math.max(0, retry.at + retry.event.delayMs - now))}`
      : state === "open" && band?.state === "open"
        ? `connection ${liveStats?.connection ?? "?"}, up ${formatMs(now - band.from)}`
        : null;

  return (
    <div className="app">
      <header>
        <h1>resilient-ws</h1>
        <StateBadge state={state} detail={detail} />
        <ConnectionBar
          url={url}
          state={socket ? state : null}
          onConnect={connect}
          onDisconnect={() => socket?.close(1000, "disconnected from the dashboard")}
          onReconnect={() => socket?.reconnect()}
        />
      </header>
      {config.ignored.length > 0 && (
        <p className="notice" data-testid="ignored-params">
          Ignored URL parameters: {config.ignored.join("; ")}
        </p>
      )}
      <main className="grid">
        <Panel title="State timeline" className="wide">
          <WindowPicker value={windowName} windows={Object.keys(WINDOWS) as WindowName[]} onChange={setWindowName} />
          <StateTimeline bands={history.bands} now={now} windowMs={windowMs} />
        </Panel>
        <Panel title="Heartbeat RTT" className="wide">
          <RttChart points={history.rtts} now={now} windowMs={windowMs} />
        </Panel>
        <Panel title="Last close">
          <LastClose
            close={history.lastClose}
            nextRetry={history.nextRetry}
            reopened={history.reopened}
            flapping={liveStats?.flapping ? history.flapping : null}
            now={now}
          />
        </Panel>
        <Panel title="Faults">
          <FaultPanel clientId={clientId} connection={liveStats?.connection ?? 0} />
        </Panel>
        <Panel title="Stats">
          <StatsPanel stats={liveStats} />
        </Panel>
        <Panel title="Send">
          <SendBox socket={socket} send={send} />
        </Panel>
        <Panel title="Inspector" className="wide">
          <InspectorTable socket={socket} />
        </Panel>
        <Panel title="Replay store">
          <ReplayStore socket={socket} lastReplay={history.lastReplay} />
        </Panel>
        <Panel title="Events">
          <EventLog lines={history.log} />
        </Panel>
      </main>
    </div>
  );
}
