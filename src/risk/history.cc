// Reads what the features need from the store in bulk: every attached person record with its
// events (ListPersonRecordDetails, a chunk at a time), each nominal's date of birth, and the
// households household resolution found. Events only of the model's input datasets, when given.
#include <algorithm>
#include <set>
#include <utility>

#include "risk/risk.h"
#include "store/store.h"

namespace tessera::risk {

namespace {

constexpr size_t kChunk = 2000;

std::optional<CivilDate> Later(const std::optional<CivilDate>& a,
                               const std::optional<CivilDate>& b) {
  if (!a) return b;
  if (!b) return a;
  return *a < *b ? b : a;
}

std::optional<CivilDate> Earlier(const std::optional<CivilDate>& a,
                                 const std::optional<CivilDate>& b) {
  if (!a) return b;
  if (!b) return a;
  return *a < *b ? a : b;
}

}  // namespace

Result<HubHistory> LoadHubHistory(store::Store& store, std::span<const std::string> datasets) {
  HubHistory hub;
  const std::set<std::string, std::less<>> inputs(datasets.begin(), datasets.end());
  TRY_ASSIGN(std::vector<store::NominalAssignment> assignments, store.ListNominalAssignments());
  // Records no longer current (a newer version, or deleted) are left out until the resolver
  // detaches them: a deleted record's events are not history.
  TRY_ASSIGN(std::vector<store::NominalAssignment> retired, store.ListRetiredAssignments());
  std::set<model::PersonRecordId> gone;
  for (const store::NominalAssignment& a : retired) gone.insert(a.person_record_id);
  std::vector<model::PersonRecordId> ids;
  ids.reserve(assignments.size());
  for (const store::NominalAssignment& a : assignments) {
    if (!gone.contains(a.person_record_id)) ids.push_back(a.person_record_id);
  }

  // Per nominal: occurrences seen, keyed by (source, reference) or the event id.
  std::map<model::NominalId, std::set<std::pair<std::string, std::string>>> seen;
  // Per nominal: how often each date of birth its records give occurs.
  std::map<model::NominalId, std::map<CivilDate, int>> record_dobs;
  for (size_t at = 0; at < ids.size(); at += kChunk) {
    std::span<const model::PersonRecordId> chunk(ids.data() + at,
                                                 std::min(kChunk, ids.size() - at));
    TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
               store.ListPersonRecordDetails(chunk, /*with_events=*/true));
    for (const store::PersonRecordDetail& d : details) {
      if (!d.nominal_id) continue;
      const model::NominalId n = *d.nominal_id;
      NominalHistory& h = hub.nominals[n];
      h.id = n;
      if (d.person.dob) ++record_dobs[n][*d.person.dob];
      std::vector<model::NominalId>& owners =
          hub.record_nominals[{d.source.source_id, d.source.record_key}];
      if (std::find(owners.begin(), owners.end(), n) == owners.end()) owners.push_back(n);
      for (const model::Event& e : d.events) {
        if (!e.date.IsValid()) continue;
        if (!inputs.empty() && !inputs.contains(e.source_id)) continue;
        std::pair<std::string, std::string> key{
            e.source_id, e.event_ref.empty() ? "#" + std::to_string(e.id) : e.event_ref};
        if (!seen[n].insert(std::move(key)).second) continue;
        h.events.push_back({e.date, e.agency, e.source_id, e.category});
      }
    }
  }
  for (auto& [id, h] : hub.nominals) {
    std::stable_sort(h.events.begin(), h.events.end(),
                     [](const HistoryEvent& a, const HistoryEvent& b) { return a.date < b.date; });
    TRY_ASSIGN(model::Nominal nominal, store.GetNominal(id));
    h.dob = nominal.dob;
    // A nominal without a golden date of birth takes its records' most frequent one.
    if (!h.dob) {
      int best = 0;
      for (const auto& [dob, count] : record_dobs[id]) {
        if (count > best) {
          best = count;
          h.dob = dob;
        }
      }
    }
  }

  TRY_ASSIGN(std::vector<model::Household> households, store.ListHouseholds());
  for (const model::Household& household : households) {
    if (household.dissolved) continue;
    for (const model::HouseholdMembership& self : household.members) {
      auto it = hub.nominals.find(self.nominal_id);
      if (it == hub.nominals.end()) continue;
      for (const model::HouseholdMembership& other : household.members) {
        if (other.nominal_id == self.nominal_id) continue;
        it->second.household.push_back(
            {other.nominal_id, Later(self.from, other.from), Earlier(self.to, other.to)});
      }
    }
  }
  return hub;
}

}  // namespace tessera::risk
