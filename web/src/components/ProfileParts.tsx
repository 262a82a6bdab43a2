// Building blocks shared by the single-view pages (person, household, address): the page frame
// (head, in-page contents nav and sections) and its loading and not-found states, agency chips
// and the "which agencies know them" table, the households table, per-field "withheld" markers,
// and the words for identifiers and periods. Kept here so the three pages read alike and a
// practitioner learns the layout once.
import { Children, isValidElement, type ReactNode } from "react";
import { Link } from "../lib/router";
import type { Loaded } from "../lib/useApi";
import { PagePending } from "./Status";
import { agencyColour, agencyName, fieldName, formatDate, humanise } from "../lib/format";
import type { AgencyInvolved, HouseholdSummary, TimelineEvent, Withheld } from "../lib/types";
import { TableHead } from "./TableHead";

// The reasons in a withheld count, as sentences for WithheldMarker ("not shared under agreement
// terms: 3"). The API sends by_reason as a list; older shapes were a map.
// A single reason that only repeats the marker's own words is left out.
export function withheldReasons(w?: Withheld | null): string[] {
  if (!w || !w.by_reason) return [];
  const list = Array.isArray(w.by_reason) ? w.by_reason : Object.entries(w.by_reason).map(([reason, count]) => ({ reason, count }));
  if (list.length === 1 && /agreement terms/i.test(list[0].reason)) return [];
  return list.map((r) => `${r.reason}: ${r.count}`);
}

// A single-view page whose subject has not loaded: its heading, and "Loading…" or why it could
// not load (not found, or sealed, which the hub answers the same way, said plainly), with the way
// back to search.
export function ProfilePending({ heading, resource, loading, what }: { heading: string; resource: Loaded<unknown>; loading: string; what: string }) {
  return (
    <PagePending
      heading={heading}
      resource={resource}
      loading={loading}
      what={what}
      notFound={
        <>
          <strong>Could not load {what}.</strong> There is no {what} with this reference, or none you may see for your stated purpose. Check the
          link, or search again.
        </>
      }
      back={{ to: "/search", label: "Back to search" }}
    />
  );
}

// The frame of a single-view page: above, the kind of page, its heading and `head` (key facts,
// agencies, notices); below, the page's Sections (`children`) beside the "On this page" nav that
// lists them. `notice` goes above it all. A new `subject` starts the sections afresh (open rows
// closed, filters cleared).
export function ProfileLayout({
  kind,
  title,
  subject,
  notice,
  head,
  children,
}: {
  kind: string;
  title: ReactNode;
  subject: string;
  notice?: ReactNode;
  head: ReactNode;
  children: ReactNode;
}) {
  const contents = Children.toArray(children).flatMap((c) =>
    isValidElement<SectionProps>(c) && c.type === Section ? [{ id: c.props.id, label: c.props.title }] : [],
  );
  return (
    <div className="sv-page">
      {notice}
      <div className="sv-head">
        <p className="sv-kicker">{kind}</p>
        <h1>{title}</h1>
        {head}
      </div>
      <div className="sv-layout" key={subject}>
        <ContentsNav items={contents} />
        <div className="sv-body">{children}</div>
      </div>
    </div>
  );
}

const IDENTIFIER_KINDS: Record<string, string> = {
  nhs_number: "NHS number",
  pnc_id: "PNC ID",
  cro_number: "CRO number",
  ni_number: "National Insurance number",
  uprn: "UPRN",
  local_id: "Agency reference",
  other_id: "Other identifier",
};
export function identifierKind(kind: string): string {
  return IDENTIFIER_KINDS[kind] ?? humanise(kind);
}

// "4857773456" -> "485 777 3456", the way NHS numbers are printed.
export function nhsNumber(v: string): string {
  const d = v.replace(/\s+/g, "");
  return /^\d{10}$/.test(d) ? `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}` : v;
}

// "person.sex" -> "Sex", "event.category" -> "Event category", "record.raw" -> "Record as sent".
export function withheldLabel(path: string): string {
  if (path === "record.raw") return "Record as sent";
  if (path === "household.address") return "Household address";
  if (path.startsWith("event.")) return `Event ${fieldName(path).toLowerCase()}`;
  return fieldName(path);
}

export function period(first?: string, last?: string): string {
  if (!first && !last) return "Dates not known";
  if (first && last && first === last) return formatDate(first);
  return `${first ? formatDate(first) : "?"} to ${last ? formatDate(last) : "?"}`;
}

// A field the user's agreements do not share: said in words, never left blank.
export function WithheldField({ label }: { label: string }) {
  return (
    <span className="sv-withheld-field">
      <span className="tag tag-withheld">Withheld</span>
      {label} withheld under agreement terms
    </span>
  );
}

// A table cell with a date, or "Not dated".
export function DateCell({ date }: { date?: string }) {
  return <td>{date ? formatDate(date) : <span className="muted">Not dated</span>}</td>;
}

// "2 more members withheld under agreement terms", under a list of members.
export function MembersWithheld({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <p className="sv-note">
      <span className="tag tag-withheld">Withheld</span>
      {count} more member{count === 1 ? "" : "s"} withheld under agreement terms
    </p>
  );
}

// Households with their period and members, each linked. `name` is what the household's link
// says; `self`, the person whose page this is (named, not linked).
export function HouseholdsTable<H extends Omit<HouseholdSummary, "location">>({
  households,
  caption,
  name,
  self,
}: {
  households: H[];
  caption: string;
  name: (h: H) => string;
  self?: number;
}) {
  return (
    <div className="sv-scroll">
      <table>
        <caption>{caption}</caption>
        <TableHead columns={["Household", "Period", "Members"]} />
        <tbody>
          {households.map((h) => (
            <tr key={h.household_id}>
              <th scope="row">
                <Link to={`/household/${h.household_id}`}>{name(h)}</Link>
                {h.dissolved && (
                  <>
                    {" "}
                    <span className="tag">Ended</span>
                  </>
                )}
              </th>
              <td>{period(h.first_seen, h.last_seen)}</td>
              <td>
                <ul className="sv-inline-list">
                  {h.members.map((m) => (
                    <li key={m.nominal_id}>
                      {m.nominal_id === self ? (
                        <>
                          {m.name} <span className="muted">(this person)</span>
                        </>
                      ) : (
                        <Link to={`/person/${m.nominal_id}`}>{m.name || `Person ${m.nominal_id}`}</Link>
                      )}
                    </li>
                  ))}
                </ul>
                <MembersWithheld count={h.members_withheld} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AgencyChip({ agency }: { agency: string }) {
  return (
    <span className="sv-chip">
      <span className="sv-chip-mark" style={{ background: agencyColour(agency) }} aria-hidden="true" />
      {agencyName(agency)}
    </span>
  );
}

export function AgencyChips({ agencies }: { agencies: string[] }) {
  return (
    <ul className="sv-chips">
      {agencies.map((a) => (
        <li key={a}>
          <AgencyChip agency={a} />
        </li>
      ))}
    </ul>
  );
}

export interface AgencyRow {
  agency: string;
  records?: number;
  events: number;
  first?: string;
  latest?: string;
  recentEvents?: number;
  recentLatest?: string;
}

// One row per agency from what the page can see: events (and records, on a person) over all
// time, plus "currently involved" (events in the last 12 months): the API's own view when it
// gives one, else counted here from the events.
export function agencyRows(events: TimelineEvent[], involved?: AgencyInvolved[], recordAgencies: string[] = []): AgencyRow[] {
  const rows = new Map<string, AgencyRow>();
  const row = (agency: string) => {
    let r = rows.get(agency);
    if (!r) {
      r = { agency, events: 0 };
      rows.set(agency, r);
    }
    return r;
  };
  for (const a of recordAgencies) {
    const r = row(a);
    r.records = (r.records ?? 0) + 1;
  }
  const seen = new Set<number>();
  for (const e of events) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    const r = row(e.agency);
    r.events += 1;
    if (e.date) {
      if (!r.latest || e.date > r.latest) r.latest = e.date;
      if (!r.first || e.date < r.first) r.first = e.date;
    }
  }
  if (involved) {
    for (const i of involved) {
      const r = row(i.agency);
      r.recentEvents = i.events;
      r.recentLatest = i.latest;
    }
  } else {
    const now = new Date();
    const cutoff = `${now.getFullYear() - 1}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    const counted = new Set<number>();
    for (const e of events) {
      if (!e.date || e.date < cutoff || counted.has(e.event_id)) continue;
      counted.add(e.event_id);
      const r = row(e.agency);
      r.recentEvents = (r.recentEvents ?? 0) + 1;
      if (!r.recentLatest || e.date > r.recentLatest) r.recentLatest = e.date;
    }
  }
  return [...rows.values()].sort((a, b) => (b.latest ?? "").localeCompare(a.latest ?? "") || a.agency.localeCompare(b.agency));
}

export function AgencyTable({ rows, caption, showRecords }: { rows: AgencyRow[]; caption: string; showRecords?: boolean }) {
  if (rows.length === 0) return <p>No agency you may see has records here.</p>;
  return (
    <div className="sv-scroll">
      <table>
        <caption>{caption}</caption>
        <TableHead columns={["Agency", showRecords && { num: "Records" }, { num: "Events" }, "First event", "Latest event", "In the last 12 months"]} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.agency}>
              <th scope="row">
                <AgencyChip agency={r.agency} />
              </th>
              {showRecords && <td className="num">{r.records ?? 0}</td>}
              <td className="num">{r.events}</td>
              <td>{r.first ? formatDate(r.first) : <span className="muted">None dated</span>}</td>
              <td>{r.latest ? formatDate(r.latest) : <span className="muted">None dated</span>}</td>
              <td>
                {r.recentEvents ? (
                  <>
                    <strong>Involved</strong>: {r.recentEvents} event{r.recentEvents === 1 ? "" : "s"}, latest {formatDate(r.recentLatest)}
                  </>
                ) : (
                  "No events"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface ContentsItem {
  id: string;
  label: string;
}

// "On this page": links to each section, sticky beside the content on wide screens.
function ContentsNav({ items }: { items: ContentsItem[] }) {
  return (
    <nav className="sv-contents" aria-label="On this page">
      <p className="sv-contents-title">On this page</p>
      <ul>
        {items.map((i) => (
          <li key={i.id}>
            <a href={`#${i.id}`}>{i.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

// A page section with an h2 that the contents nav links to.
interface SectionProps {
  id: string;
  title: string;
  children: ReactNode;
  intro?: ReactNode;
}

export function Section({ id, title, children, intro }: SectionProps) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="sv-section" tabIndex={-1}>
      <h2 id={`${id}-title`}>{title}</h2>
      {intro && <p className="hint">{intro}</p>}
      {children}
    </section>
  );
}

// "Known to 4 agencies" with a chip for each, by name.
export function KnownTo({ agencies, label = "Known to" }: { agencies: string[]; label?: string }) {
  const list = [...new Set(agencies)].sort((a, b) => agencyName(a).localeCompare(agencyName(b)));
  if (list.length === 0) return <p className="sv-known">No agency you may see has a record here.</p>;
  return (
    <div className="sv-known">
      <strong>
        {label} {list.length} {list.length === 1 ? "agency" : "agencies"}
      </strong>
      <AgencyChips agencies={list} />
    </div>
  );
}
