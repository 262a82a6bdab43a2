// The audit log, for information-governance officers and administrators: who searched and
// viewed what, under which purpose and justification, newest first, with emergency (break-glass)
// access flagged and a check that the log has not been tampered with; usage of the hub by agency
// and user over a period; and who has viewed one person. Reading the log is itself audited.
import { useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi } from "../lib/useApi";
import { useSession } from "../lib/session";
import { ErrorNotice, Loading } from "../components/Status";
import { formatDate, formatDateTime, humanise } from "../lib/format";
import type { AuditEvent, AuditUsage, AuditUsageCount, AuditVerification, Purpose, Viewers } from "../lib/types";
import { ACTION_OPTIONS, AGENCIES, EmergencyTag, OUTCOMES, OutcomeTag, actionLabel, actorName, actorQuery, agencyLabel, isEmergency, isoToLocal, localDate, localToIso, outcomeLabel } from "../components/GovCommon";
import { GovBarChart } from "../components/GovBarChart";
import { TableHead } from "../components/TableHead";
import { DateRange, Field, Select } from "../components/FormParts";
import { Pager } from "../components/Pager";

const PAGE = 50;

// Where a person's id leads: their record for those who may open it, else who viewed them.
function usePersonLink() {
  const session = useSession();
  const canOpen = session.hasRole("practitioner", "analyst");
  return (id: number) => (canOpen ? `/person/${id}` : `/person/${id}/viewers`);
}

function usePurposeName() {
  const purposes = useApi<{ purposes: Purpose[] }>("/purposes");
  const list = purposes.data?.purposes ?? [];
  return { list, name: (code: string) => (code ? (list.find((p) => p.code === code)?.name ?? humanise(code)) : "") };
}

interface Filters {
  actor: string;
  agency: string;
  nominal: string;
  action: string;
  outcome: string;
  purpose: string;
  from: string; // datetime-local value
  to: string;
}

const FILTER_KEYS: (keyof Filters)[] = ["actor", "agency", "nominal", "action", "outcome", "purpose", "from", "to"];

export function AuditPage() {
  const { query } = useLocation();
  const fromUrl: Filters = {
    actor: (query.get("actor") ?? "").replace(/^user:/, ""),
    agency: query.get("agency") ?? "",
    nominal: query.get("nominal") ?? "",
    action: query.get("action") ?? "",
    outcome: query.get("outcome") ?? "",
    purpose: query.get("purpose") ?? "",
    from: isoToLocal(query.get("from") ?? ""),
    to: isoToLocal(query.get("to") ?? ""),
  };
  const before = query.get("before") ?? "";
  const urlKey = query.toString();
  const [filters, setFilters] = useState<Filters>(fromUrl);
  const [formKey, setFormKey] = useState(urlKey);
  if (formKey !== urlKey) {
    // Back/forward or a link changed the search: show it in the form.
    setFormKey(urlKey);
    setFilters(fromUrl);
  }
  const [formError, setFormError] = useState<string | null>(null);
  const purposes = usePurposeName();
  const personLink = usePersonLink();

  const results = useApi<{ events: AuditEvent[] }>("/audit", {
    actor: actorQuery(fromUrl.actor),
    agency: fromUrl.agency,
    nominal: fromUrl.nominal,
    action: fromUrl.action,
    outcome: fromUrl.outcome,
    purpose: fromUrl.purpose,
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    before,
    limit: PAGE + 1,
  });
  const events = (results.data?.events ?? []).slice(0, PAGE);
  const more = (results.data?.events.length ?? 0) > PAGE;
  const filtered = FILTER_KEYS.some((k) => fromUrl[k]);

  const setFilter = (key: keyof Filters, value: string) => setFilters({ ...filters, [key]: value });

  function urlFor(f: Filters, page?: string): string {
    const p = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const v = f[k].trim();
      if (!v) continue;
      p.set(k, k === "from" || k === "to" ? localToIso(v) : v);
    }
    if (page) p.set("before", page);
    const qs = p.toString();
    return "/audit" + (qs ? "?" + qs : "");
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (filters.nominal.trim() && !/^\d+$/.test(filters.nominal.trim())) {
      setFormError("The person id is a number, as in the address /person/123.");
      return;
    }
    if (filters.from && filters.to && filters.from > filters.to) {
      setFormError("The 'from' time is after the 'to' time.");
      return;
    }
    setFormError(null);
    navigate(urlFor(filters));
  }

  return (
    <>
      <h1>Audit log</h1>
      <p className="gov-lead">
        Every search and view of personal data, and every change to agreements and restrictions, with
        who, when, under which purpose and why. Newest first. Your searches here are recorded too.
      </p>

      <VerifyPanel />

      <form className="search-form gov-audit-form" onSubmit={submit} noValidate aria-labelledby="audit-search-title">
        <h2 id="audit-search-title" className="gov-form-title">
          Search the log
        </h2>
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
        <div className="gov-filter-grid">
          <Field id="f-actor" label="User" hint={`Username, exactly: "sw.jones".`}>
            <input id="f-actor" value={filters.actor} onChange={(e) => setFilter("actor", e.target.value)} autoComplete="off" />
          </Field>
          <Field id="f-agency" label="Agency" hint="The user's agency.">
            <Select id="f-agency" value={filters.agency} onChoose={(v) => setFilter("agency", v)} placeholder="Any agency" options={AGENCIES.map((a) => ({ value: a, label: agencyLabel(a) }))} />
          </Field>
          <Field id="f-nominal" label="Person id" hint="Events that named this person.">
            <input id="f-nominal" inputMode="numeric" value={filters.nominal} onChange={(e) => setFilter("nominal", e.target.value)} autoComplete="off" />
          </Field>
          <Field id="f-action" label="Action" hint={`What was done, or its start: "nominals." for any view of a person.`}>
            <input id="f-action" list="f-action-options" value={filters.action} onChange={(e) => setFilter("action", e.target.value)} autoComplete="off" />
          </Field>
          <datalist id="f-action-options">
            <option value="nominals.">Any view of a person</option>
            {ACTION_OPTIONS.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </datalist>
          <Field id="f-purpose" label="Purpose" hint="As stated by the user.">
            <Select id="f-purpose" value={filters.purpose} onChoose={(v) => setFilter("purpose", v)} placeholder="Any purpose" options={purposes.list.map((p) => ({ value: p.code, label: p.name }))} />
          </Field>
          <Field id="f-outcome" label="Outcome" hint={`"Alert" is emergency access.`}>
            <Select id="f-outcome" value={filters.outcome} onChoose={(v) => setFilter("outcome", v)} placeholder="Any outcome" options={OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(o) }))} />
          </Field>
          <DateRange
            idPrefix="f"
            type="datetime-local"
            from={filters.from}
            to={filters.to}
            onFrom={(v) => setFilter("from", v)}
            onTo={(v) => setFilter("to", v)}
            labels={["From", "Up to"]}
            hints={["Date and time (your local time).", "Events before this time."]}
          />
        </div>
        <div className="button-row">
          <button type="submit">Search the log</button>
          {filtered && (
            <Link to="/audit" className="button button-secondary">
              Clear filters
            </Link>
          )}
        </div>
      </form>

      <section aria-labelledby="audit-results-title" aria-busy={results.loading}>
        <h2 id="audit-results-title">
          {results.loading
            ? "Searching…"
            : events.length === 0
              ? "No events"
              : `${before ? "Older events" : "Latest events"}: ${events.length}${more ? ` shown, more below` : ""}`}
        </h2>
        {results.loading && <Loading what="audit events" />}
        {results.error && <ErrorNotice error={results.error} what="audit events" />}
        {results.data && events.length === 0 && <p>No events match. Try fewer filters or a wider time range.</p>}
        {events.length > 0 && (
          <div className="gov-scroll" role="region" aria-label="Audit events" tabIndex={0}>
            <table className="gov-audit-table">
              <caption>
                Audit events, newest first{filtered ? ", matching your search" : ""}. Events marked "Emergency access" were made under break-glass and are reviewed by the information-governance officer.
              </caption>
              <TableHead columns={["When", "User", "Agency and role", "Action", "Purpose", "Justification", "Outcome", "People named", { num: "Records" }]} />
              <tbody>
                {events.map((e) => (
                  <AuditRow key={e.seq} e={e} purposeName={purposes.name} personLink={personLink} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          label="Audit pages"
          className="button-row gov-pager"
          back={Boolean(before) && { label: "← Newest events", to: urlFor(fromUrl) }}
          next={more && { label: "Older events →", to: urlFor(fromUrl, String(events[events.length - 1].seq)) }}
        />
      </section>
    </>
  );
}

function AuditRow({ e, purposeName, personLink }: { e: AuditEvent; purposeName: (c: string) => string; personLink: (id: number) => string }) {
  const [allPeople, setAllPeople] = useState(false);
  const emergency = isEmergency(e);
  const people = allPeople ? e.nominals : e.nominals.slice(0, 6);
  return (
    <tr className={emergency ? "gov-row-emergency" : undefined}>
      <td className="gov-nowrap">
        {formatDateTime(e.at)}
        <br />
        <span className="muted">No. {e.seq}</span>
      </td>
      <td>{actorName(e.actor)}</td>
      <td>
        {agencyLabel(e.agency)}
        {e.role && (
          <>
            <br />
            <span className="muted">{humanise(e.role)}</span>
          </>
        )}
      </td>
      <td>
        {emergency && (
          <>
            <EmergencyTag />
            <br />
          </>
        )}
        {actionLabel(e.action)}
        <br />
        <span className="gov-code-small">{e.resource || e.action}</span>
        {e.detail && <span className="gov-detail">{e.detail}</span>}
      </td>
      <td>
        {purposeName(e.purpose) || <span className="muted">None stated</span>}
        {e.agreement && <span className="gov-detail">under {e.agreement}</span>}
      </td>
      <td className="gov-justification">{e.justification || <span className="muted">None</span>}</td>
      <td>
        <OutcomeTag outcome={e.outcome} />
      </td>
      <td>
        {e.nominals.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <>
            <ul className="gov-inline-list">
              {people.map((n) => (
                <li key={n}>
                  <Link to={personLink(n)} aria-label={`Person ${n}`}>
                    {n}
                  </Link>
                </li>
              ))}
            </ul>
            {e.nominals.length > 6 && (
              <button type="button" className="button-link gov-more" aria-expanded={allPeople} onClick={() => setAllPeople(!allPeople)}>
                {allPeople ? "Show fewer" : `Show all ${e.nominals.length}`}
              </button>
            )}
          </>
        )}
      </td>
      <td className="num">{e.records.length}</td>
    </tr>
  );
}

// "Verify integrity": the hash chain, the keyed checkpoints and the anchor, in plain words.
function VerifyPanel() {
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);

  async function verify() {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<AuditVerification>("/audit/verify"));
      setCheckedAt(new Date().toISOString());
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="gov-verify" aria-labelledby="verify-title">
      <h2 id="verify-title" className="gov-form-title">
        Integrity of the log
      </h2>
      <p className="hint">Checks that no event has been changed, removed or inserted since it was written.</p>
      <button type="button" onClick={verify} disabled={busy}>
        {busy ? "Verifying…" : "Verify integrity"}
      </button>
      <div aria-live="polite">
        {error && (
          <div className="notice notice-error gov-verify-result" role="alert">
            <strong>Could not verify the log.</strong> {error}
          </div>
        )}
        {result && result.intact && (
          <div className="notice notice-success gov-verify-result">
            <p className="gov-verify-head">✓ Intact: the audit log has not been tampered with.</p>
            <ul>
              <li>Chain intact: all {result.events.toLocaleString("en-GB")} events link correctly up to event no. {result.head_seq}.</li>
              <li>
                {result.keyed
                  ? `Checkpoints verified: ${result.macs_checked.toLocaleString("en-GB")} keyed checkpoints match the hub's audit key.`
                  : "Checkpoints not checked: the hub's audit key was not available to this check, so only the chain and the anchor were verified."}
              </li>
              {result.notes.map((n) => (
                <li key={n}>Note: {n}</li>
              ))}
            </ul>
            <p className="muted gov-verify-foot">
              Checked {formatDateTime(checkedAt)}. Latest hash <span className="gov-code-small">{result.head_hash.slice(0, 16)}…</span>
            </p>
          </div>
        )}
        {result && !result.intact && (
          <div className="notice notice-error gov-verify-result" role="alert">
            <p className="gov-verify-head">✗ Problem found: the audit log is broken at event no. {result.first_broken_seq}.</p>
            <p>{result.problem}</p>
            <ul>
              <li>Events checked: {result.events.toLocaleString("en-GB")}</li>
              <li>{result.keyed ? `Checkpoints verified before the break: ${result.macs_checked}` : "Checkpoints not checked: no audit key available."}</li>
              {result.notes.map((n) => (
                <li key={n}>Note: {n}</li>
              ))}
            </ul>
            <p>Tell the hub's administrator and keep a copy of the hub's data directory as it is.</p>
          </div>
        )}
      </div>
    </section>
  );
}

function outcomesText(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${v.toLocaleString("en-GB")} ${outcomeLabel(k).toLowerCase()}`)
    .join(", ");
}

function addDays(date: string, days: number): string {
  const d = new Date(date + "T00:00:00");
  d.setDate(d.getDate() + days);
  return localDate(d);
}

// Usage of the hub by agency and by user over a period: how much each agency and person uses it.
export function UsagePage() {
  const { query } = useLocation();
  const today = localDate(new Date());
  const defaultFrom = addDays(today, -30);
  const from = query.get("from") ?? defaultFrom;
  const to = query.get("to") ?? today;
  const [form, setForm] = useState({ from, to });
  const [error, setError] = useState<string | null>(null);
  // "to" is inclusive here; the server counts events before its "to".
  const usage = useApi<AuditUsage>("/audit/usage", { from, to: addDays(to, 1) });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!form.from || !form.to) return setError("Give both dates.");
    if (form.from > form.to) return setError("The 'from' date is after the 'to' date.");
    setError(null);
    navigate(`/usage?from=${form.from}&to=${form.to}`);
  }

  const d = usage.data;
  const auditLink = (extra: Record<string, string>) => {
    const p = new URLSearchParams({ ...extra, from: new Date(from + "T00:00:00").toISOString().replace(/\.\d{3}Z$/, "Z"), to: new Date(addDays(to, 1) + "T00:00:00").toISOString().replace(/\.\d{3}Z$/, "Z") });
    return `/audit?${p.toString()}`;
  };

  return (
    <>
      <h1>Usage by agency and user</h1>
      <p className="gov-lead">How much each agency and each member of staff used the hub over a period: audited requests, the distinct people they named, and how they ended.</p>
      <form className="search-form gov-usage-form" onSubmit={submit} noValidate aria-label="Period">
        {error && (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        )}
        <div className="gov-add-row">
          <DateRange
            idPrefix="u"
            from={form.from}
            to={form.to}
            onFrom={(v) => setForm({ ...form, from: v })}
            onTo={(v) => setForm({ ...form, to: v })}
            labels={["From", "To (inclusive)"]}
            className=""
          />
          <button type="submit">Show usage</button>
        </div>
      </form>

      {usage.loading && <Loading what="usage" />}
      {usage.error && <ErrorNotice error={usage.error} what="usage" />}
      {d && (
        <>
          <p className="gov-total">
            <strong>{d.events.toLocaleString("en-GB")}</strong> audited event{d.events === 1 ? "" : "s"} from {formatDate(from)} to {formatDate(to)}
            {d.events > 0 && <span className="muted"> ({outcomesText(d.outcomes)})</span>}.
          </p>
          <UsageSection rows={d.by_agency} byUser={false} auditLink={auditLink} />
          <UsageSection rows={d.by_user} byUser auditLink={auditLink} />
          <p className="hint">
            "No agency (system)" counts work done from the hub's command line and sign-ins that failed before a user was known. Follow a
            name to see its events in the audit log.
          </p>
        </>
      )}
    </>
  );
}

// Use by each agency, or by each user: a chart of their events, and the table with the counts.
function UsageSection({ rows, byUser, auditLink }: { rows: AuditUsageCount[]; byUser: boolean; auditLink: (q: Record<string, string>) => string }) {
  const by = byUser ? "user" : "agency";
  return (
    <section aria-labelledby={`usage-${by}`}>
      <h2 id={`usage-${by}`}>By {by}</h2>
      {rows.length === 0 ? (
        <p>No use in this period.</p>
      ) : (
        <div className="gov-usage-grid">
          <GovBarChart
            title={`Events by ${by}`}
            unit="events"
            bars={rows.map((c) => (byUser ? { key: c.actor ?? "", label: actorName(c.actor ?? ""), value: c.events } : { key: c.agency || "-", label: agencyLabel(c.agency), value: c.events }))}
          />
          <UsageTable rows={rows} byUser={byUser} auditLink={auditLink} />
        </div>
      )}
    </section>
  );
}

function UsageTable({ rows, byUser, auditLink }: { rows: AuditUsageCount[]; byUser: boolean; auditLink: (q: Record<string, string>) => string }) {
  return (
    <table>
      <caption>{byUser ? "Use by each user" : "Use by each agency"}</caption>
      <TableHead columns={[byUser ? "User" : "Agency", byUser && "Agency", { num: "Events" }, { num: "People named" }, "Outcomes"]} />
      <tbody>
        {rows.map((c) => (
          <tr key={(c.actor ?? "") + c.agency}>
            <th scope="row">
              {byUser ? (
                <Link to={auditLink({ actor: c.actor ?? "" })}>{actorName(c.actor ?? "")}</Link>
              ) : c.agency ? (
                <Link to={auditLink({ agency: c.agency })}>{agencyLabel(c.agency)}</Link>
              ) : (
                agencyLabel(c.agency)
              )}
            </th>
            {byUser && <td>{agencyLabel(c.agency)}</td>}
            <td className="num">{c.events.toLocaleString("en-GB")}</td>
            <td className="num">{c.nominals.toLocaleString("en-GB")}</td>
            <td>{outcomesText(c.outcomes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const VIEWERS_MAX = 1000;

// Who has viewed one person: each user with their number of views, then every view.
export function ViewersPage({ id }: { id: string }) {
  // The hub lists a person's views newest first, a page at a time (at most 1,000 a page).
  const [before, setBefore] = useState<number[]>([]);
  const query: Record<string, string | number> = { limit: VIEWERS_MAX };
  if (before.length > 0) query.before = before[before.length - 1];
  const viewers = useApi<Viewers>(`/nominals/${encodeURIComponent(id)}/viewers`, query);
  const purposes = usePurposeName();
  const v = viewers.data;

  return (
    <>
      <p className="gov-back">
        <Link to={`/person/${id}`}>← Back to person {id}</Link>
      </p>
      <h1>Who viewed person {id}</h1>
      <p className="gov-lead">
        Everyone whose searches or views showed this person, newest first, with the purpose and justification they gave. Looking at this
        page is recorded too. <Link to={`/audit?nominal=${encodeURIComponent(id)}`}>Search the full audit log for this person</Link>.
      </p>
      {viewers.loading && <Loading what="viewers" />}
      {viewers.error && <ErrorNotice error={viewers.error} what="viewers of this person" />}
      {v && v.events.length === 0 && <p>No one has viewed this person yet.</p>}
      {v && v.viewers_truncated && (
        <div className="notice notice-warning" role="note">
          <strong>The counts by user cover the newest {v.viewers_cover.toLocaleString("en-GB")} views.</strong> This person has been viewed more
          often than that; every view is still listed below, page by page, and in the{" "}
          <Link to={`/audit?nominal=${encodeURIComponent(id)}`}>audit log</Link>.
        </div>
      )}
      {v && v.viewers.length > 0 && (
        <section aria-labelledby="viewers-summary">
          <h2 id="viewers-summary">
            {v.viewers.length} user{v.viewers.length === 1 ? "" : "s"}
          </h2>
          <table className="gov-table-narrow">
            <caption>Each user who viewed this person</caption>
            <TableHead columns={["User", { num: "Views" }, "Last viewed"]} />
            <tbody>
              {[...v.viewers]
                .sort((a, b) => b.last.localeCompare(a.last))
                .map((u) => (
                  <tr key={u.actor}>
                    <th scope="row">{actorName(u.actor)}</th>
                    <td className="num">{u.views}</td>
                    <td>{formatDateTime(u.last)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      )}
      {v && v.events.length > 0 && (
        <section aria-labelledby="viewers-events">
          <h2 id="viewers-events">Every view{before.length > 0 ? " (older)" : ""}</h2>
          <table>
            <caption>Views of person {id}, newest first</caption>
            <TableHead columns={["When", "Who", "Agency", "Role", "What", "Purpose", "Justification", "Outcome"]} />
            <tbody>
              {[...v.events]
                .sort((a, b) => b.seq - a.seq)
                .map((e) => (
                  <tr key={e.seq} className={isEmergency(e) ? "gov-row-emergency" : undefined}>
                    <td className="gov-nowrap">{formatDateTime(e.at)}</td>
                    <td>{actorName(e.actor)}</td>
                    <td>{agencyLabel(e.agency)}</td>
                    <td>
                      {isEmergency(e) ? <EmergencyTag /> : null} {e.role && e.role !== "break-glass" ? humanise(e.role) : ""}
                    </td>
                    <td>
                      {actionLabel(e.action)}
                      <br />
                      <span className="gov-code-small">{e.action}</span>
                    </td>
                    <td>{purposes.name(e.purpose) || <span className="muted">None stated</span>}</td>
                    <td className="gov-justification">{e.justification || <span className="muted">None</span>}</td>
                    <td>
                      <OutcomeTag outcome={e.outcome} />
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          <p className="gov-pager">
            {before.length > 0 && (
              <button type="button" onClick={() => setBefore((b) => b.slice(0, -1))}>
                ← Newer views
              </button>
            )}{" "}
            {v.next_before !== null && (
              <button type="button" onClick={() => setBefore((b) => [...b, v.next_before as number])}>
                Older views →
              </button>
            )}
          </p>
        </section>
      )}
    </>
  );
}
