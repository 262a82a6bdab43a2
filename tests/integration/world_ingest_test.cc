// The generated world ingests completely from its landing zone, and every record ends where the
// generator's ground truth says it should: loaded, loaded flagged, or quarantined.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ingest/ingest.h"
#include "store/store.h"
#include "synth/synth.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

struct TruthRow {
  std::string source, record_id, outcome;
};

std::vector<TruthRow> ReadTruth(const fs::path& path) {
  std::vector<TruthRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    rows.push_back({f[0], f[1], f.back()});
  }
  return rows;
}

class WorldIngestTest : public testing::Test {
 protected:
  void SetUp() override {
    hub_ = fs::temp_directory_path() / ("tessera-world-" + std::to_string(::getpid()));
    fs::remove_all(hub_);
    ASSERT_TRUE(store::InitHub(hub_.string(), clock_).ok());
    const char* src = std::getenv("TESSERA_SOURCE_DIR");
    fs::copy(fs::path(src ? src : ".") / "examples/synthetic/mappings", hub_ / "mappings",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    synth::WorldConfig config;
    config.people = 8000;
    config.seed = 11;
    config.malformed_fraction = 0.01;
    ASSERT_TRUE(synth::GenerateWorld(config, hub_.string()).ok());
    auto s = store::OpenSqliteStore(hub_.string(), clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(hub_);
  }

  Result<ingest::LandingOutcome> IngestLanding() {
    return ingest::ProcessLandingZone(*store_, clock_, (hub_ / "landing").string(),
                                      (hub_ / "mappings").string(), hub_.string());
  }

  ManualClock clock_{1767225600LL * 1000000};  // 2026-01-01
  fs::path hub_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(WorldIngestTest, EveryRecordEndsWhereTheTruthSaysAndCountsReconcile) {
  auto out = IngestLanding();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->failed.empty());
  EXPECT_TRUE(out->warnings.empty());
  for (const auto& r : out->loaded) {
    EXPECT_EQ(r.counts.read, r.counts.loaded + r.counts.unchanged + r.counts.quarantined) << r.file;
  }

  std::map<std::string, std::map<std::string, int>> expected, actual;
  for (const TruthRow& t : ReadTruth(hub_ / "truth/records.csv")) {
    ++expected[t.source][t.outcome];
    auto current = store_->GetCurrentSourceRecord(t.source, t.record_id);
    ASSERT_TRUE(current.ok());
    if (!current->has_value()) {
      // Not stored: it must be a quarantined row (counted from the quarantine below).
      EXPECT_EQ(t.outcome, "quarantine") << t.source << " " << t.record_id;
      continue;
    }
    auto people = store_->ListPersonRecordsForSourceRecord((*current)->id);
    ASSERT_TRUE(people.ok());
    ASSERT_FALSE(people->empty()) << t.source << " " << t.record_id;
    bool flagged = false;
    for (const auto& p : *people) flagged = flagged || !p.flags.empty();
    const std::string got = flagged ? "load_flagged" : "load";
    ++actual[t.source][got];
    if (got != t.outcome) {
      std::string flags;
      for (const auto& p : *people) {
        for (const auto& f : p.flags) flags += f.field + ": " + f.reason + "; ";
      }
      ADD_FAILURE() << t.source << " " << t.record_id << " expected " << t.outcome << " got " << got
                    << " " << flags;
    }
  }
  for (auto& [source, counts] : expected) {
    for (const char* outcome : {"load", "load_flagged", "quarantine"}) {
      counts[outcome] += 0;
      actual[source][outcome] += 0;
    }
    store::QuarantineQuery q;
    q.source_id = source;
    q.limit = 1000000;
    auto rows = store_->ListQuarantined(q);
    ASSERT_TRUE(rows.ok());
    actual[source]["quarantine"] = static_cast<int>(rows->size());
    for (const auto& row : *rows) {
      EXPECT_GT(row.line, 0);
      EXPECT_FALSE(row.reason.empty());
    }
    EXPECT_EQ(actual[source], counts) << source;
  }
}

TEST_F(WorldIngestTest, ASecondIngestOfTheSameFilesChangesNothing) {
  ASSERT_TRUE(IngestLanding().ok());
  auto before = store_->Counts();
  ASSERT_TRUE(before.ok());
  // The partners send everything again: same seed, same bytes.
  synth::WorldConfig config;
  config.people = 8000;
  config.seed = 11;
  config.malformed_fraction = 0.01;
  ASSERT_TRUE(synth::GenerateWorld(config, hub_.string()).ok());
  auto again = IngestLanding();
  ASSERT_TRUE(again.ok());
  for (const auto& r : again->loaded) EXPECT_TRUE(r.already_loaded) << r.file;
  auto after = store_->Counts();
  EXPECT_EQ(before->source_record_versions, after->source_record_versions);
  EXPECT_EQ(before->person_records, after->person_records);
  EXPECT_EQ(before->events, after->events);
  EXPECT_EQ(before->quarantined, after->quarantined);
  EXPECT_EQ(before->loads, after->loads);
}

}  // namespace
}  // namespace tessera
