// Who and where a person is connected to: the people they share events with, the households
// they belong to and the addresses they and their households have lived at, as a force-directed
// network. Shapes say what a node is (circle person, square household, diamond address) and line
// styles say what a link is, both with a legend; any node opens its own page. "Graph as a list"
// below gives the same relationships as text for screen readers and for printing.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from "react";
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation, type SimulationNodeDatum } from "d3-force";
import type { Graph, GraphEdge, GraphNode } from "../lib/types";
import { formatDate } from "../lib/format";
import { Link, navigate } from "../lib/router";
import { useContainerWidth } from "./viz/useWidth";
import { LineIcon, ShapeIcon, shapePath, type ShapeName } from "./viz/shapes";
import { rovingKey, useMarkFocus } from "./viz/roving";
import { VizSection } from "./viz/VizSection";

export interface RelationshipGraphProps {
  graph: Graph;
  title?: string;
  // Level of the title's heading (default 2).
  headingLevel?: 2 | 3;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
}
interface SimLink {
  source: SimNode | string;
  target: SimNode | string;
  kind: GraphEdge["kind"];
}

const NODE_STYLE: Record<GraphNode["kind"], { shape: ShapeName; fill: string; word: string; r: number }> = {
  nominal: { shape: "circle", fill: "#1d70b8", word: "Person", r: 10 },
  household: { shape: "square", fill: "#00703c", word: "Household", r: 10 },
  address: { shape: "diamond", fill: "#b54b00", word: "Address", r: 9 },
};

const EDGE_STYLE: Record<GraphEdge["kind"], { colour: string; dash?: string; width: number; legend: string; distance: number }> = {
  associate: { colour: "#d4351c", width: 3, legend: "Associates: named in the same events (count on the line)", distance: 120 },
  member_of: { colour: "#505a5f", width: 1.75, legend: "Member of a household", distance: 70 },
  lived_at: { colour: "#1d70b8", dash: "7 4", width: 2, legend: "Lived at an address", distance: 100 },
  located_at: { colour: "#00703c", dash: "1.5 3.5", width: 2.5, legend: "Household located at an address", distance: 60 },
};
const EDGE_ORDER: GraphEdge["kind"][] = ["associate", "member_of", "lived_at", "located_at"];

function nodeHref(id: string): string {
  const [k, n] = id.split(":");
  if (k === "n") return `/person/${n}`;
  if (k === "h") return `/household/${n}`;
  return `/address/${n}`;
}

// "household 972" already says what it is; other labels get the kind in front.
function nodeName(n: GraphNode): string {
  const word = NODE_STYLE[n.kind]?.word ?? "Node";
  return n.label.toLowerCase().startsWith(word.toLowerCase()) ? word + n.label.slice(word.length) : `${word} ${n.label}`;
}

function ariaLabel(n: GraphNode): string {
  const what = n.kind === "nominal" ? "open profile" : n.kind === "household" ? "open household" : "open address";
  return `${nodeName(n)}${n.focus ? " (the subject of this page)" : ""}, ${what}`;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + "…";
}

function period(e: GraphEdge): string {
  if (!e.first_seen && !e.last_seen) return "";
  if (e.first_seen === e.last_seen || !e.last_seen) return ` (${formatDate(e.first_seen)})`;
  if (!e.first_seen) return ` (to ${formatDate(e.last_seen)})`;
  return ` (${formatDate(e.first_seen)} to ${formatDate(e.last_seen)})`;
}

// How one end of an edge reads from the point of view of `self`: "Lived at" <other> " (dates)".
function relation(e: GraphEdge, self: string): [string, string] {
  const outgoing = e.from === self;
  switch (e.kind) {
    case "associate":
      return ["Associate of", e.events ? ` (${e.events} shared event${e.events === 1 ? "" : "s"})` : ""];
    case "member_of":
      return [outgoing ? "Member of" : "Has member", ""];
    case "lived_at":
      return [outgoing ? "Lived at" : "Home of", period(e)];
    case "located_at":
      return [outgoing ? "Located at" : "Address of", ""];
    default:
      return ["Linked to", ""];
  }
}

interface Layout {
  pos: Map<string, { x: number; y: number }>;
  sim: Simulation<SimNode, undefined>;
  nodes: SimNode[];
}

// Runs the force layout to rest synchronously (no animation): the focus node is pinned at the
// centre, links pull related nodes together and every node repels the others.
function runLayout(graph: Graph): Layout {
  const n = graph.nodes.length;
  const nodes: SimNode[] = graph.nodes.map((g) => (g.focus ? { id: g.id, fx: 0, fy: 0 } : { id: g.id }));
  const ids = new Set(nodes.map((d) => d.id));
  const links: SimLink[] = graph.edges
    .filter((e) => ids.has(e.from) && ids.has(e.to))
    .map((e) => ({ source: e.from, target: e.to, kind: e.kind }));
  const spread = n > 60 ? 0.7 : 1;
  const sim = forceSimulation<SimNode>(nodes)
    .force(
      "link",
      forceLink<SimNode, SimLink>(links)
        .id((d) => d.id)
        .distance((l) => EDGE_STYLE[l.kind].distance * spread)
        .strength(0.7),
    )
    .force("charge", forceManyBody<SimNode>().strength(n > 60 ? -180 : -420).distanceMax(500))
    .force("collide", forceCollide<SimNode>(n > 60 ? 22 : 34))
    .force("x", forceX<SimNode>(0).strength(0.06))
    .force("y", forceY<SimNode>(0).strength(0.08))
    .stop();
  sim.tick(300);
  return { pos: positionsOf(nodes), sim, nodes };
}

function positionsOf(nodes: SimNode[]) {
  const pos = new Map<string, { x: number; y: number }>();
  for (const d of nodes) pos.set(d.id, { x: d.x ?? 0, y: d.y ?? 0 });
  return pos;
}

interface Fit {
  s: number;
  cx: number;
  cy: number;
}

function fitTo(pos: Map<string, { x: number; y: number }>, width: number, height: number): Fit {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of pos.values()) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (!Number.isFinite(x0)) return { s: 1, cx: 0, cy: 0 };
  // Room for labels (up to ~90px either side of a node, ~30px below).
  const s = Math.min(2.2, (width - 190) / Math.max(1, x1 - x0), (height - 80) / Math.max(1, y1 - y0));
  return { s: Math.max(0.15, s), cx: (x0 + x1) / 2, cy: (y0 + y1) / 2 };
}

const LABEL_CHAR_W = 6.8;
const LABEL_MAX = 28;

export function RelationshipGraph({ graph, title, headingLevel = 2 }: RelationshipGraphProps) {
  const uid = useId().replace(/:/g, "");
  const [wrapRef, width] = useContainerWidth<HTMLDivElement>(900);
  const n = graph.nodes.length;
  const height = Math.round(Math.min(n > 40 ? 680 : n > 12 ? 560 : 440, Math.max(n <= 3 ? 300 : 380, width * (n > 40 ? 0.7 : 0.55))));

  const [layout, setLayout] = useState<Layout>(() => runLayout(graph));
  const [pos, setPos] = useState(layout.pos);
  const [fit, setFit] = useState<Fit>(() => fitTo(layout.pos, width, height));
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const { active, setActive, focused, hovered, markProps } = useMarkFocus();
  const [allLabels, setAllLabels] = useState(false);
  const nodeRefs = useRef(new Map<string, SVGGElement>());
  const drag = useRef<{ id: string | null; startX: number; startY: number; moved: boolean; panX: number; panY: number } | null>(null);
  const suppressClick = useRef(false);

  // A new graph (another person) gets a fresh layout, fitted to the view.
  const graphKey = useMemo(() => graph.nodes.map((d) => d.id).join(",") + "|" + graph.edges.length, [graph]);
  const firstKey = useRef(graphKey);
  useEffect(() => {
    if (firstKey.current === graphKey) return;
    firstKey.current = graphKey;
    const l = runLayout(graph);
    setLayout(l);
    setPos(l.pos);
    setFit(fitTo(l.pos, width, height));
    setZoom(1);
    setPan({ x: 0, y: 0 });
    setActive(0);
  }, [graphKey]);
  useEffect(() => setFit(fitTo(layout.pos, width, height)), [layout, width, height]);

  const nodeById = useMemo(() => new Map(graph.nodes.map((d) => [d.id, d])), [graph]);
  const k = fit.s * zoom;
  const sx = (x: number) => width / 2 + pan.x + (x - fit.cx) * k;
  const sy = (y: number) => height / 2 + pan.y + (y - fit.cy) * k;

  // Nodes in reading order: the focus first, then people, households, addresses.
  const order = useMemo(() => {
    const rank = { nominal: 1, household: 2, address: 3 } as const;
    return [...graph.nodes].sort((a, b) => Number(b.focus) - Number(a.focus) || rank[a.kind] - rank[b.kind] || a.label.localeCompare(b.label));
  }, [graph]);
  const neighbours = useMemo(() => {
    const m = new Map<string, GraphEdge[]>();
    for (const e of graph.edges) {
      if (!m.has(e.from)) m.set(e.from, []);
      if (!m.has(e.to)) m.set(e.to, []);
      m.get(e.from)!.push(e);
      m.get(e.to)!.push(e);
    }
    return m;
  }, [graph]);

  const screen = order.map((d) => {
    const p = pos.get(d.id) ?? { x: 0, y: 0 };
    return { x: sx(p.x), y: sy(p.y) };
  });

  // Labels: placed in priority order (the focus, its neighbours and the links to them, then
  // people, households, addresses), below a node or else above it, and left out where they
  // would cover another label or shape. A node's label always shows while it is pointed at or
  // focused, and "Show all labels" draws every one.
  const focusNode = order.find((d) => d.focus);
  const focusNeighbours = new Set<string>();
  if (focusNode) for (const e of neighbours.get(focusNode.id) ?? []) focusNeighbours.add(e.from === focusNode.id ? e.to : e.from);
  type Box = { x0: number; y0: number; x1: number; y1: number };
  const hits = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const shapeBoxes: Box[] = order.map((d, i) => {
    const r = NODE_STYLE[d.kind].r + (d.focus ? 3 : 0) + 1;
    return { x0: screen[i].x - r, y0: screen[i].y - r, x1: screen[i].x + r, y1: screen[i].y + r };
  });
  const placed: Box[] = [];
  const labelShown = new Map<string, { text: string; above: boolean }>();
  const edgeLabelShown = new Set<number>();
  const free = (box: Box, self: number) => !placed.some((b) => hits(b, box)) && !shapeBoxes.some((b, j) => j !== self && hits(b, box));
  const rankOf = (d: GraphNode) => (d.focus ? 0 : focusNeighbours.has(d.id) ? 1 : d.kind === "nominal" ? 2 : d.kind === "household" ? 3 : 4);
  const byRank = order.map((d, i) => ({ d, i })).sort((x, y) => rankOf(x.d) - rankOf(y.d) || x.i - y.i);
  const placeEdgeLabels = (focusOnly: boolean) =>
    graph.edges.forEach((e, ei) => {
      if (e.kind !== "associate" || !e.events || edgeLabelShown.has(ei)) return;
      const touchesFocus = focusNode !== undefined && (e.from === focusNode.id || e.to === focusNode.id);
      if (focusOnly !== touchesFocus) return;
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      if (!a || !b) return;
      const mx = (sx(a.x) + sx(b.x)) / 2;
      const my = (sy(a.y) + sy(b.y)) / 2 - 4;
      const w = `${e.events} shared`.length * 6.2;
      const box = { x0: mx - w / 2, y0: my - 11, x1: mx + w / 2, y1: my + 3 };
      if (!allLabels && !free(box, -1)) return;
      placed.push(box);
      edgeLabelShown.add(ei);
    });
  byRank.forEach(({ d, i }, k) => {
    const text = truncate(d.label, LABEL_MAX);
    const special = d.id === focused || d.id === hovered || d.focus || allLabels;
    const w = text.length * LABEL_CHAR_W * (d.focus ? 1.1 : 1);
    const r = NODE_STYLE[d.kind].r + (d.focus ? 3 : 0);
    const below = { x0: screen[i].x - w / 2, y0: screen[i].y + r + 3, x1: screen[i].x + w / 2, y1: screen[i].y + r + 18 };
    const above = { x0: below.x0, y0: screen[i].y - r - 18, x1: below.x1, y1: screen[i].y - r - 3 };
    if (free(below, i) || special) {
      placed.push(below);
      labelShown.set(d.id, { text, above: false });
    } else if (free(above, i)) {
      placed.push(above);
      labelShown.set(d.id, { text, above: true });
    }
    // Links to the focus are labelled straight after the focus and its neighbours.
    if (k + 1 < byRank.length && rankOf(d) <= 1 && rankOf(byRank[k + 1].d) > 1) placeEdgeLabels(true);
  });
  placeEdgeLabels(true);
  placeEdgeLabels(false);
  const hiddenLabels = n - labelShown.size;

  function svgPoint(e: ReactPointerEvent): { x: number; y: number } {
    const rect = (e.currentTarget as Element).closest("svg")!.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  function onNodePointerDown(e: ReactPointerEvent<SVGGElement>, id: string) {
    if (e.button !== 0) return;
    e.stopPropagation();
    suppressClick.current = false;
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    const p = svgPoint(e);
    drag.current = { id, startX: p.x, startY: p.y, moved: false, panX: pan.x, panY: pan.y };
  }

  function onBackgroundPointerDown(e: ReactPointerEvent<SVGRectElement>) {
    if (e.button !== 0) return;
    suppressClick.current = false;
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    const p = svgPoint(e);
    drag.current = { id: null, startX: p.x, startY: p.y, moved: false, panX: pan.x, panY: pan.y };
  }

  function onPointerMove(e: ReactPointerEvent) {
    const d = drag.current;
    if (!d) return;
    const p = svgPoint(e);
    if (!d.moved && Math.hypot(p.x - d.startX, p.y - d.startY) < 4) return;
    d.moved = true;
    if (d.id === null) {
      setPan({ x: d.panX + p.x - d.startX, y: d.panY + p.y - d.startY });
      return;
    }
    // Dragging a node pins it where it is put and lets the others settle around it.
    const node = layout.nodes.find((x) => x.id === d.id);
    if (!node) return;
    node.fx = fit.cx + (p.x - width / 2 - pan.x) / k;
    node.fy = fit.cy + (p.y - height / 2 - pan.y) / k;
    layout.sim.alpha(0.25).tick(3);
    setPos(positionsOf(layout.nodes));
  }

  function onPointerUp() {
    const d = drag.current;
    drag.current = null;
    if (d?.moved && d.id !== null) {
      layout.sim.alpha(0.3).tick(40);
      setPos(positionsOf(layout.nodes));
    }
    if (d?.moved) suppressClick.current = true;
  }

  function open(id: string) {
    if (suppressClick.current) {
      suppressClick.current = false;
      return;
    }
    navigate(nodeHref(id));
  }

  function onKeyDown(e: KeyboardEvent<SVGSVGElement>) {
    rovingKey(
      e,
      screen,
      active,
      (next) => {
        if (!order[next]) return;
        setActive(next);
        nodeRefs.current.get(order[next].id)?.focus();
      },
      () => order[active] && navigate(nodeHref(order[active].id)),
    );
  }

  function zoomBy(f: number) {
    const z = Math.min(5, Math.max(0.3, zoom * f));
    const ratio = z / zoom;
    setZoom(z);
    setPan({ x: pan.x * ratio, y: pan.y * ratio });
  }

  function relayout() {
    const l = runLayout(graph);
    setLayout(l);
    setPos(l.pos);
    setZoom(1);
    setPan({ x: 0, y: 0 });
  }

  const ids = { title: `${uid}-title`, desc: `${uid}-desc` };
  const counts = { nominal: 0, household: 0, address: 0 };
  for (const d of graph.nodes) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
  const summary = [
    `${counts.nominal} ${counts.nominal === 1 ? "person" : "people"}`,
    `${counts.household} household${counts.household === 1 ? "" : "s"}`,
    `${counts.address} address${counts.address === 1 ? "" : "es"}`,
  ].join(", ");
  const kindsPresent = new Set(graph.edges.map((e) => e.kind));
  const activeIdx = Math.min(active, Math.max(0, order.length - 1));
  const hoverNode = hovered ? nodeById.get(hovered) : focused ? nodeById.get(focused) : undefined;

  return (
    <VizSection className="viz-graph-section" title={title} headingLevel={headingLevel} titleId={ids.title}>
      {n === 0 ? (
        <p>No relationships you may see.</p>
      ) : (
        <>
          <p id={ids.desc} className="viz-hint">
            {summary} and {graph.edges.length} link{graph.edges.length === 1 ? "" : "s"}. Select a shape to open that page; drag shapes to
            move them. On the keyboard, Tab to the graph, move between shapes with the arrow keys and press Enter to open one.
          </p>
          <div className="viz-toolbar" role="group" aria-label="Graph view">
            <button type="button" className="button-secondary button-small" onClick={() => zoomBy(1.3)}>
              <span aria-hidden="true">+ </span>Zoom in
            </button>
            <button type="button" className="button-secondary button-small" onClick={() => zoomBy(1 / 1.3)}>
              <span aria-hidden="true">− </span>Zoom out
            </button>
            <button type="button" className="button-secondary button-small" onClick={() => { setZoom(1); setPan({ x: 0, y: 0 }); }}>
              Reset view
            </button>
            <button type="button" className="button-secondary button-small" onClick={relayout}>
              Re-arrange
            </button>
            {(hiddenLabels > 0 || allLabels) && (
              <span className="checkbox viz-inline-check">
                <input type="checkbox" id={`${uid}-labels`} checked={allLabels} onChange={(e) => setAllLabels(e.target.checked)} />
                <label htmlFor={`${uid}-labels`}>Show all labels</label>
              </span>
            )}
          </div>
          <div className="viz-chart viz-graph" ref={wrapRef}>
            <svg
              className="viz-svg"
              width={width}
              height={height}
              role="group"
              aria-label={`Relationship graph: ${summary}`}
              aria-describedby={ids.desc}
              onKeyDown={onKeyDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={onPointerUp}
            >
              <rect className="viz-graph-bg" x={0} y={0} width={width} height={height} fill="#ffffff" onPointerDown={onBackgroundPointerDown} />
              <g>
                {graph.edges.map((e, i) => {
                  const a = pos.get(e.from);
                  const b = pos.get(e.to);
                  if (!a || !b) return null;
                  const st = EDGE_STYLE[e.kind] ?? EDGE_STYLE.member_of;
                  const from = nodeById.get(e.from);
                  const to = nodeById.get(e.to);
                  return (
                    <line
                      key={i}
                      x1={sx(a.x)}
                      y1={sy(a.y)}
                      x2={sx(b.x)}
                      y2={sy(b.y)}
                      stroke={st.colour}
                      strokeWidth={st.width}
                      strokeDasharray={st.dash}
                      strokeLinecap={e.kind === "located_at" ? "round" : "butt"}
                    >
                      <title>{`${from ? nodeName(from) : e.from}: ${relation(e, e.from)[0].toLowerCase()} ${to ? nodeName(to) : e.to}${relation(e, e.from)[1]}`}</title>
                    </line>
                  );
                })}
              </g>
              <g>
                {graph.edges.map((e, i) => {
                    if (!edgeLabelShown.has(i)) return null;
                    const a = pos.get(e.from);
                    const b = pos.get(e.to);
                    if (!a || !b) return null;
                    return (
                      <text key={i} className="viz-edge-label" x={(sx(a.x) + sx(b.x)) / 2} y={(sy(a.y) + sy(b.y)) / 2 - 4} textAnchor="middle">
                        {e.events} shared
                      </text>
                    );
                  })}
              </g>
              {order.map((d, i) => {
                const st = NODE_STYLE[d.kind] ?? NODE_STYLE.address;
                const r = st.r + (d.focus ? 3 : 0);
                const label = labelShown.get(d.id);
                const isFocused = focused === d.id;
                return (
                  <g
                    key={d.id}
                    ref={(el) => {
                      if (el) nodeRefs.current.set(d.id, el);
                      else nodeRefs.current.delete(d.id);
                    }}
                    className="viz-node"
                    transform={`translate(${screen[i].x.toFixed(1)},${screen[i].y.toFixed(1)})`}
                    role="link"
                    aria-label={ariaLabel(d)}
                    {...markProps(i, d.id, activeIdx)}
                    onPointerDown={(e) => onNodePointerDown(e, d.id)}
                    onClick={() => open(d.id)}
                  >
                    <title>{ariaLabel(d)}</title>
                    {isFocused && <path d={shapePath("circle", r + 7)} fill="#ffdd00" stroke="#0b0c0c" strokeWidth={2} />}
                    <path d={shapePath(st.shape, r + 6)} fill="transparent" />
                    <path d={shapePath(st.shape, r)} fill={st.fill} stroke="#0b0c0c" strokeWidth={d.focus ? 4 : 1.5} />
                    {label && (
                      <text className={d.focus ? "viz-node-label viz-node-focus" : "viz-node-label"} y={label.above ? -r - 7 : r + 15} textAnchor="middle">
                        {label.text}
                      </text>
                    )}
                  </g>
                );
              })}
            </svg>
            <p className="viz-detail" aria-hidden="true">
              {hoverNode
                ? ariaLabel(hoverNode)
                : hiddenLabels > 0 && !allLabels
                  ? `${hiddenLabels} label${hiddenLabels === 1 ? " is" : "s are"} hidden to keep the graph readable: point at or focus a shape to see its name.`
                  : "Point at or focus a shape to see what it is."}
            </p>
          </div>
          <div className="viz-legend" role="group" aria-label="Key to the graph">
            {(["nominal", "household", "address"] as const).map((kind) => (
              <span key={kind} className="viz-legend-item">
                <ShapeIcon shape={NODE_STYLE[kind].shape} fill={NODE_STYLE[kind].fill} />
                {kind === "nominal" ? "Person" : kind === "household" ? "Household" : "Address"}
              </span>
            ))}
            <span className="viz-legend-item">
              <svg className="viz-icon" width={18} height={18} viewBox="-9 -9 18 18" aria-hidden="true" focusable="false">
                <circle r={6} fill="#ffffff" stroke="#0b0c0c" strokeWidth={3} />
              </svg>
              Thick outline, bold name: subject of this page
            </span>
            {EDGE_ORDER.filter((kind) => kindsPresent.has(kind)).map((kind) => (
              <span key={kind} className="viz-legend-item">
                <LineIcon colour={EDGE_STYLE[kind].colour} dash={EDGE_STYLE[kind].dash} width={EDGE_STYLE[kind].width} />
                {EDGE_STYLE[kind].legend}
              </span>
            ))}
          </div>
          <details className="viz-details">
            <summary>Graph as a list</summary>
            <ul className="viz-graph-list">
              {order.map((d) => {
                const edges = neighbours.get(d.id) ?? [];
                return (
                  <li key={d.id}>
                    <Link to={nodeHref(d.id)}>{nodeName(d)}</Link>
                    {d.focus && <strong> (subject of this page)</strong>}
                    {edges.length === 0 ? (
                      <span className="muted"> – no links shown</span>
                    ) : (
                      <ul>
                        {edges.map((e, i) => {
                          const otherId = e.from === d.id ? e.to : e.from;
                          const other = nodeById.get(otherId);
                          return (
                            <li key={i}>
                              {relation(e, d.id)[0]} <Link to={nodeHref(otherId)}>{other ? nodeName(other) : otherId}</Link>
                              {relation(e, d.id)[1]}
                            </li>
                          );
                        })}
                      </ul>
                    )}
                  </li>
                );
              })}
            </ul>
          </details>
        </>
      )}
    </VizSection>
  );
}
