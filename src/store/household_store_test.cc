// Households in the store (issue 4): the evidence household resolution reads in bulk, the
// contract of ReplaceHouseholds and the reads, and migration 5 on a version 4 hub.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using testing::kTestEpochMicros;
using testing::MakeHubAtSchemaVersion;
using testing::RawDb;
using testing::TempDir;

class HouseholdStoreTest : public testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    auto txn = Begin();
    auto load = store_->BeginLoad(*txn, "housing", "a.csv", "h", LoadMode::kIncremental);
    ASSERT_TRUE(load.ok());
    load_ = *load;
    model::Location location;
    location.address_text = "1 High Street";
    location.postcode = "M1 1AA";
    home_ = *store_->UpsertLocation(*txn, location);
    location.address_text = "2 High Street";
    flat_ = *store_->UpsertLocation(*txn, location);
    for (const char* name : {"ANN", "BOB", "CAT"}) {
      model::Nominal nominal;
      nominal.name.given = name;
      nominals_.push_back(*store_->CreateNominal(*txn, nominal));
    }
    ASSERT_TRUE(txn->Commit().ok());
  }

  // A person record in source record `key` at `location` (0: none), in events on `dates`.
  model::PersonRecordId Record(Transaction& txn, const std::string& key, model::LocationId location,
                               const std::vector<CivilDate>& dates,
                               const std::string& content = "v1") {
    model::SourceRecord record;
    record.source_id = "housing";
    record.record_key = key;
    record.payload = content;
    record.provenance.load_id = load_;
    record.provenance.content_hash = key + content;
    record.provenance.received_at_micros = kTestEpochMicros;
    auto put = store_->PutSourceRecord(txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    model::PersonRecord person;
    person.source_record_id = put->id;
    person.mention_key = key;
    if (location != 0) person.location_id = location;
    auto id = store_->PutPersonRecord(txn, person);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    for (const CivilDate& date : dates) {
      model::Event event;
      event.source_record_id = put->id;
      event.event_ref = key;
      event.type = "approach";
      event.agency = model::Agency::kHousing;
      event.date = date;
      event.involvements = {{*id, model::Role::kClient}};
      EXPECT_TRUE(store_->PutEvent(txn, event).ok());
    }
    return *id;
  }

  model::Household Household(model::LocationId location, std::vector<model::NominalId> members,
                             model::HouseholdId id = 0) {
    model::Household h;
    h.id = id;
    h.location_id = location;
    h.from = CivilDate{2020, 1, 1};
    for (model::NominalId n : members) {
      model::HouseholdMembership m;
      m.nominal_id = n;
      m.from = CivilDate{2020, 1, 1};
      h.members.push_back(m);
    }
    return h;
  }

  Result<HouseholdWrite> Replace(const std::vector<model::Household>& households) {
    auto txn = Begin();
    auto write = store_->ReplaceHouseholds(*txn, households);
    if (write.ok()) {
      EXPECT_TRUE(txn->Commit().ok());
    }
    return write;
  }

  model::LoadId load_ = 0;
  model::LocationId home_ = 0;
  model::LocationId flat_ = 0;
  std::vector<model::NominalId> nominals_;
};

TEST_F(HouseholdStoreTest, EvidenceGivesEachCurrentRecordItsNominalAddressAndEventDates) {
  auto txn = Begin();
  model::PersonRecordId dated =
      Record(*txn, "r1", home_, {CivilDate{2021, 5, 1}, CivilDate{2019, 2, 3}});
  model::PersonRecordId undated = Record(*txn, "r2", 0, {});
  model::PersonRecordId replaced = Record(*txn, "r3", flat_, {CivilDate{2020, 1, 1}});
  model::PersonRecordId newer = Record(*txn, "r3", flat_, {CivilDate{2020, 2, 1}}, "v2");
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, nominals_[0], dated).ok());
  ASSERT_TRUE(txn->Commit().ok());

  auto evidence = store_->ListPersonAddressEvidence();
  ASSERT_TRUE(evidence.ok()) << evidence.status().ToString();
  std::vector<PersonAddressEvidence> expected = {
      {dated, nominals_[0], home_, CivilDate{2019, 2, 3}, CivilDate{2021, 5, 1}, kTestEpochMicros},
      {undated, 0, std::nullopt, std::nullopt, std::nullopt, kTestEpochMicros},
      {newer, 0, flat_, CivilDate{2020, 2, 1}, CivilDate{2020, 2, 1}, kTestEpochMicros},
  };
  EXPECT_EQ(*evidence, expected) << "record " << replaced << " is no longer current";
}

TEST_F(HouseholdStoreTest, ReplaceCreatesKeepsChangesAndDissolves) {
  auto first =
      Replace({Household(home_, {nominals_[0], nominals_[1]}), Household(flat_, {nominals_[2]})});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->created, 2);
  ASSERT_EQ(first->ids.size(), 2u);
  model::HouseholdId home_id = first->ids[0], flat_id = first->ids[1];

  // Members given out of order are stored by nominal id; the same content writes nothing.
  auto same = Replace({Household(home_, {nominals_[1], nominals_[0]}, home_id),
                       Household(flat_, {nominals_[2]}, flat_id)});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->unchanged, 2);
  EXPECT_EQ(same->ids, (std::vector<model::HouseholdId>{home_id, flat_id}));

  // Bob moves to the flat: both households keep their ids, with new members.
  auto moved = Replace({Household(home_, {nominals_[0]}, home_id),
                        Household(flat_, {nominals_[1], nominals_[2]}, flat_id)});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->changed, 2);
  auto at_flat = store_->ListHouseholdsAtLocation(flat_);
  ASSERT_TRUE(at_flat.ok());
  ASSERT_EQ(at_flat->size(), 1u);
  EXPECT_EQ((*at_flat)[0].members.size(), 2u);
  EXPECT_EQ((*at_flat)[0].members[0].location_id, flat_);
  EXPECT_EQ((*at_flat)[0].members[0].household_id, flat_id);

  // Leaving the flat out dissolves it; it still reads, and can come back with its id.
  auto dissolved = Replace({Household(home_, {nominals_[0]}, home_id)});
  ASSERT_TRUE(dissolved.ok());
  EXPECT_EQ(dissolved->dissolved, 1);
  EXPECT_TRUE(store_->ListHouseholdsAtLocation(flat_)->empty());
  EXPECT_TRUE(store_->ListHouseholdsForNominal(nominals_[2])->empty());
  auto gone = store_->GetHousehold(flat_id);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->dissolved);
  EXPECT_EQ(gone->members.size(), 2u);
  auto back = Replace(
      {Household(home_, {nominals_[0]}, home_id), Household(flat_, {nominals_[2]}, flat_id)});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->changed, 1);
  EXPECT_FALSE(store_->GetHousehold(flat_id)->dissolved);
  EXPECT_EQ(store_->ListHouseholds()->size(), 2u);

  // A new id is never one used before.
  auto fresh = Replace({Household(home_, {nominals_[0]})});
  ASSERT_TRUE(fresh.ok());
  EXPECT_GT(fresh->ids[0], flat_id);
}

TEST_F(HouseholdStoreTest, ReplaceRefusesBadHouseholdsAndWritesNothing) {
  auto code = [&](const std::vector<model::Household>& households) {
    return Replace(households).status().code();
  };
  EXPECT_EQ(code({Household(home_, {})}), StatusCode::kInvalidArgument) << "no members";
  EXPECT_EQ(code({Household(home_, {nominals_[0], nominals_[0]})}), StatusCode::kInvalidArgument);
  model::Household backwards = Household(home_, {nominals_[0]});
  backwards.to = CivilDate{2019, 1, 1};
  EXPECT_EQ(code({backwards}), StatusCode::kInvalidArgument);
  model::Household marked = Household(home_, {nominals_[0]});
  marked.dissolved = true;
  EXPECT_EQ(code({marked}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({Household(home_, {nominals_[0]}, 99)}), StatusCode::kNotFound);
  EXPECT_EQ(code({Household(home_, {nominals_[0]}), Household(999, {nominals_[1]})}),
            StatusCode::kNotFound);
  EXPECT_EQ(code({Household(home_, {12345})}), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListHouseholds()->empty()) << "a failed replace leaves nothing";

  auto first = Replace({Household(home_, {nominals_[0]})});
  ASSERT_TRUE(first.ok());
  model::HouseholdId id = first->ids[0];
  EXPECT_EQ(code({Household(home_, {nominals_[0]}, id), Household(flat_, {nominals_[1]}, id)}),
            StatusCode::kInvalidArgument)
      << "one id twice";

  // Writes need this store's open transaction.
  auto txn = Begin();
  ASSERT_TRUE(txn->Rollback().ok());
  EXPECT_EQ(store_->ReplaceHouseholds(*txn, {}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(HouseholdStoreTest, ReadsOrderByPeriodAndMissIsNotFound) {
  model::Household later = Household(home_, {nominals_[0]});
  later.from = CivilDate{2023, 1, 1};
  model::Household undated = Household(home_, {nominals_[0], nominals_[1]});
  undated.from.reset();
  model::Household earlier = Household(home_, {nominals_[0]});
  auto write = Replace({later, undated, earlier});
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  auto at = store_->ListHouseholdsAtLocation(home_);
  ASSERT_TRUE(at.ok());
  ASSERT_EQ(at->size(), 3u);
  EXPECT_EQ((*at)[0].id, write->ids[2]);
  EXPECT_EQ((*at)[1].id, write->ids[0]);
  EXPECT_EQ((*at)[2].id, write->ids[1]) << "undated last";
  auto of_ann = store_->ListHouseholdsForNominal(nominals_[0]);
  ASSERT_TRUE(of_ann.ok());
  EXPECT_EQ(of_ann->size(), 3u);
  EXPECT_EQ(store_->ListHouseholdsForNominal(nominals_[2])->size(), 0u);

  EXPECT_EQ(store_->GetHousehold(4242).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListHouseholdsForNominal(4242).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListHouseholdsAtLocation(4242).status().code(), StatusCode::kNotFound);
}

TEST(HouseholdMigrationTest, AVersion4HubGetsHouseholdsAndKeepsItsData) {
  TempDir tmp;
  ManualClock clock{kTestEpochMicros};
  std::string hub = tmp.Sub("hub");
  std::string db = hub + "/hub.db";
  MakeHubAtSchemaVersion(hub, clock, 4);
  {
    RawDb raw(db);
    raw.Exec(
        "INSERT INTO locations (id, match_key, address_text) VALUES (3, 'addr:1 HIGH ST|', "
        "'1 High St');"
        "INSERT INTO nominals (id, family, created_at, updated_at) VALUES (7, 'DOE', 1, 1);");
  }
  auto opened = OpenSqliteStore(hub, clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(store.SchemaVersion(), sqlite::LatestSchemaVersion());
  auto migrations = store.ListAppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  ASSERT_EQ(migrations->size(), static_cast<size_t>(sqlite::LatestSchemaVersion()));
  EXPECT_EQ((*migrations)[4].applied_at_micros, kTestEpochMicros);
  EXPECT_NE((*migrations)[4].description.find("households"), std::string::npos);
  EXPECT_EQ(store.GetLocation(3)->address_text, "1 High St");
  EXPECT_TRUE(store.ListHouseholds()->empty());

  model::Household h;
  h.location_id = 3;
  h.members.push_back({0, 7, 0, CivilDate{2020, 1, 1}, std::nullopt});
  auto txn = store.Begin();
  ASSERT_TRUE(txn.ok());
  auto write = store.ReplaceHouseholds(**txn, {h});
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  ASSERT_TRUE((*txn)->Commit().ok());
  auto got = store.GetHousehold(write->ids[0]);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->members.size(), 1u);
  EXPECT_EQ(got->members[0].nominal_id, 7);
}

}  // namespace
}  // namespace tessera::store
