// Cohorts (issue 7): named rule sets over indicators, the approved risk score, area and agency
// involvement, which an early-intervention team runs to get a ranked list of people to look at.
// Each run is kept, so membership over time shows who joined and who left; a member's reasons
// say why they are in it. The lists are advisory: a person decides what to do. Cohorts are
// derived from several agencies' data, so they are shown only under the purpose "risk
// assessment", and a run's members are those the runner's agreements let them see.
import { useState } from "react";
import { Link, navigate } from "../lib/router";
import { api, download, errorText } from "../lib/api";
import { useApi } from "../lib/useApi";
import { actorName, formatDate, formatDateTime, humanise } from "../lib/format";
import { RANK_BY, pct, type Cohort, type CohortMembers, type CohortRun } from "../lib/risk";
import { ErrorNotice, Loading, PagePending } from "../components/Status";
import { RiskPurposeNote, useRiskPurposeStated } from "../components/RiskPurpose";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";
import { Pager } from "../components/Pager";
import { CohortBuilder, conditionText, useIndicatorRules } from "../components/CohortBuilder";
import { SUPPRESSED_TEXT } from "./Demand";

function membersText(n: number | null, suppressed: boolean): string {
  if (suppressed || n === null) return SUPPRESSED_TEXT;
  return n.toLocaleString("en-GB");
}

function NotAllowed({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <RiskPurposeNote what="Cohorts are" pronoun="they are" />
    </>
  );
}

export function CohortsPage() {
  const allowed = useRiskPurposeStated();
  const list = useApi<{ cohorts: Cohort[] }>(allowed ? "/cohorts" : null);
  const indicators = useIndicatorRules();
  if (!allowed) return <NotAllowed title="Cohorts" />;
  return (
    <>
      <h1>Cohorts</h1>
      <p className="gov-lead">
        A cohort is a set of conditions (indicators raised, the risk score, area, agencies involved, age) that picks out
        people an early-intervention team may want to look at, ranked. Run a cohort to get its current members; each run
        is kept, so you can see who joined and who left. <strong>The lists are advisory</strong>: a person decides what
        to do.
      </p>
      <p>
        <Link to="/cohorts/new" className="button">
          New cohort
        </Link>
      </p>
      {list.loading && <Loading what="the cohorts" />}
      {list.error && <ErrorNotice error={list.error} what="the cohorts" />}
      {list.data &&
        (list.data.cohorts.length === 0 ? (
          <p>No cohorts yet. Create one to start.</p>
        ) : (
          <div className="sv-scroll">
            <table>
              <caption>Cohorts</caption>
              <TableHead columns={["Cohort", "Conditions", "Owner", "Last run", { num: "Members then" }]} />
              <tbody>
                {list.data.cohorts.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link to={`/cohorts/${c.id}`}>{c.name}</Link>
                      {c.description && <span className="gov-detail">{c.description}</span>}
                    </th>
                    <td>
                      <ul className="ind-list">
                        {(c.definition?.criteria ?? []).map((x, i) => (
                          <li key={i}>{conditionText(x, indicators.titleOf)}</li>
                        ))}
                      </ul>
                    </td>
                    <td>{actorName(c.owner)}</td>
                    <td>{c.last_run ? formatDateTime(c.last_run.run_at) : <span className="muted">Not run yet</span>}</td>
                    <td className="num">{c.last_run ? membersText(c.last_run.members, c.last_run.suppressed) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}

export function NewCohortPage() {
  const allowed = useRiskPurposeStated();
  if (!allowed) return <NotAllowed title="New cohort" />;
  return (
    <>
      <p className="gov-back">
        <Link to="/cohorts">All cohorts</Link>
      </p>
      <h1>New cohort</h1>
      <p className="gov-lead">
        Add the conditions a person must meet, all of them, and choose how to rank the members. The preview counts the
        people who match now, from the records you may see.
      </p>
      <CohortBuilder onSaved={(c) => navigate(`/cohorts/${c.id}`)} onCancel={() => navigate("/cohorts")} />
    </>
  );
}

function newestRun(runs: CohortRun[]): CohortRun | undefined {
  return [...runs].sort((a, b) => (a.run_at < b.run_at ? 1 : a.run_at > b.run_at ? -1 : b.id - a.id))[0];
}

export function CohortPage({ id }: { id: string }) {
  const allowed = useRiskPurposeStated();
  const cohort = useApi<Cohort>(allowed ? `/cohorts/${encodeURIComponent(id)}` : null);
  const indicators = useIndicatorRules();
  const [editing, setEditing] = useState(false);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  if (!allowed) return <NotAllowed title="Cohort" />;
  if (!cohort.data) {
    return <PagePending heading="Cohort" resource={cohort} loading="the cohort" what="the cohort" notFound="There is no such cohort, or it is not shared with you." back={{ to: "/cohorts", label: "All cohorts" }} />;
  }
  const c = cohort.data;
  const runs = c.runs ?? [];
  const latest = newestRun(runs);

  async function runNow() {
    setRunning(true);
    setRunError(null);
    try {
      await api<CohortRun>(`/cohorts/${c.id}/runs`, { method: "POST" });
      cohort.reload();
    } catch (e) {
      setRunError(errorText(e));
    } finally {
      setRunning(false);
    }
  }

  return (
    <>
      <p className="gov-back">
        <Link to="/cohorts">All cohorts</Link>
      </p>
      <h1>{c.name}</h1>
      {c.description && <p className="gov-lead">{c.description}</p>}
      {saved && (
        <div className="notice notice-success" role="status">
          The cohort's changes are saved. Run it to see who meets the new conditions.
        </div>
      )}
      {editing ? (
        <CohortBuilder
          cohort={c}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            cohort.reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <dl className="gov-summary">
            <Fact label="Conditions (all must hold)">
              <ul className="gov-dd-list">
                {(c.definition?.criteria ?? []).map((x, i) => (
                  <li key={i}>{conditionText(x, indicators.titleOf)}</li>
                ))}
              </ul>
            </Fact>
            <Fact label="Ranked by">{RANK_BY.find((r) => r.value === c.definition?.rank_by)?.label ?? humanise(c.definition?.rank_by ?? "")}</Fact>
            <Fact label="Owner">{actorName(c.owner)}</Fact>
            <Fact label="Last changed">{formatDateTime(c.updated_at)}</Fact>
          </dl>
          <div className="button-row">
            <button type="button" onClick={runNow} disabled={running}>
              {running ? "Running…" : "Run now"}
            </button>
            <button type="button" className="button-secondary" onClick={() => { setSaved(false); setEditing(true); }}>
              Change the conditions
            </button>
          </div>
          {runError && (
            <div className="notice notice-error" role="alert">
              <strong>The cohort was not run.</strong> {runError}
            </div>
          )}
        </>
      )}

      <h2>Membership over time</h2>
      {runs.length === 0 ? (
        <p>This cohort has not been run yet. Run it to see its members.</p>
      ) : (
        <RunHistory cohortId={c.id} runs={runs} />
      )}

      {latest && (
        <>
          <h2>Members at the latest run</h2>
          <Members cohortId={c.id} run={latest} key={latest.id} />
        </>
      )}
    </>
  );
}

function RunHistory({ cohortId, runs }: { cohortId: number; runs: CohortRun[] }) {
  const ordered = [...runs].sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id));
  const max = Math.max(5, ...ordered.map((r) => r.members ?? 0));
  const barW = 36;
  const gap = 14;
  const h = 140;
  const width = Math.max(420, ordered.length * (barW + gap) + 60);
  return (
    <>
      <figure className="cohort-chart">
        <svg viewBox={`0 0 ${width} ${h + 40}`} width={Math.min(width, 760)} role="img" aria-label={`Bar chart of members at each of the ${ordered.length} runs, oldest first; the table below gives the same figures`}>
          <line x1={40} x2={width - 10} y1={h} y2={h} stroke="#0b0c0c" />
          <text x={34} y={14} textAnchor="end" fontSize="11" fill="#505a5f">
            {max.toLocaleString("en-GB")}
          </text>
          <text x={34} y={h} textAnchor="end" fontSize="11" fill="#505a5f">
            0
          </text>
          {ordered.map((r, i) => {
            const x = 50 + i * (barW + gap);
            const suppressed = r.suppressed || r.members === null;
            const bh = suppressed ? 0 : Math.max(2, ((r.members ?? 0) / max) * (h - 20));
            return (
              <g key={r.id}>
                {suppressed ? (
                  <rect x={x} y={h - 12} width={barW} height={12} fill="none" stroke="#0b0c0c" strokeDasharray="3 2" />
                ) : (
                  <rect x={x} y={h - bh} width={barW} height={bh} fill="#1d70b8" />
                )}
                <text x={x + barW / 2} y={(suppressed ? h - 12 : h - bh) - 4} textAnchor="middle" fontSize="11" fill="#0b0c0c">
                  {suppressed ? "<5" : (r.members ?? 0).toLocaleString("en-GB")}
                </text>
                <text x={x + barW / 2} y={h + 16} textAnchor="middle" fontSize="10" fill="#505a5f">
                  {formatDate(r.run_at).replace(/ \d{4}$/, "")}
                </text>
              </g>
            );
          })}
        </svg>
        <figcaption className="hint">A dashed bar marked "&lt;5" is a run with {SUPPRESSED_TEXT} members.</figcaption>
      </figure>
      <div className="sv-scroll">
        <table className="demand-table">
          <caption>Runs of this cohort, newest first</caption>
          <TableHead columns={["Run", "Records as of", "Run by", { num: "Members" }, { num: "Joined" }, { num: "Left" }]} />
          <tbody>
            {[...ordered].reverse().map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link to={`/cohorts/${cohortId}/runs/${r.id}`}>{formatDateTime(r.run_at)}</Link>
                </th>
                <td>{formatDate(r.as_of)}</td>
                <td>{actorName(r.actor)}</td>
                <td className="num">{membersText(r.members, r.suppressed)}</td>
                <td className="num">{r.joined === null ? (r.suppressed ? SUPPRESSED_TEXT : "–") : r.joined.toLocaleString("en-GB")}</td>
                <td className="num">{r.left === null ? (r.suppressed ? SUPPRESSED_TEXT : "–") : r.left.toLocaleString("en-GB")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const PAGE = 25;

function leftTotal(d: CohortMembers): number {
  return Math.max(d.left_total ?? 0, d.left.length);
}

function Members({ cohortId, run }: { cohortId: number; run: CohortRun }) {
  const [offset, setOffset] = useState(0);
  const members = useApi<CohortMembers>(`/cohorts/${cohortId}/runs/${run.id}/members`, { limit: PAGE, offset });
  const [exportError, setExportError] = useState<string | null>(null);
  const exportPath = `/cohorts/${cohortId}/runs/${run.id}/export.csv`;

  async function exportCsv() {
    setExportError(null);
    try {
      await download(exportPath, `cohort-${cohortId}-run-${run.id}.csv`);
    } catch (e) {
      setExportError(errorText(e));
    }
  }

  const d = members.data;
  // Scores come with the members only when the cohort uses them; otherwise the column is left out.
  const showScore = d?.members.some((m) => m.score !== null) ?? false;
  return (
    <div className="cohort-members">
      <p>
        Run {formatDateTime(run.run_at)} by {actorName(run.actor)}, on the records as of {formatDate(run.as_of)}:{" "}
        <strong>{membersText(run.members, run.suppressed)} members</strong>
        {run.joined !== null && run.left !== null && (
          <>
            {" "}
            ({run.joined.toLocaleString("en-GB")} joined and {run.left.toLocaleString("en-GB")} left since the run before)
          </>
        )}
        . The list is advisory: it says who meets the conditions in the records you may see, not what should happen.
      </p>
      <p className="button-row">
        <a
          href={"/api/v1" + exportPath}
          className="button button-secondary"
          onClick={(e) => {
            e.preventDefault();
            void exportCsv();
          }}
        >
          Export members as CSV
        </a>
      </p>
      {exportError && (
        <div className="notice notice-error" role="alert">
          <strong>The export was not made.</strong> {exportError}
        </div>
      )}
      {members.loading && <Loading what="the members" />}
      {members.error && <ErrorNotice error={members.error} what="the members" />}
      {d &&
        (d.members.length === 0 ? (
          <p>No members you may see.</p>
        ) : (
          <>
            <div className="sv-scroll">
              <table className="cohort-table">
                <caption>
                  Members {offset + 1} to {offset + d.members.length} of {d.total.toLocaleString("en-GB")}, in rank order
                </caption>
                <TableHead columns={[{ num: "Rank" }, "Person", { num: "Age" }, "District", showScore && { num: "Risk score" }, "Why they are in the cohort", "Status", "In the cohort since"]} />
                <tbody>
                  {d.members.map((m) =>
                    m.withheld || m.nominal_id === null ? (
                      <tr key={`r${m.rank}`} className="cohort-withheld">
                        <td className="num">{m.rank}</td>
                        <th scope="row" colSpan={showScore ? 7 : 6}>
                          <span className="tag tag-withheld">Withheld</span> A member withheld from you under agreement terms
                        </th>
                      </tr>
                    ) : (
                      <tr key={m.nominal_id}>
                        <td className="num">{m.rank}</td>
                        <th scope="row">
                          <Link to={`/person/${m.nominal_id}`}>{m.name ?? `Person ${m.nominal_id}`}</Link>
                        </th>
                        <td className="num">{m.age ?? <span className="muted">Not known</span>}</td>
                        <td>{m.district ?? <span className="muted">Not known</span>}</td>
                        {showScore && <td className="num">{m.score === null ? <span className="muted">No score</span> : pct(m.score)}</td>}
                        <td>
                          <ul className="ind-list">
                            {m.reasons.map((r, i) => (
                              <li key={i}>{r}</li>
                            ))}
                          </ul>
                        </td>
                        <td>{m.status === "new" ? <span className="tag cohort-new">New</span> : <span className="tag cohort-continuing">Continuing</span>}</td>
                        <td>{formatDate(m.first_seen)}</td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
            </div>
            <Pager
              label="Pages of members"
              back={offset > 0 && { label: "Previous members", onClick: () => setOffset(Math.max(0, offset - PAGE)) }}
              next={offset + PAGE < d.total && { label: "Next members", onClick: () => setOffset(offset + PAGE) }}
            />
          </>
        ))}
      {d && d.left.length > 0 && (
        <details className="viz-details">
          <summary>
            {leftTotal(d)} {leftTotal(d) === 1 ? "person" : "people"} left the cohort at this run
          </summary>
          <ul className="sv-inline-list">
            {d.left.map((n) => (
              <li key={n}>
                <Link to={`/person/${n}`}>Person {n}</Link>
              </li>
            ))}
          </ul>
          {leftTotal(d) > d.left.length && <p className="hint">The first {d.left.length} are listed.</p>}
        </details>
      )}
    </div>
  );
}

export function CohortRunPage({ id, run }: { id: string; run: string }) {
  const allowed = useRiskPurposeStated();
  const cohort = useApi<Cohort>(allowed ? `/cohorts/${encodeURIComponent(id)}` : null);
  if (!allowed) return <NotAllowed title="Cohort run" />;
  if (!cohort.data) {
    return <PagePending heading="Cohort run" resource={cohort} loading="the cohort" what="the cohort" notFound="There is no such cohort, or it is not shared with you." back={{ to: "/cohorts", label: "All cohorts" }} />;
  }
  const c = cohort.data;
  const r = (c.runs ?? []).find((x) => String(x.id) === run);
  return (
    <>
      <p className="gov-back">
        <Link to={`/cohorts/${c.id}`}>{c.name}</Link>
      </p>
      <h1>
        {c.name}: run {r ? `of ${formatDateTime(r.run_at)}` : run}
      </h1>
      {r ? (
        <Members cohortId={c.id} run={r} />
      ) : (
        <div className="notice notice-error" role="alert">
          There is no such run of this cohort, or it was made under agreements other than yours.
        </div>
      )}
    </>
  );
}
