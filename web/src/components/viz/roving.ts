// Keyboard movement between marks drawn in an SVG: one tab stop for the whole chart, then the
// arrow keys move to the nearest mark in that direction (a "roving tabindex"), so a chart with
// hundreds of marks does not cost hundreds of Tab presses.
import { useState } from "react";

export interface XY {
  x: number;
  y: number;
}

// The index of the nearest point from `from` in the direction of an arrow key, or null.
export function nearestInDirection(points: XY[], from: number, key: string): number | null {
  const o = points[from];
  if (!o) return null;
  let best: number | null = null;
  let bestScore = Infinity;
  for (let i = 0; i < points.length; i++) {
    if (i === from) continue;
    const dx = points[i].x - o.x;
    const dy = points[i].y - o.y;
    let primary: number;
    let secondary: number;
    if (key === "ArrowRight") [primary, secondary] = [dx, dy];
    else if (key === "ArrowLeft") [primary, secondary] = [-dx, dy];
    else if (key === "ArrowDown") [primary, secondary] = [dy, dx];
    else if (key === "ArrowUp") [primary, secondary] = [-dy, dx];
    else return null;
    // Points level with the origin count as "in that direction" only when strictly ahead;
    // ties break on the index so movement through identical positions still progresses.
    if (primary < 0 || (primary === 0 && (key === "ArrowRight" || key === "ArrowDown" ? i < from : i > from))) continue;
    const score = primary + 2.5 * Math.abs(secondary);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

export const ARROW_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"];

// A key pressed on a chart whose marks are at `points`, the tab stop being at `from`: the arrow
// keys `move` it to the nearest mark that way, Home and End to the first and last mark; Enter and
// Space `activate` the mark. Other keys are left to the browser.
export function rovingKey(e: { key: string; preventDefault(): void }, points: XY[], from: number, move: (to: number) => void, activate: () => void) {
  let next: number | null;
  if (ARROW_KEYS.includes(e.key)) next = nearestInDirection(points, from, e.key);
  else if (e.key === "Home") next = 0;
  else if (e.key === "End") next = points.length - 1;
  else if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    activate();
    return;
  } else return;
  e.preventDefault();
  if (next !== null) move(next);
}

// The state behind a chart's marks: which holds the roving tab stop (`active`), which has focus
// and which is under the pointer; `markProps` keeps it current from each mark (the mark with
// index `i` and id `id`, `activeIdx` being `active` clamped to the marks drawn).
export function useMarkFocus() {
  const [active, setActive] = useState(0);
  const [focused, setFocused] = useState<string | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);
  function markProps(i: number, id: string, activeIdx: number) {
    return {
      tabIndex: i === activeIdx ? 0 : -1,
      onFocus: () => {
        setActive(i);
        setFocused(id);
      },
      onBlur: () => setFocused((f) => (f === id ? null : f)),
      onPointerEnter: () => setHovered(id),
      onPointerLeave: () => setHovered((h) => (h === id ? null : h)),
    };
  }
  return { active, setActive, focused, hovered, markProps };
}
