// The frame of a chart (timeline, relationship graph, map): a section under its own heading when
// it is given a title, else a plain block inside the page's own section.
import type { ReactNode } from "react";

export function VizSection({
  className,
  title,
  headingLevel = 2,
  titleId,
  children,
}: {
  className: string;
  title?: string;
  headingLevel?: 2 | 3;
  titleId: string;
  children: ReactNode;
}) {
  if (!title) return <div className={className}>{children}</div>;
  const Heading = headingLevel === 3 ? "h3" : "h2";
  return (
    <section className={className} aria-labelledby={titleId}>
      <Heading id={titleId}>{title}</Heading>
      {children}
    </section>
  );
}
