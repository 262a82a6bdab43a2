// The cross-agency timeline: every visible event about a person (or a household or address) on
// one swim lane per agency, so a practitioner sees at a glance who has been involved and when,
// and how events cluster. Filters narrow it by agency, category and period; the table beneath
// lists the same filtered events in full and is the complete, accessible record of the chart
// (marks are shapes by severity and colours by agency, and the table says both in words).
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { scaleTime } from "d3-scale";
import type { TimelineEvent, Withheld } from "../lib/types";
import { agencyColour, agencyName, formatDate, humanise } from "../lib/format";
import { Link } from "../lib/router";
import { WithheldMarker } from "./Status";
import { useContainerWidth } from "./viz/useWidth";
import { ShapeIcon, shapePath, type ShapeName } from "./viz/shapes";
import { TableHead } from "./TableHead";
import { VizSection } from "./viz/VizSection";
import { Choice, Select } from "./FormParts";

export interface TimelineProps {
  events: TimelineEvent[];
  withheld?: Withheld;
  // Household and address timelines: events name the nominals in them (event.nominal_ids).
  people?: Record<number, string>;
  // Heading level text for the section, e.g. "Timeline".
  title?: string;
  // Level of the title's heading (default 2).
  headingLevel?: 2 | 3;
}

type Period = "all" | "12m" | "3y";
const PERIODS: { value: Period; label: string }[] = [
  { value: "all", label: "All time" },
  { value: "12m", label: "Last 12 months" },
  { value: "3y", label: "Last 3 years" },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WITHHELD_CATEGORY = "\u0000withheld";
const NO_CATEGORY = "\u0000none";

// Severity is 0 (none) to 5 (most severe) in every source's mapping; the chart shows it as a
// band by shape, so it reads without colour.
interface Band {
  key: string;
  label: string;
  shape: ShapeName;
  hollow: boolean;
  r: number;
}
const BANDS: Band[] = [
  { key: "high", label: "High severity (4–5)", shape: "diamond", hollow: false, r: 6.5 },
  { key: "medium", label: "Medium severity (3)", shape: "triangle", hollow: false, r: 6 },
  { key: "low", label: "Low severity (1–2)", shape: "square", hollow: false, r: 5.5 },
  { key: "none", label: "No severity (0)", shape: "circle", hollow: false, r: 5 },
  { key: "unknown", label: "Severity not recorded or withheld", shape: "circle", hollow: true, r: 5 },
];

function bandOf(e: TimelineEvent): Band {
  const s = e.severity;
  if (s === undefined || s === null) return BANDS[4];
  if (s >= 4) return BANDS[0];
  if (s === 3) return BANDS[1];
  if (s >= 1) return BANDS[2];
  return BANDS[3];
}

// Event types are codes; some are agency codes ("childrens_social_care"), named as agencies.
function typeName(t: string): string {
  const a = agencyName(t);
  return a !== humanise(t) ? a : humanise(t);
}

function isWithheld(e: TimelineEvent, field: string): boolean {
  return e.withheld_fields.includes(`event.${field}`);
}

function severityText(e: TimelineEvent): string {
  if (e.severity === undefined || e.severity === null) return isWithheld(e, "severity") ? "withheld" : "not recorded";
  const band = e.severity >= 4 ? "High" : e.severity === 3 ? "Medium" : e.severity >= 1 ? "Low" : "None";
  return `${band} (${e.severity})`;
}

function eventDate(e: TimelineEvent): Date | null {
  if (!e.date) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(e.date);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

function categoryKey(e: TimelineEvent): string {
  if (e.category) return e.category;
  return isWithheld(e, "category") ? WITHHELD_CATEGORY : NO_CATEGORY;
}

function categoryLabel(key: string): string {
  if (key === WITHHELD_CATEGORY) return "Category withheld";
  if (key === NO_CATEGORY) return "No category";
  return humanise(key);
}

function periodStart(p: Period, now: Date): Date | null {
  if (p === "12m") return new Date(now.getFullYear() - 1, now.getMonth(), now.getDate());
  if (p === "3y") return new Date(now.getFullYear() - 3, now.getMonth(), now.getDate());
  return null;
}

function tickLabel(d: Date, spanDays: number): string {
  if (spanDays > 120 && d.getMonth() === 0 && d.getDate() === 1) return String(d.getFullYear());
  if (d.getDate() === 1) return d.getMonth() === 0 ? `${MONTHS[0]} ${d.getFullYear()}` : MONTHS[d.getMonth()];
  return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

// One line describing an event: the mark's name for screen readers and its tooltip.
function describe(e: TimelineEvent, people?: Record<number, string>): string {
  const parts = [
    e.date ? formatDate(e.date) : "Date not known",
    agencyName(e.agency),
    e.category ? humanise(e.category) : isWithheld(e, "category") ? "category withheld" : typeName(e.type),
    e.dataset,
    `severity ${severityText(e)}`,
  ];
  if (e.reference) parts.push(`reference ${e.reference}`);
  if (e.roles.length) parts.push(`role ${e.roles.map(humanise).join(", ")}`);
  if (e.nominal_ids?.length) parts.push(e.nominal_ids.map((id) => people?.[id] ?? `person ${id}`).join(", "));
  return parts.join(" · ");
}

// A checkbox group with counts and select-all / select-none buttons.
function FilterGroup({
  legend,
  noun,
  options,
  excluded,
  setExcluded,
  idPrefix,
  swatch,
}: {
  legend: string;
  noun: string;
  options: { key: string; label: string; count: number }[];
  excluded: Set<string>;
  setExcluded: (s: Set<string>) => void;
  idPrefix: string;
  swatch?: (key: string) => ReactNode;
}) {
  const toggle = (key: string) => {
    const next = new Set(excluded);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setExcluded(next);
  };
  return (
    <fieldset className="viz-filter-group">
      <legend>{legend}</legend>
      <div className="viz-filter-actions">
        <button type="button" className="button-secondary button-small" onClick={() => setExcluded(new Set())}>
          All<span className="viz-sr"> {noun}</span>
        </button>
        <button type="button" className="button-secondary button-small" onClick={() => setExcluded(new Set(options.map((o) => o.key)))}>
          None<span className="viz-sr"> of the {noun}</span>
        </button>
      </div>
      <div className="viz-filter-options">
        {options.map((o, i) => (
          <Choice
            key={o.key}
            type="checkbox"
            id={`${idPrefix}-${i}`}
            checked={!excluded.has(o.key)}
            onChange={() => toggle(o.key)}
            label={
              <>
                {swatch?.(o.key)}
                {o.label} <span className="muted">({o.count})</span>
              </>
            }
          />
        ))}
      </div>
    </fieldset>
  );
}

function WithheldTag({ what }: { what: string }) {
  return (
    <span className="tag tag-withheld" title={`${what} withheld under agreement terms`}>
      withheld<span className="viz-sr"> under agreement terms</span>
    </span>
  );
}

const KNOWN_FIELDS = ["date", "category", "severity", "location", "reference", "type", "roles"];

interface Mark {
  ev: TimelineEvent;
  x: number;
  y: number;
  lane: number;
  band: Band;
  colour: string;
  label: string;
}

const ROW_H = 15;
const MAX_ROWS = 5;
const AXIS_H = 34;
const TOP_PAD = 8;

export function Timeline({ events, withheld, people, title, headingLevel = 2 }: TimelineProps) {
  const uid = useId().replace(/:/g, "");
  const [excludedAgencies, setExcludedAgencies] = useState<Set<string>>(new Set());
  const [excludedCategories, setExcludedCategories] = useState<Set<string>>(new Set());
  const [period, setPeriod] = useState<Period>("all");
  const [selected, setSelected] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [hover, setHover] = useState<number | null>(null);
  const [focusedMark, setFocusedMark] = useState<number | null>(null);
  const [announce, setAnnounce] = useState("");
  const [wrapRef, width] = useContainerWidth<HTMLDivElement>(900);
  const markRefs = useRef<(SVGPathElement | null)[]>([]);
  const rowRefs = useRef(new Map<number, HTMLTableRowElement>());

  const now = useMemo(() => new Date(), []);
  const showPeople = Boolean(people) || events.some((e) => e.nominal_ids && e.nominal_ids.length > 0);

  // Filter options from the events present, with counts, most frequent first.
  const agencyOptions = useMemo(() => {
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.agency, (counts.get(e.agency) ?? 0) + 1);
    return [...counts.entries()]
      .map(([key, count]) => ({ key, label: agencyName(key), count }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }, [events]);
  const categoryOptions = useMemo(() => {
    const counts = new Map<string, number>();
    for (const e of events) {
      const k = categoryKey(e);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts.entries()]
      .map(([key, count]) => ({ key, label: categoryLabel(key), count }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }, [events]);

  // The filtered events: dated newest first, then undated ("date not known") last.
  const filtered = useMemo(() => {
    const from = periodStart(period, now);
    const dated: { e: TimelineEvent; d: Date }[] = [];
    const undated: TimelineEvent[] = [];
    for (const e of events) {
      if (excludedAgencies.has(e.agency) || excludedCategories.has(categoryKey(e))) continue;
      const d = eventDate(e);
      if (!d) {
        if (!from) undated.push(e);
        continue;
      }
      if (from && d < from) continue;
      dated.push({ e, d });
    }
    dated.sort((a, b) => b.d.getTime() - a.d.getTime());
    return { dated, undated };
  }, [events, excludedAgencies, excludedCategories, period, now]);

  const shown = filtered.dated.length + filtered.undated.length;

  // Chart geometry: lanes by agency (busiest first), x by date, marks stacked in rows within a
  // lane where they would overlap.
  const narrow = width < 560;
  const labelW = narrow ? 0 : Math.min(190, Math.max(150, width * 0.2));
  const plotLeft = labelW + 12;
  const plotRight = Math.max(plotLeft + 80, width - 18);

  const chart = useMemo(() => {
    const laneAgencies = agencyOptions.map((o) => o.key).filter((a) => filtered.dated.some((x) => x.e.agency === a));
    if (laneAgencies.length === 0) return null;
    const from = periodStart(period, now);
    let d0: Date;
    let d1: Date;
    if (from) {
      d0 = from;
      d1 = now;
    } else {
      const times = filtered.dated.map((x) => x.d.getTime());
      const t0 = Math.min(...times);
      const t1 = Math.max(...times);
      const pad = Math.max((t1 - t0) * 0.03, 20 * 86400000);
      d0 = new Date(t0 - pad);
      d1 = new Date(t1 + pad);
    }
    const x = scaleTime().domain([d0, d1]).range([plotLeft, plotRight]);
    const spanDays = (d1.getTime() - d0.getTime()) / 86400000;
    const ticks = x.ticks(Math.max(2, Math.floor((plotRight - plotLeft) / 80)));

    const lanes: { agency: string; top: number; height: number; count: number }[] = [];
    const marks: Mark[] = [];
    let top = TOP_PAD;
    laneAgencies.forEach((agency, laneIndex) => {
      const items = filtered.dated.filter((x) => x.e.agency === agency).map((v) => ({ ...v, px: x(v.d) }));
      items.sort((a, b) => a.px - b.px);
      const rowEnds: number[] = [];
      const rows: number[] = [];
      for (const it of items) {
        let row = rowEnds.findIndex((end) => end <= it.px - 14);
        if (row < 0) {
          if (rowEnds.length < MAX_ROWS) {
            row = rowEnds.length;
            rowEnds.push(-Infinity);
          } else {
            row = rowEnds.indexOf(Math.min(...rowEnds));
          }
        }
        rowEnds[row] = it.px;
        rows.push(row);
      }
      const nRows = Math.max(1, rowEnds.length);
      const labelH = narrow ? 20 : 0;
      const height = Math.max(narrow ? 56 : 40, labelH + 14 + nRows * ROW_H);
      const bodyTop = top + labelH + (height - labelH - nRows * ROW_H) / 2 + ROW_H / 2;
      items.forEach((it, i) => {
        marks.push({
          ev: it.e,
          x: it.px,
          y: bodyTop + rows[i] * ROW_H,
          lane: laneIndex,
          band: bandOf(it.e),
          colour: agencyColour(agency),
          label: describe(it.e, people),
        });
      });
      lanes.push({ agency, top, height, count: items.length });
      top += height;
    });
    const today = now >= d0 && now <= d1 ? x(now) : null;
    return { x, ticks, spanDays, lanes, marks, plotHeight: top, height: top + AXIS_H, today };
  }, [agencyOptions, filtered, period, now, plotLeft, plotRight, narrow, people]);

  const marks = chart?.marks ?? [];

  // Marks are renumbered when the filters change: forget which one was pointed at.
  useEffect(() => {
    setHover(null);
    setFocusedMark(null);
  }, [chart]);
  const activeIdx = Math.min(active, Math.max(0, marks.length - 1));

  // A selection made on the chart scrolls the matching row into view.
  useEffect(() => {
    if (selected === null) return;
    const row = rowRefs.current.get(selected);
    row?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [selected]);

  function select(idx: number) {
    const m = marks[idx];
    if (!m) return;
    setActive(idx);
    setSelected(m.ev.event_id);
    setAnnounce(`Highlighted in the list below: ${m.label}`);
  }

  function moveTo(idx: number) {
    if (idx < 0 || idx >= marks.length) return;
    setActive(idx);
    markRefs.current[idx]?.focus();
  }

  // Arrow keys: left and right along the lane in time, up and down to the nearest event in
  // the next lane; Home and End to the lane's first and last; Enter or Space to highlight.
  function onChartKey(e: KeyboardEvent<SVGSVGElement>) {
    const cur = marks[activeIdx];
    if (!cur) return;
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const step = e.key === "ArrowRight" ? 1 : -1;
      const j = activeIdx + step;
      if (marks[j] && marks[j].lane === cur.lane) next = j;
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const lane = cur.lane + (e.key === "ArrowDown" ? 1 : -1);
      let best = Infinity;
      marks.forEach((m, i) => {
        if (m.lane !== lane) return;
        const d = Math.abs(m.x - cur.x) + Math.abs(m.y - cur.y) * 0.01;
        if (d < best) {
          best = d;
          next = i;
        }
      });
    } else if (e.key === "Home" || e.key === "End") {
      const inLane = marks.map((m, i) => (m.lane === cur.lane ? i : -1)).filter((i) => i >= 0);
      next = e.key === "Home" ? inLane[0] : inLane[inLane.length - 1];
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      select(activeIdx);
      return;
    } else {
      return;
    }
    e.preventDefault();
    if (next !== null) moveTo(next);
  }

  const shownIdx = hover ?? focusedMark;
  const detail = shownIdx !== null ? marks[shownIdx] : marks.find((m) => m.ev.event_id === selected);
  const withheldReasons = reasonsOf(withheld);
  const ids = { title: `${uid}-title`, chartDesc: `${uid}-desc`, caption: `${uid}-caption`, period: `${uid}-period` };
  const undatedNote = filtered.undated.length > 0 ? ` ${filtered.undated.length} with no known date ${filtered.undated.length === 1 ? "is" : "are"} listed at the end of the table only.` : "";

  return (
    <VizSection className="viz-timeline" title={title} headingLevel={headingLevel} titleId={ids.title}>
      {withheld && withheld.total > 0 && <WithheldMarker count={withheld.total} what="event" reasons={withheldReasons} />}
      {events.length === 0 ? (
        <p>No events you may see.</p>
      ) : (
        <>
          <div className="viz-filters">
            <FilterGroup
              legend="Agency"
              noun="agencies"
              idPrefix={`${uid}-ag`}
              options={agencyOptions}
              excluded={excludedAgencies}
              setExcluded={setExcludedAgencies}
              swatch={(k) => <span className="viz-swatch" style={{ background: agencyColour(k) }} aria-hidden="true" />}
            />
            <FilterGroup
              legend="Category"
              noun="categories"
              idPrefix={`${uid}-cat`}
              options={categoryOptions}
              excluded={excludedCategories}
              setExcluded={setExcludedCategories}
            />
            <div className="viz-filter-group viz-filter-period">
              <label htmlFor={ids.period}>Period</label>
              <Select id={ids.period} value={period} onChoose={(v) => setPeriod(v as Period)} options={PERIODS} />
            </div>
          </div>

          <p className="viz-count" role="status">
            Showing <strong>{shown}</strong> of {events.length} event{events.length === 1 ? "" : "s"}.{undatedNote}
          </p>

          <div className="viz-legend" aria-label="Key to the chart" role="group">
            {BANDS.map((b) => (
              <span className="viz-legend-item" key={b.key}>
                <ShapeIcon shape={b.shape} hollow={b.hollow} fill="#505a5f" />
                {b.label}
              </span>
            ))}
            <span className="viz-legend-item muted">Colour and row: agency</span>
          </div>

          <div className="viz-chart" ref={wrapRef}>
            {chart ? (
              <>
                <p id={ids.chartDesc} className="viz-hint">
                  Events by agency over time, oldest on the left. Select an event to highlight it in the list below; on the
                  keyboard, Tab to the chart, move with the arrow keys and press Enter.
                </p>
                <svg
                  className="viz-svg"
                  width={width}
                  height={chart.height}
                  role="group"
                  aria-label={`Timeline chart: ${marks.length} dated event${marks.length === 1 ? "" : "s"} in ${chart.lanes.length} agenc${chart.lanes.length === 1 ? "y" : "ies"}`}
                  aria-describedby={ids.chartDesc}
                  onKeyDown={onChartKey}
                >
                  {chart.lanes.map((lane, i) => (
                    <g key={lane.agency}>
                      <rect x={0} y={lane.top} width={width} height={lane.height} fill={i % 2 ? "#ffffff" : "#f3f2f1"} />
                      <rect x={narrow ? 0 : 2} y={lane.top + 4} width={4} height={lane.height - 8} fill={agencyColour(lane.agency)} />
                      <text
                        className="viz-lane-label"
                        x={12}
                        y={narrow ? lane.top + 15 : lane.top + lane.height / 2}
                        dominantBaseline={narrow ? "auto" : "middle"}
                      >
                        {agencyName(lane.agency)}
                        <tspan className="viz-lane-count"> ({lane.count})</tspan>
                      </text>
                    </g>
                  ))}
                  <line x1={plotLeft} x2={plotLeft} y1={TOP_PAD} y2={chart.plotHeight} stroke="#b1b4b6" />
                  {chart.ticks.map((t) => {
                    const tx = chart.x(t);
                    const year = t.getMonth() === 0 && t.getDate() === 1;
                    return (
                      <g key={t.getTime()}>
                        <line x1={tx} x2={tx} y1={TOP_PAD} y2={chart.plotHeight + 5} stroke={year ? "#8e9295" : "#d6d8d9"} strokeDasharray={year ? undefined : "2 3"} />
                        <text className={year ? "viz-tick viz-tick-major" : "viz-tick"} x={tx} y={chart.plotHeight + 20} textAnchor="middle">
                          {tickLabel(t, chart.spanDays)}
                        </text>
                      </g>
                    );
                  })}
                  <line x1={plotLeft} x2={plotRight} y1={chart.plotHeight} y2={chart.plotHeight} stroke="#505a5f" />
                  {chart.today !== null && (
                    <g>
                      <line x1={chart.today} x2={chart.today} y1={TOP_PAD} y2={chart.plotHeight} stroke="#0b0c0c" strokeDasharray="4 3" />
                      <text className="viz-tick viz-today" x={chart.today - 4} y={TOP_PAD + 10} textAnchor="end">
                        Today
                      </text>
                    </g>
                  )}
                  {marks.map((m, i) => {
                    const isSel = m.ev.event_id === selected;
                    return (
                      <g key={`${m.ev.event_id}:${m.ev.source_record_id}`} transform={`translate(${m.x.toFixed(1)},${m.y.toFixed(1)})`}>
                        {isSel && <path d={shapePath("circle", m.band.r + 5)} fill="none" stroke="#0b0c0c" strokeWidth={2.5} />}
                        {focusedMark === i && <path d={shapePath("circle", m.band.r + 4)} fill="#ffdd00" stroke="#0b0c0c" strokeWidth={2} />}
                        <path
                          ref={(el) => {
                            markRefs.current[i] = el;
                          }}
                          className="viz-mark"
                          d={shapePath(m.band.shape, m.band.r)}
                          fill={m.band.hollow ? "#ffffff" : m.colour}
                          stroke={m.band.hollow ? m.colour : "#ffffff"}
                          strokeWidth={m.band.hollow ? 2 : 1}
                          tabIndex={i === activeIdx ? 0 : -1}
                          role="button"
                          aria-label={m.label}
                          onClick={() => select(i)}
                          onFocus={() => {
                            setActive(i);
                            setFocusedMark(i);
                          }}
                          onBlur={() => setFocusedMark((f) => (f === i ? null : f))}
                          onPointerEnter={() => setHover(i)}
                          onPointerLeave={() => setHover((h) => (h === i ? null : h))}
                        >
                          <title>{m.label}</title>
                        </path>
                      </g>
                    );
                  })}
                </svg>
                <p className="viz-detail" aria-hidden="true">
                  {detail ? detail.label : "Point at or select an event to see its details here."}
                </p>
              </>
            ) : (
              <p className="viz-empty">
                {shown > 0
                  ? "None of the events shown has a known date, so there is nothing to chart."
                  : period === "all"
                    ? "No events match these filters."
                    : `No events ${period === "12m" ? "in the last 12 months" : "in the last 3 years"} match these filters. Choose “All time” to see older events.`}
              </p>
            )}
          </div>
          <p className="viz-sr" aria-live="polite">
            {announce}
          </p>

          {shown > 0 && (
            <div className="viz-table-wrap" tabIndex={0} role="region" aria-labelledby={ids.caption}>
              <table className="viz-table">
                <caption id={ids.caption}>
                  {title ? `${title}: events` : "Events"} shown ({shown}), newest first
                </caption>
                <TableHead columns={["Date", "Agency and dataset", "Category and type", "Severity", "Roles", showPeople && "People", "Reference", "Location"]} />
                <tbody>
                  {[...filtered.dated.map((x) => x.e), ...filtered.undated].map((e) => (
                    <EventRow
                      key={`${e.event_id}:${e.source_record_id}`}
                      e={e}
                      people={people}
                      showPeople={showPeople}
                      selected={e.event_id === selected}
                      rowRef={(el) => {
                        if (el) rowRefs.current.set(e.event_id, el);
                        else rowRefs.current.delete(e.event_id);
                      }}
                      onSelect={() => {
                        const i = marks.findIndex((m) => m.ev.event_id === e.event_id);
                        if (i >= 0) setActive(i);
                        setSelected(e.event_id);
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </VizSection>
  );
}

function EventRow({
  e,
  people,
  showPeople,
  selected,
  rowRef,
  onSelect,
}: {
  e: TimelineEvent;
  people?: Record<number, string>;
  showPeople: boolean;
  selected: boolean;
  rowRef: (el: HTMLTableRowElement | null) => void;
  onSelect: () => void;
}) {
  const others = e.withheld_fields.filter((f) => !KNOWN_FIELDS.includes(f.replace(/^event\./, "")));
  return (
    <tr ref={rowRef} className={selected ? "viz-row-selected" : undefined} aria-current={selected ? "true" : undefined} onClick={onSelect}>
      <td className="viz-nowrap">
        {e.date ? formatDate(e.date) : <span className="muted">Date not known</span>}
        {isWithheld(e, "date") && <> <WithheldTag what="Date" /></>}
      </td>
      <td>
        <span className="viz-swatch" style={{ background: agencyColour(e.agency) }} aria-hidden="true" />
        <strong>{agencyName(e.agency)}</strong>
        <br />
        <span className="muted">{e.dataset}</span>
      </td>
      <td>
        {e.category ? humanise(e.category) : isWithheld(e, "category") ? <WithheldTag what="Category" /> : <span className="muted">None</span>}
        <br />
        <span className="muted">{isWithheld(e, "type") ? <WithheldTag what="Type" /> : typeName(e.type)}</span>
        {others.map((f) => (
          <span key={f} className="viz-block">
            <span className="tag tag-withheld">{humanise(f.replace(/^event\./, ""))} withheld under agreement terms</span>
          </span>
        ))}
      </td>
      <td className="viz-nowrap">
        <ShapeIcon shape={bandOf(e).shape} hollow={bandOf(e).hollow} fill="#505a5f" size={14} />{" "}
        {isWithheld(e, "severity") && (e.severity === undefined || e.severity === null) ? <WithheldTag what="Severity" /> : severityText(e)}
      </td>
      <td>{isWithheld(e, "roles") ? <WithheldTag what="Roles" /> : e.roles.map(humanise).join(", ")}</td>
      {showPeople && (
        <td>
          {(e.nominal_ids ?? []).map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link to={`/person/${id}`}>{people?.[id] ?? `Person ${id}`}</Link>
            </span>
          ))}
        </td>
      )}
      <td className="viz-nowrap">{e.reference ?? (isWithheld(e, "reference") ? <WithheldTag what="Reference" /> : "")}</td>
      <td className="viz-nowrap">
        {e.location ? (
          <Link to={`/address/${e.location.location_id}`}>{e.location.postcode || e.location.address || `Address ${e.location.location_id}`}</Link>
        ) : isWithheld(e, "location") ? (
          <>
            <WithheldTag what="Location" />
          </>
        ) : (
          ""
        )}
      </td>
    </tr>
  );
}

// Reasons worth showing beside the withheld count: only when they add to the generic wording.
function reasonsOf(w?: Withheld): string[] | undefined {
  if (!w || w.total <= 0) return undefined;
  const list = Array.isArray(w.by_reason)
    ? w.by_reason.map((r) => ({ reason: r.reason, count: r.count }))
    : Object.entries(w.by_reason).map(([reason, count]) => ({ reason, count }));
  if (list.length === 0) return undefined;
  if (list.length === 1 && /not shared under agreement terms/i.test(list[0].reason)) return undefined;
  return list.map((r) => `${r.count} ${r.reason}`);
}
