// Working together (issue 7, duplicate intervention): the households, and people, that two or
// more agencies are involved with at the same time, so that partners can coordinate rather than
// duplicate. Built by the server from the records the user's risk-assessment agreement shares;
// the definition of "involved" is stated on the page, and the list is advisory.
import { useState, type FormEvent } from "react";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { agencyName, formatDate } from "../lib/format";
import { ErrorNotice, Loading } from "../components/Status";
import { RiskPurposeNote, useRiskPurposeStated } from "../components/RiskPurpose";
import { countText } from "./Demand";

interface AgencyEpisode {
  agency: string;
  episode_start: string;
  latest_event: string;
  open_until: string;
  events: number;
  members?: number[];
}

interface SummaryRow {
  agencies: string;
  count: number | null;
  suppressed: boolean;
}

interface Summary {
  rows: SummaryRow[];
  total: number | null;
  total_suppressed: boolean;
}

interface InterventionsResponse {
  as_of: string;
  gap_days: number;
  households: { household_id: number; agency_count: number; members: number[]; agencies: AgencyEpisode[] }[];
  nominals: { nominal_id: number; agency_count: number; agencies: AgencyEpisode[] }[];
  summary: { households: Summary; nominals: Summary };
}

function EpisodeChips({ agencies }: { agencies: AgencyEpisode[] }) {
  return (
    <ul className="wt-chips">
      {agencies.map((a) => (
        <li key={a.agency} className="tag">
          {agencyName(a.agency)}: since {formatDate(a.episode_start)}, latest {formatDate(a.latest_event)}, {a.events}{" "}
          {a.events === 1 ? "event" : "events"}
        </li>
      ))}
    </ul>
  );
}

function SummaryTable({ caption, summary }: { caption: string; summary: Summary }) {
  return (
    <table className="demand-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Agencies involved at once</th>
          <th scope="col">Number</th>
        </tr>
      </thead>
      <tbody>
        {summary.rows.map((r) => (
          <tr key={r.agencies}>
            <th scope="row">{r.agencies}</th>
            <td>{countText(r.count, r.suppressed)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td>{summary.total === 0 ? "0" : countText(summary.total, summary.total_suppressed)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

export function InterventionsPage() {
  const allowed = useRiskPurposeStated();
  const [form, setForm] = useState({ as_of: new Date().toISOString().slice(0, 10), gap_days: "90" });
  const [query, setQuery] = useState(form);
  const [formError, setFormError] = useState("");
  const result = useApi<InterventionsResponse>(allowed ? "/analytics/duplicate-interventions" : null, {
    as_of: query.as_of,
    gap_days: query.gap_days,
    limit: 100,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const gap = Number(form.gap_days);
    if (!form.as_of) {
      setFormError("Give the day to look at.");
      return;
    }
    if (!Number.isInteger(gap) || gap < 1 || gap > 3650) {
      setFormError("Days an involvement stays open must be a whole number from 1 to 3650.");
      return;
    }
    setFormError("");
    setQuery(form);
  }

  if (!allowed) {
    return (
      <>
        <h1>Working together</h1>
        <RiskPurposeNote what="This list is" pronoun="it is" />
      </>
    );
  }

  const data = result.data;
  return (
    <>
      <h1>Working together</h1>
      <p>
        Households where two or more agencies are involved at the same time, so that partners can coordinate their work
        rather than duplicate it. <strong>This list is advisory</strong>: it shows where involvements overlap in the records
        you may see, not that anyone's work is unnecessary. A person decides what to do.
      </p>
      <h2>How involvement is worked out</h2>
      <p>
        An agency is involved with a person from one of its events about them until {query.gap_days} days after its latest
        event; an event within {query.gap_days} days of the previous one continues the same involvement, a later one starts a
        new one. A household is listed when two or more agencies' involvements with its members are open on the day you look
        at. Only events from the sources your risk-assessment agreement shares are used. Counts below 5 in the summary are
        shown as "fewer than 5".
      </p>
      <form className="search-form" onSubmit={submit} noValidate aria-labelledby="wt-form-title">
        <h2 id="wt-form-title">Day and definition</h2>
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
        <div className="field field-inline">
          <label htmlFor="wt-as-of">Day to look at</label>
          <input id="wt-as-of" type="date" value={form.as_of} onChange={(e) => setForm({ ...form, as_of: e.target.value })} />
        </div>
        <div className="field field-inline">
          <label htmlFor="wt-gap">Days an involvement stays open after an event</label>
          <input id="wt-gap" inputMode="numeric" value={form.gap_days} onChange={(e) => setForm({ ...form, gap_days: e.target.value })} />
        </div>
        <div className="button-row">
          <button type="submit">Show</button>
        </div>
      </form>

      {result.loading && <Loading what="the households" />}
      {result.error && <ErrorNotice error={result.error} what="the households" />}
      {data && (
        <>
          <h2>Summary on {formatDate(data.as_of)}</h2>
          <SummaryTable caption="Households by the number of agencies involved at once" summary={data.summary.households} />
          <SummaryTable caption="People by the number of agencies involved at once" summary={data.summary.nominals} />

          <h2>Households</h2>
          {data.households.length === 0 ? (
            <p>
              <strong>No households</strong> have two or more agencies involved at once on {formatDate(data.as_of)}, in the
              records you may see.
            </p>
          ) : (
            <table className="demand-table wt-table">
              <caption>
                Households with two or more agencies involved on {formatDate(data.as_of)}, most agencies first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Household</th>
                  <th scope="col">Agencies</th>
                  <th scope="col">Involvements</th>
                  <th scope="col">Members involved</th>
                </tr>
              </thead>
              <tbody>
                {data.households.map((h) => (
                  <tr key={h.household_id}>
                    <th scope="row">
                      <Link to={`/household/${h.household_id}`}>Household {h.household_id}</Link>
                    </th>
                    <td>{h.agency_count}</td>
                    <td>
                      <EpisodeChips agencies={h.agencies} />
                    </td>
                    <td>
                      {h.members.map((n, k) => (
                        <span key={n}>
                          {k > 0 && ", "}
                          <Link to={`/person/${n}`}>person {n}</Link>
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>People</h2>
          {data.nominals.length === 0 ? (
            <p>
              <strong>No people</strong> have two or more agencies involved at once on {formatDate(data.as_of)}, in the
              records you may see.
            </p>
          ) : (
            <table className="demand-table wt-table">
              <caption>People with two or more agencies involved on {formatDate(data.as_of)}, most agencies first</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Agencies</th>
                  <th scope="col">Involvements</th>
                </tr>
              </thead>
              <tbody>
                {data.nominals.map((n) => (
                  <tr key={n.nominal_id}>
                    <th scope="row">
                      <Link to={`/person/${n.nominal_id}`}>Person {n.nominal_id}</Link>
                    </th>
                    <td>{n.agency_count}</td>
                    <td>
                      <EpisodeChips agencies={n.agencies} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
