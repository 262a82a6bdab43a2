// The person pages: profile, timeline, relationship graph and map points of one nominal.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "view/dossier.h"

namespace tessera::view {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

// How an attribute's best-known value is chosen (documented in view.h).
enum class ValueRule { kMostSupported, kMostRecent };

struct ValueEntry {
  json value;
  std::string key;
  int64_t records = 0;
  std::set<std::string> sources;
  json provenance = json::array();
  int64_t last_received = 0;
  std::optional<CivilDate> last_seen;
};

// Every visible value of one attribute, with the records behind each.
class AttributeTally {
 public:
  void Add(const std::string& key, json value, const Reader& reader, const VisibleRecord& r) {
    ValueEntry& e = entries_[key];
    if (e.records == 0) {
      e.key = key;
      e.value = std::move(value);
    }
    ++e.records;
    e.sources.insert(r.source.source_id);
    e.provenance.push_back(ProvenanceJson(reader, r));
    e.last_received = std::max(e.last_received, r.source.provenance.received_at_micros);
    if (std::optional<CivilDate> seen = r.LastSeen();
        seen && (!e.last_seen || *seen > *e.last_seen)) {
      e.last_seen = seen;
    }
  }

  size_t size() const { return entries_.size(); }

  std::vector<const ValueEntry*> Ranked(ValueRule rule) const {
    std::vector<const ValueEntry*> out;
    for (const auto& [key, e] : entries_) out.push_back(&e);
    auto supported = [](const ValueEntry* e) {
      return std::make_tuple(e->sources.size(), e->records, e->last_received);
    };
    std::stable_sort(out.begin(), out.end(), [&](const ValueEntry* a, const ValueEntry* b) {
      if (rule == ValueRule::kMostRecent) {
        auto ra = std::make_tuple(a->last_seen.has_value(), a->last_seen.value_or(CivilDate{}),
                                  a->last_received);
        auto rb = std::make_tuple(b->last_seen.has_value(), b->last_seen.value_or(CivilDate{}),
                                  b->last_received);
        if (ra != rb) return ra > rb;
      }
      if (supported(a) != supported(b)) return supported(a) > supported(b);
      return a->key < b->key;  // entries_ is ordered by key: the smallest value wins a tie
    });
    return out;
  }

  json ToJson(ValueRule rule, bool single_valued) const {
    json values = json::array();
    for (const ValueEntry* e : Ranked(rule)) {
      json v = {{"value", e->value},
                {"records", e->records},
                {"sources", json(std::vector<std::string>(e->sources.begin(), e->sources.end()))},
                {"provenance", e->provenance},
                {"last_received_at", Utc(e->last_received)}};
      if (e->last_seen) v["last_seen"] = e->last_seen->ToIso();
      values.push_back(std::move(v));
    }
    json best;
    if (!values.empty()) {
      best = values.front();
      best.erase("provenance");  // in values[0]
    }
    json out = {{"best", std::move(best)},
                {"values", values},
                {"conflict", single_valued && values.size() > 1},
                {"rule", rule == ValueRule::kMostRecent ? "most_recent" : "most_supported"}};
    return out;
  }

 private:
  std::map<std::string, ValueEntry> entries_;
};

std::string NameKey(const model::PersonName& n) {
  return n.given + "|" + n.middle + "|" + n.family + "|" + n.title + "|" + n.suffix;
}

struct Attributes {
  json attributes = json::object();
  json conflicts = json::array();
  FieldMask withheld = 0;  // fields withheld from at least one visible record
  std::string display_name;
};

Result<Attributes> BuildAttributes(Reader& reader, const Dossier& d) {
  AttributeTally name, other_names, dob, sex, nhs, identifiers, address, phones, emails;
  std::map<model::IdentifierKind, std::set<std::string>> identifier_values;
  Attributes out;
  for (const VisibleRecord& r : d.records) {
    out.withheld |= govern::kAllFields & ~r.fields;
    const model::PersonRecord& p = r.person;
    if (Has(r.fields, Field::kPersonName)) {
      if (!DisplayName(p.name).empty()) name.Add(NameKey(p.name), NameJson(p.name), reader, r);
      for (const model::PersonName& a : p.aliases) {
        other_names.Add(NameKey(a), NameJson(a), reader, r);
      }
    }
    if (Has(r.fields, Field::kPersonDob) && p.dob) {
      dob.Add(p.dob->ToIso(), p.dob->ToIso(), reader, r);
    }
    if (Has(r.fields, Field::kPersonSex) && p.sex != model::Sex::kUnknown) {
      sex.Add(std::string(model::SexName(p.sex)), model::SexName(p.sex), reader, r);
    }
    for (const model::Identifier& id : p.identifiers) {
      if (id.kind == model::IdentifierKind::kNhsNumber) {
        if (Has(r.fields, Field::kPersonNhsNumber)) nhs.Add(id.value, id.value, reader, r);
      } else if (Has(r.fields, Field::kPersonIdentifiers)) {
        const std::string kind(model::IdentifierKindName(id.kind));
        identifiers.Add(kind + ":" + id.value, {{"kind", kind}, {"value", id.value}}, reader, r);
        identifier_values[id.kind].insert(id.value);
      }
    }
    if (Has(r.fields, Field::kPersonAddress) && p.location_id) {
      TRY_ASSIGN(const model::Location* location, reader.Location(*p.location_id));
      address.Add(std::to_string(location->id), LocationJson(*location), reader, r);
    }
    if (Has(r.fields, Field::kPersonPhone)) {
      for (const std::string& phone : p.phones) phones.Add(phone, phone, reader, r);
    }
    if (Has(r.fields, Field::kPersonEmail)) {
      for (const std::string& email : p.emails) emails.Add(email, email, reader, r);
    }
  }
  // Several local ids (one per source) or shared ids are normal; two PNC, CRO or NI numbers
  // for one person are a conflict.
  bool identifier_conflict = false;
  for (const auto& [kind, values] : identifier_values) {
    if (kind != model::IdentifierKind::kLocalId && kind != model::IdentifierKind::kOtherId &&
        values.size() > 1) {
      identifier_conflict = true;
    }
  }
  auto& a = out.attributes;
  a["name"] = name.ToJson(ValueRule::kMostSupported, true);
  a["other_names"] = other_names.ToJson(ValueRule::kMostSupported, false);
  a["dob"] = dob.ToJson(ValueRule::kMostSupported, true);
  a["sex"] = sex.ToJson(ValueRule::kMostSupported, true);
  a["nhs_number"] = nhs.ToJson(ValueRule::kMostSupported, true);
  a["identifiers"] = identifiers.ToJson(ValueRule::kMostSupported, false);
  a["identifiers"]["conflict"] = identifier_conflict;
  a["address"] = address.ToJson(ValueRule::kMostRecent, false);
  a["phones"] = phones.ToJson(ValueRule::kMostRecent, false);
  a["emails"] = emails.ToJson(ValueRule::kMostRecent, false);
  for (const auto& [key, value] : a.items()) {
    if (value["conflict"].get<bool>()) out.conflicts.push_back(key);
  }
  if (!a["name"]["best"].is_null()) {
    out.display_name = a["name"]["best"]["value"]["display"].get<std::string>();
  }
  return out;
}

// Where the person's visible records with an address place them, latest first.
struct AddressStay {
  model::LocationId location = 0;
  std::optional<CivilDate> first, last;
  int64_t records = 0;
  std::set<std::string> sources;
};

std::vector<AddressStay> AddressStays(const Dossier& d) {
  std::map<model::LocationId, AddressStay> by_location;
  for (const VisibleRecord& r : d.records) {
    if (!Has(r.fields, Field::kPersonAddress) || !r.person.location_id) continue;
    AddressStay& s = by_location[*r.person.location_id];
    s.location = *r.person.location_id;
    ++s.records;
    s.sources.insert(r.source.source_id);
    if (auto f = r.FirstSeen(); f && (!s.first || *f < *s.first)) s.first = f;
    if (auto l = r.LastSeen(); l && (!s.last || *l > *s.last)) s.last = l;
  }
  std::vector<AddressStay> out;
  for (auto& [id, s] : by_location) out.push_back(std::move(s));
  std::stable_sort(out.begin(), out.end(), [](const AddressStay& a, const AddressStay& b) {
    return std::make_tuple(a.last.has_value(), a.last.value_or(CivilDate{})) >
           std::make_tuple(b.last.has_value(), b.last.value_or(CivilDate{}));
  });
  return out;
}

Result<json> AddressHistoryJson(Reader& reader, const std::vector<AddressStay>& stays) {
  json out = json::array();
  for (const AddressStay& s : stays) {
    TRY_ASSIGN(const model::Location* location, reader.Location(s.location));
    json entry = {{"location", LocationJson(*location)},
                  {"records", s.records},
                  {"sources", json(std::vector<std::string>(s.sources.begin(), s.sources.end()))}};
    if (s.first) entry["first_seen"] = s.first->ToIso();
    if (s.last) entry["last_seen"] = s.last->ToIso();
    out.push_back(std::move(entry));
  }
  return out;
}

struct Associate {
  model::NominalId id = 0;
  std::optional<model::PersonName> name;
  std::set<model::EventId> events;
  std::optional<CivilDate> last_shared;
  std::map<std::pair<std::string, std::string>, int64_t> relationships;  // (own, theirs) -> n
};

// How many rows of one crime or referral (events of one source sharing a reference) are read
// for associates: a few in practice; the bound keeps a reference that many rows share (a
// placeholder a source fills in) from costing a page a scan.
constexpr int kRowsPerReference = 64;

// Other nominals named in the person's visible events, or in events of the same source sharing
// a visible event reference (a police crime is one row per person, the rows sharing the crime
// reference), through their visible records only.
Result<std::vector<Associate>> FindAssociates(Reader& reader, const Dossier& d, Seen& seen) {
  std::unordered_set<model::PersonRecordId> own;
  for (const VisibleRecord& r : d.records) own.insert(r.person.id);
  // Someone else in one of the person's events: directly, or in `row` (another row of the
  // same reference).
  struct Candidate {
    const VisibleEvent* shared = nullptr;  // the person's own event
    const model::Event* row = nullptr;     // null: named in `shared` itself
    model::EventInvolvement involvement;
  };
  std::vector<Candidate> candidates;
  std::vector<model::PersonRecordId> people;
  std::set<std::pair<model::EventId, model::PersonRecordId>> counted;
  auto consider = [&](const VisibleEvent& ve, const model::Event* row,
                      const model::EventInvolvement& inv) {
    // Withheld or sealed records of the person itself are not in `own`; they are skipped below
    // as records of the person's own nominal: never associates.
    if (own.contains(inv.person_record_id)) return;
    if (!counted.insert({ve.event.id, inv.person_record_id}).second) return;
    candidates.push_back({&ve, row, inv});
    people.push_back(inv.person_record_id);
  };
  std::map<std::pair<std::string, std::string>, std::vector<model::Event>> rows_by_reference;
  for (const VisibleRecord& r : d.records) {
    for (const VisibleEvent& ve : r.events) {
      for (const model::EventInvolvement& inv : ve.event.involvements) consider(ve, nullptr, inv);
      // The reference links rows only where the request may see it.
      if (ve.event.event_ref.empty() || !Has(ve.fields, Field::kEventReference)) continue;
      auto key = std::make_pair(ve.event.source_id, ve.event.event_ref);
      auto rows = rows_by_reference.find(key);
      if (rows == rows_by_reference.end()) {
        TRY_ASSIGN(std::vector<model::Event> read,
                   reader.store().ListEventsByReference(key.first, key.second, kRowsPerReference));
        rows = rows_by_reference.emplace(std::move(key), std::move(read)).first;
      }
      for (const model::Event& row : rows->second) {
        if (row.id == ve.event.id) continue;  // named in the event itself: above
        for (const model::EventInvolvement& inv : row.involvements) consider(ve, &row, inv);
      }
    }
  }
  // Everyone met, with their nominal and source record, in one read.
  TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
             reader.store().ListPersonRecordDetails(people, /*with_events=*/false));
  std::unordered_map<model::PersonRecordId, const store::PersonRecordDetail*> detail_of;
  for (const store::PersonRecordDetail& detail : details) detail_of[detail.person.id] = &detail;
  std::map<model::NominalId, Associate> by_nominal;
  for (const Candidate& c : candidates) {
    const store::PersonRecordDetail& person = *detail_of.at(c.involvement.person_record_id);
    if (!person.nominal_id || *person.nominal_id == d.id) continue;
    const model::NominalId other = *person.nominal_id;
    if (reader.visibility().NominalSealed(other)) continue;
    const govern::RecordVisibility v =
        reader.visibility().ForRecord(person.source.source_id, person.source.id, other);
    if (!v.visible()) continue;
    if (c.row != nullptr) {
      // The other row must be visible, with its reference, as the associate's.
      const govern::RecordVisibility rv =
          c.row->source_record_id == person.source.id
              ? v
              : reader.visibility().ForRecord(c.row->source_id, c.row->source_record_id, other);
      if (!rv.Has(Field::kEventReference)) continue;
      seen.AddRecord(c.row->source_record_id);
    }
    const VisibleEvent& ve = *c.shared;
    Associate& a = by_nominal[other];
    a.id = other;
    if (!a.name && v.Has(Field::kPersonName) && !DisplayName(person.person.name).empty()) {
      a.name = person.person.name;
    }
    a.events.insert(ve.event.id);
    if (Has(ve.fields, Field::kEventDate) && (!a.last_shared || ve.event.date > *a.last_shared)) {
      a.last_shared = ve.event.date;
    }
    for (model::Role own_role : ve.roles) {
      ++a.relationships[{std::string(model::RoleName(own_role)),
                         std::string(model::RoleName(c.involvement.role))}];
    }
    seen.AddNominal(other);
    seen.AddRecord(person.source.id);
  }
  std::vector<Associate> out;
  for (auto& [id, a] : by_nominal) out.push_back(std::move(a));
  std::stable_sort(out.begin(), out.end(), [](const Associate& a, const Associate& b) {
    return a.events.size() > b.events.size();
  });
  return out;
}

json AssociatesJson(const std::vector<Associate>& associates) {
  json out = json::array();
  for (const Associate& a : associates) {
    json rel = json::array();
    for (const auto& [roles, n] : a.relationships) {
      rel.push_back({{"own_role", roles.first}, {"their_role", roles.second}, {"count", n}});
    }
    json entry = {{"nominal_id", a.id},
                  {"name", a.name ? json(DisplayName(*a.name)) : json()},
                  {"shared_events", static_cast<int64_t>(a.events.size())},
                  {"relationships", std::move(rel)}};
    if (!a.name) entry["withheld_fields"] = json::array({"person.name"});
    if (a.last_shared) entry["last_shared"] = a.last_shared->ToIso();
    out.push_back(std::move(entry));
  }
  return out;
}

// The households the person may be shown in: those a visible record with an address at the
// household's address supports.
struct Households {
  json body = json::array();
  std::vector<model::Household> shown;
  std::vector<HouseholdPart> parts;
};

Result<Households> PersonHouseholds(Reader& reader, const Dossier& d, Seen& seen) {
  Households out;
  TRY_ASSIGN(std::vector<model::Household> households,
             reader.store().ListHouseholdsForNominal(d.id));
  for (const model::Household& h : households) {
    bool supported = false;
    for (const VisibleRecord& r : d.records) {
      supported = supported ||
                  (Has(r.fields, Field::kPersonAddress) && r.person.location_id == h.location_id);
    }
    if (!supported) continue;
    TRY_ASSIGN(HouseholdPart part, HouseholdJson(reader, h, {&d}, seen));
    AddPeriodSeen(part.body, {&d}, h.location_id);
    out.body.push_back(part.body);
    out.shown.push_back(h);
    out.parts.push_back(std::move(part));
  }
  return out;
}

// Resolves the id, reads the dossier, or says where the nominal went.
struct Opened {
  std::optional<model::NominalId> redirect_to;
  Dossier dossier;
};

Result<Opened> Open(Reader& reader, model::NominalId id, bool with_events) {
  TRY_ASSIGN(model::NominalId live, reader.LiveNominal(id));
  Opened out;
  if (live != id) {
    out.redirect_to = live;
    return out;
  }
  TRY_ASSIGN(out.dossier, reader.ReadDossier(live, with_events));
  return out;
}

Page Redirect(model::NominalId live) {
  Page page;
  page.redirect_to = live;
  return page;
}

// Everything the person pages derive from the dossier.
struct PersonSections {
  Attributes attributes;
  std::vector<AddressStay> stays;
  std::vector<Associate> associates;
  Households households;
};

Result<PersonSections> BuildSections(Reader& reader, const Dossier& d, Seen& seen) {
  PersonSections s;
  TRY_ASSIGN(s.attributes, BuildAttributes(reader, d));
  s.stays = AddressStays(d);
  TRY_ASSIGN(s.associates, FindAssociates(reader, d, seen));
  TRY_ASSIGN(s.households, PersonHouseholds(reader, d, seen));
  return s;
}

}  // namespace

Result<Page> NominalProfile(const ViewContext& ctx, model::NominalId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(Opened opened, Open(reader, id, /*with_events=*/true));
  if (opened.redirect_to) return Redirect(*opened.redirect_to);
  const Dossier& d = opened.dossier;
  TRY_ASSIGN(PersonSections s, BuildSections(reader, d, seen));
  json records = json::array();
  for (const VisibleRecord& r : d.records) {
    TRY_ASSIGN(json record, RecordJson(reader, r));
    records.push_back(std::move(record));
  }
  TRY_ASSIGN(json history, AddressHistoryJson(reader, s.stays));
  TRY_ASSIGN(json freshness, SourceFreshness(ctx));
  json alerts = json::array();
  for (const json& f : freshness) {
    if (!f["late"].get<bool>()) continue;
    const std::string source = f["source_id"].get<std::string>();
    alerts.push_back(
        {{"kind", "late_feed"},
         {"source_id", source},
         {"message", f["data_current_to"].is_null()
                         ? source + " has never completed a load"
                         : source + " data is late: current to " +
                               f["data_current_to"].get<std::string>() + ", expected every " +
                               std::to_string(f["expected_every_hours"].get<int>()) + "h"}});
  }
  Page page;
  page.body = {{"nominal_id", d.id},
               {"status", store::NominalStatusName(d.status)},
               {"attributes", std::move(s.attributes.attributes)},
               {"conflicts", std::move(s.attributes.conflicts)},
               {"withheld_fields", json(govern::FieldPaths(s.attributes.withheld))},
               {"records", std::move(records)},
               {"withheld", d.withheld.ToJson()},
               {"households", std::move(s.households.body)},
               {"address_history", std::move(history)},
               {"associates", AssociatesJson(s.associates)},
               {"agencies_involved", AgenciesInvolved({&d}, ctx.today)},
               {"freshness", std::move(freshness)},
               {"alerts", std::move(alerts)}};
  AddDossierToSeen(d, seen);
  seen.Normalise();
  return page;
}

Result<Page> NominalTimeline(const ViewContext& ctx, model::NominalId id,
                             const TimelineFilter& filter, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(Opened opened, Open(reader, id, /*with_events=*/true));
  if (opened.redirect_to) return Redirect(*opened.redirect_to);
  const Dossier& d = opened.dossier;
  std::vector<TimelineEntry> entries = BuildTimeline({&d}, filter);
  const int64_t total = static_cast<int64_t>(entries.size());
  if (filter.limit > 0 && entries.size() > static_cast<size_t>(filter.limit)) {
    entries.resize(filter.limit);
  }
  json events = json::array();
  seen.AddNominal(d.id);
  for (const TimelineEntry& entry : entries) {
    VisibleEvent shown = *entry.event;
    shown.roles = entry.roles;
    TRY_ASSIGN(json e, EventJson(reader, shown));
    events.push_back(std::move(e));
    seen.AddRecord(entry.event->event.source_record_id);
  }
  Page page;
  page.body = {{"nominal_id", d.id},
               {"events", std::move(events)},
               {"total", total},
               {"withheld", d.withheld.ToJson()}};
  seen.Normalise();
  return page;
}

Result<Page> NominalGraph(const ViewContext& ctx, model::NominalId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(Opened opened, Open(reader, id, /*with_events=*/true));
  if (opened.redirect_to) return Redirect(*opened.redirect_to);
  const Dossier& d = opened.dossier;
  TRY_ASSIGN(PersonSections s, BuildSections(reader, d, seen));
  json nodes = json::array();
  json edges = json::array();
  std::set<std::string> added;
  auto node = [&](const std::string& node_id, std::string_view kind, const json& label,
                  bool focus) {
    if (!added.insert(node_id).second) return;
    nodes.push_back({{"id", node_id}, {"kind", kind}, {"label", label}, {"focus", focus}});
  };
  const std::string self = "n:" + std::to_string(d.id);
  node(self, "nominal", s.attributes.display_name, true);
  for (const AddressStay& stay : s.stays) {
    TRY_ASSIGN(const model::Location* location, reader.Location(stay.location));
    const std::string l = "l:" + std::to_string(stay.location);
    node(l, "address", location->address_text.empty() ? location->postcode : location->address_text,
         false);
    json edge = {{"from", self}, {"to", l}, {"kind", "lived_at"}};
    if (stay.first) edge["first_seen"] = stay.first->ToIso();
    if (stay.last) edge["last_seen"] = stay.last->ToIso();
    edges.push_back(std::move(edge));
  }
  for (const HouseholdPart& part : s.households.parts) {
    const json& h = part.body;
    const std::string hid = "h:" + std::to_string(h["household_id"].get<int64_t>());
    node(hid, "household", "household " + std::to_string(h["household_id"].get<int64_t>()), false);
    if (h.contains("location")) {
      const std::string l = "l:" + std::to_string(h["location"]["location_id"].get<int64_t>());
      node(l, "address", h["location"]["address"], false);
      edges.push_back({{"from", hid}, {"to", l}, {"kind", "located_at"}});
    }
    for (const json& m : h["members"]) {
      const std::string n = "n:" + std::to_string(m["nominal_id"].get<int64_t>());
      node(n, "nominal", m["name"], false);
      edges.push_back({{"from", n}, {"to", hid}, {"kind", "member_of"}});
    }
  }
  for (const Associate& a : s.associates) {
    const std::string n = "n:" + std::to_string(a.id);
    node(n, "nominal", a.name ? json(DisplayName(*a.name)) : json(), false);
    edges.push_back({{"from", self},
                     {"to", n},
                     {"kind", "associate"},
                     {"events", static_cast<int64_t>(a.events.size())}});
  }
  AddDossierToSeen(d, seen);
  seen.Normalise();
  Page page;
  page.body = {{"nominal_id", d.id}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
  return page;
}

namespace internal {

// Map points of dossiers: addresses their visible records place them at, and the locations of
// their visible events, where the location has coordinates.
Result<json> MapPoints(Reader& reader, const std::vector<const Dossier*>& dossiers) {
  json points = json::array();
  std::map<model::LocationId, AddressStay> stays;
  for (const Dossier* d : dossiers) {
    for (AddressStay& s : AddressStays(*d)) {
      AddressStay& merged = stays[s.location];
      merged.location = s.location;
      if (s.first && (!merged.first || *s.first < *merged.first)) merged.first = s.first;
      if (s.last && (!merged.last || *s.last > *merged.last)) merged.last = s.last;
    }
  }
  for (const auto& [id, s] : stays) {
    TRY_ASSIGN(const model::Location* location, reader.Location(id));
    if (!location->latitude || !location->longitude) continue;
    json p = {{"lat", *location->latitude},
              {"lon", *location->longitude},
              {"location_id", id},
              {"postcode", location->postcode},
              {"kind", "address"}};
    if (!location->geo_precision.empty()) p["precision"] = location->geo_precision;
    if (s.first) p["first_seen"] = s.first->ToIso();
    if (s.last) p["last_seen"] = s.last->ToIso();
    points.push_back(std::move(p));
  }
  for (const TimelineEntry& entry : BuildTimeline(dossiers, {})) {
    const VisibleEvent& ve = *entry.event;
    if (!Has(ve.fields, Field::kEventLocation) || !ve.event.location_id) continue;
    TRY_ASSIGN(const model::Location* location, reader.Location(*ve.event.location_id));
    if (!location->latitude || !location->longitude) continue;
    json p = {{"lat", *location->latitude},
              {"lon", *location->longitude},
              {"location_id", location->id},
              {"postcode", location->postcode},
              {"kind", "event"},
              {"event_id", ve.event.id}};
    if (!location->geo_precision.empty()) p["precision"] = location->geo_precision;
    if (Has(ve.fields, Field::kEventDate)) p["date"] = ve.event.date.ToIso();
    if (Has(ve.fields, Field::kEventType)) p["type"] = ve.event.type;
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace internal

Result<Page> NominalMapPoints(const ViewContext& ctx, model::NominalId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(Opened opened, Open(reader, id, /*with_events=*/true));
  if (opened.redirect_to) return Redirect(*opened.redirect_to);
  const Dossier& d = opened.dossier;
  TRY_ASSIGN(json points, MapPoints(reader, {&d}));
  AddDossierToSeen(d, seen);
  seen.Normalise();
  Page page;
  page.body = {{"nominal_id", d.id}, {"points", std::move(points)}};
  return page;
}

}  // namespace tessera::view
