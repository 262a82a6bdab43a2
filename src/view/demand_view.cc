// Demand and duplicate intervention (demand.h).
#include <algorithm>
#include <map>
#include <set>

#include "analytics/demand.h"
#include "view/demand.h"

namespace tessera::view {

namespace {

using govern::Field;
using nlohmann::json;

constexpr std::string_view kGroupNames[] = {"agency", "category", "area", "month"};

// How the request may see `fact`, judged for one of the nominals it names (the first for which
// its record is visible), or for nominal 0 when it names none. Withheld or sealed: nullopt.
std::optional<govern::RecordVisibility> JudgeFact(const govern::Visibility& visibility,
                                                  const store::EventFact& fact) {
  if (fact.nominals.empty()) {
    govern::RecordVisibility v = visibility.ForRecord(fact.source_id, fact.source_record_id, 0);
    if (v.visible()) return v;
    return std::nullopt;
  }
  for (model::NominalId n : fact.nominals) {
    govern::RecordVisibility v = visibility.ForRecord(fact.source_id, fact.source_record_id, n);
    if (v.visible()) return v;
  }
  return std::nullopt;
}

// Whether the address of the person behind `fact.person_district` may be used: the store does
// not say which nominal that person is in, so every nominal the event names must permit it.
bool AddressShared(const govern::Visibility& visibility, const store::EventFact& fact,
                   const govern::RecordVisibility& judged) {
  if (!judged.Has(Field::kPersonAddress)) return false;
  for (model::NominalId n : fact.nominals) {
    if (!visibility.ForRecord(fact.source_id, fact.source_record_id, n)
             .Has(Field::kPersonAddress)) {
      return false;
    }
  }
  return true;
}

std::string Month(const CivilDate& d) {
  std::string iso = d.ToIso();
  return iso.substr(0, 7);
}

json CountOrNull(int64_t count, bool suppressed) {
  return suppressed ? json(nullptr) : json(count);
}

}  // namespace

std::string_view DemandGroupName(DemandGroup group) { return kGroupNames[static_cast<int>(group)]; }

std::optional<DemandGroup> DemandGroupFromName(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kGroupNames[i] == name) return static_cast<DemandGroup>(i);
  }
  return std::nullopt;
}

Result<json> Demand(const ViewContext& ctx, const DemandQuery& query) {
  if (query.groups.empty()) return Status::InvalidArgument("group at least one dimension");
  if (query.to < query.from) return Status::InvalidArgument("from is after to");
  TRY_ASSIGN(std::vector<store::EventFact> facts, ctx.store.ListEventFacts(query.from, query.to));
  std::map<std::vector<std::string>, int64_t> counts;
  for (const store::EventFact& fact : facts) {
    std::optional<govern::RecordVisibility> v = JudgeFact(ctx.visibility, fact);
    if (!v || !v->Has(Field::kEventDate)) continue;
    std::vector<std::string> key;
    bool usable = true;
    for (DemandGroup g : query.groups) {
      switch (g) {
        case DemandGroup::kAgency:
          key.emplace_back(model::AgencyName(fact.agency));
          break;
        case DemandGroup::kCategory:
          usable &= v->Has(Field::kEventCategory);
          key.push_back(fact.category.empty() ? "uncategorised" : fact.category);
          break;
        case DemandGroup::kArea: {
          // Where it happened when that is shared, else where the person named lives.
          std::string area;
          if (v->Has(Field::kEventLocation)) area = fact.postcode_district;
          if (area.empty() && AddressShared(ctx.visibility, fact, *v)) {
            area = fact.person_district;
          }
          key.push_back(area.empty() ? "unknown" : area);
          break;
        }
        case DemandGroup::kMonth:
          key.push_back(Month(fact.date));
          break;
      }
    }
    if (usable) ++counts[key];
  }
  analytics::CountTable table;
  for (const auto& [key, count] : counts) table.cells.push_back({key, count, false});
  analytics::Suppress(table);
  json cells = json::array();
  for (const analytics::CountCell& c : table.cells) {
    json cell = json::object();
    for (size_t i = 0; i < query.groups.size(); ++i) {
      cell[std::string(DemandGroupName(query.groups[i]))] = c.key[i];
    }
    cell["count"] = CountOrNull(c.count, c.suppressed);
    cell["suppressed"] = c.suppressed;
    cells.push_back(std::move(cell));
  }
  json groups = json::array();
  for (DemandGroup g : query.groups) groups.push_back(DemandGroupName(g));
  return json{{"from", query.from.ToIso()},
              {"to", query.to.ToIso()},
              {"groups", groups},
              {"suppress_below", analytics::kSuppressBelow},
              {"cells", cells},
              {"total", CountOrNull(table.total, table.total_suppressed)},
              {"total_suppressed", table.total_suppressed}};
}

namespace {

struct Involvement {
  CivilDate date;
  model::EventId event = 0;
  model::SourceRecordId record = 0;
  model::NominalId nominal = 0;
};

struct OpenAgency {
  model::Agency agency;
  analytics::Episode episode;
  std::vector<model::SourceRecordId> records;  // of the episode's events
  std::vector<model::NominalId> members;
};

// The agencies with an episode open at as_of among `items` (one subject's visible events),
// with the records and nominals of each open episode's events.
std::vector<OpenAgency> OpenAgencies(
    const std::map<model::Agency, std::vector<Involvement>>& by_agency,
    const InterventionQuery& q) {
  std::vector<OpenAgency> out;
  for (const auto& [agency, items] : by_agency) {
    std::vector<CivilDate> dates;
    std::set<model::EventId> seen_events;
    std::vector<const Involvement*> distinct;
    for (const Involvement& i : items) {
      if (!seen_events.insert(i.event).second) continue;  // one event, two members: once
      dates.push_back(i.date);
      distinct.push_back(&i);
    }
    std::optional<analytics::Episode> open = analytics::OpenEpisode(dates, q.as_of, q.gap_days);
    if (!open) continue;
    OpenAgency a{agency, *open, {}, {}};
    for (const Involvement& i : items) {
      if (i.date < open->start || i.date > open->latest) continue;
      a.records.push_back(i.record);
      a.members.push_back(i.nominal);
    }
    std::sort(a.members.begin(), a.members.end());
    a.members.erase(std::unique(a.members.begin(), a.members.end()), a.members.end());
    out.push_back(std::move(a));
  }
  return out;
}

int64_t EventsIn(const std::vector<OpenAgency>& agencies) {
  int64_t n = 0;
  for (const OpenAgency& a : agencies) n += a.episode.events;
  return n;
}

json AgenciesJson(const std::vector<OpenAgency>& agencies, bool with_members) {
  json out = json::array();
  for (const OpenAgency& a : agencies) {
    json j = {{"agency", model::AgencyName(a.agency)},
              {"episode_start", a.episode.start.ToIso()},
              {"latest_event", a.episode.latest.ToIso()},
              {"open_until", a.episode.open_until.ToIso()},
              {"events", a.episode.events}};
    if (with_members) j["members"] = a.members;
    out.push_back(std::move(j));
  }
  return out;
}

// Counts of subjects by agencies involved ("2", "3", "4+"), suppressed.
json Summary(const std::vector<size_t>& agency_counts) {
  int64_t buckets[3] = {0, 0, 0};
  for (size_t n : agency_counts) ++buckets[std::min<size_t>(n, 4) - 2];
  analytics::CountTable table;
  const char* names[3] = {"2", "3", "4+"};
  for (int i = 0; i < 3; ++i) {
    if (buckets[i] > 0) table.cells.push_back({{names[i]}, buckets[i], false});
  }
  analytics::Suppress(table);
  json rows = json::array();
  for (int i = 0; i < 3; ++i) {
    json row = {{"agencies", names[i]}, {"count", 0}, {"suppressed", false}};
    for (const analytics::CountCell& c : table.cells) {
      if (c.key[0] == names[i]) {
        row["count"] = CountOrNull(c.count, c.suppressed);
        row["suppressed"] = c.suppressed;
      }
    }
    rows.push_back(std::move(row));
  }
  return {{"rows", rows},
          {"total", CountOrNull(table.total, table.total_suppressed && table.total > 0)},
          {"total_suppressed", table.total_suppressed && table.total > 0}};
}

}  // namespace

Result<json> DuplicateInterventions(const ViewContext& ctx, const InterventionQuery& query,
                                    Seen& seen) {
  if (query.gap_days < 1 || query.gap_days > 3650) {
    return Status::InvalidArgument("gap_days must be 1 to 3650");
  }
  // Every event up to as_of: an episode open then may have started long before.
  TRY_ASSIGN(std::vector<store::EventFact> facts,
             ctx.store.ListEventFacts(CivilDate{1900, 1, 1}, query.as_of));
  std::map<model::NominalId, std::map<model::Agency, std::vector<Involvement>>> by_nominal;
  for (const store::EventFact& fact : facts) {
    for (model::NominalId n : fact.nominals) {
      if (ctx.visibility.NominalSealed(n)) continue;
      govern::RecordVisibility v =
          ctx.visibility.ForRecord(fact.source_id, fact.source_record_id, n);
      if (!v.Has(Field::kEventDate)) continue;
      by_nominal[n][fact.agency].push_back({fact.date, fact.id, fact.source_record_id, n});
    }
  }

  struct Ranked {
    int64_t id = 0;
    std::vector<OpenAgency> agencies;
  };
  auto rank = [](std::vector<Ranked>& v) {
    std::sort(v.begin(), v.end(), [](const Ranked& a, const Ranked& b) {
      if (a.agencies.size() != b.agencies.size()) return a.agencies.size() > b.agencies.size();
      if (EventsIn(a.agencies) != EventsIn(b.agencies)) {
        return EventsIn(a.agencies) > EventsIn(b.agencies);
      }
      return a.id < b.id;
    });
  };

  std::vector<Ranked> nominals;
  for (const auto& [n, by_agency] : by_nominal) {
    std::vector<OpenAgency> open = OpenAgencies(by_agency, query);
    if (open.size() >= 2) nominals.push_back({n, std::move(open)});
  }
  std::vector<Ranked> households;
  TRY_ASSIGN(std::vector<model::Household> live, ctx.store.ListHouseholds());
  for (const model::Household& h : live) {
    std::map<model::Agency, std::vector<Involvement>> by_agency;
    for (const model::HouseholdMembership& m : h.members) {
      auto it = by_nominal.find(m.nominal_id);
      if (it == by_nominal.end()) continue;
      for (const auto& [agency, items] : it->second) {
        by_agency[agency].insert(by_agency[agency].end(), items.begin(), items.end());
      }
    }
    std::vector<OpenAgency> open = OpenAgencies(by_agency, query);
    if (open.size() >= 2) households.push_back({h.id, std::move(open)});
  }
  rank(nominals);
  rank(households);

  std::vector<size_t> household_counts, nominal_counts;
  for (const Ranked& r : households) household_counts.push_back(r.agencies.size());
  for (const Ranked& r : nominals) nominal_counts.push_back(r.agencies.size());

  json households_json = json::array();
  for (size_t i = 0; i < households.size() && i < static_cast<size_t>(query.limit); ++i) {
    const Ranked& r = households[i];
    std::set<model::NominalId> members;
    for (const OpenAgency& a : r.agencies) {
      members.insert(a.members.begin(), a.members.end());
      for (model::SourceRecordId id : a.records) seen.AddRecord(id);
    }
    for (model::NominalId n : members) seen.AddNominal(n);
    households_json.push_back(
        {{"household_id", r.id},
         {"agency_count", r.agencies.size()},
         {"members", std::vector<model::NominalId>(members.begin(), members.end())},
         {"agencies", AgenciesJson(r.agencies, true)}});
  }
  json nominals_json = json::array();
  for (size_t i = 0; i < nominals.size() && i < static_cast<size_t>(query.limit); ++i) {
    const Ranked& r = nominals[i];
    seen.AddNominal(r.id);
    for (const OpenAgency& a : r.agencies) {
      for (model::SourceRecordId id : a.records) seen.AddRecord(id);
    }
    nominals_json.push_back({{"nominal_id", r.id},
                             {"agency_count", r.agencies.size()},
                             {"agencies", AgenciesJson(r.agencies, false)}});
  }
  seen.Normalise();
  return json{{"as_of", query.as_of.ToIso()},
              {"gap_days", query.gap_days},
              {"suppress_below", analytics::kSuppressBelow},
              {"households", households_json},
              {"nominals", nominals_json},
              {"summary",
               {{"households", Summary(household_counts)}, {"nominals", Summary(nominal_counts)}}}};
}

}  // namespace tessera::view
