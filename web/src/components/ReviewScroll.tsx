// A wrapper that lets a wide table scroll sideways on a narrow screen. When (and only when) the
// table overflows, the wrapper becomes a named, focusable region so keyboard users can scroll
// it with the arrow keys (WCAG 2.1.1); otherwise it adds no tab stop. Used by the review and
// data quality pages.
import { useEffect, useRef, useState, type ReactNode } from "react";

export function ReviewScroll({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setOverflows(el.scrollWidth > el.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      className="review-scroll"
      tabIndex={overflows ? 0 : undefined}
      role={overflows ? "region" : undefined}
      aria-label={overflows ? `${label} (scrolls sideways)` : undefined}
    >
      {children}
    </div>
  );
}
