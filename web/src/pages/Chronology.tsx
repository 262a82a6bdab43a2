// A print-ready multi-agency chronology of one person for a MASH or MARAC meeting. First a small
// form (which meeting, optionally which dates); producing the document is recorded in the audit
// log as a disclosure, so it is only fetched when the practitioner asks for it, never on page
// load. The document carries its protective marking at top and bottom (and on every printed
// page), who produced it and why, handling instructions, and the events oldest first, with
// anything not shared for the purpose marked as withheld. The site header is not shown on this
// route (App.tsx), so the page prints as the document alone.
import { useRef, useState, type FormEvent } from "react";
import { Link } from "../lib/router";
import { api, asApiError, type ApiError } from "../lib/api";
import { ErrorNotice, WithheldMarker } from "../components/Status";
import { AgencyChips, withheldLabel, withheldReasons } from "../components/ProfileParts";
import { ageFrom, agencyName, formatDate, formatDateTime, humanise } from "../lib/format";
import type { Chronology, ChronologyEntry, LocationRef } from "../lib/types";
import { TableHead } from "../components/TableHead";
import { DateRange, FieldError } from "../components/FormParts";

interface Request {
  meeting: string;
  from: string;
  to: string;
}

export function ChronologyPage({ id }: { id: string }) {
  const [form, setForm] = useState<Request>({ meeting: "", from: "", to: "" });
  const [problems, setProblems] = useState<{ meeting?: string; dates?: string }>({});
  const [doc, setDoc] = useState<Chronology | null>(null);
  const [asked, setAsked] = useState<Request | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const meetingRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const p: typeof problems = {};
    if (!form.meeting.trim()) p.meeting = "Enter the meeting the chronology is for, for example “MARAC 2026-12-01”.";
    if (form.from && form.to && form.from > form.to) p.dates = "The start date must be on or before the end date.";
    setProblems(p);
    if (p.meeting) {
      meetingRef.current?.focus();
      return;
    }
    if (p.dates) return;
    setLoading(true);
    setError(null);
    const req = { meeting: form.meeting.trim(), from: form.from, to: form.to };
    try {
      const d = await api<Chronology>(`/nominals/${encodeURIComponent(id)}/chronology`, { query: req });
      setDoc(d);
      setAsked(req);
      window.scrollTo(0, 0);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoading(false);
    }
  }

  if (doc && asked) {
    return <ChronologyDocument doc={doc} asked={asked} personId={id} onChange={() => setDoc(null)} />;
  }

  return (
    <div className="chron-page">
      <p className="no-print">
        <Link to={`/person/${encodeURIComponent(id)}`}>Back to profile</Link>
      </p>
      <h1>Export a chronology for a meeting</h1>
      <p>
        A multi-agency chronology lists every event you may see about this person, oldest first, with the agency that recorded it, ready to
        print or save as PDF for a MASH or MARAC meeting.
      </p>
      <div className="notice notice-warning" role="note">
        <strong>This is recorded as a disclosure.</strong> Producing the chronology is recorded in the audit log as a disclosure of this
        person's records to the meeting you name, with your purpose and justification.
      </div>
      {error &&
        (error.status === 404 ? (
          <div className="notice notice-error" role="alert">
            <strong>Could not produce the chronology.</strong> The hub did not find this person, or none you may see for your stated
            purpose, or it cannot produce chronologies yet. Nothing was disclosed. Go back to the profile and try again, or ask your
            administrator.
          </div>
        ) : (
          <ErrorNotice error={error} what="the chronology" />
        ))}
      <form className="chron-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="chron-meeting">Meeting</label>
          <p className="hint" id="chron-meeting-hint">
            The meeting name and date, for example “MARAC 2026-12-01” or “MASH strategy discussion 3 Dec 2026”.
          </p>
          {problems.meeting && (
            <FieldError id="chron-meeting-error" className="chron-error">
              {problems.meeting}
            </FieldError>
          )}
          <input
            id="chron-meeting"
            ref={meetingRef}
            value={form.meeting}
            required
            aria-invalid={Boolean(problems.meeting)}
            aria-describedby={problems.meeting ? "chron-meeting-hint chron-meeting-error" : "chron-meeting-hint"}
            onChange={(e) => setForm({ ...form, meeting: e.target.value })}
            autoComplete="off"
          />
        </div>
        <fieldset className="field" aria-describedby={problems.dates ? "chron-dates-hint chron-dates-error" : "chron-dates-hint"}>
          <legend>Dates to include (optional)</legend>
          <p className="hint" id="chron-dates-hint">
            Leave both empty to include every event.
          </p>
          {problems.dates && (
            <FieldError id="chron-dates-error" className="chron-error">
              {problems.dates}
            </FieldError>
          )}
          <div className="chron-dates">
            <DateRange
              idPrefix="chron"
              from={form.from}
              to={form.to}
              onFrom={(v) => setForm({ ...form, from: v })}
              onTo={(v) => setForm({ ...form, to: v })}
              className="field-inline"
            />
          </div>
        </fieldset>
        <button type="submit" disabled={loading}>
          {loading ? "Producing the chronology…" : "Produce chronology"}
        </button>
      </form>
    </div>
  );
}

function subjectAddress(a: unknown): string {
  if (!a) return "";
  if (typeof a === "string") return a;
  const l = a as LocationRef;
  return [l.address, l.postcode].filter(Boolean).join(", ");
}

function agencyCodes(list: unknown[]): string[] {
  return list
    .map((x) => (typeof x === "string" ? x : (x as { agency?: string }).agency ?? ""))
    .filter(Boolean);
}

// "Relief duty (homelessness approach)": the category, with the type when it says more (a type
// that only names the agency, "childrens_social_care", does not).
function whatHappened(e: ChronologyEntry): string {
  const withheld = new Set(e.withheld_fields ?? []);
  const plain = (x: string) => humanise(x).toLowerCase().replace(/[^a-z ]/g, "");
  const parts: string[] = [];
  if (e.category) parts.push(humanise(e.category));
  const typeSaysMore = e.type && plain(e.type) !== plain(agencyName(e.agency)) && (!e.category || plain(e.type) !== plain(e.category));
  if (e.type && (typeSaysMore || !e.category)) parts.push(e.category ? `(${humanise(e.type).toLowerCase()})` : humanise(e.type));
  if (parts.length === 0) parts.push(withheld.has("event.category") || withheld.has("event.type") ? "Details withheld under agreement terms" : "Event");
  return parts.join(" ");
}

function ChronologyDocument({ doc, asked, personId, onChange }: { doc: Chronology; asked: Request; personId: string; onChange: () => void }) {
  const marking = doc.classification || "OFFICIAL-SENSITIVE";
  const s = doc.subject ?? {};
  const age = ageFrom(s.dob);
  const agencies = agencyCodes((doc.agencies ?? []) as unknown[]);
  const range =
    asked.from || asked.to ? `${asked.from ? formatDate(asked.from) : "the earliest record"} to ${asked.to ? formatDate(asked.to) : "the latest record"}` : "All dates";

  // In print the marking is fixed to the top and bottom of every page. The layout table's empty
  // header and footer repeat on every page too (browsers repeat a table's thead and tfoot), so
  // the text is kept clear of the fixed marking.
  return (
    <div className="chron-doc">
      <div className="chron-print-marking chron-print-top" aria-hidden="true">
        {marking}
      </div>
      <div className="chron-print-marking chron-print-bottom" aria-hidden="true">
        {marking}
      </div>
      <table role="presentation" className="chron-frame">
        <thead className="chron-frame-space">
          <tr>
            <td />
          </tr>
        </thead>
        <tfoot className="chron-frame-space">
          <tr>
            <td />
          </tr>
        </tfoot>
        <tbody>
          <tr>
            <td className="chron-frame-body">
            <p className="chron-marking">{marking}</p>

            <div className="button-row no-print chron-toolbar">
              <button type="button" onClick={() => window.print()}>
                Print or save as PDF
              </button>
              <button type="button" className="button-secondary" onClick={onChange}>
                Change meeting or dates
              </button>
              <Link to={`/person/${encodeURIComponent(personId)}`} className="chron-back">
                Back to profile
              </Link>
            </div>

            <h1>{doc.title || `Multi-agency chronology: ${s.name ?? `person ${doc.nominal_id}`}`}</h1>
            <dl className="chron-meta">
              <dt>Subject</dt>
              <dd>
                {s.name || <span className="muted">Name withheld under agreement terms</span>}
                {s.dob && `, born ${formatDate(s.dob)}${age !== null ? ` (age ${age})` : ""}`}
                {s.sex && `, ${humanise(s.sex).toLowerCase()}`}
              </dd>
              <dt>Address</dt>
              <dd>{subjectAddress(s.address) || <span className="muted">Not known or withheld</span>}</dd>
              <dt>Meeting</dt>
              <dd>{doc.meeting || asked.meeting}</dd>
              <dt>Period covered</dt>
              <dd>{range}</dd>
              <dt>Produced</dt>
              <dd>
                {formatDateTime(doc.generated_at)} by {doc.generated_by?.display_name ?? doc.generated_by?.username}
                {doc.generated_by?.agency && ` (${agencyName(doc.generated_by.agency)})`}
              </dd>
              <dt>Purpose</dt>
              <dd>{humanise(doc.purpose)}</dd>
              <dt>Justification</dt>
              <dd>{doc.justification}</dd>
              <dt>Agencies</dt>
              <dd>{agencies.length ? <AgencyChips agencies={agencies} /> : "None"}</dd>
            </dl>

            {doc.handling && (
              <div className="chron-handling" role="note">
                <strong>Handling:</strong> {doc.handling}
              </div>
            )}
            <WithheldMarker count={doc.withheld?.total ?? 0} what="record" reasons={withheldReasons(doc.withheld)} />

            {doc.entries.length === 0 ? (
              <p>No events you may see {asked.from || asked.to ? "in these dates" : "about this person"}.</p>
            ) : (
              <table className="chron-table">
                <caption>
                  Chronology: {doc.entries.length} event{doc.entries.length === 1 ? "" : "s"}, oldest first
                </caption>
                <TableHead columns={["Date", "Agency", "What happened", "Reference", "Role"]} />
                <tbody>
                  {doc.entries.map((e, i) => {
                    const withheld = new Set(e.withheld_fields ?? []);
                    const notShown = (path: string) => (withheld.has(path) ? <span className="muted">Withheld</span> : <span className="muted">Not recorded</span>);
                    return (
                      <tr key={i}>
                        <td>{e.date ? formatDate(e.date) : notShown("event.date")}</td>
                        <td>
                          {agencyName(e.agency)}
                          <span className="sv-note muted">{e.dataset}</span>
                        </td>
                        <td>
                          {whatHappened(e)}
                          {e.location?.postcode && <span className="sv-note">At {e.location.postcode}</span>}
                          {(e.withheld_fields ?? []).length > 0 && (
                            <span className="sv-note">
                              <span className="tag tag-withheld">Withheld</span>
                              {(e.withheld_fields ?? []).map(withheldLabel).join(", ")}
                            </span>
                          )}
                        </td>
                        <td>{e.reference || notShown("event.reference")}</td>
                        <td>{e.roles?.length ? e.roles.map(humanise).join(", ") : <span className="muted">Not recorded</span>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <p className="chron-marking chron-marking-bottom">{marking}</p>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
