// The place pages: a household and an address.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "view/dossier.h"

namespace tessera::view {

namespace internal {

Result<HouseholdPart> HouseholdJson(Reader& reader, const model::Household& household,
                                    const std::vector<const Dossier*>& known, Seen& seen) {
  HouseholdPart part;
  json members = json::array();
  int64_t withheld = 0;
  for (const model::HouseholdMembership& m : household.members) {
    if (reader.visibility().NominalSealed(m.nominal_id)) continue;  // not counted
    const Dossier* dossier = nullptr;
    for (const Dossier* d : known) {
      if (d->id == m.nominal_id) dossier = d;
    }
    TRY_ASSIGN(std::optional<Reader::MemberEvidence> evidence,
               reader.EvidenceAt(m.nominal_id, household.location_id, dossier));
    if (!evidence) {
      ++withheld;
      continue;
    }
    json member = {{"nominal_id", m.nominal_id},
                   {"name", evidence->name ? json(DisplayName(*evidence->name)) : json()}};
    if (!evidence->name) member["withheld_fields"] = json::array({"person.name"});
    members.push_back(std::move(member));
    part.shown_members.push_back(m.nominal_id);
    seen.AddNominal(m.nominal_id);
    seen.AddRecord(evidence->evidence_record);
    if (evidence->name_record != 0) seen.AddRecord(evidence->name_record);
  }
  json& body = part.body;
  body = {{"household_id", household.id},
          {"dissolved", household.dissolved},
          {"members", std::move(members)},
          {"members_withheld", withheld}};
  if (!part.shown_members.empty()) {
    // The address and period are derived from the members' records: shown only with a member.
    TRY_ASSIGN(const model::Location* location, reader.Location(household.location_id));
    part.location_shown = true;
    body["location"] = LocationJson(*location);
  } else {
    body["withheld_fields"] = json::array({"household.address"});
  }
  return part;
}

void AddPeriodSeen(json& body, const std::vector<const Dossier*>& dossiers,
                   model::LocationId location) {
  std::optional<CivilDate> first, last;
  for (const Dossier* d : dossiers) {
    for (const VisibleRecord& r : d->records) {
      if (!Has(r.fields, Field::kPersonAddress) || r.person.location_id != location) continue;
      if (auto f = r.FirstSeen(); f && (!first || *f < *first)) first = f;
      if (auto l = r.LastSeen(); l && (!last || *l > *last)) last = l;
    }
  }
  if (first) body["first_seen"] = first->ToIso();
  if (last) body["last_seen"] = last->ToIso();
}

Result<HouseholdRead> ReadHousehold(Reader& reader, model::HouseholdId id, Seen& seen) {
  HouseholdRead out;
  TRY_ASSIGN(out.household, reader.store().GetHousehold(id));
  TRY_ASSIGN(out.part, HouseholdJson(reader, out.household, {}, seen));
  for (model::NominalId member : out.part.shown_members) {
    TRY_ASSIGN(Dossier d, reader.ReadDossier(member, /*with_events=*/true));
    out.dossiers.push_back(std::move(d));
  }
  return out;
}

}  // namespace internal

namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

std::vector<const Dossier*> Pointers(const std::vector<Dossier>& dossiers) {
  std::vector<const Dossier*> out;
  for (const Dossier& d : dossiers) out.push_back(&d);
  return out;
}

Result<json> TimelineJson(Reader& reader, const std::vector<TimelineEntry>& entries, Seen& seen) {
  json events = json::array();
  for (const TimelineEntry& entry : entries) {
    VisibleEvent shown = *entry.event;
    shown.roles = entry.roles;
    TRY_ASSIGN(json e, EventJson(reader, shown));
    e["nominal_ids"] = entry.nominals;
    events.push_back(std::move(e));
    seen.AddRecord(entry.event->event.source_record_id);
  }
  return events;
}

}  // namespace

Result<Page> HouseholdView(const ViewContext& ctx, model::HouseholdId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(HouseholdRead h, ReadHousehold(reader, id, seen));
  std::vector<const Dossier*> dossiers = Pointers(h.dossiers);
  WithheldCount withheld;
  for (const Dossier* d : dossiers) withheld.Merge(d->withheld);
  TRY_ASSIGN(json timeline, TimelineJson(reader, BuildTimeline(dossiers, {}), seen));
  Page page;
  page.body = std::move(h.part.body);
  AddPeriodSeen(page.body, dossiers, h.household.location_id);
  page.body["agencies_involved"] = AgenciesInvolved(dossiers, ctx.today);
  page.body["timeline"] = std::move(timeline);
  page.body["withheld"] = withheld.ToJson();
  seen.Normalise();
  return page;
}

Result<Page> HouseholdGraph(const ViewContext& ctx, model::HouseholdId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(HouseholdRead h, ReadHousehold(reader, id, seen));
  const json& body = h.part.body;
  const std::string hid = "h:" + std::to_string(id);
  json nodes = json::array({{{"id", hid},
                             {"kind", "household"},
                             {"label", "household " + std::to_string(id)},
                             {"focus", true}}});
  json edges = json::array();
  if (body.contains("location")) {
    const std::string l = "l:" + std::to_string(body["location"]["location_id"].get<int64_t>());
    nodes.push_back(
        {{"id", l}, {"kind", "address"}, {"label", body["location"]["address"]}, {"focus", false}});
    edges.push_back({{"from", hid}, {"to", l}, {"kind", "located_at"}});
  }
  for (const json& m : body["members"]) {
    const std::string n = "n:" + std::to_string(m["nominal_id"].get<int64_t>());
    nodes.push_back({{"id", n}, {"kind", "nominal"}, {"label", m["name"]}, {"focus", false}});
    edges.push_back({{"from", n}, {"to", hid}, {"kind", "member_of"}});
  }
  seen.Normalise();
  Page page;
  page.body = {{"household_id", id}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
  return page;
}

Result<Page> HouseholdMapPoints(const ViewContext& ctx, model::HouseholdId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(HouseholdRead h, ReadHousehold(reader, id, seen));
  std::vector<const Dossier*> dossiers = Pointers(h.dossiers);
  TRY_ASSIGN(json points, MapPoints(reader, dossiers));
  for (const Dossier* d : dossiers) AddDossierToSeen(*d, seen);
  seen.Normalise();
  Page page;
  page.body = {{"household_id", id}, {"points", std::move(points)}};
  return page;
}

namespace {

// How many of an address's newest person records and events the page reads and judges: an
// address such as a police station or a hospital can have thousands.
constexpr int kAddressReadLimit = 500;

// Someone a visible record places at the address, outside the households' shown members.
struct Resident {
  model::NominalId id = 0;
  std::optional<model::PersonName> name;
  std::optional<CivilDate> first, last;
};

// People whose visible records (with "person.address") give the address, newest record first,
// leaving out the nominals in `known` (the households' shown members, dated from their
// dossiers).
Result<std::vector<Resident>> Residents(Reader& reader, model::LocationId id,
                                        const std::set<model::NominalId>& known, Seen& seen) {
  TRY_ASSIGN(std::vector<model::PersonRecord> here,
             reader.store().ListPersonRecordsAtLocation(id, kAddressReadLimit));
  std::vector<model::PersonRecordId> ids;
  for (const model::PersonRecord& p : here) ids.push_back(p.id);
  TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
             reader.store().ListPersonRecordDetails(ids, /*with_events=*/true));
  std::unordered_map<model::PersonRecordId, const store::PersonRecordDetail*> detail_of;
  for (const store::PersonRecordDetail& detail : details) detail_of[detail.person.id] = &detail;
  std::vector<Resident> out;
  std::map<model::NominalId, size_t> index;
  for (const model::PersonRecord& p : here) {
    const store::PersonRecordDetail& detail = *detail_of.at(p.id);
    if (!detail.nominal_id || known.contains(*detail.nominal_id)) continue;
    const model::NominalId nominal = *detail.nominal_id;
    if (reader.visibility().NominalSealed(nominal)) continue;
    const govern::RecordVisibility v =
        reader.visibility().ForRecord(detail.source.source_id, detail.source.id, nominal);
    if (!v.Has(Field::kPersonAddress)) continue;
    auto [it, added] = index.emplace(nominal, out.size());
    if (added) out.push_back({nominal, std::nullopt, std::nullopt, std::nullopt});
    Resident& resident = out[it->second];
    seen.AddNominal(nominal);
    seen.AddRecord(detail.source.id);
    if (!resident.name && v.Has(Field::kPersonName) && !DisplayName(detail.person.name).empty()) {
      resident.name = detail.person.name;
    }
    for (const model::Event& e : detail.events) {
      FieldMask mask = v.fields;
      if (e.source_record_id != detail.source.id) {
        govern::RecordVisibility ev =
            reader.visibility().ForRecord(e.source_id, e.source_record_id, 0);
        if (!ev.visible()) continue;
        mask &= ev.fields;
      }
      if (!Has(mask, Field::kEventDate)) continue;
      if (!resident.first || e.date < *resident.first) resident.first = e.date;
      if (!resident.last || e.date > *resident.last) resident.last = e.date;
      seen.AddRecord(e.source_record_id);
    }
  }
  return out;
}

// The visible events at the address ("event.location" permitted), newest first, each with the
// nominals named in it through their visible records. An event is judged as its source record
// is for the people that record names (a record of a sealed nominal is sealed, an objection
// withholds it), or with no nominal when it names none.
Result<json> EventsAt(Reader& reader, model::LocationId id, Seen& seen) {
  TRY_ASSIGN(std::vector<model::Event> events,
             reader.store().ListEventsAtLocation(id, kAddressReadLimit));
  std::vector<model::PersonRecordId> ids;
  for (const model::Event& e : events) {
    for (const model::EventInvolvement& inv : e.involvements) ids.push_back(inv.person_record_id);
  }
  TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
             reader.store().ListPersonRecordDetails(ids, /*with_events=*/false));
  std::unordered_map<model::PersonRecordId, const store::PersonRecordDetail*> detail_of;
  for (const store::PersonRecordDetail& detail : details) detail_of[detail.person.id] = &detail;
  struct Shown {
    VisibleEvent event;
    std::vector<model::NominalId> nominals;
    std::vector<model::SourceRecordId> records;
  };
  std::vector<Shown> shown;
  for (model::Event& e : events) {
    bool judged = false, visible = false;
    FieldMask mask = govern::kAllFields;
    Shown s;
    for (const model::EventInvolvement& inv : e.involvements) {
      const store::PersonRecordDetail& person = *detail_of.at(inv.person_record_id);
      const model::NominalId nominal = person.nominal_id.value_or(0);
      const govern::RecordVisibility v =
          reader.visibility().ForRecord(person.source.source_id, person.source.id, nominal);
      if (person.source.id == e.source_record_id) {
        judged = true;
        if (v.visible()) {
          visible = true;
          mask &= v.fields;
        }
      }
      if (!v.visible() || nominal == 0) continue;
      if (std::find(s.nominals.begin(), s.nominals.end(), nominal) == s.nominals.end()) {
        s.nominals.push_back(nominal);
      }
      if (std::find(s.event.roles.begin(), s.event.roles.end(), inv.role) == s.event.roles.end()) {
        s.event.roles.push_back(inv.role);
      }
      s.records.push_back(person.source.id);
    }
    if (!judged) {
      const govern::RecordVisibility v =
          reader.visibility().ForRecord(e.source_id, e.source_record_id, 0);
      visible = v.visible();
      mask = v.fields;
    }
    if (!visible || !Has(mask, Field::kEventLocation)) continue;
    s.event.event = std::move(e);
    s.event.fields = mask;
    shown.push_back(std::move(s));
  }
  // Dated first, newest first (the store's order, unless a date is withheld), as timelines.
  std::stable_sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) {
    return Has(a.event.fields, Field::kEventDate) && !Has(b.event.fields, Field::kEventDate);
  });
  json out = json::array();
  for (const Shown& s : shown) {
    TRY_ASSIGN(json e, EventJson(reader, s.event));
    e["nominal_ids"] = s.nominals;
    out.push_back(std::move(e));
    seen.AddRecord(s.event.event.source_record_id);
    for (model::NominalId n : s.nominals) seen.AddNominal(n);
    for (model::SourceRecordId r : s.records) seen.AddRecord(r);
  }
  return out;
}

}  // namespace

Result<Page> AddressView(const ViewContext& ctx, model::LocationId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(const model::Location* location, reader.Location(id));
  json place = LocationJson(*location);
  if (location->latitude && location->longitude) {
    place["lat"] = *location->latitude;
    place["lon"] = *location->longitude;
    if (!location->geo_precision.empty()) place["precision"] = location->geo_precision;
  }
  TRY_ASSIGN(std::vector<model::Household> households, reader.store().ListHouseholdsAtLocation(id));
  json households_json = json::array();
  std::vector<Dossier> dossiers;
  std::set<model::NominalId> read;
  std::vector<std::vector<model::NominalId>> shown_by_household;
  for (const model::Household& h : households) {
    TRY_ASSIGN(HouseholdPart part, HouseholdJson(reader, h, {}, seen));
    part.body.erase("location");  // the page's own
    households_json.push_back(std::move(part.body));
    shown_by_household.push_back(part.shown_members);
    for (model::NominalId member : part.shown_members) {
      if (!read.insert(member).second) continue;
      TRY_ASSIGN(Dossier d, reader.ReadDossier(member, /*with_events=*/true));
      dossiers.push_back(std::move(d));
    }
  }
  for (size_t i = 0; i < households_json.size(); ++i) {
    std::vector<const Dossier*> members;
    for (const Dossier& d : dossiers) {
      const auto& shown = shown_by_household[i];
      if (std::find(shown.begin(), shown.end(), d.id) != shown.end()) members.push_back(&d);
    }
    AddPeriodSeen(households_json[i], members, id);
  }
  // People seen here: the shown members, dated by their visible records at this address, then
  // anyone else a visible record places here.
  json people = json::array();
  for (const Dossier& d : dossiers) {
    std::optional<CivilDate> first, last;
    std::optional<model::PersonName> name;
    for (const VisibleRecord& r : d.records) {
      if (!name && Has(r.fields, Field::kPersonName) && !DisplayName(r.person.name).empty()) {
        name = r.person.name;
        seen.AddRecord(r.source.id);
      }
      if (!Has(r.fields, Field::kPersonAddress) || r.person.location_id != id) continue;
      if (auto f = r.FirstSeen(); f && (!first || *f < *first)) first = f;
      if (auto l = r.LastSeen(); l && (!last || *l > *last)) last = l;
      seen.AddRecord(r.source.id);
      for (const VisibleEvent& ve : r.events) seen.AddRecord(ve.event.source_record_id);
    }
    json person = {{"nominal_id", d.id}, {"name", name ? json(DisplayName(*name)) : json()}};
    if (first) person["first_seen"] = first->ToIso();
    if (last) person["last_seen"] = last->ToIso();
    people.push_back(std::move(person));
  }
  TRY_ASSIGN(std::vector<Resident> residents, Residents(reader, id, read, seen));
  for (const Resident& r : residents) {
    json person = {{"nominal_id", r.id}, {"name", r.name ? json(DisplayName(*r.name)) : json()}};
    if (!r.name) person["withheld_fields"] = json::array({"person.name"});
    if (r.first) person["first_seen"] = r.first->ToIso();
    if (r.last) person["last_seen"] = r.last->ToIso();
    people.push_back(std::move(person));
  }
  TRY_ASSIGN(json events, EventsAt(reader, id, seen));
  seen.Normalise();
  Page page;
  page.body = {{"location", std::move(place)},
               {"households", std::move(households_json)},
               {"people", std::move(people)},
               {"events", std::move(events)}};
  return page;
}

}  // namespace tessera::view
