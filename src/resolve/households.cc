#include "resolve/households.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace tessera::resolve {
namespace {

using model::HouseholdId;
using model::LocationId;
using model::NominalId;

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A nominal placed at an address over a span of days (since 1970-01-01).
struct Stay {
  LocationId location = 0;
  NominalId nominal = 0;
  int64_t first = 0;
  int64_t last = 0;
};

// What household resolution needs to know of an address.
struct Address {
  bool home = false;     // can be a home: not "no fixed abode", and more than a postcode
  std::string postcode;  // normalised, "" if unknown
};

Result<std::unordered_map<LocationId, Address>> ReadAddresses(store::Store& store) {
  std::unordered_map<LocationId, Address> out;
  LocationId after = 0;
  while (true) {
    TRY_ASSIGN(std::vector<model::Location> page, store.ListLocationsAfter(after, 50'000));
    if (page.empty()) break;
    for (model::Location& location : page) {
      Address& a = out[location.id];
      a.home =
          !location.no_fixed_abode && (!location.uprn.empty() || !location.address_text.empty());
      if (!location.no_fixed_abode) a.postcode = std::move(location.postcode);
    }
    after = page.back().id;
  }
  return out;
}

// The span of days a record is evidence for; empty if it is undated and may not be dated by
// receipt.
std::optional<std::pair<int64_t, int64_t>> EvidenceDays(const store::PersonAddressEvidence& e,
                                                        const HouseholdOptions& options) {
  if (e.first_event.has_value() && e.last_event.has_value()) {
    return std::make_pair(e.first_event->ToDays(), e.last_event->ToDays());
  }
  if (!options.date_undated_by_receipt) return std::nullopt;
  int64_t day = e.received_at_micros / kMicrosPerDay;
  if (e.received_at_micros < 0 && e.received_at_micros % kMicrosPerDay != 0) --day;
  return std::make_pair(day, day);
}

// One household found this run, before it has an id.
struct Found {
  LocationId location = 0;
  std::vector<Stay> members;  // by nominal id
  int64_t first = 0;
};

// Matches the households found to last run's live ones at the same address: greatest member
// overlap first, kept when the overlap is at least half of the larger membership. Returns, per
// found household, the id it keeps (0: a new one).
Result<std::vector<HouseholdId>> MatchIds(store::Store& store, const std::vector<Found>& found,
                                          const std::vector<model::Household>& old,
                                          const std::unordered_set<NominalId>& live_nominals) {
  // Old members followed through merges, so that a merge does not cost a household its id.
  std::unordered_map<NominalId, NominalId> now_means;
  auto current = [&](NominalId id) -> Result<NominalId> {
    if (live_nominals.count(id) != 0) return id;
    auto it = now_means.find(id);
    if (it != now_means.end()) return it->second;
    Result<NominalId> resolved = store.ResolveNominalId(id);
    NominalId to = resolved.ok() ? *resolved : 0;
    if (!resolved.ok() && resolved.status().code() != StatusCode::kNotFound) {
      return resolved.status();
    }
    now_means.emplace(id, to);
    return to;
  };
  std::unordered_map<LocationId, std::vector<size_t>> old_at;
  std::vector<std::unordered_set<NominalId>> old_members(old.size());
  for (size_t i = 0; i < old.size(); ++i) {
    old_at[old[i].location_id].push_back(i);
    for (const model::HouseholdMembership& m : old[i].members) {
      TRY_ASSIGN(NominalId id, current(m.nominal_id));
      if (id != 0) old_members[i].insert(id);
    }
  }
  struct Candidate {
    size_t overlap;
    size_t found;
    size_t old;
  };
  std::vector<Candidate> candidates;
  for (size_t f = 0; f < found.size(); ++f) {
    auto it = old_at.find(found[f].location);
    if (it == old_at.end()) continue;
    for (size_t o : it->second) {
      size_t overlap = 0;
      for (const Stay& s : found[f].members) overlap += old_members[o].count(s.nominal);
      size_t larger = std::max(found[f].members.size(), old_members[o].size());
      if (overlap > 0 && 2 * overlap >= larger) candidates.push_back({overlap, f, o});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    if (a.found != b.found) return a.found < b.found;
    return old[a.old].id < old[b.old].id;
  });
  std::vector<HouseholdId> ids(found.size(), 0);
  std::vector<bool> taken(old.size(), false);
  for (const Candidate& c : candidates) {
    if (ids[c.found] != 0 || taken[c.old]) continue;
    ids[c.found] = old[c.old].id;
    taken[c.old] = true;
  }
  return ids;
}

}  // namespace

Result<HouseholdSummary> ResolveHouseholds(store::Store& store, const HouseholdOptions& options) {
  if (options.gap_days < 0) {
    return Status::InvalidArgument("ResolveHouseholds: gap_days must not be negative");
  }
  if (options.max_members < 1) {
    return Status::InvalidArgument("ResolveHouseholds: max_members must be at least 1");
  }
  HouseholdSummary summary;
  auto start = std::chrono::steady_clock::now();
  // The write transaction comes first: under its lock the reads below see one state of the
  // resolution, and nothing changes it before the households are written.
  TRY_ASSIGN(std::unique_ptr<store::Transaction> txn, store.Begin());
  TRY_ASSIGN(std::vector<store::PersonAddressEvidence> evidence, store.ListPersonAddressEvidence());
  std::vector<store::FamilyLink> links;
  if (options.family_links) {
    TRY_ASSIGN(links, store.ListFamilyLinks());
  }
  TRY_ASSIGN(auto addresses, ReadAddresses(store));
  TRY_ASSIGN(std::vector<model::Household> old, store.ListHouseholds());
  summary.read_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();

  // 1. Evidence: (nominal, home, days) per record that gives a home address. home[i] is the
  // home record i places its nominal at (0: none yet).
  std::vector<Stay> seen;
  seen.reserve(evidence.size());
  std::vector<LocationId> home(evidence.size(), 0);
  std::vector<std::optional<std::pair<int64_t, int64_t>>> days(evidence.size());
  std::unordered_set<NominalId> live_nominals;
  summary.records = static_cast<int64_t>(evidence.size());
  auto address_of = [&](const store::PersonAddressEvidence& e) -> const Address* {
    if (!e.location_id.has_value()) return nullptr;
    auto it = addresses.find(*e.location_id);
    return it == addresses.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i < evidence.size(); ++i) {
    const store::PersonAddressEvidence& e = evidence[i];
    if (e.nominal_id == 0) {
      ++summary.records_unresolved;
      continue;
    }
    live_nominals.insert(e.nominal_id);
    if (!e.first_event.has_value()) ++summary.records_undated;
    days[i] = EvidenceDays(e, options);
    if (!e.location_id.has_value()) ++summary.records_without_address;
    const Address* address = address_of(e);
    if (address == nullptr || !address->home || !days[i].has_value()) continue;
    home[i] = *e.location_id;
    seen.push_back({home[i], e.nominal_id, days[i]->first, days[i]->second});
  }

  // 1b. A record giving only a postcode supports its nominal's home in that postcode (the one
  // seen nearest in time), if the nominal has one.
  std::unordered_map<NominalId, std::vector<Stay>> homes_of;
  for (const Stay& s : seen) homes_of[s.nominal].push_back(s);
  for (size_t i = 0; i < evidence.size(); ++i) {
    const store::PersonAddressEvidence& e = evidence[i];
    const Address* address = address_of(e);
    if (e.nominal_id == 0 || home[i] != 0 || !days[i].has_value() || address == nullptr ||
        address->home || address->postcode.empty()) {
      continue;
    }
    auto it = homes_of.find(e.nominal_id);
    if (it == homes_of.end()) continue;
    LocationId best = 0;
    int64_t best_distance = 0;
    for (const Stay& s : it->second) {
      if (addresses[s.location].postcode != address->postcode) continue;
      int64_t distance = std::max<int64_t>({0, s.first - days[i]->second, days[i]->first - s.last});
      if (best == 0 || distance < best_distance ||
          (distance == best_distance && s.location < best)) {
        best = s.location;
        best_distance = distance;
      }
    }
    if (best == 0) continue;
    home[i] = best;
    seen.push_back({best, e.nominal_id, days[i]->first, days[i]->second});
    ++summary.addresses_from_postcode;
  }

  // 2. Family links: a record with no home borrows its family member's.
  summary.family_links = static_cast<int64_t>(links.size());
  auto find = [&](model::PersonRecordId id) -> std::optional<size_t> {
    auto it = std::lower_bound(evidence.begin(), evidence.end(), id,
                               [](const store::PersonAddressEvidence& e, model::PersonRecordId v) {
                                 return e.person_record_id < v;
                               });
    if (it == evidence.end() || it->person_record_id != id) return std::nullopt;
    return static_cast<size_t>(it - evidence.begin());
  };
  std::vector<LocationId> borrowed(evidence.size(), 0);
  for (const store::FamilyLink& link : links) {
    std::optional<size_t> adult = find(link.adult);
    std::optional<size_t> child = find(link.child);
    if (!adult.has_value() || !child.has_value()) continue;
    for (auto [without, with] : {std::pair{*child, *adult}, std::pair{*adult, *child}}) {
      if (home[without] != 0 || borrowed[without] != 0 || home[with] == 0) continue;
      if (evidence[without].nominal_id == 0 || !days[without].has_value()) continue;
      borrowed[without] = home[with];
      seen.push_back(
          {home[with], evidence[without].nominal_id, days[without]->first, days[without]->second});
      ++summary.addresses_from_family;
    }
  }
  for (size_t i = 0; i < evidence.size(); ++i) {
    if (evidence[i].nominal_id != 0 && evidence[i].location_id.has_value() && home[i] == 0 &&
        borrowed[i] == 0) {
      ++summary.records_skipped_address;
    }
  }

  // 3. Stays: one per nominal and address, first seen to last seen.
  std::sort(seen.begin(), seen.end(), [](const Stay& a, const Stay& b) {
    if (a.location != b.location) return a.location < b.location;
    if (a.nominal != b.nominal) return a.nominal < b.nominal;
    return a.first < b.first;
  });
  std::vector<Stay> stays;
  for (const Stay& s : seen) {
    if (!stays.empty() && stays.back().location == s.location &&
        stays.back().nominal == s.nominal) {
      stays.back().first = std::min(stays.back().first, s.first);
      stays.back().last = std::max(stays.back().last, s.last);
    } else {
      stays.push_back(s);
    }
  }
  std::unordered_map<NominalId, int64_t> last_seen;  // a nominal's latest evidence anywhere
  for (const Stay& s : stays) {
    int64_t& last = last_seen[s.nominal];
    last = std::max(last, s.last);
  }

  // 4. Households: stays at one address chained where they overlap or are within the gap.
  std::vector<Found> found;
  for (size_t begin = 0; begin < stays.size();) {
    size_t end = begin;
    while (end < stays.size() && stays[end].location == stays[begin].location) ++end;
    std::vector<Stay> here(stays.begin() + begin, stays.begin() + end);
    std::sort(here.begin(), here.end(), [](const Stay& a, const Stay& b) {
      if (a.first != b.first) return a.first < b.first;
      if (a.last != b.last) return a.last < b.last;
      return a.nominal < b.nominal;
    });
    for (size_t i = 0; i < here.size();) {
      size_t j = i + 1;
      int64_t reach = here[i].last;
      while (j < here.size() && here[j].first <= reach + options.gap_days) {
        reach = std::max(reach, here[j].last);
        ++j;
      }
      if (static_cast<int64_t>(j - i) > options.max_members) {
        ++summary.communal_groups;
        summary.communal_nominals += static_cast<int64_t>(j - i);
      } else {
        Found household;
        household.location = here[i].location;
        household.first = here[i].first;
        household.members.assign(here.begin() + i, here.begin() + j);
        std::sort(household.members.begin(), household.members.end(),
                  [](const Stay& a, const Stay& b) { return a.nominal < b.nominal; });
        found.push_back(std::move(household));
      }
      i = j;
    }
    begin = end;
  }
  // New ids are handed out in this order, so a rerun on the same evidence gives the same ids.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (a.location != b.location) return a.location < b.location;
    if (a.first != b.first) return a.first < b.first;
    return a.members.front().nominal < b.members.front().nominal;
  });

  TRY_ASSIGN(std::vector<HouseholdId> ids, MatchIds(store, found, old, live_nominals));
  std::vector<model::Household> households;
  households.reserve(found.size());
  std::map<int, int64_t> sizes;
  std::unordered_map<NominalId, int> households_of;
  for (size_t f = 0; f < found.size(); ++f) {
    model::Household h;
    h.id = ids[f];
    h.location_id = found[f].location;
    int64_t first = found[f].members.front().first;
    int64_t last = 0;
    bool current = false;
    for (const Stay& s : found[f].members) {
      model::HouseholdMembership m;
      m.nominal_id = s.nominal;
      m.from = CivilDate::FromDays(s.first);
      // Still there, as far as the evidence says, unless seen somewhere else later.
      if (s.last < last_seen[s.nominal]) {
        m.to = CivilDate::FromDays(s.last);
      } else {
        current = true;
      }
      first = std::min(first, s.first);
      last = std::max(last, s.last);
      h.members.push_back(m);
      ++households_of[s.nominal];
    }
    h.from = CivilDate::FromDays(first);
    if (!current) h.to = CivilDate::FromDays(last);
    ++sizes[static_cast<int>(h.members.size())];
    summary.memberships += static_cast<int64_t>(h.members.size());
    households.push_back(std::move(h));
  }
  summary.households = static_cast<int64_t>(households.size());
  summary.nominals_housed = static_cast<int64_t>(households_of.size());
  for (const auto& [nominal, count] : households_of) {
    if (count > 1) ++summary.nominals_in_several;
  }
  summary.sizes.assign(sizes.begin(), sizes.end());
  summary.build_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();

  TRY_ASSIGN(summary.write, store.ReplaceHouseholds(*txn, households));
  TRY(txn->Commit());
  summary.write_seconds = SecondsSince(start);
  return summary;
}

}  // namespace tessera::resolve
