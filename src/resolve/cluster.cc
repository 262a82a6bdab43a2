#include "resolve/cluster.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/dates.h"
#include "resolve/field_compare.h"

namespace tessera::resolve {
namespace {

// What a group holds that a merge must not contradict.
struct GroupFacts {
  std::vector<uint32_t> nhs;  // distinct valid NHS numbers (pool ids)
  // Distinct dates of birth, each with the records (local positions) that give it.
  std::vector<std::pair<int32_t, std::vector<uint32_t>>> dobs;
  // Distinct given names, each with the records (local positions) that give it.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> givens;
  std::vector<uint32_t> cannot;  // local positions of records this group must not join
};

// Adds `from`'s values, with the records giving them, into `into`.
template <typename T>
void MergeValues(std::vector<std::pair<T, std::vector<uint32_t>>>& into,
                 std::vector<std::pair<T, std::vector<uint32_t>>>& from) {
  // Not a structured binding: clang before 16 (the fuzz build's) cannot capture one in a lambda.
  for (auto& entry : from) {
    const T& value = entry.first;
    std::vector<uint32_t>& givers = entry.second;
    auto it =
        std::find_if(into.begin(), into.end(), [&](const auto& v) { return v.first == value; });
    if (it == into.end()) {
      into.push_back({value, std::move(givers)});
    } else {
      it->second.insert(it->second.end(), givers.begin(), givers.end());
    }
  }
}

uint64_t PairKey(uint32_t x, uint32_t y) {
  return (static_cast<uint64_t>(std::min(x, y)) << 32) | std::max(x, y);
}

bool DobsConflict(int32_t x, int32_t y) {
  return CompareDates(CivilDate::FromDays(x), CivilDate::FromDays(y)) == DateAgreement::kOther;
}

}  // namespace

Clustering ClusterRecords(const Comparer& comparer, std::span<const uint32_t> records,
                          std::vector<ScoredEdge> links,
                          std::span<const std::pair<uint32_t, uint32_t>> must_link,
                          std::span<const std::pair<uint32_t, uint32_t>> cannot_link,
                          double strong_weight) {
  const RecordTable& table = comparer.table();
  const size_t n = records.size();
  std::unordered_map<uint32_t, uint32_t> local;
  local.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) local.emplace(records[i], static_cast<uint32_t>(i));

  std::vector<uint32_t> parent(n);
  std::vector<GroupFacts> facts(n);
  for (size_t i = 0; i < n; ++i) {
    parent[i] = static_cast<uint32_t>(i);
    const LinkageRecord& r = table.at(records[i]);
    if (r.nhs != 0) facts[i].nhs.push_back(r.nhs);
    if (r.dob != kNoDate) facts[i].dobs.push_back({r.dob, {static_cast<uint32_t>(i)}});
    if (r.given != 0) facts[i].givens.push_back({r.given, {static_cast<uint32_t>(i)}});
  }
  for (const auto& [a, b] : cannot_link) {
    auto ia = local.find(a);
    auto ib = local.find(b);
    if (ia == local.end() || ib == local.end()) continue;
    facts[ia->second].cannot.push_back(ib->second);
    facts[ib->second].cannot.push_back(ia->second);
  }
  auto find = [&](uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };

  // Human must-links first, then scored links strongest first; ties by record.
  constexpr double kMustLink = std::numeric_limits<double>::infinity();
  for (const auto& [a, b] : must_link) {
    links.push_back({std::min(a, b), std::max(a, b), kMustLink});
  }
  // Ties are broken by person record ids, not table indexes, which depend on arrival order.
  auto ids = [&](const ScoredEdge& e) {
    model::PersonRecordId x = table.at(e.a).id;
    model::PersonRecordId y = table.at(e.b).id;
    return std::make_pair(std::min(x, y), std::max(x, y));
  };
  std::sort(links.begin(), links.end(), [&](const ScoredEdge& x, const ScoredEdge& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    return ids(x) < ids(y);
  });

  // Strong direct links, by local positions: a date-of-birth conflict between two records that
  // are themselves strongly linked is one the model weighed (a mistyped year, say) and is
  // allowed; one that would arise only through a chain of other records, or through a link
  // barely over the threshold, is not.
  std::unordered_set<uint64_t> direct;
  for (const ScoredEdge& e : links) {
    if (e.weight < strong_weight) continue;
    auto ia = local.find(e.a);
    auto ib = local.find(e.b);
    if (ia != local.end() && ib != local.end()) direct.insert(PairKey(ia->second, ib->second));
  }
  auto linked = [&](const std::vector<uint32_t>& xs, const std::vector<uint32_t>& ys) {
    for (uint32_t x : xs) {
      for (uint32_t y : ys) {
        if (direct.count(PairKey(x, y)) != 0) return true;
      }
    }
    return false;
  };
  std::vector<std::vector<uint32_t>> neighbours(n);
  for (uint64_t key : direct) {
    uint32_t x = static_cast<uint32_t>(key >> 32);
    uint32_t y = static_cast<uint32_t>(key & 0xffffffffu);
    neighbours[x].push_back(y);
    neighbours[y].push_back(x);
  }
  // Links between two records that share a person-level identifier (the same valid NHS number,
  // or an identifier of the same kind agreeing): brothers and sisters never do, so such a link,
  // even one barely over the threshold, vouches for a given-name conflict between the two.
  std::unordered_set<uint64_t> sharing;
  for (const ScoredEdge& e : links) {
    auto ia = local.find(e.a);
    auto ib = local.find(e.b);
    if (ia == local.end() || ib == local.end()) continue;
    if (comparer.ShareIdentifier(table.at(e.a), table.at(e.b))) {
      sharing.insert(PairKey(ia->second, ib->second));
    }
  }
  auto share = [&](const std::vector<uint32_t>& xs, const std::vector<uint32_t>& ys) {
    for (uint32_t x : xs) {
      for (uint32_t y : ys) {
        if (sharing.count(PairKey(x, y)) != 0) return true;
      }
    }
    return false;
  };
  // Linked directly (strongly, or sharing an identifier), or both linked directly to one record
  // that has a given name itself (an original both duplicates were made from), not through a
  // record that lacks one.
  auto vouched = [&](const std::vector<uint32_t>& xs, const std::vector<uint32_t>& ys) {
    if (linked(xs, ys) || share(xs, ys)) return true;
    std::unordered_set<uint32_t> named;
    for (uint32_t x : xs) {
      for (uint32_t z : neighbours[x]) {
        if (table.at(records[z]).given != 0) named.insert(z);
      }
    }
    for (uint32_t y : ys) {
      for (uint32_t z : neighbours[y]) {
        if (named.count(z) != 0) return true;
      }
    }
    return false;
  };

  Clustering out;
  const StringPool& pool = table.pool();
  for (const ScoredEdge& e : links) {
    auto ia = local.find(e.a);
    auto ib = local.find(e.b);
    if (ia == local.end() || ib == local.end()) continue;
    uint32_t ra = find(ia->second);
    uint32_t rb = find(ib->second);
    if (ra == rb) continue;
    GroupFacts& fa = facts[ra];
    GroupFacts& fb = facts[rb];
    std::string reason;
    for (uint32_t x : fa.nhs) {
      for (uint32_t y : fb.nhs) {
        if (x != y && reason.empty()) {
          reason = "different NHS numbers " + std::string(pool.View(x)) + " and " +
                   std::string(pool.View(y));
        }
      }
    }
    for (size_t i = 0; i < fa.dobs.size() && reason.empty(); ++i) {
      for (const auto& [y, givers] : fb.dobs) {
        if (DobsConflict(fa.dobs[i].first, y) && !linked(fa.dobs[i].second, givers)) {
          reason = "dates of birth " + CivilDate::FromDays(fa.dobs[i].first).ToIso() + " and " +
                   CivilDate::FromDays(y).ToIso() +
                   " too far apart, and no direct link between records that give them";
          break;
        }
      }
    }
    for (size_t i = 0; i < fa.givens.size() && reason.empty(); ++i) {
      const LinkageRecord& x = table.at(records[fa.givens[i].second.front()]);
      for (const auto& [y, givers] : fb.givens) {
        if (comparer.GivenNamesDiffer(x, table.at(records[givers.front()])) &&
            !vouched(fa.givens[i].second, givers)) {
          reason = "given names " + std::string(pool.View(fa.givens[i].first)) + " and " +
                   std::string(pool.View(y)) +
                   " plainly differ, and records giving them are not linked directly or through "
                   "a named record";
          break;
        }
      }
    }
    if (reason.empty()) {
      for (uint32_t c : fa.cannot) {
        if (find(c) == rb) {
          reason = "a person decided these records are not the same person";
          break;
        }
      }
    }
    if (!reason.empty()) {
      out.refused.push_back({e.a, e.b, e.weight, std::move(reason)});
      continue;
    }
    // Join the smaller group's facts into the larger.
    if (fa.nhs.size() + fa.dobs.size() + fa.givens.size() + fa.cannot.size() <
        fb.nhs.size() + fb.dobs.size() + fb.givens.size() + fb.cannot.size()) {
      std::swap(ra, rb);
    }
    GroupFacts& into = facts[ra];
    GroupFacts& from = facts[rb];
    for (uint32_t x : from.nhs) {
      if (std::find(into.nhs.begin(), into.nhs.end(), x) == into.nhs.end()) into.nhs.push_back(x);
    }
    MergeValues(into.dobs, from.dobs);
    MergeValues(into.givens, from.givens);
    into.cannot.insert(into.cannot.end(), from.cannot.begin(), from.cannot.end());
    from = GroupFacts{};
    parent[rb] = ra;
  }

  // Name each group by its smallest table index, so the labels do not depend on merge order.
  std::vector<uint32_t> smallest(n, std::numeric_limits<uint32_t>::max());
  for (size_t i = 0; i < n; ++i) {
    uint32_t r = find(static_cast<uint32_t>(i));
    smallest[r] = std::min(smallest[r], records[i]);
  }
  out.group.resize(n);
  for (size_t i = 0; i < n; ++i) out.group[i] = smallest[find(static_cast<uint32_t>(i))];
  return out;
}

}  // namespace tessera::resolve
