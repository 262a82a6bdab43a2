// A person's multi-agency profile: who they are (best-known details with where each came from
// and where records disagree), which agencies know them, what happened (timeline), who and where
// they are connected to (relationships, households, associates, places), and the linked source
// records, each with "Why is this record here?" (the match waterfall). Everything shown is what
// the user's stated purpose and agreements permit; anything held back is marked as withheld,
// never silently left out. Long page: the "On this page" nav jumps between sections.
import { IndicatorsPanel } from "../components/IndicatorsPanel";
import { RiskPanel } from "../components/RiskPanel";
import { Fragment, useEffect, useMemo, useState, type ReactNode } from "react";
import { Link, navigate } from "../lib/router";
import { useApi } from "../lib/useApi";
import { useSession } from "../lib/session";
import { Loading, WhenLoaded, WithheldMarker } from "../components/Status";
import { Timeline } from "../components/Timeline";
import { RelationshipGraph } from "../components/RelationshipGraph";
import { AddressMap } from "../components/AddressMap";
import { ProfileAttributes } from "../components/ProfileAttributes";
import { MatchExplanation } from "../components/Waterfall";
import { AgencyTable, DateCell, HouseholdsTable, KnownTo, ProfileLayout, ProfilePending, Section, WithheldField, agencyRows, nhsNumber, period, withheldLabel, withheldReasons } from "../components/ProfileParts";
import { sourceLabel, sourcesById, type Sources } from "../lib/sources";
import { ageFrom, agencyName, fieldName, formatDate, formatDateTime, humanise, scheduleText } from "../lib/format";
import type { Freshness, Graph, MapPoints, PersonRecord, Profile, Timeline as TimelineData } from "../lib/types";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";

export function PersonPage({ id }: { id: string }) {
  const session = useSession();
  const profile = useApi<Profile>(`/nominals/${encodeURIComponent(id)}`);
  const timeline = useApi<TimelineData>(`/nominals/${encodeURIComponent(id)}/timeline`, { limit: 500 });
  const graph = useApi<Graph>(`/nominals/${encodeURIComponent(id)}/graph`);
  const map = useApi<MapPoints>(`/nominals/${encodeURIComponent(id)}/map`);
  const [merged, setMerged] = useState<{ from: string; to: string } | null>(null);

  // A merged id is redirected (308) to the live one; fetch follows, so the answer names the live
  // id. Move the URL there and say why.
  const live = profile.data?.nominal_id;
  useEffect(() => {
    if (live !== undefined && String(live) !== id) {
      setMerged({ from: id, to: String(live) });
      navigate(`/person/${live}`, true);
    }
  }, [live, id]);

  const names = useMemo(() => sourcesById(profile.data?.freshness), [profile.data]);

  if (!profile.data) return <ProfilePending heading="Person" resource={profile} loading="this person's profile" what="person" />;

  const p = profile.data;
  const withheld = new Set(p.withheld_fields);
  const name = p.attributes.name.best?.value.display;
  const recordAgencies = p.records.map((r) => r.agency);
  const events = timeline.data?.events ?? [];
  const rows = agencyRows(events, p.agencies_involved, recordAgencies);
  const auditor = session.hasRole("information_governance_officer", "administrator");

  return (
    <ProfileLayout
      kind="Person"
      title={name ?? (withheld.has("person.name") ? "Name withheld under agreement terms" : `Person ${p.nominal_id}`)}
      subject={id}
      notice={
        merged &&
        merged.to === id && (
          <div className="notice notice-info" role="status">
            This record was merged into person {merged.to}: the record you opened (person {merged.from}) is now part of this profile.
          </div>
        )
      }
      head={
        <>
          {p.status !== "live" && (
            <div className="notice notice-warning" role="note">
              This profile is {humanise(p.status)}: it is no longer used for new records.
            </div>
          )}
          <KeyFacts profile={p} />
          <KnownTo agencies={recordAgencies} />
          {p.alerts.map((a, i) => (
            <div key={i} className="notice notice-warning" role="note">
              <strong>{a.kind === "late_feed" ? "Late data" : humanise(a.kind)}:</strong> {a.message}
              {names.has(a.source_id) && <span className="muted"> ({sourceLabel(a.source_id, names)})</span>}
            </div>
          ))}
          <WithheldMarker count={p.withheld.total} what="record" reasons={withheldReasons(p.withheld)} />
          <FreshnessDetails freshness={p.freshness} />
          <div className="button-row no-print">
            <Link to={`/person/${p.nominal_id}/chronology`} className="button">
              Export chronology for a meeting
            </Link>
            {auditor && (
              <Link to={`/person/${p.nominal_id}/viewers`} className="button button-secondary">
                Who viewed this person
              </Link>
            )}
          </div>
        </>
      }
    >
      <Section id="indicators" title="Indicators">
        <IndicatorsPanel kind="nominals" id={id} />
      </Section>

      <Section id="risk" title="Risk score">
        <RiskPanel id={id} />
      </Section>

      <Section id="agencies" title="Agencies involved">
        {timeline.loading && <Loading what="events" />}
        <AgencyTable rows={rows} showRecords caption="Agencies with records about this person, newest involvement first" />
      </Section>

      <Section
        id="details"
        title="Best-known details"
        intro="Agencies record people differently. The best-known value is the most supported (the value most datasets agree on) or, for contact details and address, the most recent. Show a row's values to see every value and the records it came from."
      >
        {p.conflicts.length > 0 && (
          <p>
            <span className="tag tag-conflict">Conflict</span>
            Records disagree about: {p.conflicts.map((c) => fieldName(c).toLowerCase()).join(", ")}.
          </p>
        )}
        <ProfileAttributes profile={p} names={names} />
      </Section>

      <Section id="timeline" title="Timeline">
        <WhenLoaded resource={timeline} what="the timeline">
          {(t) => (
            <>
              {t.total > t.events.length && (
                <p className="hint">
                  Showing the newest {t.events.length} of {t.total} events.
                </p>
              )}
              <Timeline events={t.events} withheld={t.withheld} />
            </>
          )}
        </WhenLoaded>
      </Section>

      <Section id="relationships" title="Relationships">
        <WhenLoaded resource={graph} what="relationships">
          {(g) => <RelationshipGraph graph={g} />}
        </WhenLoaded>
        <h3 id="households">Households</h3>
        {p.households.length === 0 ? (
          <p>No household you may see.</p>
        ) : (
          <HouseholdsTable
            households={p.households}
            caption="Households this person has been part of"
            name={(h) => (h.location ? [h.location.address, h.location.postcode].filter(Boolean).join(", ") || `Household ${h.household_id}` : `Household ${h.household_id}`)}
            self={p.nominal_id}
          />
        )}
        <h3 id="associates">Associates</h3>
        <Associates profile={p} />
      </Section>

      <Section id="places" title="Places">
        <WhenLoaded resource={map} what="the map">
          {(m) => <AddressMap points={m.points} />}
        </WhenLoaded>
        <AddressHistory profile={p} names={names} />
      </Section>

      <Section
        id="records"
        title="Linked records"
        intro="The source records the hub has matched to this person. Open “Why is this record here?” to see the evidence for each match."
      >
        <WithheldMarker count={p.withheld.total} what="record" reasons={withheldReasons(p.withheld)} />
        <LinkedRecords profile={p} names={names} />
      </Section>
    </ProfileLayout>
  );
}

// The facts a practitioner checks first, each said in words when absent or withheld.
function KeyFacts({ profile: p }: { profile: Profile }) {
  const withheld = new Set(p.withheld_fields);
  const a = p.attributes;
  const fact = (label: string, path: string, value: ReactNode | undefined, conflict?: boolean) => (
    <Fact label={label}>
      {value !== undefined ? (
        <>
          {value}
          {conflict && (
            <>
              {" "}
              <a href="#details" className="tag tag-conflict">
                Conflict
              </a>
            </>
          )}
        </>
      ) : withheld.has(path) ? (
        <WithheldField label={label} />
      ) : (
        <span className="sv-none">Not recorded</span>
      )}
    </Fact>
  );
  const dob = a.dob.best?.value;
  const age = ageFrom(dob);
  const address = a.address.best?.value;
  const current = p.households.filter((h) => !h.dissolved);
  return (
    <dl className="sv-facts">
      {fact("Date of birth", "person.dob", dob ? `${formatDate(dob)}${age !== null ? ` (age ${age})` : ""}` : undefined, a.dob.conflict)}
      {fact("Sex", "person.sex", a.sex.best ? humanise(a.sex.best.value) : undefined, a.sex.conflict)}
      {fact("NHS number", "person.nhs_number", a.nhs_number.best ? nhsNumber(a.nhs_number.best.value) : undefined, a.nhs_number.conflict)}
      {fact(
        "Current address",
        "person.address",
        address ? (
          <Link to={`/address/${address.location_id}`}>{[address.address, address.postcode].filter(Boolean).join(", ") || `Location ${address.location_id}`}</Link>
        ) : undefined,
      )}
      <div className="sv-fact-wide">
        <dt>{current.length > 1 ? "Households" : "Household"}</dt>
        <dd>
          {current.length === 0 ? (
            <span className="sv-none">{p.households.length > 0 ? "None current (past households under Relationships)" : "None known"}</span>
          ) : (
            <ul className="sv-plain-list">
              {current.map((h) => {
                const size = h.members.length + h.members_withheld;
                return (
                  <li key={h.household_id}>
                    <Link to={`/household/${h.household_id}`}>
                      {size} {size === 1 ? "person" : "people"} at {h.location?.address || h.location?.postcode || `household ${h.household_id}`}
                    </Link>
                    <span className="sv-none"> ({period(h.first_seen, h.last_seen)})</span>
                  </li>
                );
              })}
            </ul>
          )}
        </dd>
      </div>
    </dl>
  );
}

function FreshnessDetails({ freshness }: { freshness: Freshness[] }) {
  if (freshness.length === 0) return null;
  const late = freshness.filter((f) => f.late);
  const dated = freshness.map((f) => f.data_current_to).filter((d): d is string => Boolean(d)).sort();
  const summary =
    late.length > 0
      ? `${late.length} of ${freshness.length} sources are late`
      : dated.length
        ? `all ${freshness.length} sources up to date; oldest data current to ${formatDateTime(dated[0])}`
        : `${freshness.length} sources`;
  return (
    <details className="sv-freshness">
      <summary>How current is this? Data currency: {summary}</summary>
      <div className="sv-scroll">
        <table>
          <caption>Data current to, for each source</caption>
          <TableHead columns={["Dataset", "Agency", "Data current to", "Expected", "Status"]} />
          <tbody>
            {freshness.map((f) => (
              <tr key={f.source_id}>
                <th scope="row">{f.dataset}</th>
                <td>{agencyName(f.agency)}</td>
                <td>{f.data_current_to ? formatDateTime(f.data_current_to) : "No data loaded yet"}</td>
                <td>{scheduleText(f.expected_every_hours)}</td>
                <td>{f.late ? <span className="tag tag-conflict">Late</span> : "On time"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function relationshipText(r: { own_role: string; their_role: string; count: number }): string {
  return `${humanise(r.their_role)}, when this person was ${r.own_role.replace(/_/g, " ")} (${r.count} event${r.count === 1 ? "" : "s"})`;
}

function Associates({ profile: p }: { profile: Profile }) {
  if (p.associates.length === 0) return <p>No associates in the events you may see.</p>;
  return (
    <div className="sv-scroll">
      <table>
        <caption>People named in the same events, most shared events first</caption>
        <TableHead columns={["Name", { num: "Shared events" }, "Their role in those events", "Last shared event"]} />
        <tbody>
          {p.associates.map((a) => (
            <tr key={a.nominal_id}>
              <th scope="row">
                <Link to={`/person/${a.nominal_id}`}>{a.name}</Link>
              </th>
              <td className="num">{a.shared_events}</td>
              <td>
                <ul className="sv-plain-list">
                  {a.relationships.map((r, i) => (
                    <li key={i}>{relationshipText(r)}</li>
                  ))}
                </ul>
              </td>
              <DateCell date={a.last_shared} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddressHistory({ profile: p, names }: { profile: Profile; names: Sources }) {
  if (p.address_history.length === 0) {
    return p.withheld_fields.includes("person.address") ? (
      <p>
        <WithheldField label="Address history" />
      </p>
    ) : (
      <p>No addresses recorded.</p>
    );
  }
  return (
    <div className="sv-scroll">
      <table>
        <caption>Address history, from the records you may see</caption>
        <TableHead columns={["Address", "Postcode", "First seen", "Last seen", { num: "Records" }, "Sources"]} />
        <tbody>
          {p.address_history.map((h) => (
            <tr key={h.location.location_id}>
              <th scope="row">
                <Link to={`/address/${h.location.location_id}`}>{h.location.address || "Address not given (postcode only)"}</Link>
              </th>
              <td>{h.location.postcode || <span className="muted">Not given</span>}</td>
              <DateCell date={h.first_seen} />
              <DateCell date={h.last_seen} />
              <td className="num">{h.records}</td>
              <td>{h.sources.map((s) => sourceLabel(s, names, humanise(s))).join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LinkedRecords({ profile: p, names }: { profile: Profile; names: Sources }) {
  const [open, setOpen] = useState<number | null>(null);
  const records = [...p.records].sort(
    (a, b) => agencyName(a.agency).localeCompare(agencyName(b.agency)) || a.dataset.localeCompare(b.dataset) || a.record_key.localeCompare(b.record_key),
  );
  if (records.length === 0) return <p>No records you may see.</p>;
  return (
    <div className="sv-scroll">
      <table className="sv-records">
        <caption>
          {records.length} linked record{records.length === 1 ? "" : "s"} you may see
        </caption>
        <TableHead columns={["Source", "Record key", "Role", "Received", { num: "Events" }, "Withheld fields", "Match evidence"]} />
        <tbody>
          {records.map((r) => {
            const isOpen = open === r.person_record_id;
            const rowId = `record-${r.person_record_id}-why`;
            return (
              <Fragment key={r.person_record_id}>
                <tr id={`record-${r.person_record_id}`} className={isOpen ? "sv-row-open" : undefined}>
                  <td>
                    <strong>{agencyName(r.agency)}</strong>
                    <span className="sv-note muted">{r.dataset}</span>
                  </td>
                  <th scope="row">
                    {r.record_key}
                    {r.version > 1 && <span className="muted"> (version {r.version})</span>}
                    {r.deleted && (
                      <>
                        {" "}
                        <span className="tag">Deleted at source</span>
                      </>
                    )}
                  </th>
                  <td>{r.role ? humanise(r.role) : <span className="muted">Not given</span>}</td>
                  <td>{formatDate(r.received_at)}</td>
                  <td className="num">{r.events}</td>
                  <td>
                    {r.withheld_fields.length === 0 ? (
                      "None"
                    ) : (
                      <>
                        <span className="tag tag-withheld">Withheld</span>
                        {r.withheld_fields.map(withheldLabel).join(", ")}
                      </>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button-secondary button-small sv-nowrap"
                      aria-expanded={isOpen}
                      aria-controls={rowId}
                      onClick={() => setOpen(isOpen ? null : r.person_record_id)}
                    >
                      {isOpen ? "Hide explanation" : "Why is this record here?"}
                      <span className="sv-vh"> ({r.record_key})</span>
                    </button>
                  </td>
                </tr>
                <tr id={rowId} hidden={!isOpen} className="sv-expanded">
                  <td colSpan={7}>{isOpen && <RecordDetail nominalId={p.nominal_id} record={r} records={p.records} names={names} />}</td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RecordDetail({ nominalId, record, records, names }: { nominalId: number; record: PersonRecord; records: PersonRecord[]; names: Sources }) {
  const raw = record.fields.raw;
  return (
    <div className="sv-record-detail">
      <h3>
        Why is {record.dataset} record {record.record_key} here?
      </h3>
      <MatchExplanation nominalId={nominalId} record={record} records={records} names={names} />
      {raw && Object.keys(raw).length > 0 && (
        <details className="sv-raw">
          <summary>The record as {agencyName(record.agency)} sent it</summary>
          <dl>
            {Object.entries(raw).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v || <span className="muted">(empty)</span>}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </div>
  );
}
