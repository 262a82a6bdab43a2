// Where a person or household has lived and where their events happened, drawn over an offline
// outline of Great Britain (no map tiles, nothing fetched). Two views: the whole of Great Britain
// for context, and zoomed to the places themselves. Addresses (house shapes) and event locations
// (circles) are grouped per place with a count; each opens the address page. A table of the same
// points sits beneath for anyone who cannot use the map.
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { geoDistance, geoPath, geoTransverseMercator, type GeoProjection } from "d3-geo";
import type { Feature, MultiPoint, MultiPolygon } from "geojson";
import outlineJson from "../generated/gb-outline.json";
import type { MapPoint } from "../lib/types";
import { formatDate, humanise } from "../lib/format";
import { Link, navigate } from "../lib/router";
import { useContainerWidth } from "./viz/useWidth";
import { ShapeIcon, shapePath } from "./viz/shapes";
import { rovingKey, useMarkFocus } from "./viz/roving";
import { TableHead } from "./TableHead";
import { VizSection } from "./viz/VizSection";

export interface AddressMapProps {
  points: MapPoint[];
  title?: string;
  // Level of the title's heading (default 2).
  headingLevel?: 2 | 3;
}

const outline = outlineJson as unknown as Feature<MultiPolygon>;

type View = "zoomed" | "gb";

// "district" -> "approximate: postcode district centre"; exact positions say nothing.
function precisionText(p?: string): string | null {
  if (!p) return null;
  const v = p.toLowerCase();
  if (["exact", "address", "uprn", "postcode", "unit", "rooftop", "full"].includes(v)) return null;
  if (["district", "sector", "area"].includes(v)) return `approximate: postcode ${v} centre`;
  return `approximate: ${humanise(p).toLowerCase()}`;
}

// The table's wording for how precise a point is.
function positionText(p?: string): string {
  const approx = precisionText(p);
  if (approx) return humanise(approx);
  if (!p) return "As recorded";
  if (["postcode", "unit"].includes(p.toLowerCase())) return "Postcode centre";
  return "Exact";
}

// One place on the map: the points of one kind at one location.
interface Group {
  key: string;
  kind: "address" | "event";
  lat: number;
  lon: number;
  location_id: number;
  postcode?: string;
  precision: string | null;
  points: MapPoint[];
  first?: string;
  last?: string;
}

function groupPoints(points: MapPoint[]): Group[] {
  const m = new Map<string, Group>();
  for (const p of points) {
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) continue;
    const key = `${p.kind}:${p.location_id ?? `${p.lat.toFixed(5)},${p.lon.toFixed(5)}`}`;
    let g = m.get(key);
    if (!g) {
      g = { key, kind: p.kind, lat: p.lat, lon: p.lon, location_id: p.location_id, postcode: p.postcode, precision: precisionText(p.precision), points: [] };
      m.set(key, g);
    }
    g.points.push(p);
    for (const d of p.kind === "address" ? [p.first_seen, p.last_seen] : [p.date]) {
      if (!d) continue;
      if (!g.first || d < g.first) g.first = d;
      if (!g.last || d > g.last) g.last = d;
    }
  }
  // Addresses first (drawn beneath events), then by place.
  return [...m.values()].sort((a, b) => (a.kind === b.kind ? (a.postcode ?? "").localeCompare(b.postcode ?? "") : a.kind === "address" ? -1 : 1));
}

function span(first?: string, last?: string): string {
  if (!first && !last) return "dates not known";
  if (!last || first === last) return formatDate(first ?? last);
  if (!first) return `to ${formatDate(last)}`;
  return `${formatDate(first)} to ${formatDate(last)}`;
}

function groupLabel(g: Group): string {
  const place = g.postcode || `location ${g.location_id}`;
  const approx = g.precision ? ` (${g.precision})` : "";
  if (g.kind === "address") {
    const records = g.points.length > 1 ? `, ${g.points.length} records` : "";
    return `Address ${place}${approx}: lived here ${span(g.first, g.last)}${records}. Open address`;
  }
  const sorted = [...g.points].sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""));
  const listed = sorted
    .slice(0, 4)
    .map((p) => `${humanise(p.type ?? "event")} ${p.date ? formatDate(p.date) : "date not known"}`)
    .join("; ");
  const more = sorted.length > 4 ? `; and ${sorted.length - 4} more` : "";
  return `${g.points.length} event${g.points.length === 1 ? "" : "s"} at ${place}${approx}: ${listed}${more}. Open address`;
}

// A marker as drawn: a group, or on the Great Britain view possibly several nearby groups.
interface Marker {
  id: string;
  groups: Group[];
  kind: "address" | "event" | "cluster";
  x: number;
  y: number;
  // Where the place really is, when the marker had to be moved aside to stay readable.
  anchorX: number;
  anchorY: number;
  count: number;
  label: string;
  approximate: boolean;
}

const ADDRESS_COLOUR = "#1d70b8";
const EVENT_COLOUR = "#d4351c";
const CLUSTER_COLOUR = "#505a5f";

function markerRadius(m: { kind: string }): number {
  return m.kind === "cluster" ? 11 : m.kind === "address" ? 9.5 : 8;
}

function niceKm(km: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(km)));
  for (const m of [5, 2, 1]) if (m * p <= km) return m * p;
  return p;
}

export function AddressMap({ points, title, headingLevel = 2 }: AddressMapProps) {
  const uid = useId().replace(/:/g, "");
  const [wrapRef, containerWidth] = useContainerWidth<HTMLDivElement>(800);
  const groups = useMemo(() => groupPoints(points), [points]);
  const hasPoints = groups.length > 0;
  const [chosenView, setView] = useState<View>("zoomed");
  const view: View = hasPoints ? chosenView : "gb";
  const { active, setActive, focused, hovered, markProps } = useMarkFocus();
  // With nothing to show, the outline is drawn small: it only says where the map would be.
  const height = hasPoints ? Math.round(Math.min(620, Math.max(380, containerWidth * 0.62))) : 320;
  const width = hasPoints ? containerWidth : Math.min(containerWidth, 300);

  const projection = useMemo<GeoProjection>(() => {
    // A transverse Mercator on 2°W, as the British National Grid is, so Great Britain is not
    // skewed; fitted to the whole outline or to the places with a margin around them.
    const p = geoTransverseMercator().rotate([2, 0]);
    const pad = 24;
    if (view === "gb" || !hasPoints) {
      p.fitExtent([[pad, pad], [width - pad, height - pad]], outline);
    } else {
      let [lon0, lat0, lon1, lat1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const g of groups) {
        lon0 = Math.min(lon0, g.lon);
        lon1 = Math.max(lon1, g.lon);
        lat0 = Math.min(lat0, g.lat);
        lat1 = Math.max(lat1, g.lat);
      }
      // At least ~5 km across, plus a quarter of the spread on each side, so one place still
      // shows its surroundings and points never sit on the edge.
      const minLat = 0.045;
      const minLon = 0.07;
      const dLat = Math.max(lat1 - lat0, minLat);
      const dLon = Math.max(lon1 - lon0, minLon);
      const cLat = (lat0 + lat1) / 2;
      const cLon = (lon0 + lon1) / 2;
      const box: MultiPoint = {
        type: "MultiPoint",
        coordinates: [
          [cLon - dLon * 0.75, cLat - dLat * 0.75],
          [cLon + dLon * 0.75, cLat + dLat * 0.75],
          [cLon - dLon * 0.75, cLat + dLat * 0.75],
          [cLon + dLon * 0.75, cLat - dLat * 0.75],
        ],
      };
      p.fitExtent([[pad, pad + 8], [width - pad, height - pad - 8]], box);
    }
    p.clipExtent([[0, 0], [width, height]]);
    return p;
  }, [view, hasPoints, groups, width, height]);

  const outlinePath = useMemo(() => geoPath(projection)(outline) ?? "", [projection]);

  // A locator inset on the zoomed view: Great Britain with the zoomed area marked.
  const inset = useMemo(() => {
    if (view !== "zoomed" || !hasPoints || width < 420) return null;
    const w = Math.round(Math.min(120, width * 0.16));
    const h = Math.round(w * 1.6);
    const p = geoTransverseMercator().rotate([2, 0]).fitExtent([[4, 4], [w - 4, h - 4]], outline);
    const corners = [
      projection.invert!([0, 0]),
      projection.invert!([width, height]),
    ];
    if (!corners[0] || !corners[1]) return null;
    const a = p(corners[0]);
    const b = p(corners[1]);
    if (!a || !b) return null;
    // The zoomed area, kept inside the inset; an inset adds nothing when the area is most of it.
    const clampX = (v: number) => Math.max(1, Math.min(w - 1, v));
    const clampY = (v: number) => Math.max(1, Math.min(h - 1, v));
    const x0 = clampX(Math.min(a[0], b[0]) - 2);
    const x1 = clampX(Math.max(a[0], b[0]) + 2);
    const y0 = clampY(Math.min(a[1], b[1]) - 2);
    const y1 = clampY(Math.max(a[1], b[1]) + 2);
    if ((x1 - x0) * (y1 - y0) > 0.4 * w * h) return null;
    return { w, h, path: geoPath(p)(outline) ?? "", x: x0, y: y0, rw: x1 - x0, rh: y1 - y0 };
  }, [view, hasPoints, width, height, projection]);

  // A scale bar near the bottom left, in kilometres.
  const scaleBar = useMemo(() => {
    if (!hasPoints) return null;
    const y = height - 20;
    const a = projection.invert!([40, y]);
    const b = projection.invert!([140, y]);
    if (!a || !b) return null;
    const kmPer100 = geoDistance(a, b) * 6371;
    if (!(kmPer100 > 0)) return null;
    const km = niceKm(kmPer100 * 1.2);
    return { px: (km / kmPer100) * 100, label: km >= 1 ? `${km} km` : `${Math.round(km * 1000)} m`, y };
  }, [projection, height, hasPoints]);

  const markers = useMemo<Marker[]>(() => {
    const projected = groups
      .map((g) => {
        const xy = projection([g.lon, g.lat]);
        return xy ? { g, x: xy[0], y: xy[1] } : null;
      })
      .filter((v): v is { g: Group; x: number; y: number } => v !== null);
    const out: Marker[] = [];
    if (view === "gb") {
      // Places closer than a marker's width are merged into one numbered marker.
      const used = new Set<number>();
      projected.forEach((p, i) => {
        if (used.has(i)) return;
        const members = [p];
        used.add(i);
        projected.forEach((q, j) => {
          if (!used.has(j) && Math.hypot(q.x - p.x, q.y - p.y) < 14) {
            members.push(q);
            used.add(j);
          }
        });
        if (members.length === 1) {
          out.push(single(p.g, p.x, p.y));
        } else {
          const gs = members.map((m) => m.g);
          const x = members.reduce((s, m) => s + m.x, 0) / members.length;
          const y = members.reduce((s, m) => s + m.y, 0) / members.length;
          const addresses = gs.filter((g) => g.kind === "address").length;
          const events = gs.filter((g) => g.kind === "event").reduce((s, g) => s + g.points.length, 0);
          const parts = [];
          if (addresses) parts.push(`${addresses} address${addresses === 1 ? "" : "es"}`);
          if (events) parts.push(`${events} event${events === 1 ? "" : "s"}`);
          out.push({
            id: "c:" + gs.map((g) => g.key).join("|"),
            groups: gs,
            kind: "cluster",
            x,
            y,
            anchorX: x,
            anchorY: y,
            count: gs.length,
            label: `${gs.length} places close together (${parts.join(" and ")}), around ${[...new Set(gs.map((g) => g.postcode).filter(Boolean))].slice(0, 3).join(", ")}. Zoom to these places`,
            approximate: false,
          });
        }
      });
      return out;
    }
    // Zoomed: every place gets its own marker; one that would sit on another is moved aside
    // around a small circle, with a thin line back to where it really is.
    const placed: { x: number; y: number }[] = [];
    for (const p of projected) {
      let x = p.x;
      let y = p.y;
      for (let step = 0; step < 24 && placed.some((q) => Math.hypot(q.x - x, q.y - y) < 17); step++) {
        const ring = 18 + Math.floor(step / 8) * 16;
        const angle = (Math.PI / 4) * (step % 8) - Math.PI / 4;
        x = p.x + ring * Math.cos(angle);
        y = p.y + ring * Math.sin(angle);
      }
      placed.push({ x, y });
      const m = single(p.g, x, y);
      m.anchorX = p.x;
      m.anchorY = p.y;
      out.push(m);
    }
    return out;
  }, [groups, projection, view]);

  // Place names beside markers (the postcode, once per place), right of the marker or else
  // left of it, left out where they would cover another marker or name.
  const placeLabels = useMemo(() => {
    type Box = { x0: number; y0: number; x1: number; y1: number };
    const hits = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    const obstacles: Box[] = markers.map((m) => {
      const r = markerRadius(m) + 2;
      const extra = m.count > 1 && m.kind !== "cluster" ? 22 : 0;
      return { x0: m.x - r, y0: m.y - r - (extra ? 10 : 0), x1: m.x + r + extra, y1: m.y + r };
    });
    const out = new Map<string, { text: string; x: number; y: number; anchor: "start" | "end" }>();
    const seen = new Set<string>();
    markers.forEach((m, i) => {
      if (m.kind === "cluster") return;
      const g = m.groups[0];
      const text = (g.postcode || "") + (g.precision ? " (approx.)" : "");
      if (!g.postcode || seen.has(g.postcode)) return;
      const w = text.length * 7.2;
      const r = markerRadius(m);
      const right = { x0: m.x + r + (m.count > 1 ? 24 : 5), y0: m.y - 8, x1: m.x + r + (m.count > 1 ? 24 : 5) + w, y1: m.y + 8 };
      const left = { x0: m.x - r - 5 - w, y0: m.y - 8, x1: m.x - r - 5, y1: m.y + 8 };
      const ok = (b: Box) => b.x0 >= 2 && b.x1 <= width - 2 && !obstacles.some((o, j) => j !== i && hits(o, b));
      const box = ok(right) ? right : ok(left) ? left : null;
      if (!box) return;
      obstacles.push(box);
      seen.add(g.postcode);
      out.set(m.id, box === right ? { text, x: right.x0, y: m.y + 4, anchor: "start" } : { text, x: left.x1, y: m.y + 4, anchor: "end" });
    });
    return out;
  }, [markers, width]);

  function single(g: Group, x: number, y: number): Marker {
    return {
      id: g.key,
      groups: [g],
      kind: g.kind,
      x,
      y,
      anchorX: x,
      anchorY: y,
      count: g.points.length,
      label: groupLabel(g),
      approximate: Boolean(g.precision),
    };
  }

  function activate(m: Marker) {
    if (m.kind === "cluster") {
      setView("zoomed");
      setActive(0);
      return;
    }
    navigate(`/address/${m.groups[0].location_id}`);
  }

  function onKeyDown(e: KeyboardEvent<SVGSVGElement>) {
    const idx = Math.min(active, markers.length - 1);
    rovingKey(
      e,
      markers,
      idx,
      (next) => {
        setActive(next);
        document.getElementById(`${uid}-m-${next}`)?.focus();
      },
      () => markers[idx] && activate(markers[idx]),
    );
  }

  const ids = { title: `${uid}-title`, desc: `${uid}-desc` };
  const activeIdx = Math.min(active, Math.max(0, markers.length - 1));
  const detail = markers.find((m) => m.id === (hovered ?? focused));
  const addressCount = groups.filter((g) => g.kind === "address").length;
  const eventCount = groups.filter((g) => g.kind === "event").reduce((s, g) => s + g.points.length, 0);
  const anyApprox = groups.some((g) => g.precision);
  const tableRows = [...points].sort((a, b) =>
    a.kind !== b.kind ? (a.kind === "address" ? -1 : 1) : ((b.last_seen ?? b.date ?? "").localeCompare(a.last_seen ?? a.date ?? "")),
  );

  return (
    <VizSection className="viz-map-section" title={title} headingLevel={headingLevel} titleId={ids.title}>
      {hasPoints ? (
        <>
          <p id={ids.desc} className="viz-hint">
            {addressCount > 0 && `${addressCount} address${addressCount === 1 ? "" : "es"}`}
            {addressCount > 0 && eventCount > 0 && " and "}
            {eventCount > 0 && `${eventCount} event${eventCount === 1 ? "" : "s"} at ${groups.filter((g) => g.kind === "event").length} place${groups.filter((g) => g.kind === "event").length === 1 ? "" : "s"}`}
            . Select a marker to open the address; on the keyboard, Tab to the map, move with the arrow keys and press Enter.
          </p>
          <div className="viz-toolbar" role="group" aria-label="Map view">
            <button type="button" className="button-secondary button-small" aria-pressed={view === "zoomed"} onClick={() => { setView("zoomed"); setActive(0); }}>
              Zoomed to these places
            </button>
            <button type="button" className="button-secondary button-small" aria-pressed={view === "gb"} onClick={() => { setView("gb"); setActive(0); }}>
              Great Britain
            </button>
          </div>
        </>
      ) : (
        <p className="viz-empty">No mapped locations you may see.</p>
      )}
      <div className="viz-chart viz-map" ref={wrapRef}>
        <svg
          className="viz-svg"
          width={width}
          height={height}
          role="group"
          aria-label={hasPoints ? `Map, ${view === "gb" ? "Great Britain" : "zoomed to these places"}` : "Map of Great Britain with no locations"}
          aria-describedby={hasPoints ? ids.desc : undefined}
          onKeyDown={onKeyDown}
        >
          <rect x={0} y={0} width={width} height={height} fill="#e8f1f8" />
          <path d={outlinePath} fill="#f3f2f1" stroke="#8e9295" strokeWidth={view === "gb" ? 0.8 : 1.2} strokeLinejoin="round" />
          {markers.map((m) =>
            m.x !== m.anchorX || m.y !== m.anchorY ? (
              <g key={`a-${m.id}`}>
                <line x1={m.anchorX} y1={m.anchorY} x2={m.x} y2={m.y} stroke="#0b0c0c" strokeWidth={1} />
                <circle cx={m.anchorX} cy={m.anchorY} r={2.5} fill="#0b0c0c" />
              </g>
            ) : null,
          )}
          {markers.map((m, i) => {
            const colour = m.kind === "address" ? ADDRESS_COLOUR : m.kind === "event" ? EVENT_COLOUR : CLUSTER_COLOUR;
            const shape = m.kind === "address" ? "house" : m.kind === "event" ? "circle" : "hexagon";
            const r = markerRadius(m);
            const isFocused = focused === m.id;
            const badge = m.kind === "cluster" ? null : m.count > 1 ? String(m.count) : null;
            return (
              <g
                key={m.id}
                id={`${uid}-m-${i}`}
                className="viz-node"
                transform={`translate(${m.x.toFixed(1)},${m.y.toFixed(1)})`}
                role={m.kind === "cluster" ? "button" : "link"}
                aria-label={m.label}
                onClick={() => activate(m)}
                {...markProps(i, m.id, activeIdx)}
              >
                <title>{m.label}</title>
                {isFocused && <path d={shapePath("circle", r + 7)} fill="#ffdd00" stroke="#0b0c0c" strokeWidth={2} />}
                <path d={shapePath("circle", r + 6)} fill="transparent" />
                <path
                  d={shapePath(shape, r)}
                  fill={colour}
                  stroke={m.approximate ? "#0b0c0c" : "#ffffff"}
                  strokeWidth={m.approximate ? 1.5 : 1.5}
                  strokeDasharray={m.approximate ? "3 2" : undefined}
                />
                {m.kind === "cluster" && (
                  <text className="viz-marker-count" y={4} textAnchor="middle" fill="#ffffff">
                    {m.count}
                  </text>
                )}
                {badge && (
                  <g transform={`translate(${r + 3},${-r - 1})`}>
                    <rect x={-1} y={-8} width={badge.length * 7 + 8} height={15} rx={3} fill="#ffffff" stroke="#0b0c0c" strokeWidth={1} />
                    <text className="viz-marker-badge" x={badge.length * 3.5 + 3} y={3.5} textAnchor="middle">
                      {badge}
                    </text>
                  </g>
                )}
              </g>
            );
          })}
          <g aria-hidden="true">
            {markers.map((m) => {
              const l = placeLabels.get(m.id);
              return l ? (
                <text key={m.id} className="viz-place-label" x={l.x} y={l.y} textAnchor={l.anchor}>
                  {l.text}
                </text>
              ) : null;
            })}
          </g>
          {inset && (
            <g transform={`translate(${width - inset.w - 10},10)`} aria-hidden="true">
              <rect x={0} y={0} width={inset.w} height={inset.h} fill="#e8f1f8" stroke="#505a5f" />
              <path d={inset.path} fill="#f3f2f1" stroke="#8e9295" strokeWidth={0.5} />
              <rect
                x={inset.x}
                y={inset.y}
                width={Math.max(4, inset.rw)}
                height={Math.max(4, inset.rh)}
                fill="none"
                stroke="#d4351c"
                strokeWidth={2}
              />
            </g>
          )}
          {scaleBar && (
            <g transform={`translate(16,${scaleBar.y})`} aria-hidden="true">
              <rect x={-6} y={-16} width={scaleBar.px + 60} height={26} fill="#ffffff" opacity={0.85} />
              <path d={`M0,-5V3H${scaleBar.px.toFixed(1)}V-5`} fill="none" stroke="#0b0c0c" strokeWidth={1.5} />
              <text className="viz-tick" x={scaleBar.px + 6} y={3}>
                {scaleBar.label}
              </text>
            </g>
          )}
        </svg>
        {hasPoints && (
          <p className="viz-detail" aria-hidden="true">
            {detail ? detail.label.replace(/\. (Open address|Zoom to these places)$/, "") : "Point at or focus a marker to see what is there."}
          </p>
        )}
      </div>
      {hasPoints && (
        <div className="viz-legend" role="group" aria-label="Key to the map">
          <span className="viz-legend-item">
            <ShapeIcon shape="house" fill={ADDRESS_COLOUR} stroke="#ffffff" />
            Address lived at
          </span>
          <span className="viz-legend-item">
            <ShapeIcon shape="circle" fill={EVENT_COLOUR} stroke="#ffffff" />
            Where events happened
          </span>
          <span className="viz-legend-item">
            <span className="viz-badge-sample" aria-hidden="true">
              3
            </span>
            Number of records or events at that place
          </span>
          {view === "gb" && markers.some((m) => m.kind === "cluster") && (
            <span className="viz-legend-item">
              <ShapeIcon shape="hexagon" fill={CLUSTER_COLOUR} stroke="#ffffff" />
              Several places close together
            </span>
          )}
          {anyApprox && (
            <span className="viz-legend-item">
              <svg className="viz-icon" width={18} height={18} viewBox="-9 -9 18 18" aria-hidden="true" focusable="false">
                <circle r={6} fill="#ffffff" stroke="#0b0c0c" strokeWidth={1.5} strokeDasharray="3 2" />
              </svg>
              Dashed outline: approximate position (postcode district or area centre)
            </span>
          )}
        </div>
      )}
      {hasPoints && (
        <details className="viz-details">
          <summary>Map as a table</summary>
          <div className="viz-table-wrap" tabIndex={0} role="region" aria-label="Mapped locations">
            <table className="viz-table">
              <caption>Mapped locations ({points.length})</caption>
              <TableHead columns={["What", "Postcode", "When", "Event type", "Position"]} />
              <tbody>
                {tableRows.map((p, i) => (
                  <tr key={`${p.kind}-${p.location_id}-${p.event_id ?? ""}-${i}`}>
                    <td>
                      <ShapeIcon shape={p.kind === "address" ? "house" : "circle"} fill={p.kind === "address" ? ADDRESS_COLOUR : EVENT_COLOUR} stroke="#ffffff" size={16} />{" "}
                      {p.kind === "address" ? "Address lived at" : "Event"}
                    </td>
                    <td className="viz-nowrap">
                      <Link to={`/address/${p.location_id}`}>{p.postcode || `Location ${p.location_id}`}</Link>
                    </td>
                    <td className="viz-nowrap">{p.kind === "address" ? span(p.first_seen, p.last_seen) : p.date ? formatDate(p.date) : "Date not known"}</td>
                    <td>{p.kind === "event" ? humanise(p.type ?? "") : ""}</td>
                    <td>{positionText(p.precision)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </VizSection>
  );
}
