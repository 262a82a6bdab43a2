#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/ingest.h"
#include "ingest/test_hub.h"

namespace tessera::ingest {
namespace {

namespace fs = std::filesystem;

class LoaderTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    Write("people.yaml", R"(
source: people
agency: housing
format: csv
record_key: Id
people:
  - given: Given
    family: Family
    dob: {field: Dob, formats: [dd/mm/yyyy]}
    address: {postcode: Postcode}
)");
  }

  Result<FileLoadResult> Load(const std::string& spec, const std::string& file) {
    Ingestor ingestor(*store_, clock_);
    return ingestor.LoadFile((hub_ / spec).string(), (hub_ / file).string(), file);
  }
};

const char* kFile =
    "Id,Given,Family,Dob,Postcode\n"
    "1,Ann,Lee,01/02/1980,M1 1AE\n"
    "2,Bob,Hill,31/02/1980,M1 1AE\n"   // impossible date of birth: loads flagged
    "3,Cat,Ray,05/06/1990\n"           // ragged: quarantined
    "4,Dan,Fox,07/08/1970,QX1 1ZZ\n";  // invalid postcode: loads flagged

TEST_F(LoaderTest, LoadsFlagsAndQuarantinesAndTheCountsReconcile) {
  Write("in/a.csv", kFile);
  auto r = Load("people.yaml", "in/a.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->counts.read, 4);
  EXPECT_EQ(r->counts.loaded, 3);
  EXPECT_EQ(r->counts.quarantined, 1);
  EXPECT_EQ(r->flagged, 2);
  EXPECT_EQ(r->counts.read, r->counts.loaded + r->counts.unchanged + r->counts.quarantined);

  auto q = store_->ListQuarantined(store::QuarantineQuery{});
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].line, 4);
  EXPECT_EQ((*q)[0].file, "in/a.csv");
  EXPECT_NE((*q)[0].reason.find("field"), std::string::npos) << (*q)[0].reason;
  EXPECT_NE((*q)[0].raw.find("Cat,Ray"), std::string::npos);

  auto record = store_->GetCurrentSourceRecord("people", "2");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->provenance.line, 3);
  EXPECT_EQ((*record)->provenance.content_hash.size(), 64u);
  auto people = store_->ListPersonRecordsForSourceRecord((*record)->id);
  ASSERT_TRUE(people.ok() && people->size() == 1u);
  EXPECT_FALSE((*people)[0].dob.has_value());
  ASSERT_EQ((*people)[0].flags.size(), 1u);
  EXPECT_EQ((*people)[0].flags[0].field, "Dob");

  // The flagged rows can be listed with where they came from.
  store::FlaggedQuery fq;
  fq.source_id = "people";
  auto flagged = store_->ListFlagged(fq);
  ASSERT_TRUE(flagged.ok()) << flagged.status().ToString();
  ASSERT_EQ(flagged->size(), 2u);
  EXPECT_EQ((*flagged)[0].record_key, "2");
  EXPECT_EQ((*flagged)[0].line, 3);
  EXPECT_EQ((*flagged)[0].flags[0].field, "Dob");
  EXPECT_EQ((*flagged)[1].record_key, "4");
  EXPECT_EQ((*flagged)[1].flags[0].field, "Postcode");
  fq.source_id = "elsewhere";
  EXPECT_TRUE(store_->ListFlagged(fq)->empty());
}

TEST_F(LoaderTest, ReingestingTheSameFileChangesNothing) {
  Write("in/a.csv", kFile);
  ASSERT_TRUE(Load("people.yaml", "in/a.csv").ok());
  auto before = store_->Counts();
  auto again = Load("people.yaml", "in/a.csv");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_loaded);
  auto after = store_->Counts();
  EXPECT_EQ(before->source_record_versions, after->source_record_versions);
  EXPECT_EQ(before->loads, after->loads);
  EXPECT_EQ(before->quarantined, after->quarantined);
}

TEST_F(LoaderTest, AChangedRecordBecomesANewVersionAndTheRestAreUnchanged) {
  Write("in/a.csv", kFile);
  ASSERT_TRUE(Load("people.yaml", "in/a.csv").ok());
  std::string changed = kFile;
  changed.replace(changed.find("Ann,Lee"), 7, "Ann,Lea");
  Write("in/b.csv", changed);
  auto r = Load("people.yaml", "in/b.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->updated, 1);
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->counts.unchanged, 2);
  EXPECT_EQ(r->counts.quarantined, 1);
  auto history = store_->GetSourceRecordHistory("people", "1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
}

TEST_F(LoaderTest, FullRefreshDeletesWhatTheFileNoLongerHolds) {
  Write("refresh.yaml", R"(
source: people
agency: housing
format: csv
mode: full_refresh
record_key: Id
people:
  - given: Given
    family: Family
)");
  Write("in/a.csv", "Id,Given,Family\n1,Ann,Lee\n2,Bob,Hill\n");
  ASSERT_TRUE(Load("refresh.yaml", "in/a.csv").ok());
  Write("in/b.csv", "Id,Given,Family\n2,Bob,Hill\n");
  auto r = Load("refresh.yaml", "in/b.csv");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts.deleted, 1);
  auto current = store_->GetCurrentSourceRecord("people", "1");
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_TRUE((*current)->deleted);
}

// Two partners sending one layout share a spec: the same file loads once under each source id.
TEST_F(LoaderTest, LoadsUnderAnotherSourceIdThanTheSpecs) {
  Write("in/a.csv", kFile);
  Ingestor ingestor(*store_, clock_);
  const std::string spec = (hub_ / "people.yaml").string();
  const std::string file = (hub_ / "in/a.csv").string();
  auto first = ingestor.LoadFileAs("partner_a", spec, file, "in/a.csv");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->source_id, "partner_a");
  auto second = ingestor.LoadFileAs("partner_b", spec, file, "in/a.csv");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->already_loaded);
  EXPECT_EQ(second->counts.loaded, 3);
  for (const char* source : {"partner_a", "partner_b"}) {
    auto keys = store_->ListCurrentRecordKeys(source);
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys->size(), 3u) << source;
  }
  auto own = store_->ListCurrentRecordKeys("people");
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->empty());

  auto bad = ingestor.LoadFileAs("Partner-A", spec, file, "in/a.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("lower case"), std::string::npos);
  EXPECT_FALSE(CheckSourceId("").ok());
  EXPECT_TRUE(CheckSourceId("febrl4a").ok());
}

TEST_F(LoaderTest, LandingZoneMovesFilesAsideAndLeavesPartialOnesAlone) {
  Write("mappings/people.yaml",
        "source: people\nagency: housing\nformat: csv\nrecord_key: Id\npeople:\n  - given: "
        "Given\n    family: Family\n");
  Write("landing/people/a.csv", "Id,Given,Family\n1,Ann,Lee\n");
  Write("landing/people/b.csv.part", "Id,Given,Family\n2,Bob,Hill\n");
  Write("landing/people/c.csv", "Id,Given,Given\n1,Ann,Ann\n");  // duplicate header
  Write("landing/nomap/x.csv", "a\n1\n");
  auto out = ProcessLandingZone(*store_, clock_, (hub_ / "landing").string(),
                                (hub_ / "mappings").string(), hub_.string());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->loaded.size(), 1u);
  EXPECT_EQ(out->loaded[0].file, "landing/people/a.csv");
  EXPECT_TRUE(fs::exists(hub_ / "landing/people/processed/a.csv"));
  EXPECT_TRUE(fs::exists(hub_ / "landing/people/b.csv.part")) << "still being written";
  ASSERT_EQ(out->failed.size(), 1u);
  EXPECT_TRUE(fs::exists(hub_ / "landing/people/failed/c.csv"));
  EXPECT_TRUE(fs::exists(hub_ / "landing/people/failed/c.csv.reason.txt"));
  EXPECT_TRUE(fs::exists(hub_ / "landing/nomap/x.csv")) << "no spec: the file waits";
  EXPECT_EQ(out->warnings.size(), 1u);
}

// The location of the first person record of `key`.
Result<model::Location> LocationOf(store::Store& store, const std::string& source,
                                   const std::string& key) {
  TRY_ASSIGN(auto record, store.GetCurrentSourceRecord(source, key));
  if (!record) return Status::NotFound(key);
  TRY_ASSIGN(auto people, store.ListPersonRecordsForSourceRecord(record->id));
  if (people.empty() || !people[0].location_id) return Status::NotFound(key + ": no location");
  return store.GetLocation(*people[0].location_id);
}

TEST_F(LoaderTest, LoadedLocationsArePlacedByTheirPostcode) {
  Write("in/a.csv", kFile);
  ASSERT_TRUE(Load("people.yaml", "in/a.csv").ok());
  // M1 1AE is not in the compiled-in sample; its district is (central Manchester).
  auto placed = LocationOf(*store_, "people", "1");
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  ASSERT_TRUE(placed->latitude.has_value() && placed->longitude.has_value());
  EXPECT_NEAR(*placed->latitude, 53.48, 0.05);
  EXPECT_NEAR(*placed->longitude, -2.24, 0.05);
  EXPECT_EQ(placed->geo_precision, "district");
  // An invalid postcode is not kept, so there is nothing to place the address by.
  auto unplaced = LocationOf(*store_, "people", "4");
  EXPECT_FALSE(unplaced.ok() && unplaced->latitude.has_value());
}

TEST_F(LoaderTest, LandingZonePlacesLocationsWithTheHubsPostcodeFile) {
  Write("mappings/people.yaml",
        "source: people\nagency: housing\nformat: csv\nrecord_key: Id\npeople:\n  - given: "
        "Given\n    family: Family\n    address: {postcode: Postcode}\n");
  Write("reference/postcodes.csv",
        "postcode,latitude,longitude\nM1 1AE,53.4794,-2.2453\nM1 1AF,north,west\n");
  Write("landing/people/a.csv", "Id,Given,Family,Postcode\n1,Ann,Lee,m11ae\n");
  auto out = ProcessLandingZone(*store_, clock_, (hub_ / "landing").string(),
                                (hub_ / "mappings").string(), hub_.string());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->loaded.size(), 1u);
  ASSERT_EQ(out->warnings.size(), 1u);
  EXPECT_EQ(out->warnings[0].rfind((hub_ / "reference/postcodes.csv").string() + ":3: ", 0), 0u)
      << out->warnings[0];
  auto location = LocationOf(*store_, "people", "1");
  ASSERT_TRUE(location.ok()) << location.status().ToString();
  EXPECT_DOUBLE_EQ(location->latitude.value_or(0), 53.4794);
  EXPECT_DOUBLE_EQ(location->longitude.value_or(0), -2.2453);
  EXPECT_EQ(location->geo_precision, "postcode");

  // A scan with nothing to load does not read the file, so says nothing of it.
  auto idle = ProcessLandingZone(*store_, clock_, (hub_ / "landing").string(),
                                 (hub_ / "mappings").string(), hub_.string());
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->warnings.empty());
}

}  // namespace
}  // namespace tessera::ingest
