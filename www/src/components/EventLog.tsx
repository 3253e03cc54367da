import type { LogLine } from "../lib/history";
import { clockTime } from "../lib/time";

interface Props {
  lines: LogLine[];
}

/** Every socket event except messages, newest first. */
export function EventLog({ lines }: Props) {
  return (
    <ol className="event-log" data-testid="event-log" reversed>
      {lines
        .slice()
        .reverse()
        .map((l) => (
          <li key={l.seq} className={`ev-${l.type}`}>
            <time>{clockTime(l.at)}</time> <b>{l.type}</b> {l.text}
          </li>
        ))}
    </ol>
  );
}
