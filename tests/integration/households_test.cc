// Households of a generated world, end to end: ingest, train, resolve, find households; then
// compare them with the generator's truth (truth/records.csv names each record's person and
// household) and check that a rerun keeps every id.
//
// Measures, over the people who end up in a resolved household:
//   - pairwise precision and recall of "lives with": two people in one resolved household
//     against two people in one true household;
//   - the share of true households (with two or more people housed) whose housed members all
//     share one resolved household.
#include "resolve/households.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ingest/ingest.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "store/store.h"
#include "synth/synth.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class HouseholdsWorldTest : public testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("tessera-households-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    synth::WorldConfig config;
    config.people = 3000;
    config.seed = 11;
    ASSERT_TRUE(synth::GenerateWorld(config, (base_ / "world").string()).ok());
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  ManualClock clock_{1767225600LL * 1000000};  // 2026-01-01
};

// (source, record id) -> (person, household), from truth/records.csv.
std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> ReadTruth(
    const fs::path& path) {
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // source,record_id,person_id,household_id,address_id,expected_outcome
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) f.push_back(field);
    if (f.size() >= 4) out[{f[0], f[1]}] = {f[2], f[3]};
  }
  return out;
}

TEST_F(HouseholdsWorldTest, HouseholdsMatchTheTruthAndKeepTheirIdsOnARerun) {
  fs::path hub = base_ / "hub";
  ASSERT_TRUE(store::InitHub(hub.string(), clock_).ok());
  const char* src = std::getenv("TESSERA_SOURCE_DIR");
  fs::copy(fs::path(src ? src : ".") / "examples/synthetic/mappings", hub / "mappings",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy(base_ / "world" / "landing", hub / "landing", fs::copy_options::recursive);
  auto opened = store::OpenSqliteStore(hub.string(), clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::Store& store = **opened;
  auto landed = ingest::ProcessLandingZone(store, clock_, (hub / "landing").string(),
                                           (hub / "mappings").string(), hub.string());
  ASSERT_TRUE(landed.ok()) << landed.status().ToString();
  resolve::TrainingOptions training;
  training.random_pairs = 300'000;
  auto model = resolve::TrainFromStore(store, resolve::LinkageModel::Defaults(), training);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  {
    auto resolver = resolve::Resolver::Open(hub.string(), store, *model);
    ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
    ASSERT_TRUE((*resolver)->Run().ok());
  }

  auto summary = resolve::ResolveHouseholds(store, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GT(summary->households, 500);
  EXPECT_GT(summary->addresses_from_family, 0);
  EXPECT_EQ(summary->records_unresolved, 0);

  // Each nominal is the person most of its records are.
  auto truth = ReadTruth(base_ / "world" / "truth" / "records.csv");
  auto assignments = store.ListNominalAssignments();
  ASSERT_TRUE(assignments.ok());
  std::map<model::PersonRecordId, model::NominalId> nominal_of;
  for (const auto& a : *assignments) nominal_of[a.person_record_id] = a.nominal_id;
  auto records = store.ListPersonRecordsForResolution(0, 1'000'000);
  ASSERT_TRUE(records.ok());
  std::map<model::NominalId, std::map<std::string, int>> votes;
  std::map<std::string, std::string> household_of;  // person -> true household
  for (const auto& r : *records) {
    auto t = truth.find({r.source_id, r.mention_key});
    if (t == truth.end()) continue;
    ++votes[nominal_of[r.id]][t->second.first];
    household_of[t->second.first] = t->second.second;
  }
  std::map<model::NominalId, std::string> person_of;
  for (const auto& [nominal, counts] : votes) {
    person_of[nominal] = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                           return a.second < b.second;
                         })->first;
  }

  auto households = store.ListHouseholds();
  ASSERT_TRUE(households.ok());
  std::set<std::pair<std::string, std::string>> predicted;
  std::map<std::string, std::set<model::HouseholdId>> housed;  // person -> resolved households
  for (const model::Household& h : *households) {
    std::set<std::string> people;
    for (const auto& m : h.members) {
      auto p = person_of.find(m.nominal_id);
      if (p == person_of.end()) continue;
      people.insert(p->second);
      housed[p->second].insert(h.id);
    }
    for (auto a = people.begin(); a != people.end(); ++a) {
      for (auto b = std::next(a); b != people.end(); ++b) predicted.insert({*a, *b});
    }
  }
  std::map<std::string, std::vector<std::string>> true_households;
  for (const auto& [person, ids] : housed) true_households[household_of[person]].push_back(person);
  int64_t true_pairs = 0, both = 0, several = 0, whole = 0;
  for (const auto& [household, people] : true_households) {
    int64_t n = static_cast<int64_t>(people.size());
    true_pairs += n * (n - 1) / 2;
    for (size_t i = 0; i < people.size(); ++i) {
      for (size_t j = i + 1; j < people.size(); ++j) {
        both += predicted.count({std::min(people[i], people[j]), std::max(people[i], people[j])});
      }
    }
    if (n < 2) continue;
    ++several;
    std::set<model::HouseholdId> common = housed[people[0]];
    for (const std::string& p : people) {
      std::set<model::HouseholdId> keep;
      for (auto id : common) {
        if (housed[p].count(id) != 0) keep.insert(id);
      }
      common = std::move(keep);
    }
    if (!common.empty()) ++whole;
  }
  double precision = predicted.empty() ? 0 : double(both) / double(predicted.size());
  double recall = true_pairs == 0 ? 0 : double(both) / double(true_pairs);
  double whole_share = several == 0 ? 0 : double(whole) / double(several);
  std::printf(
      "households %lld, memberships %lld; lives-with pairs: precision %.3f recall %.3f; true "
      "households with 2+ housed people %lld, all in one resolved household %lld (%.3f)\n",
      static_cast<long long>(summary->households), static_cast<long long>(summary->memberships),
      precision, recall, static_cast<long long>(several), static_cast<long long>(whole),
      whole_share);
  EXPECT_GE(precision, 0.97);
  EXPECT_GE(recall, 0.75);
  EXPECT_GE(whole_share, 0.65);

  // A rerun on the same nominals keeps every household and its id.
  auto again = resolve::ResolveHouseholds(store, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->write.unchanged, summary->households);
  EXPECT_EQ(again->write.created + again->write.changed + again->write.dissolved, 0);
}

}  // namespace
}  // namespace tessera
