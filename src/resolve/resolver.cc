#include "resolve/resolver.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_set>

#include "core/dates.h"

namespace tessera::resolve {
namespace {

constexpr int kPage = 50000;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string ReasonCategory(const std::string& reason) {
  if (reason.starts_with("different NHS")) return "nhs_number";
  if (reason.starts_with("dates of birth")) return "date_of_birth";
  if (reason.starts_with("given names")) return "given_name";
  return "decision";
}

// The most common value among `values` (ties: the one seen last, i.e. the newest record).
template <typename T>
T MostCommon(const std::vector<T>& values, const T& none) {
  T best = none;
  int best_count = 0;
  std::unordered_map<T, int> counts;
  for (const T& v : values) {
    if (v == none) continue;
    int c = ++counts[v];
    if (c >= best_count) {
      best = v;
      best_count = c;
    }
  }
  return best;
}

}  // namespace

Resolver::Resolver(store::Store& store, LinkageModel model, ResolverOptions options, int lock_fd)
    : store_(store), model_(std::move(model)), options_(options), lock_fd_(lock_fd) {
  index_ = std::make_unique<BlockingIndex>(model_.blocking, model_.max_block_size);
  scorer_ = std::make_unique<Scorer>(table_, model_);
  fingerprint_ = model_.Fingerprint();
}

Resolver::~Resolver() {
  if (lock_fd_ >= 0) {
    flock(lock_fd_, LOCK_UN);
    close(lock_fd_);
  }
}

Result<std::unique_ptr<Resolver>> Resolver::Open(const std::string& hub_dir, store::Store& store,
                                                 LinkageModel model, ResolverOptions options) {
  std::string path = (std::filesystem::path(hub_dir) / "resolver.lock").string();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot open " + path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Status::FailedPrecondition(
        "another resolver holds " + path +
        " (one resolver owns a hub at a time: is `tessera serve` or another `tessera resolve` "
        "running on this hub?)");
  }
  return std::unique_ptr<Resolver>(new Resolver(store, std::move(model), options, fd));
}

void Resolver::AddEdge(uint32_t a, uint32_t b, double weight) {
  size_t need = std::max(a, b) + 1;
  if (links_.size() < need) links_.resize(need);
  links_[a].push_back({b, static_cast<float>(weight)});
  links_[b].push_back({a, static_cast<float>(weight)});
}

Status Resolver::LoadDecisions() {
  must_link_.clear();
  cannot_link_.clear();
  TRY_ASSIGN(std::vector<store::LinkDecision> decisions, store_.ListLinkDecisions());
  // The latest decision on a pair stands.
  std::map<std::pair<model::PersonRecordId, model::PersonRecordId>, store::LinkDecisionKind> latest;
  for (const store::LinkDecision& d : decisions) {
    latest[{std::min(d.a, d.b), std::max(d.a, d.b)}] = d.kind;
  }
  for (const auto& [pair, kind] : latest) {
    int64_t a = table_.IndexOf(pair.first);
    int64_t b = table_.IndexOf(pair.second);
    if (a < 0 || b < 0) continue;  // a record since retired
    auto p = std::make_pair(static_cast<uint32_t>(a), static_cast<uint32_t>(b));
    (kind == store::LinkDecisionKind::kMustLink ? must_link_ : cannot_link_).push_back(p);
  }
  return Status::Ok();
}

// Reads the locations and current person records after the cursors, adds the records to
// `table` (their indexes to `added`), and moves the cursors on.
static Status ReadNewRecords(store::Store& store, ReadCursors& cursors, RecordTable& table,
                             std::vector<uint32_t>& added) {
  for (;;) {
    TRY_ASSIGN(std::vector<model::Location> page,
               store.ListLocationsAfter(cursors.location, kPage));
    for (const model::Location& l : page) {
      cursors.location = l.id;
      table.AddLocation(l);
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  for (;;) {
    TRY_ASSIGN(std::vector<model::PersonRecord> page,
               store.ListPersonRecordsForResolution(cursors.record, kPage));
    for (const model::PersonRecord& r : page) {
      cursors.record = r.id;
      added.push_back(table.Add(r, nullptr, r.source_id));
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  return Status::Ok();
}

// Reads locations and person records the resolver has not seen, and adds them to the table
// and the blocking index.
Status Resolver::AddNewRecords(ResolveSummary& summary, std::vector<uint32_t>& added) {
  TRY(ReadNewRecords(store_, cursors_, table_, added));
  nominal_of_.resize(table_.size(), 0);
  scorer_->Refresh();
  for (uint32_t index : added) index_->Add(table_, index);
  summary.new_records += static_cast<int64_t>(added.size());
  return Status::Ok();
}

Status Resolver::Load(ResolveSummary& summary) {
  auto start = std::chrono::steady_clock::now();
  std::vector<uint32_t> added;
  TRY(AddNewRecords(summary, added));
  TRY_ASSIGN(std::vector<store::NominalAssignment> assignments, store_.ListNominalAssignments());
  int64_t assigned = 0;
  for (const store::NominalAssignment& a : assignments) {
    int64_t index = table_.IndexOf(a.person_record_id);
    if (index < 0) {
      retired_nominal_[a.person_record_id] = a.nominal_id;  // retired below
      continue;
    }
    nominal_of_[index] = a.nominal_id;
    members_[a.nominal_id].push_back(static_cast<uint32_t>(index));
    ++assigned;
  }
  summary.new_records = static_cast<int64_t>(table_.size()) - assigned;
  summary.load_seconds = SecondsSince(start);

  // Every candidate pair, scored once, on every thread.
  start = std::chrono::steady_clock::now();
  const int threads = std::max(1, options_.threads);
  std::vector<std::vector<ScoredEdge>> found(threads);
  std::vector<int64_t> compared(threads, 0);
  const double keep = scorer_->review_weight();
  summary.blocking = index_->ForEachPair(threads, [&](int t, size_t, uint32_t a, uint32_t b) {
    ++compared[t];
    double w = scorer_->Weight(table_.at(a), table_.at(b));
    if (w >= keep) found[t].push_back({a, b, w});
  });
  links_.resize(table_.size());
  for (int t = 0; t < threads; ++t) {
    summary.candidate_pairs += compared[t];
    for (const ScoredEdge& e : found[t]) {
      AddEdge(e.a, e.b, e.weight);
      (e.weight >= scorer_->link_weight() ? summary.links : summary.borderline) += 1;
    }
  }
  summary.score_seconds = SecondsSince(start);
  loaded_ = true;
  return Status::Ok();
}

Result<std::vector<uint32_t>> Resolver::RetireRecords(ResolveSummary& summary,
                                                      std::vector<model::NominalId>& touched) {
  TRY_ASSIGN(std::vector<store::NominalAssignment> retired, store_.ListRetiredAssignments());
  std::vector<uint32_t> seeds;
  for (const store::NominalAssignment& a : retired) {
    retired_nominal_[a.person_record_id] = a.nominal_id;
  }
  for (const auto& [record, nominal] : retired_nominal_) {
    touched.push_back(nominal);
    int64_t index = table_.IndexOf(record);
    if (index >= 0 && !index_->removed(static_cast<uint32_t>(index))) {
      // Held in memory from an earlier run: take it out of blocking and of its nominal.
      uint32_t i = static_cast<uint32_t>(index);
      index_->Remove(i);
      for (const Neighbour& n : links_[i]) seeds.push_back(n.other);
      auto& m = members_[nominal_of_[i]];
      m.erase(std::remove(m.begin(), m.end(), i), m.end());
      nominal_of_[i] = 0;
    }
  }
  summary.retired_records = static_cast<int64_t>(retired_nominal_.size());
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  return seeds;
}

std::vector<uint32_t> Resolver::Neighbourhood(const std::vector<uint32_t>& seeds,
                                              const std::vector<model::NominalId>& touched) const {
  const double link = scorer_->link_weight();
  std::vector<char> seen(table_.size(), 0);
  std::unordered_set<model::NominalId> nominals_seen;
  std::vector<uint32_t> queue;
  auto push = [&](uint32_t x) {
    if (seen[x] || index_->removed(x)) return;
    seen[x] = 1;
    queue.push_back(x);
  };
  auto push_nominal = [&](model::NominalId n) {
    if (n == 0 || !nominals_seen.insert(n).second) return;
    auto it = members_.find(n);
    if (it == members_.end()) return;
    for (uint32_t m : it->second) push(m);
  };
  std::unordered_map<uint32_t, std::vector<uint32_t>> must;
  for (const auto& [a, b] : must_link_) {
    must[a].push_back(b);
    must[b].push_back(a);
  }
  for (uint32_t s : seeds) push(s);
  for (model::NominalId n : touched) push_nominal(n);
  for (size_t q = 0; q < queue.size(); ++q) {
    uint32_t x = queue[q];
    push_nominal(nominal_of_[x]);
    if (x < links_.size()) {
      for (const Neighbour& n : links_[x]) {
        if (n.weight >= link) push(n.other);
      }
    }
    auto it = must.find(x);
    if (it != must.end()) {
      for (uint32_t y : it->second) push(y);
    }
  }
  std::sort(queue.begin(), queue.end());
  return queue;
}

model::Nominal Resolver::Summarise(const std::vector<uint32_t>& members) const {
  std::vector<uint32_t> given, middle, family, nhs, pnc, cro, ni;
  std::vector<int32_t> dobs;
  std::vector<int> sexes;
  // Newest records last, so that MostCommon breaks ties towards them.
  std::vector<uint32_t> ordered = members;
  std::sort(ordered.begin(), ordered.end(),
            [&](uint32_t a, uint32_t b) { return table_.at(a).id < table_.at(b).id; });
  for (uint32_t i : ordered) {
    const LinkageRecord& r = table_.at(i);
    given.push_back(r.given);
    middle.push_back(r.middle);
    family.push_back(r.family);
    dobs.push_back(r.dob);
    sexes.push_back(r.sex);
    nhs.push_back(r.nhs);
    pnc.push_back(r.pnc);
    cro.push_back(r.cro);
    ni.push_back(r.ni);
  }
  const StringPool& pool = table_.pool();
  model::Nominal n;
  n.name.given = pool.View(MostCommon<uint32_t>(given, 0));
  n.name.middle = pool.View(MostCommon<uint32_t>(middle, 0));
  n.name.family = pool.View(MostCommon<uint32_t>(family, 0));
  std::unordered_set<std::string> seen_names = {n.name.given + " " + n.name.family};
  for (uint32_t i : ordered) {
    const LinkageRecord& r = table_.at(i);
    std::string key = std::string(pool.View(r.given)) + " " + std::string(pool.View(r.family));
    if (seen_names.insert(key).second) {
      model::PersonName other;
      other.given = pool.View(r.given);
      other.family = pool.View(r.family);
      n.other_names.push_back(std::move(other));
    }
  }
  int32_t dob = MostCommon<int32_t>(dobs, kNoDate);
  if (dob != kNoDate) n.dob = CivilDate::FromDays(dob);
  int sex = MostCommon<int>(sexes, 0);
  n.sex = sex == 1 ? model::Sex::kMale : sex == 2 ? model::Sex::kFemale : model::Sex::kUnknown;
  auto add_ids = [&](const std::vector<uint32_t>& values, model::IdentifierKind kind) {
    std::vector<uint32_t> distinct;
    for (uint32_t v : values) {
      if (v != 0 && std::find(distinct.begin(), distinct.end(), v) == distinct.end()) {
        distinct.push_back(v);
      }
    }
    for (uint32_t v : distinct) n.identifiers.push_back({kind, std::string(pool.View(v)), true});
  };
  add_ids(nhs, model::IdentifierKind::kNhsNumber);
  add_ids(pnc, model::IdentifierKind::kPncId);
  add_ids(cro, model::IdentifierKind::kCroNumber);
  add_ids(ni, model::IdentifierKind::kNiNumber);
  return n;
}

Status Resolver::Recluster(const std::vector<uint32_t>& records,
                           const std::vector<store::NominalAssignment>& retired,
                           ResolveSummary& summary) {
  auto start = std::chrono::steady_clock::now();
  const double link = scorer_->link_weight();
  // Each region record's position, through a scratch array the size of the table (so no hash
  // map over a million records), reset before returning.
  if (position_.size() < table_.size()) position_.resize(table_.size(), -1);
  for (size_t i = 0; i < records.size(); ++i) position_[records[i]] = static_cast<int32_t>(i);
  struct ResetPositions {
    std::vector<int32_t>& position;
    const std::vector<uint32_t>& records;
    ~ResetPositions() {
      for (uint32_t r : records) position[r] = -1;
    }
  } reset{position_, records};

  std::vector<ScoredEdge> links;
  std::vector<ScoredEdge> borderline;
  for (uint32_t a : records) {
    if (a >= links_.size()) continue;
    for (const Neighbour& n : links_[a]) {
      if (n.other <= a || position_[n.other] < 0 || index_->removed(n.other)) continue;
      (n.weight >= link ? links : borderline).push_back({a, n.other, n.weight});
    }
  }

  // Connected components over links and must-links: groups can only form inside one, so each
  // is clustered on its own (small structures, freed as it goes).
  std::vector<uint32_t> parent(records.size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<uint32_t>(i);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  auto pos = [&](uint32_t record) { return static_cast<uint32_t>(position_[record]); };
  for (const ScoredEdge& e : links) parent[find(pos(e.a))] = find(pos(e.b));
  std::vector<std::pair<uint32_t, uint32_t>> must;
  std::vector<std::pair<uint32_t, uint32_t>> cannot;
  for (const auto& [a, b] : must_link_) {
    if (position_[a] < 0 || position_[b] < 0) continue;
    must.push_back({a, b});
    parent[find(pos(a))] = find(pos(b));
  }
  for (const auto& [a, b] : cannot_link_) {
    if (position_[a] >= 0 && position_[b] >= 0) cannot.push_back({a, b});
  }
  std::vector<int32_t> component_of_root(records.size(), -1);
  std::vector<std::vector<uint32_t>> components;
  std::vector<uint32_t> component(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    uint32_t root = find(static_cast<uint32_t>(i));
    if (component_of_root[root] < 0) {
      component_of_root[root] = static_cast<int32_t>(components.size());
      components.emplace_back();
    }
    component[i] = static_cast<uint32_t>(component_of_root[root]);
    components[component[i]].push_back(records[i]);
  }
  std::vector<std::vector<ScoredEdge>> component_links(components.size());
  for (const ScoredEdge& e : links) component_links[component[pos(e.a)]].push_back(e);
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> component_must(components.size());
  for (const auto& p : must) component_must[component[pos(p.first)]].push_back(p);
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> component_cannot(components.size());
  for (const auto& p : cannot) {
    if (component[pos(p.first)] == component[pos(p.second)]) {
      component_cannot[component[pos(p.first)]].push_back(p);
    }
  }
  Clustering clustering;
  clustering.group.resize(records.size());
  for (size_t c = 0; c < components.size(); ++c) {
    const std::vector<uint32_t>& members = components[c];
    if (members.size() == 1) {
      clustering.group[pos(members[0])] = members[0];
      continue;
    }
    Clustering part =
        ClusterRecords(scorer_->comparer(), members, std::move(component_links[c]),
                       component_must[c], component_cannot[c], link + kStrongLinkMargin);
    for (size_t i = 0; i < members.size(); ++i) clustering.group[pos(members[i])] = part.group[i];
    for (RefusedLink& r : part.refused) clustering.refused.push_back(std::move(r));
  }
  summary.reclustered_records += static_cast<int64_t>(records.size());
  summary.refused_links += static_cast<int64_t>(clustering.refused.size());
  for (const RefusedLink& r : clustering.refused) {
    ++summary.refused_by_reason[ReasonCategory(r.reason)];
  }

  // The new groups, largest first (then by smallest person record id): the order in which
  // they claim the ids of the nominals they came from.
  std::map<uint32_t, std::vector<uint32_t>> by_group;
  for (size_t i = 0; i < records.size(); ++i) by_group[clustering.group[i]].push_back(records[i]);
  std::vector<std::vector<uint32_t>> groups;
  for (auto& [g, members] : by_group) groups.push_back(std::move(members));
  auto first_id = [&](const std::vector<uint32_t>& g) {
    model::PersonRecordId best = INT64_MAX;
    for (uint32_t i : g) best = std::min(best, table_.at(i).id);
    return best;
  };
  std::sort(groups.begin(), groups.end(), [&](const auto& x, const auto& y) {
    if (x.size() != y.size()) return x.size() > y.size();
    return first_id(x) < first_id(y);
  });
  summary.cluster_seconds += SecondsSince(start);

  start = std::chrono::steady_clock::now();
  // All or nothing: any failed write fails the run, and nothing of it is kept.
  // Synced: when Run returns, what it decided is on stable storage (a group commit: one fsync
  // for however many records the run resolved).
  TRY_ASSIGN(std::unique_ptr<store::Transaction> txn,
             store_.Begin(store::Store::TransactionMode::kAllOrNothing,
                          store::Store::Durability::kSynced));
  std::unordered_set<model::NominalId> claimed;
  std::vector<model::NominalId> group_ids(groups.size(), 0);
  // Where each old nominal's records went: old id -> (group -> count).
  std::map<model::NominalId, std::map<size_t, int64_t>> went;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::map<model::NominalId, int64_t> votes;
    for (uint32_t i : groups[g]) {
      if (nominal_of_[i] != 0) {
        ++votes[nominal_of_[i]];
        ++went[nominal_of_[i]][g];
      }
    }
    // The old nominal with most records here keeps its id (ties: the older id).
    model::NominalId chosen = 0;
    int64_t best = 0;
    for (const auto& [id, count] : votes) {
      if (claimed.count(id) == 0 && count > best) {
        chosen = id;
        best = count;
      }
    }
    bool changed = false;
    if (chosen == 0) {
      TRY_ASSIGN(chosen, store_.CreateNominal(*txn, Summarise(groups[g])));
      ++summary.nominals_created;
    }
    claimed.insert(chosen);
    group_ids[g] = chosen;
    std::vector<model::PersonRecordId> arriving;
    for (uint32_t i : groups[g]) {
      if (nominal_of_[i] != chosen) arriving.push_back(table_.at(i).id);
    }
    if (!arriving.empty()) {
      TRY(store_.AttachPersonRecords(*txn, chosen, arriving));
      summary.records_moved += static_cast<int64_t>(arriving.size());
      changed = true;
    }
    if (changed && best > 0)
      TRY(store_.UpdateNominal(*txn, [&] {
        model::Nominal n = Summarise(groups[g]);
        n.id = chosen;
        return n;
      }()));
  }
  // Retired records leave their nominals.
  std::unordered_set<model::NominalId> lost_records;
  for (const store::NominalAssignment& a : retired) {
    TRY(store_.DetachPersonRecord(*txn, a.person_record_id));
    lost_records.insert(a.nominal_id);
  }
  // Old nominals that kept no group of their own: merged into where most of their records
  // went, or retired if none of their records is left.
  std::set<model::NominalId> old_ids;
  for (const auto& [id, dest] : went) old_ids.insert(id);
  for (model::NominalId id : lost_records) old_ids.insert(id);
  for (model::NominalId id : old_ids) {
    auto it = went.find(id);
    if (claimed.count(id) != 0) {
      // Kept its id; records that went to groups with new ids split off.
      if (it == went.end()) continue;
      for (const auto& [g, count] : it->second) {
        if (group_ids[g] == id) continue;
        bool created = true;
        for (uint32_t i : groups[g]) created = created && nominal_of_[i] != group_ids[g];
        if (created) {
          TRY(store_.RecordSplit(*txn, id, group_ids[g],
                                 "split by resolution: " + std::to_string(count) +
                                     " record(s) no longer link to the rest of nominal " +
                                     std::to_string(id)));
          ++summary.nominals_split;
        }
      }
      continue;
    }
    if (it == went.end() || it->second.empty()) {
      TRY(store_.RetireNominal(*txn, id, "every record of this nominal was deleted or replaced"));
      ++summary.nominals_retired;
      continue;
    }
    size_t best_group = it->second.begin()->first;
    for (const auto& [g, count] : it->second) {
      if (count > it->second.at(best_group)) best_group = g;
    }
    TRY(store_.MergeNominals(*txn, group_ids[best_group], id,
                             "merged by resolution: its records link to nominal " +
                                 std::to_string(group_ids[best_group])));
    ++summary.nominals_merged;
  }
  // Borderline pairs across groups, and links refused for conflicting evidence, go to review.
  for (const ScoredEdge& e : borderline) {
    if (clustering.group[pos(e.a)] == clustering.group[pos(e.b)]) continue;
    TRY(store_
            .PutReviewPair(*txn, table_.at(e.a).id, table_.at(e.b).id,
                           WeightToProbability(e.weight), e.weight)
            .status());
    ++summary.review_queued;
  }
  for (const RefusedLink& r : clustering.refused) {
    TRY(store_
            .PutReviewPair(*txn, table_.at(r.a).id, table_.at(r.b).id,
                           WeightToProbability(r.weight), r.weight)
            .status());
    ++summary.review_queued;
  }
  TRY(store_.PutResolverState(*txn, "model_fingerprint", fingerprint_));
  TRY(txn->Commit());

  // The in-memory view follows what was written.
  for (model::NominalId id : old_ids) {
    if (claimed.count(id) == 0) members_.erase(id);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    members_[group_ids[g]] = groups[g];
    for (uint32_t i : groups[g]) nominal_of_[i] = group_ids[g];
  }
  retired_nominal_.clear();
  summary.persist_seconds += SecondsSince(start);
  return Status::Ok();
}

Result<ResolveSummary> Resolver::Run() {
  ResolveSummary summary;
  std::vector<uint32_t> seeds;
  if (!loaded_) {
    TRY(Load(summary));
    summary.batch = members_.empty() && retired_nominal_.empty();
    for (uint32_t i = 0; i < table_.size(); ++i) {
      if (nominal_of_[i] == 0) seeds.push_back(i);
    }
  } else {
    auto start = std::chrono::steady_clock::now();
    std::vector<uint32_t> added;
    TRY(AddNewRecords(summary, added));
    summary.load_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    std::vector<uint32_t> candidates;
    for (uint32_t a : added) {
      index_->Candidates(a, &candidates);
      for (uint32_t b : candidates) {
        // Pairs among the new records are found from both ends: score them once.
        if (b > a && std::binary_search(added.begin(), added.end(), b)) continue;
        ++summary.candidate_pairs;
        double w = scorer_->Weight(table_.at(a), table_.at(b));
        if (w >= scorer_->review_weight()) {
          AddEdge(std::min(a, b), std::max(a, b), w);
          (w >= scorer_->link_weight() ? summary.links : summary.borderline) += 1;
        }
      }
    }
    summary.score_seconds = SecondsSince(start);
    seeds = added;
  }
  TRY(LoadDecisions());
  std::vector<model::NominalId> touched;
  TRY_ASSIGN(std::vector<uint32_t> retired_seeds, RetireRecords(summary, touched));
  std::vector<store::NominalAssignment> retired;
  for (const auto& [record, nominal] : retired_nominal_) retired.push_back({record, nominal});
  std::sort(retired.begin(), retired.end(),
            [](const auto& x, const auto& y) { return x.person_record_id < y.person_record_id; });
  seeds.insert(seeds.end(), retired_seeds.begin(), retired_seeds.end());
  // Nominals named in a decision made since the last run are reconsidered too.
  for (const auto& [a, b] : must_link_) {
    if (nominal_of_[a] != nominal_of_[b]) seeds.insert(seeds.end(), {a, b});
  }
  for (const auto& [a, b] : cannot_link_) {
    if (nominal_of_[a] != 0 && nominal_of_[a] == nominal_of_[b]) seeds.insert(seeds.end(), {a, b});
  }
  // Records a failed run read but could not write are tried again.
  seeds.insert(seeds.end(), pending_.begin(), pending_.end());
  std::vector<uint32_t> region = Neighbourhood(seeds, touched);
  if (!region.empty() || !retired.empty()) {
    if (Status written = Recluster(region, retired, summary); !written.ok()) {
      pending_ = std::move(seeds);
      return written;
    }
  }
  pending_.clear();
  summary.records = static_cast<int64_t>(table_.size()) - index_->removed_count();
  summary.nominals = static_cast<int64_t>(members_.size());
  return summary;
}

std::string LinkageModelPath(const std::string& hub_dir) {
  return (std::filesystem::path(hub_dir) / "models" / "linkage.json").string();
}

Result<LinkageModel> TrainFromStore(store::Store& store, const LinkageModel& start,
                                    const TrainingOptions& options) {
  RecordTable table;
  BlockingIndex index(start.blocking, start.max_block_size);
  ReadCursors cursors;
  std::vector<uint32_t> added;
  TRY(ReadNewRecords(store, cursors, table, added));
  for (uint32_t i : added) index.Add(table, i);
  std::vector<LabelledPair> labels;
  TRY_ASSIGN(std::vector<store::LinkDecision> decisions, store.ListLinkDecisions());
  for (const store::LinkDecision& d : decisions) {
    int64_t a = table.IndexOf(d.a);
    int64_t b = table.IndexOf(d.b);
    if (a < 0 || b < 0) continue;
    labels.push_back({static_cast<uint32_t>(a), static_cast<uint32_t>(b),
                      d.kind == store::LinkDecisionKind::kMustLink});
  }
  return TrainModel(table, index, start, options, labels);
}

// ---------------------------------------------------------------------------------------------
// Explanations

namespace {

struct LoadedRecord {
  model::PersonRecord person;
  std::string source_id;
  std::optional<model::Location> location;
};

Result<LoadedRecord> LoadRecord(store::Store& store, model::PersonRecordId id) {
  LoadedRecord out;
  TRY_ASSIGN(out.person, store.GetPersonRecord(id));
  TRY_ASSIGN(model::SourceRecord source, store.GetSourceRecord(out.person.source_record_id));
  out.source_id = source.source_id;
  if (out.person.location_id.has_value()) {
    TRY_ASSIGN(model::Location l, store.GetLocation(*out.person.location_id));
    out.location = std::move(l);
  }
  return out;
}

}  // namespace

Result<Waterfall> ExplainPair(store::Store& store, const LinkageModel& model,
                              model::PersonRecordId a, model::PersonRecordId b) {
  TRY_ASSIGN(LoadedRecord x, LoadRecord(store, a));
  TRY_ASSIGN(LoadedRecord y, LoadRecord(store, b));
  RecordTable table;
  uint32_t ia = table.Add(x.person, x.location ? &*x.location : nullptr, x.source_id);
  uint32_t ib = table.Add(y.person, y.location ? &*y.location : nullptr, y.source_id);
  Scorer scorer(table, model);
  return scorer.Explain(table.at(ia), table.at(ib));
}

Result<NominalExplanation> ExplainRecordAgainstNominal(store::Store& store,
                                                       const LinkageModel& model,
                                                       model::PersonRecordId record,
                                                       model::NominalId nominal) {
  TRY_ASSIGN(model::NominalId live, store.ResolveNominalId(nominal));
  TRY_ASSIGN(model::Nominal n, store.GetNominal(live));
  TRY_ASSIGN(LoadedRecord x, LoadRecord(store, record));
  RecordTable table;
  uint32_t ix = table.Add(x.person, x.location ? &*x.location : nullptr, x.source_id);
  std::vector<std::pair<model::PersonRecordId, uint32_t>> others;
  for (model::PersonRecordId id : n.records) {
    if (id == record) continue;
    TRY_ASSIGN(LoadedRecord y, LoadRecord(store, id));
    others.push_back({id, table.Add(y.person, y.location ? &*y.location : nullptr, y.source_id)});
  }
  Scorer scorer(table, model);
  NominalExplanation out;
  out.record = record;
  out.nominal = live;
  for (const auto& [id, index] : others) {
    out.pairs.push_back({id, scorer.Explain(table.at(ix), table.at(index))});
  }
  std::sort(out.pairs.begin(), out.pairs.end(), [](const auto& p, const auto& q) {
    return p.second.match_weight > q.second.match_weight;
  });
  return out;
}

}  // namespace tessera::resolve
