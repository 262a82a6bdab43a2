// The late-intervention cost estimate on the demand page (issue 7): the events of a period that
// a published unit cost prices (a child protection plan, a looked-after placement...), counted,
// multiplied out and summed. It is an estimate, not a budget: the assumptions it rests on are
// listed beside the table, small counts are suppressed like the demand counts, and events with
// no unit cost are listed, not priced.
import { useApi } from "../lib/useApi";
import { formatDate, humanise } from "../lib/format";
import { ErrorNotice, Loading } from "./Status";
import { TableHead } from "./TableHead";

interface CostRow {
  category: string;
  label: string;
  unit: string;
  unit_cost: number;
  count: number | null;
  cost: number | null;
  suppressed: boolean;
}

interface CostResponse {
  from: string;
  to: string;
  currency: string;
  price_year: string | number;
  source: string;
  assumptions: string[];
  rows: CostRow[];
  total_cost: number | null;
  suppressed_cells: number;
  unpriced: { category: string; count: number | null }[];
}

function money(v: number | null | undefined, currency: string): string {
  if (v === null || v === undefined) return "not shown";
  return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency || "GBP", maximumFractionDigits: 0 }).format(v);
}

export function LateInterventionCost({ from, to }: { from: string; to: string }) {
  const result = useApi<CostResponse>("/analytics/late-intervention-cost", { from, to });
  if (result.loading) return <Loading what="the cost estimate" />;
  if (result.error) return <ErrorNotice error={result.error} what="the cost estimate" />;
  const d = result.data;
  if (!d) return null;
  return (
    <div className="cost-grid">
      <div>
        {d.rows.length === 0 ? (
          <p>No priced events you may see between {formatDate(d.from)} and {formatDate(d.to)}.</p>
        ) : (
          <div className="sv-scroll">
            <table className="demand-table cost-table">
              <caption>
                Estimated cost of late intervention, {formatDate(d.from)} to {formatDate(d.to)} ({d.currency}, {d.price_year} prices)
              </caption>
              <TableHead columns={["What", { num: "Unit cost" }, { num: "Number" }, { num: "Estimated cost" }]} />
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.category}>
                    <th scope="row">
                      {r.label || humanise(r.category)}
                      <span className="gov-detail">{/^per\b/i.test(r.unit) ? r.unit : `per ${r.unit}`}</span>
                    </th>
                    <td className="num">{money(r.unit_cost, d.currency)}</td>
                    <td className="num">{r.suppressed || r.count === null ? "fewer than 5" : r.count.toLocaleString("en-GB")}</td>
                    <td className="num">{r.suppressed || r.cost === null ? "not shown" : money(r.cost, d.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3}>
                    Total estimate{d.suppressed_cells > 0 ? ` (of the rows shown; ${d.suppressed_cells} suppressed)` : ""}
                  </th>
                  <td className="num">{money(d.total_cost, d.currency)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
        {d.unpriced.length > 0 && (
          <p className="hint">
            Not priced (no unit cost in the source):{" "}
            {d.unpriced.map((u) => `${humanise(u.category)} (${u.count === null ? "fewer than 5" : u.count.toLocaleString("en-GB")})`).join("; ")}.
          </p>
        )}
      </div>
      <aside className="cost-assumptions" aria-labelledby="cost-assumptions-title">
        <h3 id="cost-assumptions-title">An estimate, not a budget</h3>
        <p>
          <strong>Unit costs:</strong> {d.source} ({d.price_year} prices).
        </p>
        <p>The figure rests on these assumptions:</p>
        <ul>
          {d.assumptions.map((a, i) => (
            <li key={i}>{a}</li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
