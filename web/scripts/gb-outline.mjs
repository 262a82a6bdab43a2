// Extracts the outline of Great Britain from world-atlas (Natural Earth 1:10m, public domain)
// into src/generated/gb-outline.json, a small GeoJSON MultiPolygon the offline map draws. The
// United Kingdom feature (ISO 3166 numeric 826) is kept without Northern Ireland's polygons,
// and coordinates are rounded to about 100 m: the map shows where addresses are, not borders.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const topology = JSON.parse(readFileSync(require.resolve("world-atlas/countries-10m.json"), "utf8"));
const countries = feature(topology, topology.objects.countries);
const uk = countries.features.find((f) => String(f.id) === "826");
if (!uk) {
  console.error("gb-outline: no United Kingdom (826) in world-atlas/countries-10m.json");
  process.exit(1);
}
const polygons = uk.geometry.type === "MultiPolygon" ? uk.geometry.coordinates : [uk.geometry.coordinates];

function bbox(ring) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}
// Northern Ireland lies within 8.2W-5.4W, 54.0N-55.4N; no part of Great Britain does.
const isNorthernIreland = ([x0, y0, x1, y1]) => x0 >= -8.3 && x1 <= -5.4 && y0 >= 53.9 && y1 <= 55.4;
const round = (v) => Math.round(v * 1000) / 1000;
const gb = polygons
  .filter((p) => !isNorthernIreland(bbox(p[0])))
  .map((p) => p.map((ring) => {
    const out = [];
    for (const [x, y] of ring) {
      const pt = [round(x), round(y)];
      const last = out[out.length - 1];
      if (!last || last[0] !== pt[0] || last[1] !== pt[1]) out.push(pt);
    }
    return out;
  }))
  .filter((p) => p[0].length >= 4);

const out = {
  type: "Feature",
  properties: { name: "Great Britain", source: "Natural Earth 1:10m via world-atlas 2.0.2 (public domain)" },
  geometry: { type: "MultiPolygon", coordinates: gb },
};
mkdirSync(join(here, "../src/generated"), { recursive: true });
writeFileSync(join(here, "../src/generated/gb-outline.json"), JSON.stringify(out));
console.log(`gb-outline: ${gb.length} polygons of Great Britain written`);
