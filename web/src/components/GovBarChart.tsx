// A plain horizontal bar chart: one row per item with its label, a bar whose length is the value
// against the largest, and the number written out, so nothing depends on reading the bar.
export interface Bar {
  key: string;
  label: string;
  value: number;
  note?: string;
}

export function GovBarChart({ title, bars, unit }: { title: string; bars: Bar[]; unit: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <figure className="gov-chart">
      <figcaption>{title}</figcaption>
      <ul className="gov-bars">
        {bars.map((b) => (
          <li key={b.key} className="gov-bar-row">
            <span className="gov-bar-label">{b.label}</span>
            <span className="gov-bar-track" aria-hidden="true">
              <span className="gov-bar" style={{ width: `${Math.max(0.5, (b.value / max) * 100)}%` }} />
            </span>
            <span className="gov-bar-value">
              {b.value.toLocaleString("en-GB")} {b.value === 1 ? unit.replace(/s$/, "") : unit}
              {b.note ? <span className="muted"> · {b.note}</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
