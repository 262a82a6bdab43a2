// Demand (issue 7): how many events the partners' records show, by agency, category, area and
// month, over a period: a table, a bar chart by month, a map of postcode districts, and an
// estimate of what late intervention cost in the period. Counts come from the records the
// user's risk-assessment agreement shares, and small numbers are suppressed by the server so
// that nobody can be picked out; this page shows a suppressed count in words, never as a number
// or a colour.
import { useMemo, useState, type FormEvent } from "react";
import { geoPath, geoTransverseMercator } from "d3-geo";
import type { Feature, MultiPoint, MultiPolygon } from "geojson";
import outlineJson from "../generated/gb-outline.json";
import { useApi } from "../lib/useApi";
import { agencyName, formatDate, humanise } from "../lib/format";
import { ErrorNotice, Loading } from "../components/Status";
import { RiskPurposeNote, useRiskPurposeStated } from "../components/RiskPurpose";
import { LateInterventionCost } from "../components/LateInterventionCost";

const outline = outlineJson as unknown as Feature<MultiPolygon>;

type Group = "agency" | "category" | "area" | "month";
const GROUPS: { value: Group; label: string }[] = [
  { value: "agency", label: "Agency" },
  { value: "category", label: "Category" },
  { value: "area", label: "Area (postcode district)" },
  { value: "month", label: "Month" },
];

interface DemandCell {
  agency?: string;
  category?: string;
  area?: string;
  month?: string;
  count: number | null;
  suppressed: boolean;
  lat?: number;
  lon?: number;
}

interface DemandResponse {
  from: string;
  to: string;
  groups: Group[];
  suppress_below: number;
  cells: DemandCell[];
  total: number | null;
  total_suppressed: boolean;
}

export const SUPPRESSED_TEXT = "fewer than 5";

// A count as words: the number, or "fewer than 5" when suppressed.
export function countText(count: number | null, suppressed: boolean): string {
  return suppressed || count === null ? SUPPRESSED_TEXT : count.toLocaleString("en-GB");
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function monthLabel(month: string): string {
  return formatDate(month + "-01").replace(/^1 /, "");
}

function keyText(group: Group, cell: DemandCell): string {
  const v = cell[group] ?? "";
  if (group === "agency") return agencyName(v);
  if (group === "month") return monthLabel(v);
  if (group === "area") return v === "unknown" ? "No location" : v;
  return humanise(v);
}

export function DemandPage() {
  const allowed = useRiskPurposeStated();
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 364 * 86400000);
  const [form, setForm] = useState({ from: isoDay(yearAgo), to: isoDay(today), groups: ["agency"] as Group[] });
  const [query, setQuery] = useState(form);
  const [formError, setFormError] = useState("");

  const period = { from: query.from, to: query.to };
  const table = useApi<DemandResponse>(allowed ? "/analytics/demand" : null, { ...period, group: query.groups.join(",") });
  const months = useApi<DemandResponse>(allowed ? "/analytics/demand" : null, { ...period, group: "month" });
  const areas = useApi<DemandResponse>(allowed ? "/analytics/demand" : null, { ...period, group: "area" });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!form.from || !form.to || form.from > form.to) {
      setFormError("Give a period whose start is on or before its end.");
      return;
    }
    if (form.groups.length === 0) {
      setFormError("Choose at least one way to group the counts.");
      return;
    }
    setFormError("");
    setQuery(form);
  }

  function toggle(g: Group, on: boolean) {
    const groups = on ? GROUPS.map((x) => x.value).filter((v) => v === g || form.groups.includes(v)) : form.groups.filter((v) => v !== g);
    setForm({ ...form, groups });
  }

  if (!allowed) {
    return (
      <>
        <h1>Demand</h1>
        <RiskPurposeNote what="Demand counts are" />
      </>
    );
  }

  return (
    <>
      <h1>Demand</h1>
      <p>
        How many events partners' records show over a period, by agency, category, area and month. Counts are of the
        events your risk-assessment agreement shares with you, so they are not the whole picture.
      </p>
      <form className="search-form" onSubmit={submit} noValidate aria-labelledby="demand-form-title">
        <h2 id="demand-form-title">Period and grouping</h2>
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
        <div className="field field-inline">
          <label htmlFor="demand-from">From</label>
          <input id="demand-from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </div>
        <div className="field field-inline">
          <label htmlFor="demand-to">To</label>
          <input id="demand-to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </div>
        <fieldset className="field">
          <legend>Group the counts by</legend>
          {GROUPS.map((g) => (
            <div key={g.value}>
              <input
                id={`demand-group-${g.value}`}
                type="checkbox"
                checked={form.groups.includes(g.value)}
                onChange={(e) => toggle(g.value, e.target.checked)}
              />{" "}
              <label htmlFor={`demand-group-${g.value}`}>{g.label}</label>
            </div>
          ))}
        </fieldset>
        <div className="button-row">
          <button type="submit">Show demand</button>
        </div>
      </form>

      <h2>Assumptions</h2>
      <ul>
        <li>An event is counted once for each record a partner sent about it, on its recorded date.</li>
        <li>Only events from the sources your agreement shares for risk assessment are counted, and only when their date (and the field grouped by) is shared.</li>
        <li>
          The area is the postcode district of where the event happened when your agreement shares that, otherwise of
          the home address of the first person named in it; its point on the map is the district's centre, so the map
          is approximate. Events with neither are counted as "No location".
        </li>
        <li>
          Small numbers are suppressed: a count below 5 is shown as "{SUPPRESSED_TEXT}", and where one such count could be
          worked out from the others and the total, the next smallest count is suppressed too (it is also shown as "{SUPPRESSED_TEXT}",
          though it may be larger). Nothing here is shown by colour alone.
        </li>
      </ul>

      {table.loading && <Loading what="demand" />}
      {table.error && <ErrorNotice error={table.error} what="demand" />}
      {table.data && <DemandTable data={table.data} />}

      <h2>Events by month</h2>
      {months.loading && <Loading what="the monthly chart" />}
      {months.error && <ErrorNotice error={months.error} what="the monthly chart" />}
      {months.data && <MonthChart data={months.data} />}

      <h2>Events by area</h2>
      {areas.loading && <Loading what="the map" />}
      {areas.error && <ErrorNotice error={areas.error} what="the map" />}
      {areas.data && <AreaMap data={areas.data} />}

      <h2>Cost of late intervention</h2>
      <p>
        What the period's statutory and crisis interventions (such as child protection plans and children coming into
        care) cost at published unit costs: the money that earlier help might save. Counted from the same records as the
        demand above.
      </p>
      <LateInterventionCost from={query.from} to={query.to} />
    </>
  );
}

function DemandTable({ data }: { data: DemandResponse }) {
  const by = data.groups.map((g) => GROUPS.find((x) => x.value === g)?.label.toLowerCase() ?? g).join(" and ");
  if (data.cells.length === 0) {
    return <p>No events you may see are recorded between {formatDate(data.from)} and {formatDate(data.to)}.</p>;
  }
  return (
    <table className="demand-table">
      <caption>
        Events by {by}, {formatDate(data.from)} to {formatDate(data.to)}
      </caption>
      <thead>
        <tr>
          {data.groups.map((g) => (
            <th key={g} scope="col">
              {GROUPS.find((x) => x.value === g)?.label ?? g}
            </th>
          ))}
          <th scope="col">Events</th>
        </tr>
      </thead>
      <tbody>
        {data.cells.map((c, i) => (
          <tr key={i}>
            {data.groups.map((g, k) =>
              k === 0 ? (
                <th key={g} scope="row">
                  {keyText(g, c)}
                </th>
              ) : (
                <td key={g}>{keyText(g, c)}</td>
              ),
            )}
            <td>{countText(c.count, c.suppressed)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={data.groups.length}>
            Total
          </th>
          <td>{countText(data.total, data.total_suppressed)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function MonthChart({ data }: { data: DemandResponse }) {
  const cells = data.cells.filter((c) => c.month);
  if (cells.length === 0) return <p>No events to chart in this period.</p>;
  const max = Math.max(1, ...cells.map((c) => c.count ?? 0));
  const row = 26;
  const labelW = 90;
  const barW = 420;
  const height = cells.length * row + 10;
  return (
    <figure className="demand-chart">
      <svg
        viewBox={`0 0 ${labelW + barW + 120} ${height}`}
        width="100%"
        role="img"
        aria-label={`Bar chart of events by month, ${formatDate(data.from)} to ${formatDate(data.to)}; the same figures are written beside each bar`}
      >
        {cells.map((c, i) => {
          const y = i * row + 5;
          const w = c.suppressed || c.count === null ? 0 : Math.max(2, (c.count / max) * barW);
          return (
            <g key={c.month}>
              <text x={labelW - 8} y={y + 16} textAnchor="end" fontSize="13" fill="currentColor">
                {monthLabel(c.month!)}
              </text>
              {w > 0 && <rect x={labelW} y={y + 3} width={w} height={row - 8} fill="#1d70b8" />}
              <text x={labelW + w + 6} y={y + 16} fontSize="13" fill="currentColor">
                {countText(c.count, c.suppressed)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="hint">Bars are drawn only for counts that are shown; a suppressed month says "{SUPPRESSED_TEXT}" in words.</figcaption>
    </figure>
  );
}

function AreaMap({ data }: { data: DemandResponse }) {
  const placed = data.cells.filter((c) => c.area && c.lat !== undefined && c.lon !== undefined);
  const unplaced = data.cells.filter((c) => !(c.lat !== undefined && c.lon !== undefined));
  const width = 640;
  const height = 520;
  const { path, points } = useMemo(() => {
    const p = geoTransverseMercator().rotate([2, 0]);
    const pad = 30;
    if (placed.length === 0) {
      p.fitExtent([[pad, pad], [width - pad, height - pad]], outline);
    } else {
      let [lon0, lat0, lon1, lat1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const c of placed) {
        lon0 = Math.min(lon0, c.lon!);
        lon1 = Math.max(lon1, c.lon!);
        lat0 = Math.min(lat0, c.lat!);
        lat1 = Math.max(lat1, c.lat!);
      }
      const dLat = Math.max(lat1 - lat0, 0.1);
      const dLon = Math.max(lon1 - lon0, 0.15);
      const cLat = (lat0 + lat1) / 2;
      const cLon = (lon0 + lon1) / 2;
      const box: MultiPoint = {
        type: "MultiPoint",
        coordinates: [
          [cLon - dLon * 0.7, cLat - dLat * 0.7],
          [cLon + dLon * 0.7, cLat + dLat * 0.7],
        ],
      };
      p.fitExtent([[pad, pad], [width - pad, height - pad]], box);
    }
    p.clipExtent([[0, 0], [width, height]]);
    const max = Math.max(1, ...placed.map((c) => c.count ?? 0));
    return {
      path: geoPath(p)(outline) ?? "",
      points: placed.map((c) => {
        const [x, y] = p([c.lon!, c.lat!]) ?? [0, 0];
        const r = c.suppressed || c.count === null ? 4 : 4 + 26 * Math.sqrt(c.count / max);
        return { c, x, y, r };
      }),
    };
  }, [placed]);
  if (data.cells.length === 0) return <p>No events to map in this period.</p>;
  return (
    <>
      <figure className="demand-map">
        <svg
          viewBox={`0 0 ${width} ${height}`}
          width="100%"
          role="img"
          aria-label="Map of events by postcode district, as circles sized by the count at each district's centre; the table below gives the same figures"
        >
          <rect x={0} y={0} width={width} height={height} fill="#f3f2f1" />
          <path d={path} fill="#ffffff" stroke="#6f777b" strokeWidth={1} />
          {[...points]
            .sort((a, b) => b.r - a.r)
            .map(({ c, x, y, r }) => (
              <g key={c.area}>
                <circle
                  cx={x}
                  cy={y}
                  r={r}
                  fill={c.suppressed ? "none" : "rgba(29, 112, 184, 0.45)"}
                  stroke="#0b0c0c"
                  strokeDasharray={c.suppressed ? "3 2" : undefined}
                >
                  <title>
                    {c.area}: {countText(c.count, c.suppressed)}
                  </title>
                </circle>
                <text x={x} y={y - r - 3} textAnchor="middle" fontSize="11" fill="#0b0c0c">
                  {c.area} ({countText(c.count, c.suppressed)})
                </text>
              </g>
            ))}
        </svg>
        <figcaption className="hint">
          Circle area is proportional to the count. A suppressed district is drawn as a small dashed circle and labelled "{SUPPRESSED_TEXT}".
        </figcaption>
      </figure>
      <table className="demand-table">
        <caption>Events by postcode district (the figures on the map)</caption>
        <thead>
          <tr>
            <th scope="col">District</th>
            <th scope="col">Events</th>
            <th scope="col">On the map</th>
          </tr>
        </thead>
        <tbody>
          {data.cells.map((c) => (
            <tr key={c.area}>
              <th scope="row">{keyText("area", c)}</th>
              <td>{countText(c.count, c.suppressed)}</td>
              <td>{unplaced.includes(c) ? "Not placed: no known centre" : "Yes"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
