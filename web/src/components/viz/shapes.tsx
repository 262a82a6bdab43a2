// Marker shapes shared by the timeline, the relationship graph and the map, so a shape means
// the same in a chart and in its legend. Each function returns an SVG path centred on (0, 0)
// whose area roughly matches a circle of radius r, so no shape looks more important by size.
export type ShapeName = "circle" | "square" | "triangle" | "diamond" | "house" | "hexagon";

const f = (n: number) => (Math.round(n * 100) / 100).toString();

export function shapePath(shape: ShapeName, r: number): string {
  switch (shape) {
    case "circle":
      return `M${f(-r)},0A${f(r)},${f(r)} 0 1,0 ${f(r)},0A${f(r)},${f(r)} 0 1,0 ${f(-r)},0Z`;
    case "square": {
      const s = r * 0.89;
      return `M${f(-s)},${f(-s)}H${f(s)}V${f(s)}H${f(-s)}Z`;
    }
    case "triangle": {
      const s = r * 1.35;
      return `M0,${f(-s)}L${f(s * 0.866)},${f(s * 0.5)}L${f(-s * 0.866)},${f(s * 0.5)}Z`;
    }
    case "diamond": {
      const s = r * 1.25;
      return `M0,${f(-s)}L${f(s)},0L0,${f(s)}L${f(-s)},0Z`;
    }
    case "house": {
      // A square body under a pitched roof: reads as "a home" at small sizes.
      const w = r * 0.95;
      return `M0,${f(-r * 1.25)}L${f(w * 1.1)},${f(-r * 0.2)}H${f(w)}V${f(r)}H${f(-w)}V${f(-r * 0.2)}H${f(-w * 1.1)}Z`;
    }
    case "hexagon": {
      let d = "";
      for (let i = 0; i < 6; i++) {
        const a = (Math.PI / 3) * i;
        d += `${i ? "L" : "M"}${f(r * 1.05 * Math.cos(a))},${f(r * 1.05 * Math.sin(a))}`;
      }
      return d + "Z";
    }
  }
}

// A small inline icon for legends and tables: the shape drawn in an 18px square.
export function ShapeIcon({
  shape,
  fill = "#505a5f",
  stroke = "#0b0c0c",
  hollow = false,
  size = 18,
}: {
  shape: ShapeName;
  fill?: string;
  stroke?: string;
  hollow?: boolean;
  size?: number;
}) {
  const r = size * 0.34;
  return (
    <svg className="viz-icon" width={size} height={size} viewBox={`${-size / 2} ${-size / 2} ${size} ${size}`} aria-hidden="true" focusable="false">
      <path d={shapePath(shape, r)} fill={hollow ? "#ffffff" : fill} stroke={hollow ? fill : stroke} strokeWidth={hollow ? 2 : 1} />
    </svg>
  );
}

// A line sample for edge legends.
export function LineIcon({ dash, colour, width = 2 }: { dash?: string; colour: string; width?: number }) {
  return (
    <svg className="viz-icon" width={34} height={14} viewBox="0 0 34 14" aria-hidden="true" focusable="false">
      <line x1={2} y1={7} x2={32} y2={7} stroke={colour} strokeWidth={width} strokeDasharray={dash} />
    </svg>
  );
}
