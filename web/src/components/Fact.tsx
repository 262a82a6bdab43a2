// One fact in a list of facts (<dl>): its label and its value.
import type { ReactNode } from "react";

export function Fact({ label, className, children }: { label: ReactNode; className?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}
