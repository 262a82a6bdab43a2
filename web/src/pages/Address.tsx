// An address: who the hub places there (households and people, with when they were seen), which
// agencies have recorded events there, and those events on a timeline naming the people in
// them. A practitioner planning a visit sees at once who else is linked to the door they are
// knocking on. Only records the user may see are used; names held back are marked as withheld.
import { useMemo } from "react";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { Timeline } from "../components/Timeline";
import { AddressMap } from "../components/AddressMap";
import { AgencyTable, DateCell, HouseholdsTable, KnownTo, ProfileLayout, ProfilePending, Section, WithheldField, agencyRows } from "../components/ProfileParts";
import type { AddressView, MapPoint } from "../lib/types";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";

// The hub reads at most this many of the newest events at one address (place_view.cc).
const READ_LIMIT = 500;

export function AddressPage({ id }: { id: string }) {
  const place = useApi<AddressView>(`/addresses/${encodeURIComponent(id)}`);

  const people = useMemo(() => {
    const out: Record<number, string> = {};
    for (const p of place.data?.people ?? []) out[p.nominal_id] = p.name || `Person ${p.nominal_id}`;
    for (const h of place.data?.households ?? []) for (const m of h.members) out[m.nominal_id] ??= m.name || `Person ${m.nominal_id}`;
    return out;
  }, [place.data]);

  if (!place.data) return <ProfilePending heading="Address" resource={place} loading="the address" what="address" />;

  const a = place.data;
  const loc = a.location;
  const title = loc.no_fixed_abode ? "No fixed abode" : loc.address || loc.postcode || `Location ${loc.location_id}`;
  const rows = agencyRows(a.events);
  const points: MapPoint[] =
    loc.lat !== undefined && loc.lon !== undefined
      ? [{ lat: loc.lat, lon: loc.lon, location_id: loc.location_id, postcode: loc.postcode, kind: "address" }]
      : [];
  const membersWithheld = a.households.reduce((n, h) => n + h.members_withheld, 0);

  return (
    <ProfileLayout
      kind="Address"
      title={title}
      subject={id}
      head={
        <>
          <dl className="sv-facts">
            <Fact label="Postcode">{loc.postcode || <span className="sv-none">Not known</span>}</Fact>
            <Fact label="UPRN (property reference)">{loc.uprn || <span className="sv-none">Not known</span>}</Fact>
            <Fact label="People linked here">
              {a.people.length}
              {membersWithheld > 0 && <span className="sv-none"> (and {membersWithheld} withheld)</span>}
            </Fact>
            <Fact label="Households">{a.households.length}</Fact>
          </dl>
          {loc.no_fixed_abode && (
            <div className="notice notice-info" role="note">
              Records use this entry for people with no fixed abode: the people here did not live together.
            </div>
          )}
          <KnownTo agencies={rows.map((r) => r.agency)} label="Events recorded here by" />
        </>
      }
    >
      <Section id="people" title="People">
        {a.people.length === 0 ? (
          <p>No one you may see is recorded at this address.</p>
        ) : (
          <div className="sv-scroll">
            <table>
              <caption>People the records place at this address</caption>
              <TableHead columns={["Name", "First seen", "Last seen"]} />
              <tbody>
                {a.people.map((p) => (
                  <tr key={p.nominal_id}>
                    <th scope="row">
                      <Link to={`/person/${p.nominal_id}`}>{p.name || `Person ${p.nominal_id}`}</Link>
                      {(p.withheld_fields ?? []).includes("person.name") && (
                        <>
                          {" "}
                          <WithheldField label="Name" />
                        </>
                      )}
                    </th>
                    <DateCell date={p.first_seen} />
                    <DateCell date={p.last_seen} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="households" title="Households">
        {a.households.length === 0 ? (
          <p>No household you may see at this address.</p>
        ) : (
          <HouseholdsTable households={a.households} caption="Households at this address" name={(h) => `Household of ${h.members.length + h.members_withheld}`} />
        )}
      </Section>

      <Section id="agencies" title="Agencies involved">
        <AgencyTable rows={rows} caption="Agencies with events at this address, newest first" />
      </Section>

      <Section id="timeline" title="Events here" intro="Events recorded at this address; the People column says whom each is about.">
        {a.events.length >= READ_LIMIT && <p className="hint">Only the newest {READ_LIMIT} events at this address are shown.</p>}
        <Timeline events={a.events} people={people} />
      </Section>

      <Section id="map" title="Map">
        {points.length === 0 ? <p>This address has no map position in the hub.</p> : <AddressMap points={points} />}
      </Section>
    </ProfileLayout>
  );
}
