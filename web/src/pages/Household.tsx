// A household: the people the hub places together at one address, over what period, which
// agencies know them, and everything that happened to any of them (timeline with a People
// column), with the household's links to people and places. Built only from records the user
// may see; members and records held back are counted as withheld.
import { IndicatorsPanel } from "../components/IndicatorsPanel";
import { HouseholdRiskPanel } from "../components/HouseholdRiskPanel";
import { useMemo } from "react";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { WhenLoaded, WithheldMarker } from "../components/Status";
import { Timeline } from "../components/Timeline";
import { RelationshipGraph } from "../components/RelationshipGraph";
import { AddressMap } from "../components/AddressMap";
import { AgencyTable, KnownTo, MembersWithheld, ProfileLayout, ProfilePending, Section, WithheldField, agencyRows, period, withheldReasons } from "../components/ProfileParts";
import type { Graph, HouseholdView, MapPoints } from "../lib/types";
import { Fact } from "../components/Fact";

export function HouseholdPage({ id }: { id: string }) {
  const path = `/households/${encodeURIComponent(id)}`;
  const house = useApi<HouseholdView>(path);
  const graph = useApi<Graph>(`${path}/graph`);
  const map = useApi<MapPoints>(`${path}/map`);

  const people = useMemo(() => {
    const out: Record<number, string> = {};
    for (const m of house.data?.members ?? []) out[m.nominal_id] = m.name || `Person ${m.nominal_id}`;
    return out;
  }, [house.data]);

  if (!house.data) return <ProfilePending heading="Household" resource={house} loading="the household" what="household" />;

  const h = house.data;
  const addressWithheld = (h.withheld_fields ?? []).includes("household.address");
  const where = h.location ? [h.location.address, h.location.postcode].filter(Boolean).join(", ") : "";
  const size = h.members.length + h.members_withheld;
  const rows = agencyRows(h.timeline, h.agencies_involved);

  return (
    <ProfileLayout
      kind="Household"
      title={where ? `Household at ${where}` : `Household ${h.household_id}`}
      subject={id}
      head={
        <>
          <dl className="sv-facts">
            <Fact label="Address">
              {h.location ? (
                <Link to={`/address/${h.location.location_id}`}>{where || `Location ${h.location.location_id}`}</Link>
              ) : addressWithheld ? (
                <WithheldField label="Address" />
              ) : (
                <span className="sv-none">Not known</span>
              )}
            </Fact>
            <Fact label="People">
              {size} {size === 1 ? "person" : "people"}
              {h.members_withheld > 0 && <span className="sv-none"> ({h.members_withheld} withheld)</span>}
            </Fact>
            <Fact label="Together">{period(h.first_seen, h.last_seen)}</Fact>
            <Fact label="Status">{h.dissolved ? "Ended: the members no longer live together" : "Current"}</Fact>
          </dl>
          <KnownTo agencies={rows.map((r) => r.agency)} />
          <WithheldMarker count={h.withheld.total} what="record" reasons={withheldReasons(h.withheld)} />
        </>
      }
    >
      <Section id="members" title="Members">
        {h.members.length === 0 ? (
          <p>No member you may see.</p>
        ) : (
          <ul className="sv-members">
            {h.members.map((m) => (
              <li key={m.nominal_id}>
                {m.name ? (
                  <Link to={`/person/${m.nominal_id}`}>{m.name}</Link>
                ) : (
                  <>
                    <Link to={`/person/${m.nominal_id}`}>Person {m.nominal_id}</Link> <WithheldField label="Name" />
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        <MembersWithheld count={h.members_withheld} />
      </Section>

      <Section id="indicators" title="Indicators">
        <IndicatorsPanel kind="households" id={id} />
      </Section>

      <Section id="risk" title="Risk scores">
        <HouseholdRiskPanel id={id} />
      </Section>

      <Section id="agencies" title="Agencies involved">
        <AgencyTable rows={rows} caption="Agencies with events about this household's members, newest involvement first" />
      </Section>

      <Section id="timeline" title="Timeline" intro="Events about any member of the household; the People column says whom each is about.">
        <Timeline events={h.timeline} people={people} />
      </Section>

      <Section id="relationships" title="Relationships">
        <WhenLoaded resource={graph} what="relationships">
          {(g) => <RelationshipGraph graph={g} />}
        </WhenLoaded>
      </Section>

      <Section id="places" title="Place">
        <WhenLoaded resource={map} what="the map">
          {(m) => <AddressMap points={m.points} />}
        </WhenLoaded>
      </Section>
    </ProfileLayout>
  );
}
