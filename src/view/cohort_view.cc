// Cohort runs and membership over time (cohort.h).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analytics/demand.h"
#include "core/sha256.h"
#include "view/cohort.h"
#include "view/dossier.h"
#include "view/risk.h"

namespace tessera::view {

namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

// Bulk reads page through the store this many rows at a time.
constexpr int kPage = 20000;
// How many runs of a scope membership over time looks back over.
constexpr int kHistoryRuns = 500;

// The best-known value by the profile's "most_supported" rule (view.h): the most distinct
// sources, then the most records, then the most recently received, then the smallest value.
template <typename T>
class Supported {
 public:
  void Add(const T& value, std::string_view source, int64_t received_micros = 0) {
    Entry& e = entries_[value];
    e.sources.insert(std::string(source));
    ++e.records;
    e.received = std::max(e.received, received_micros);
  }
  std::optional<T> Best() const {
    std::optional<T> best;
    std::tuple<size_t, int64_t, int64_t> most{0, 0, 0};
    for (const auto& [value, e] : entries_) {  // by value: the smallest wins a tie
      std::tuple<size_t, int64_t, int64_t> support{e.sources.size(), e.records, e.received};
      if (!best || support > most) {
        best = value;
        most = support;
      }
    }
    return best;
  }

 private:
  struct Entry {
    std::set<std::string> sources;
    int64_t records = 0;
    int64_t received = 0;
  };
  std::map<T, Entry> entries_;
};

// One visible event of one nominal, with the mask its record gives that nominal.
struct NominalEvent {
  size_t fact = 0;
  FieldMask fields = 0;
};

struct NominalData {
  bool visible = false;               // a visible person record or event
  std::vector<size_t> facts;          // every fact naming it (for RecordsBehindScoreVisible)
  std::vector<NominalEvent> events;   // the visible ones
  Supported<CivilDate> dob;           // of visible records with "person.dob"
  std::vector<model::LocationId> at;  // of visible records with "person.address"
  analytics::CohortInputs inputs;
};

analytics::TimelineEvent ForRules(const store::EventFact& f, FieldMask mask) {
  return EventForRules(f.id, f.source_id, f.agency, f.type, f.category, f.date, f.reference, mask);
}

void AddRoles(const store::EventFact& f, model::NominalId n, analytics::TimelineEvent& t) {
  for (const store::EventFact::Involvement& i : f.involvements) {
    if (i.nominal == n) t.involvements.push_back({n, i.role});
  }
}

void AddRaised(const std::vector<analytics::Flag>& flags, std::vector<std::string>& raised) {
  for (const analytics::Flag& f : flags) {
    if (f.raised && std::find(raised.begin(), raised.end(), f.rule->code) == raised.end()) {
      raised.push_back(f.rule->code);
    }
  }
}

bool NeedsDistricts(const analytics::CohortDefinition& d) {
  return std::any_of(d.criteria.begin(), d.criteria.end(), [](const auto& c) {
    return c.kind == analytics::CohortCondition::Kind::kArea;
  });
}

// Every visible person record's date of birth and address, by nominal.
Status ReadPeople(const ViewContext& ctx, std::unordered_map<model::NominalId, NominalData>& data) {
  TRY_ASSIGN(std::vector<store::NominalAssignment> assignments, ctx.store.ListNominalAssignments());
  std::unordered_map<model::PersonRecordId, model::NominalId> nominal_of;
  nominal_of.reserve(assignments.size());
  for (const store::NominalAssignment& a : assignments) {
    nominal_of[a.person_record_id] = a.nominal_id;
  }
  model::PersonRecordId after = 0;
  while (true) {
    TRY_ASSIGN(std::vector<model::PersonRecord> page,
               ctx.store.ListPersonRecordsForResolution(after, kPage));
    if (page.empty()) break;
    after = page.back().id;
    for (const model::PersonRecord& p : page) {
      auto it = nominal_of.find(p.id);
      if (it == nominal_of.end()) continue;
      const model::NominalId n = it->second;
      if (ctx.visibility.NominalSealed(n)) continue;
      govern::RecordVisibility v = ctx.visibility.ForRecord(p.source_id, p.source_record_id, n);
      if (!v.visible()) continue;
      NominalData& d = data[n];
      d.visible = true;
      if (v.Has(Field::kPersonDob) && p.dob) d.dob.Add(*p.dob, p.source_id);
      if (v.Has(Field::kPersonAddress) && p.location_id) d.at.push_back(*p.location_id);
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  return Status::Ok();
}

Result<std::unordered_map<model::LocationId, std::string>> ReadDistricts(const ViewContext& ctx) {
  std::unordered_map<model::LocationId, std::string> out;
  model::LocationId after = 0;
  while (true) {
    TRY_ASSIGN(std::vector<model::Location> page, ctx.store.ListLocationsAfter(after, kPage));
    if (page.empty()) break;
    after = page.back().id;
    for (const model::Location& l : page) {
      if (!l.postcode_district.empty()) out[l.id] = l.postcode_district;
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  return out;
}

// Household-scope indicators for each live household's shown members (a member is shown when
// one of their visible records with "person.address" is at the household's address), over the
// members' visible events: one event once, with the narrowest of its masks, as
// HouseholdIndicators evaluates them.
Status HouseholdIndicators(const ViewContext& ctx, const analytics::IndicatorSet& rules,
                           const std::vector<store::EventFact>& facts, const CivilDate& as_of,
                           std::unordered_map<model::NominalId, NominalData>& data) {
  TRY_ASSIGN(std::vector<model::Household> households, ctx.store.ListHouseholds());
  for (const model::Household& h : households) {
    std::vector<model::NominalId> shown;
    for (const model::HouseholdMembership& m : h.members) {
      auto it = data.find(m.nominal_id);
      if (it == data.end()) continue;
      const std::vector<model::LocationId>& at = it->second.at;
      if (std::find(at.begin(), at.end(), h.location_id) != at.end()) shown.push_back(m.nominal_id);
    }
    if (shown.empty()) continue;
    // By fact (one per event): the narrowest mask, the members in it and their roles.
    struct Merged {
      FieldMask fields = 0;
      std::vector<model::NominalId> nominals;
      analytics::TimelineEvent roles;  // involvements only
    };
    std::map<size_t, Merged> by_fact;
    for (model::NominalId n : shown) {
      for (const NominalEvent& e : data[n].events) {
        auto [it, added] = by_fact.try_emplace(e.fact);
        it->second.fields = added ? e.fields : (it->second.fields & e.fields);
        it->second.nominals.push_back(n);
        AddRoles(facts[e.fact], n, it->second.roles);
      }
    }
    std::vector<analytics::TimelineEvent> timeline;
    timeline.reserve(by_fact.size());
    for (auto& [fact, merged] : by_fact) {
      analytics::TimelineEvent t = ForRules(facts[fact], merged.fields);
      t.nominals = std::move(merged.nominals);
      t.involvements = std::move(merged.roles.involvements);
      timeline.push_back(std::move(t));
    }
    std::vector<analytics::Flag> flags =
        analytics::Evaluate(rules, analytics::Scope::kHousehold, timeline, as_of);
    for (model::NominalId n : shown) AddRaised(flags, data[n].inputs.raised);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CohortScope(std::string_view purpose, std::string_view agency,
                                std::vector<std::string> roles,
                                std::vector<std::string> agreements) {
  std::sort(roles.begin(), roles.end());
  std::sort(agreements.begin(), agreements.end());
  std::string text =
      "purpose=" + std::string(purpose) + "\nagency=" + std::string(agency) + "\nroles=";
  for (const std::string& r : roles) text += r + ",";
  text += "\nagreements=";
  for (const std::string& a : agreements) text += a + ",";
  return Sha256Hex(text);
}

Result<std::vector<CohortMember>> RunCohort(const ViewContext& ctx,
                                            const analytics::IndicatorSet& rules,
                                            const analytics::CohortDefinition& definition,
                                            const CivilDate& as_of) {
  const govern::Visibility& visibility = ctx.visibility;
  CivilDate from = analytics::WindowStart(as_of, std::max(36, definition.WindowMonths(rules)));

  // Scores: only the approved version's, only when the request shares what it was computed
  // from, and then per nominal only when none of their records behind it is hidden.
  std::optional<ApprovedModel> model;
  std::unordered_map<model::NominalId, store::StoredRiskScore> scores;
  if (definition.NeedsScore()) {
    TRY_ASSIGN(model, FindApprovedModel(ctx.store));
    if (model && DatasetCoverageGap(visibility, *model).empty()) {
      TRY_ASSIGN(std::vector<store::StoredRiskScore> all,
                 ctx.store.ListRiskScores(model->registry.version));
      for (store::StoredRiskScore& s : all) scores.emplace(s.nominal_id, std::move(s));
      from = std::min(from, CivilDate::FromDays(as_of.ToDays() - model->horizon_days));
    } else {
      model.reset();
    }
  }

  TRY_ASSIGN(std::vector<store::EventFact> facts, ctx.store.ListEventFacts(from, as_of));
  std::unordered_map<model::NominalId, NominalData> data;
  for (size_t i = 0; i < facts.size(); ++i) {
    const store::EventFact& f = facts[i];
    for (model::NominalId n : f.nominals) {
      if (visibility.NominalSealed(n)) continue;
      NominalData& d = data[n];
      d.facts.push_back(i);
      govern::RecordVisibility v = visibility.ForRecord(f.source_id, f.source_record_id, n);
      if (!v.visible()) continue;
      d.visible = true;
      d.events.push_back({i, v.fields});
      if (v.Has(Field::kEventDate)) d.inputs.events.push_back({f.agency, f.date});
    }
  }
  TRY(ReadPeople(ctx, data));

  // Indicators: each nominal's own timeline, then the households they are shown in.
  for (auto& [n, d] : data) {
    if (d.events.empty()) continue;
    std::vector<analytics::TimelineEvent> timeline;
    timeline.reserve(d.events.size());
    for (const NominalEvent& e : d.events) {
      analytics::TimelineEvent t = ForRules(facts[e.fact], e.fields);
      t.nominals = {n};
      AddRoles(facts[e.fact], n, t);
      timeline.push_back(std::move(t));
    }
    AddRaised(analytics::Evaluate(rules, analytics::Scope::kNominal, timeline, as_of),
              d.inputs.raised);
  }
  TRY(HouseholdIndicators(ctx, rules, facts, as_of, data));

  std::unordered_map<model::LocationId, std::string> districts;
  if (NeedsDistricts(definition)) {
    TRY_ASSIGN(districts, ReadDistricts(ctx));
  }

  struct Candidate {
    model::NominalId id = 0;
    analytics::CohortVerdict verdict;
    std::optional<double> score;
  };
  std::vector<Candidate> members;
  for (auto& [n, d] : data) {
    if (!d.visible) continue;
    d.inputs.dob = d.dob.Best();
    for (model::LocationId l : d.at) {
      auto it = districts.find(l);
      if (it != districts.end()) d.inputs.districts.push_back(it->second);
    }
    if (model) {
      auto s = scores.find(n);
      if (s != scores.end()) {
        std::vector<store::EventFact> own;
        own.reserve(d.facts.size());
        for (size_t i : d.facts) own.push_back(facts[i]);
        if (RecordsBehindScoreVisible(visibility, *model, n, own, as_of)) {
          d.inputs.probability = s->second.probability;
          d.inputs.rank = s->second.rank;
        }
      }
    }
    analytics::CohortVerdict v = analytics::EvaluateCohort(definition, d.inputs, as_of);
    if (v.member) members.push_back({n, std::move(v), d.inputs.probability});
  }
  std::sort(members.begin(), members.end(), [](const Candidate& a, const Candidate& b) {
    if (a.verdict.key != b.verdict.key) return a.verdict.key > b.verdict.key;
    return a.id < b.id;
  });
  std::vector<CohortMember> out;
  out.reserve(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    out.push_back({members[i].id, static_cast<int64_t>(i + 1), members[i].score,
                   std::move(members[i].verdict.reasons)});
  }
  return out;
}

std::vector<store::StoredCohortMember> ToStoredMembers(const std::vector<CohortMember>& members) {
  std::vector<store::StoredCohortMember> out;
  out.reserve(members.size());
  for (const CohortMember& m : members) {
    out.push_back({m.rank, m.nominal_id, m.score, json(m.reasons).dump()});
  }
  return out;
}

json CohortJson(const store::StoredCohort& cohort, json last_run) {
  json definition = json::parse(cohort.definition, nullptr, /*allow_exceptions=*/false);
  return {{"id", cohort.id},
          {"name", cohort.name},
          {"description", cohort.description},
          {"definition", definition.is_discarded() ? json(nullptr) : definition},
          {"owner", cohort.owner},
          {"created_at", Utc(cohort.created_at_micros)},
          {"updated_at", Utc(cohort.updated_at_micros)},
          {"last_run", std::move(last_run)}};
}

namespace {

// A count as shown in summaries: 1 to 4 suppressed.
json SmallCount(int64_t n) {
  return n > 0 && n < analytics::kSuppressBelow ? json(nullptr) : json(n);
}

// The runs of one cohort in one scope, newest first, with their members (judged again now: a
// nominal now sealed is left out) read when first asked for.
class History {
 public:
  static Result<History> Load(const ViewContext& ctx, int64_t cohort_id, std::string_view scope) {
    History h(ctx);
    TRY_ASSIGN(h.runs_, ctx.store.ListCohortRuns(cohort_id, scope, kHistoryRuns));
    h.members_.resize(h.runs_.size());
    h.ids_.resize(h.runs_.size());
    return h;
  }

  const std::vector<store::StoredCohortRun>& runs() const { return runs_; }

  // The index of run `id`, or NotFound.
  Result<size_t> Find(int64_t run_id) const {
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (runs_[i].id == run_id) return i;
    }
    return Status::NotFound("no run " + std::to_string(run_id) + " of this cohort in your scope");
  }

  // Run i's members by rank, sealed nominals left out.
  Result<const std::vector<store::StoredCohortMember>*> Members(size_t i) {
    if (!members_[i]) {
      TRY_ASSIGN(std::vector<store::StoredCohortMember> all,
                 ctx_.store.ListCohortMembers(runs_[i].id));
      std::vector<store::StoredCohortMember> kept;
      std::set<model::NominalId> ids;
      for (store::StoredCohortMember& m : all) {
        if (ctx_.visibility.NominalSealed(m.nominal_id)) continue;
        ids.insert(m.nominal_id);
        kept.push_back(std::move(m));
      }
      members_[i] = std::move(kept);
      ids_[i] = std::move(ids);
    }
    return &*members_[i];
  }

  Result<const std::set<model::NominalId>*> Ids(size_t i) {
    TRY(Members(i).status());
    return &ids_[i];
  }

  // The run_at date of the earliest run of the unbroken streak of runs up to run i holding
  // `n` (run i must hold it).
  Result<std::string> FirstSeen(size_t i, model::NominalId n) {
    size_t earliest = i;
    for (size_t j = i + 1; j < runs_.size(); ++j) {
      TRY_ASSIGN(const std::set<model::NominalId>* ids, Ids(j));
      if (!ids->contains(n)) break;
      earliest = j;
    }
    return CivilDate::FromMicros(runs_[earliest].run_at_micros).ToIso();
  }

  Result<json> Summary(size_t i) {
    const store::StoredCohortRun& run = runs_[i];
    TRY_ASSIGN(const std::set<model::NominalId>* ids, Ids(i));
    const int64_t n = static_cast<int64_t>(ids->size());
    json out = {{"id", run.id},
                {"run_at", Utc(run.run_at_micros)},
                {"as_of", run.as_of.ToIso()},
                {"actor", run.actor},
                {"members", SmallCount(n)},
                {"suppressed", n > 0 && n < analytics::kSuppressBelow},
                {"previous_run", nullptr},
                {"joined", nullptr},
                {"left", nullptr}};
    if (i + 1 < runs_.size()) {
      TRY_ASSIGN(const std::set<model::NominalId>* before, Ids(i + 1));
      int64_t joined = 0, left = 0;
      for (model::NominalId id : *ids) joined += !before->contains(id);
      for (model::NominalId id : *before) left += !ids->contains(id);
      out["previous_run"] = runs_[i + 1].id;
      out["joined"] = SmallCount(joined);
      out["left"] = SmallCount(left);
    }
    return out;
  }

 private:
  explicit History(const ViewContext& ctx) : ctx_(ctx) {}
  const ViewContext& ctx_;
  std::vector<store::StoredCohortRun> runs_;
  std::vector<std::optional<std::vector<store::StoredCohortMember>>> members_;
  std::vector<std::set<model::NominalId>> ids_;
};

// A member as shown now: details from the nominal's visible records only.
struct ShownMember {
  bool withheld = false;
  model::NominalId nominal_id = 0;
  std::optional<std::string> name;
  std::optional<int> age;
  std::optional<std::string> district;
};

// nullopt: leave the member out (sealed, or nothing of them is left to see or count).
Result<std::optional<ShownMember>> Judge(Reader& reader, model::NominalId id,
                                         const CivilDate& as_of, Seen& seen) {
  auto live = reader.LiveNominal(id);
  if (!live.ok()) {
    if (live.status().code() == StatusCode::kNotFound) return std::optional<ShownMember>();
    return live.status();
  }
  TRY_ASSIGN(Dossier d, reader.ReadDossier(*live, /*with_events=*/false));
  ShownMember out;
  if (d.records.empty()) {
    if (d.withheld.total() == 0) return std::optional<ShownMember>();
    out.withheld = true;
    return std::optional<ShownMember>(out);
  }
  out.nominal_id = *live;
  seen.AddNominal(*live);
  Supported<std::string> names;
  Supported<CivilDate> dobs;
  const VisibleRecord* newest_address = nullptr;
  for (const VisibleRecord& r : d.records) {
    bool used = false;
    const int64_t received = r.source.provenance.received_at_micros;
    if (Has(r.fields, Field::kPersonName)) {
      std::string name = DisplayName(r.person.name);
      if (!name.empty()) {
        names.Add(name, r.source.source_id, received);
        used = true;
      }
    }
    if (Has(r.fields, Field::kPersonDob) && r.person.dob) {
      dobs.Add(*r.person.dob, r.source.source_id, received);
      used = true;
    }
    if (Has(r.fields, Field::kPersonAddress) && r.person.location_id &&
        (newest_address == nullptr || r.source.provenance.received_at_micros >
                                          newest_address->source.provenance.received_at_micros)) {
      newest_address = &r;
    }
    if (used) seen.AddRecord(r.source.id);
  }
  out.name = names.Best();
  if (std::optional<CivilDate> dob = dobs.Best(); dob && !(as_of < *dob)) {
    out.age = dob->AgeOn(as_of);
  }
  if (newest_address != nullptr) {
    TRY_ASSIGN(const model::Location* l, reader.Location(*newest_address->person.location_id));
    if (!l->postcode_district.empty()) {
      out.district = l->postcode_district;
      seen.AddRecord(newest_address->source.id);
    }
  }
  return std::optional<ShownMember>(out);
}

json OrNull(const auto& v) { return v ? json(*v) : json(nullptr); }

struct MemberRow {
  const store::StoredCohortMember* stored = nullptr;
  ShownMember shown;
  std::string first_seen;
  std::string status;
};

// The run's members as shown now, from `offset`, at most `limit` (0: all); `total` is the
// run's members less those now sealed.
Result<std::vector<MemberRow>> Rows(const ViewContext& ctx, History& history, size_t i, int limit,
                                    int offset, int64_t& total, Seen& seen) {
  TRY_ASSIGN(const std::vector<store::StoredCohortMember>* members, history.Members(i));
  total = static_cast<int64_t>(members->size());
  const std::set<model::NominalId>* before = nullptr;
  if (i + 1 < history.runs().size()) {
    TRY_ASSIGN(before, history.Ids(i + 1));
  }
  Reader reader(ctx);
  std::vector<MemberRow> out;
  const CivilDate as_of = history.runs()[i].as_of;
  for (size_t k = static_cast<size_t>(offset); k < members->size(); ++k) {
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
    const store::StoredCohortMember& m = (*members)[k];
    TRY_ASSIGN(std::optional<ShownMember> shown, Judge(reader, m.nominal_id, as_of, seen));
    if (!shown) continue;  // merged into a sealed nominal, or retired since
    MemberRow row{&m, std::move(*shown), "", ""};
    if (!row.shown.withheld) {
      TRY_ASSIGN(row.first_seen, history.FirstSeen(i, m.nominal_id));
      row.status = before != nullptr && before->contains(m.nominal_id) ? "continuing" : "new";
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> Reasons(const store::StoredCohortMember& m) {
  json parsed = json::parse(m.reasons, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const json& r : parsed) {
    if (r.is_string()) out.push_back(r.get<std::string>());
  }
  return out;
}

json RowJson(const MemberRow& row) {
  if (row.shown.withheld) {
    return {{"rank", row.stored->rank}, {"withheld", true},         {"nominal_id", nullptr},
            {"name", nullptr},          {"age", nullptr},           {"district", nullptr},
            {"score", nullptr},         {"reasons", json::array()}, {"first_seen", nullptr},
            {"status", nullptr}};
  }
  return {{"rank", row.stored->rank},           {"withheld", false},
          {"nominal_id", row.shown.nominal_id}, {"name", OrNull(row.shown.name)},
          {"age", OrNull(row.shown.age)},       {"district", OrNull(row.shown.district)},
          {"score", OrNull(row.stored->score)}, {"reasons", Reasons(*row.stored)},
          {"first_seen", row.first_seen},       {"status", row.status}};
}

Result<std::pair<History, size_t>> LoadRun(const ViewContext& ctx, int64_t cohort_id,
                                           int64_t run_id, std::string_view scope) {
  TRY_ASSIGN(History history, History::Load(ctx, cohort_id, scope));
  TRY_ASSIGN(size_t i, history.Find(run_id));
  return std::make_pair(std::move(history), i);
}

}  // namespace

Result<json> CohortRunSummaries(const ViewContext& ctx, int64_t cohort_id, std::string_view scope,
                                int limit) {
  TRY_ASSIGN(History history, History::Load(ctx, cohort_id, scope));
  json out = json::array();
  for (size_t i = 0; i < history.runs().size() && static_cast<int>(i) < limit; ++i) {
    TRY_ASSIGN(json summary, history.Summary(i));
    out.push_back(std::move(summary));
  }
  return out;
}

Result<json> CohortRunSummary(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                              std::string_view scope) {
  TRY_ASSIGN(auto loaded, LoadRun(ctx, cohort_id, run_id, scope));
  return loaded.first.Summary(loaded.second);
}

Result<json> CohortRunMembers(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                              std::string_view scope, int limit, int offset, Seen& seen) {
  TRY_ASSIGN(auto loaded, LoadRun(ctx, cohort_id, run_id, scope));
  auto& [history, i] = loaded;
  TRY_ASSIGN(json summary, history.Summary(i));
  Seen skipped;  // nominals judged but not listed
  int64_t total = 0;
  TRY_ASSIGN(std::vector<MemberRow> rows, Rows(ctx, history, i, limit, offset, total, seen));
  json members = json::array();
  for (const MemberRow& r : rows) members.push_back(RowJson(r));

  json left = json::array();
  int64_t left_total = 0;
  if (i + 1 < history.runs().size()) {
    TRY_ASSIGN(const std::set<model::NominalId>* now, history.Ids(i));
    TRY_ASSIGN(const std::vector<store::StoredCohortMember>* before, history.Members(i + 1));
    Reader reader(ctx);
    for (const store::StoredCohortMember& m : *before) {
      if (now->contains(m.nominal_id)) continue;
      TRY_ASSIGN(std::optional<ShownMember> shown,
                 Judge(reader, m.nominal_id, history.runs()[i].as_of, skipped));
      if (!shown || shown->withheld) continue;
      if (left_total >= offset && static_cast<int64_t>(left.size()) < limit) {
        left.push_back(shown->nominal_id);
        seen.AddNominal(shown->nominal_id);
      }
      ++left_total;
    }
  }
  seen.Normalise();
  return json{{"run", std::move(summary)},
              {"total", total},
              {"offset", offset},
              {"limit", limit},
              {"members", std::move(members)},
              {"left", std::move(left)},
              {"left_total", left_total}};
}

Result<std::string> CohortRunCsv(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                                 std::string_view scope, Seen& seen) {
  TRY_ASSIGN(auto loaded, LoadRun(ctx, cohort_id, run_id, scope));
  auto& [history, i] = loaded;
  int64_t total = 0;
  Seen shown_seen;
  TRY_ASSIGN(std::vector<MemberRow> rows, Rows(ctx, history, i, 0, 0, total, shown_seen));
  if (static_cast<int64_t>(rows.size()) < analytics::kSuppressBelow) {
    return Status::FailedPrecondition(
        "the run has fewer than " + std::to_string(analytics::kSuppressBelow) +
        " members: exporting it would disclose a small number; open the members list instead");
  }
  for (model::NominalId n : shown_seen.nominals) seen.AddNominal(n);
  for (model::SourceRecordId r : shown_seen.records) seen.AddRecord(r);
  seen.Normalise();
  using analytics::CsvCell;
  std::string out;
  for (const char* h : {"rank", "nominal_id", "name", "age", "district", "score", "reasons",
                        "first_seen", "status"}) {
    out += (out.empty() ? "" : ",") + CsvCell(h);
  }
  out += "\r\n";
  for (const MemberRow& r : rows) {
    std::vector<std::string> cells;
    cells.push_back(std::to_string(r.stored->rank));
    if (r.shown.withheld) {
      cells.insert(cells.end(), {"", "withheld", "", "", "", "", "", ""});
    } else {
      std::string reasons;
      for (const std::string& reason : Reasons(*r.stored)) {
        reasons += (reasons.empty() ? "" : "; ") + reason;
      }
      char score[32] = "";
      if (r.stored->score) std::snprintf(score, sizeof score, "%.4f", *r.stored->score);
      cells.push_back(std::to_string(r.shown.nominal_id));
      cells.push_back(r.shown.name.value_or(""));
      cells.push_back(r.shown.age ? std::to_string(*r.shown.age) : "");
      cells.push_back(r.shown.district.value_or(""));
      cells.push_back(score);
      cells.push_back(reasons);
      cells.push_back(r.first_seen);
      cells.push_back(r.status);
    }
    std::string line;
    for (const std::string& c : cells) line += (line.empty() ? "" : ",") + CsvCell(c);
    out += line + "\r\n";
  }
  return out;
}

}  // namespace tessera::view
