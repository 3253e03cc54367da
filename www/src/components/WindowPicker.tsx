interface Props<W extends string> {
  value: W;
  windows: readonly W[];
  onChange: (value: W) => void;
}

/** Picks how much time the timeline and the RTT chart show. */
export function WindowPicker<W extends string>({ value, windows, onChange }: Props<W>) {
  return (
    <div className="window-picker" role="radiogroup" aria-label="time window">
      {windows.map((w) => (
        <button key={w} type="button" role="radio" aria-checked={w === value} className={w === value ? "active" : ""} onClick={() => onChange(w)}>
          {w}
        </button>
      ))}
    </div>
  );
}
