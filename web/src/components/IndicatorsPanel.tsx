// Transparent indicators for a person or a household (issue 7): rules such as "three or more
// domestic abuse incidents in twelve months", each shown with whether it is raised, what it
// counts, over which window, and the events that raised it. They are derived from several
// agencies' data, so the server gives them only under the purpose "risk assessment", computed
// from what the user may see; this panel says so instead of showing an error. Advisory only:
// the page says a person decides.
import { Link } from "../lib/router";
import { RiskPurposeNote, useRiskPurposeStated } from "./RiskPurpose";
import { useApi } from "../lib/useApi";
import { agencyName, formatDate, humanise } from "../lib/format";
import { ErrorNotice, Loading } from "./Status";
import type { TimelineEvent, Withheld } from "../lib/types";

interface Indicator {
  code: string;
  title: string;
  description: string;
  scope: "nominal" | "household";
  raised: boolean;
  count: number;
  // A rule over events, or a composite: at least `at_least` of the codes in `of`.
  threshold: { min_events?: number; min_distinct_days?: number; any_member?: boolean; at_least?: number; of?: string[] };
  window: { from: string; to: string };
  window_months: number | null;
  events: number[];
  components: { code: string; raised: boolean }[];
}

interface IndicatorsResponse {
  as_of: string;
  rule_set: string;
  indicators: Indicator[];
  events: TimelineEvent[];
  withheld: Withheld;
}

export function IndicatorsPanel({ kind, id }: { kind: "nominals" | "households"; id: string }) {
  const allowed = useRiskPurposeStated();
  const result = useApi<IndicatorsResponse>(allowed ? `/${kind}/${encodeURIComponent(id)}/indicators` : null);

  if (!allowed) return <RiskPurposeNote what="Indicators are" className="muted" />;
  if (result.loading) return <Loading what="indicators" />;
  if (result.error) return <ErrorNotice error={result.error} what="indicators" />;
  const data = result.data;
  if (!data) return null;

  const events = new Map(data.events.map((e) => [e.event_id, e]));
  const byCode = new Map(data.indicators.map((i) => [i.code, i]));
  const raised = data.indicators.filter((i) => i.raised);
  return (
    <>
      <p>
        <strong>
          {raised.length} of {data.indicators.length} indicators raised
        </strong>{" "}
        as of {formatDate(data.as_of)}, from the records you may see. Indicators are transparent rules to
        help you look; they are advisory, and you decide what they mean for this{" "}
        {kind === "nominals" ? "person" : "household"}.
      </p>
      {data.withheld.total > 0 && (
        <p className="hint">Records withheld from you under agreement terms are not counted.</p>
      )}
      <table className="ind-table">
        <caption>Indicators, raised ones first, with the events that raised them</caption>
        <thead>
          <tr>
            <th scope="col">Indicator</th>
            <th scope="col">Raised</th>
            <th scope="col">Counted</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {[...raised, ...data.indicators.filter((i) => !i.raised)].map((i) => (
            <tr key={i.code} className={i.raised ? "ind-raised" : undefined}>
              <th scope="row">
                {i.title}
                <div className="hint">{i.description}</div>
              </th>
              <td>{i.raised ? <span className="tag ind-tag">Raised</span> : <span className="muted">Not raised</span>}</td>
              <td>
                {i.components.length > 0 ? (
                  <>
                    {i.components.filter((c) => c.raised).length} raised, {i.threshold.at_least ?? i.components.length} needed
                  </>
                ) : (
                  <>
                    {i.count} counted, {i.threshold.min_events ?? 1} needed
                  </>
                )}
                <div className="hint">
                  {formatDate(i.window.from)} to {formatDate(i.window.to)}
                </div>
              </td>
              <td>
                {i.components.length > 0 && (
                  <ul className="ind-list">
                    {i.components.map((c) => (
                      <li key={c.code}>
                        {byCode.get(c.code)?.title ?? humanise(c.code)}: {c.raised ? "raised" : "not raised"}
                      </li>
                    ))}
                  </ul>
                )}
                {i.components.length === 0 && i.events.length > 0 && (
                  <ul className="ind-list">
                    {i.events.map((eid) => {
                      const e = events.get(eid);
                      return (
                        <li key={eid}>
                          {e ? (
                            <>
                              {formatDate(e.date) || "Date withheld"}: {agencyName(e.agency)}, {humanise(e.category || e.type)}
                              {e.nominal_ids && e.nominal_ids.length > 0 && kind === "households" && (
                                <>
                                  {" "}
                                  (
                                  {e.nominal_ids.map((n, k) => (
                                    <span key={n}>
                                      {k > 0 && ", "}
                                      <Link to={`/person/${n}`}>person {n}</Link>
                                    </span>
                                  ))}
                                  )
                                </>
                              )}
                            </>
                          ) : (
                            `Event ${eid}`
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
                {i.components.length === 0 && i.events.length === 0 && <span className="muted">None in the window</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
