// Resolution of a generated world, end to end: ingest, train without labels, resolve; then
// check the nominals against the generator's truth, that no nominal holds two NHS numbers, that
// streaming the files in another order gives the same clusters, and that ids stay put when new
// records arrive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "core/random.h"
#include "ingest/ingest.h"
#include "resolve/evaluate.h"
#include "resolve/resolver.h"
#include "store/store.h"
#include "synth/synth.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// (source, mention key) -> nominal, for every resolved person record.
using Partition = std::map<std::pair<std::string, std::string>, model::NominalId>;

class WorldResolveTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new fs::path(fs::temp_directory_path() /
                          ("tessera-resolve-world-" + std::to_string(::getpid())));
    fs::remove_all(*world_);
    synth::WorldConfig config;
    config.people = 3000;
    config.seed = 5;
    ASSERT_TRUE(synth::GenerateWorld(config, world_->string()).ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*world_);
    delete world_;
  }

  void SetUp() override {
    base_ = fs::temp_directory_path() / ("tessera-resolve-" + std::to_string(::getpid()));
    fs::remove_all(base_);
  }
  void TearDown() override { fs::remove_all(base_); }

  // A hub with the world's mappings (and nothing loaded yet).
  std::unique_ptr<store::Store> MakeHub(const std::string& name, fs::path* dir) {
    *dir = base_ / name;
    EXPECT_TRUE(store::InitHub(dir->string(), clock_).ok());
    const char* src = std::getenv("TESSERA_SOURCE_DIR");
    fs::copy(fs::path(src ? src : ".") / "examples/synthetic/mappings", *dir / "mappings",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    auto s = store::OpenSqliteStore(dir->string(), clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }

  // The world's landing files, sorted.
  static std::vector<fs::path> LandingFiles() {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(*world_ / "landing")) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // Loads one landing file into `hub` through its landing zone.
  void Land(store::Store& store, const fs::path& hub, const fs::path& file) {
    fs::path rel = fs::relative(file, *world_ / "landing");
    fs::create_directories(hub / "landing" / rel.parent_path());
    fs::copy_file(file, hub / "landing" / rel, fs::copy_options::overwrite_existing);
    auto out = ingest::ProcessLandingZone(store, clock_, (hub / "landing").string(),
                                          (hub / "mappings").string(), hub.string());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE(out->failed.empty());
  }

  static Partition PartitionOf(store::Store& store) {
    Partition p;
    auto assignments = store.ListNominalAssignments();
    EXPECT_TRUE(assignments.ok());
    std::map<model::PersonRecordId, model::NominalId> nominal;
    for (const auto& a : *assignments) nominal[a.person_record_id] = a.nominal_id;
    auto records = store.ListPersonRecordsForResolution(0, 1'000'000);
    EXPECT_TRUE(records.ok());
    for (const auto& r : *records) {
      auto it = nominal.find(r.id);
      EXPECT_NE(it, nominal.end()) << "person record " << r.id << " was not resolved";
      if (it != nominal.end()) p[{r.source_id, r.mention_key}] = it->second;
    }
    return p;
  }

  // The groups of a partition, as sets of record keys, whatever the ids.
  static std::set<std::set<std::pair<std::string, std::string>>> Groups(const Partition& p) {
    std::map<model::NominalId, std::set<std::pair<std::string, std::string>>> by;
    for (const auto& [key, id] : p) by[id].insert(key);
    std::set<std::set<std::pair<std::string, std::string>>> out;
    for (auto& [id, g] : by) out.insert(std::move(g));
    return out;
  }

  Result<resolve::LinkageModel> Train(store::Store& store) {
    resolve::TrainingOptions options;
    options.random_pairs = 300'000;
    return resolve::TrainFromStore(store, resolve::LinkageModel::Defaults(), options);
  }

  static fs::path* world_;
  ManualClock clock_{1767225600LL * 1000000};  // 2026-01-01
  fs::path base_;
};

fs::path* WorldResolveTest::world_ = nullptr;

TEST_F(WorldResolveTest, BatchIsAccurateAndNoNominalHoldsTwoNhsNumbers) {
  fs::path dir;
  auto store = MakeHub("batch", &dir);
  for (const fs::path& f : LandingFiles()) Land(*store, dir, f);
  auto model = Train(*store);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto resolver = resolve::Resolver::Open(dir.string(), *store, *model);
  ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
  auto summary = (*resolver)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->batch);
  EXPECT_GT(summary->nominals, 1000);

  // One resolver per hub.
  auto second = resolve::Resolver::Open(dir.string(), *store, *model);
  EXPECT_FALSE(second.ok());

  // Accuracy against the generator's truth.
  auto truth = resolve::ReadTruthCsv((*world_ / "truth" / "records.csv").string());
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  std::vector<resolve::EvaluatedRecord> predictions;
  for (const auto& [key, id] : PartitionOf(*store))
    predictions.push_back({key.first, key.second, id});
  auto report = resolve::Evaluate(*truth, predictions);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->pairwise.f1, 0.95) << resolve::FormatEvaluationReport(*report);
  EXPECT_GE(report->b_cubed.f1, 0.95) << resolve::FormatEvaluationReport(*report);
  EXPECT_EQ(report->predictions_without_truth, 0);

  // No nominal ever holds two different valid NHS numbers.
  const resolve::RecordTable& table = (*resolver)->table();
  std::map<model::NominalId, std::set<uint32_t>> nhs;
  for (uint32_t i = 0; i < table.size(); ++i) {
    if (table.at(i).nhs != 0) nhs[(*resolver)->NominalOf(i)].insert(table.at(i).nhs);
  }
  size_t with_nhs = 0;
  for (const auto& [id, numbers] : nhs) {
    EXPECT_EQ(numbers.size(), 1u) << "nominal " << id;
    ++with_nhs;
  }
  EXPECT_GT(with_nhs, 100u);

  // Running again with nothing new changes nothing.
  auto again = (*resolver)->Run();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->new_records, 0);
  EXPECT_EQ(again->records_moved, 0);
  EXPECT_EQ(again->nominals_created, 0);
}

TEST_F(WorldResolveTest, StreamingFilesInAnotherOrderGivesTheSameClusters) {
  fs::path batch_dir;
  auto batch = MakeHub("batch", &batch_dir);
  std::vector<fs::path> files = LandingFiles();
  for (const fs::path& f : files) Land(*batch, batch_dir, f);
  auto model = Train(*batch);
  ASSERT_TRUE(model.ok());
  {
    auto resolver = resolve::Resolver::Open(batch_dir.string(), *batch, *model);
    ASSERT_TRUE(resolver.ok());
    ASSERT_TRUE((*resolver)->Run().ok());
  }

  fs::path stream_dir;
  auto stream = MakeHub("stream", &stream_dir);
  Rng rng(99);
  for (size_t i = files.size(); i > 1; --i) std::swap(files[i - 1], files[rng.Below(i)]);
  // Half the files through one long-lived resolver (the server's way), the rest each through
  // a fresh one (the CLI's way).
  {
    auto resolver = resolve::Resolver::Open(stream_dir.string(), *stream, *model);
    ASSERT_TRUE(resolver.ok());
    for (size_t i = 0; i < files.size() / 2; ++i) {
      Land(*stream, stream_dir, files[i]);
      auto s = (*resolver)->Run();
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->batch, i == 0);
    }
  }
  for (size_t i = files.size() / 2; i < files.size(); ++i) {
    Land(*stream, stream_dir, files[i]);
    auto resolver = resolve::Resolver::Open(stream_dir.string(), *stream, *model);
    ASSERT_TRUE(resolver.ok());
    auto s = (*resolver)->Run();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_FALSE(s->batch);
  }
  Partition a = PartitionOf(*batch);
  Partition b = PartitionOf(*stream);
  ASSERT_EQ(a.size(), b.size());
  auto ga = Groups(a);
  auto gb = Groups(b);
  EXPECT_EQ(ga.size(), gb.size());
  EXPECT_TRUE(ga == gb) << "batch and stream clusterings differ";
}

TEST_F(WorldResolveTest, OneThreadOrTwoGiveTheSameNominalsAndIds) {
  fs::path one_dir;
  fs::path two_dir;
  auto one = MakeHub("one", &one_dir);
  auto two = MakeHub("two", &two_dir);
  for (const fs::path& f : LandingFiles()) {
    Land(*one, one_dir, f);
    Land(*two, two_dir, f);
  }
  auto model = Train(*one);
  ASSERT_TRUE(model.ok());
  // Training is deterministic too: the other hub, on one thread, trains the same model.
  resolve::TrainingOptions options;
  options.random_pairs = 300'000;
  options.threads = 1;
  auto again = resolve::TrainFromStore(*two, resolve::LinkageModel::Defaults(), options);
  ASSERT_TRUE(again.ok());
  resolve::LinkageModel a = *model;
  resolve::LinkageModel b = *again;
  a.training.trained_at = b.training.trained_at = "";
  EXPECT_EQ(a.ToJson(), b.ToJson());
  for (auto [store, dir, threads] : {std::tuple{one.get(), one_dir, 1}, {two.get(), two_dir, 2}}) {
    resolve::ResolverOptions resolver_options;
    resolver_options.threads = threads;
    auto resolver = resolve::Resolver::Open(dir.string(), *store, *model, resolver_options);
    ASSERT_TRUE(resolver.ok());
    ASSERT_TRUE((*resolver)->Run().ok());
  }
  // Same records (same keys) in the same nominals, under the same ids.
  EXPECT_EQ(PartitionOf(*one), PartitionOf(*two));
}

TEST_F(WorldResolveTest, NewRecordsLeaveExistingIdsAlone) {
  fs::path dir;
  auto store = MakeHub("stable", &dir);
  std::vector<fs::path> files = LandingFiles();
  // Everything but the smallest file first.
  auto smallest = std::min_element(files.begin(), files.end(), [](const auto& x, const auto& y) {
    return fs::file_size(x) < fs::file_size(y);
  });
  fs::path late = *smallest;
  files.erase(smallest);
  for (const fs::path& f : files) Land(*store, dir, f);
  auto model = Train(*store);
  ASSERT_TRUE(model.ok());
  auto resolver = resolve::Resolver::Open(dir.string(), *store, *model);
  ASSERT_TRUE(resolver.ok());
  ASSERT_TRUE((*resolver)->Run().ok());
  Partition before = PartitionOf(*store);
  std::set<model::NominalId> ids;
  for (const auto& [key, id] : before) ids.insert(id);

  Land(*store, dir, late);
  auto s = (*resolver)->Run();
  ASSERT_TRUE(s.ok());
  EXPECT_GT(s->new_records, 0);
  Partition after = PartitionOf(*store);
  int64_t kept = 0;
  for (model::NominalId id : ids) {
    auto live = store->ResolveNominalId(id);
    ASSERT_TRUE(live.ok());
    kept += *live == id ? 1 : 0;
  }
  EXPECT_GE(static_cast<double>(kept) / static_cast<double>(ids.size()), 0.995)
      << kept << " of " << ids.size();
  // Every record that was resolved before is in a nominal its old id leads to.
  int64_t same = 0;
  for (const auto& [key, id] : before) {
    auto live = store->ResolveNominalId(id);
    ASSERT_TRUE(live.ok());
    same += after.at(key) == *live ? 1 : 0;
  }
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(before.size()), 0.995);
}

}  // namespace
}  // namespace tessera
