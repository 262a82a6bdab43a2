// A table's column headings, written as a list: a heading's text, or { num: text } for a column
// of numbers (right-aligned like its cells); false leaves a column out ({canEdit && "Actions"}).
import type { ReactNode } from "react";

export type Column = ReactNode | { num: ReactNode };

function isNum(c: Column): c is { num: ReactNode } {
  return typeof c === "object" && c !== null && "num" in c;
}

export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) =>
          c === false || c === null || c === undefined ? null : isNum(c) ? (
            <th key={i} scope="col" className="num">
              {c.num}
            </th>
          ) : (
            <th key={i} scope="col">
              {c}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
