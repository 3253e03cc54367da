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
        .map((l, i) => (
          <li key={`${l.at}-${i}`} className={`ev-${l.type}`}>
            <time>{clockTime(l.at)}</time> <b>{l.type}</b> {l.text}
          </li>
        ))}
    </ol>
  );
}
