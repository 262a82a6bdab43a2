// What the resolver keeps in the store (issue 4): nominal status, merges, splits and
// retirements with their lineage, the clerical review queue, link decisions, the resolver's
// bookkeeping, its bulk reads, and migration 4, which added them to existing hubs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using testing::kTestEpochMicros;
using testing::RawDb;
using testing::TempDir;
using K = NominalChangeKind;

class ResolutionStoreTest : public testing::HubFixture {
 protected:
  model::LoadId NewLoad(Transaction& txn) {
    auto load = store_->BeginLoad(txn, "police_crime", "a.csv", "hash-" + std::to_string(++loads_),
                                  LoadMode::kIncremental);
    EXPECT_TRUE(load.ok()) << load.status().ToString();
    return load.value_or(0);
  }

  model::SourceRecordId PutRecord(Transaction& txn, const std::string& key, model::LoadId load,
                                  const std::string& content = "v1") {
    model::SourceRecord record;
    record.source_id = "police_crime";
    record.record_key = key;
    record.payload = content;
    record.provenance.load_id = load;
    record.provenance.file = "a.csv";
    record.provenance.content_hash = key + content;
    auto put = store_->PutSourceRecord(txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? put->id : 0;
  }

  model::PersonRecordId PutPerson(Transaction& txn, model::SourceRecordId source_record,
                                  const std::string& mention) {
    model::PersonRecord person;
    person.source_record_id = source_record;
    person.mention_key = mention;
    person.name = {"JANE", "", "DOE", "", ""};
    person.dob = CivilDate{1990, 1, 2};
    person.identifiers = {{model::IdentifierKind::kNhsNumber, "9434765919", true}};
    person.phones = {"+447700900123"};
    person.emails = {"jane@example.org"};
    person.aliases = {{"JANE", "", "SMITH", "", ""}};
    person.raw = {{"forename", "Jane"}, {"surname", "Doe"}};
    person.flags = {{"dob", "looks made up"}};
    auto id = store_->PutPersonRecord(txn, person);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(0);
  }

  // n person records, each in its own source record "k1", "k2"...
  std::vector<model::PersonRecordId> People(Transaction& txn, int n) {
    model::LoadId load = NewLoad(txn);
    std::vector<model::PersonRecordId> out;
    for (int i = 0; i < n; ++i) {
      std::string key = "k" + std::to_string(++records_);
      out.push_back(PutPerson(txn, PutRecord(txn, key, load), key));
    }
    return out;
  }

  model::NominalId NewNominal(Transaction& txn, const std::string& family = "DOE") {
    model::Nominal nominal;
    nominal.name.family = family;
    auto id = store_->CreateNominal(txn, nominal);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(0);
  }

  void Attach(Transaction& txn, model::NominalId nominal, model::PersonRecordId record) {
    Status status = store_->AttachPersonRecord(txn, nominal, record);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }

  // The change feed after `after_seq`, as (nominal, kind) pairs.
  std::vector<std::pair<model::NominalId, NominalChangeKind>> Feed(int64_t after_seq = 0) {
    auto feed = store_->ListNominalChangesAfter(after_seq, 1000);
    EXPECT_TRUE(feed.ok()) << feed.status().ToString();
    std::vector<std::pair<model::NominalId, NominalChangeKind>> out;
    for (const NominalChange& change : feed.value_or(std::vector<NominalChange>{})) {
      out.emplace_back(change.nominal_id, change.kind);
    }
    return out;
  }

  int64_t LastSeq() {
    auto feed = store_->ListNominalChangesAfter(0, 1'000'000);
    return feed.ok() && !feed->empty() ? feed->back().seq : 0;
  }

  NominalStatus StatusOf(model::NominalId id) {
    auto status = store_->GetNominalStatus(id);
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    return status.value_or(NominalStatus::kLive);
  }

  std::vector<std::string> LineageKinds(model::NominalId id) {
    auto lineage = store_->ListNominalLineage(id);
    EXPECT_TRUE(lineage.ok()) << lineage.status().ToString();
    std::vector<std::string> out;
    for (const NominalLineage& step : lineage.value_or(std::vector<NominalLineage>{})) {
      out.push_back(step.kind + ":" + std::to_string(step.from) + ">" + std::to_string(step.to));
    }
    return out;
  }

  static std::string Step(const std::string& kind, model::NominalId from, model::NominalId to) {
    return kind + ":" + std::to_string(from) + ">" + std::to_string(to);
  }

  int loads_ = 0;
  int records_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Names

TEST(ResolutionNames, VocabulariesHaveTheirStoredNames) {
  EXPECT_EQ(NominalChangeKindName(K::kMerged), "merged");
  EXPECT_EQ(NominalChangeKindName(K::kSplit), "split");
  EXPECT_EQ(NominalChangeKindName(K::kRetired), "retired");
  EXPECT_EQ(NominalStatusName(NominalStatus::kLive), "live");
  EXPECT_EQ(NominalStatusName(NominalStatus::kMerged), "merged");
  EXPECT_EQ(NominalStatusName(NominalStatus::kRetired), "retired");
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kOpen), "open");
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kAccepted), "accepted");
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kRejected), "rejected");
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kStale), "stale");
  EXPECT_EQ(LinkDecisionKindName(LinkDecisionKind::kMustLink), "must_link");
  EXPECT_EQ(LinkDecisionKindName(LinkDecisionKind::kCannotLink), "cannot_link");
}

// ---------------------------------------------------------------------------------------------
// Bulk reads

TEST_F(ResolutionStoreTest, ResolutionReadsLeaveOutRawValuesAndFlags) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::PersonRecordId a = PutPerson(*txn, PutRecord(*txn, "a", load), "a");
  model::PersonRecordId b = PutPerson(*txn, PutRecord(*txn, "b", load), "b");
  model::PersonRecordId c = PutPerson(*txn, PutRecord(*txn, "c", load), "c");
  ASSERT_TRUE(store_->DeleteSourceRecord(*txn, "police_crime", "b", load).ok());
  ASSERT_TRUE(txn->Commit().ok());

  auto full = store_->ListPersonRecordsAfter(0, 10);
  auto fast = store_->ListPersonRecordsForResolution(0, 10);
  ASSERT_TRUE(full.ok() && fast.ok());
  ASSERT_EQ(fast->size(), 2u) << "only current, not deleted records";
  ASSERT_EQ(full->size(), 2u);
  EXPECT_EQ((*fast)[0].id, a);
  EXPECT_EQ((*fast)[1].id, c);
  for (size_t i = 0; i < fast->size(); ++i) {
    const model::PersonRecord& f = (*fast)[i];
    model::PersonRecord expected = (*full)[i];
    EXPECT_FALSE(expected.raw.empty());
    EXPECT_FALSE(expected.flags.empty());
    EXPECT_TRUE(f.raw.empty());
    EXPECT_TRUE(f.flags.empty());
    expected.raw.clear();
    expected.flags.clear();
    EXPECT_EQ(f.name.family, expected.name.family);
    EXPECT_EQ(f.dob, expected.dob);
    ASSERT_EQ(f.identifiers.size(), 1u);
    EXPECT_EQ(f.identifiers[0].value, "9434765919");
    EXPECT_TRUE(f.identifiers[0].valid);
    EXPECT_EQ(f.phones, expected.phones);
    EXPECT_EQ(f.emails, expected.emails);
    ASSERT_EQ(f.aliases.size(), 1u);
    EXPECT_EQ(f.aliases[0].family, "SMITH");
  }
  auto page = store_->ListPersonRecordsForResolution(a, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, c);
  EXPECT_EQ(store_->ListPersonRecordsForResolution(0, 0).status().code(),
            StatusCode::kInvalidArgument);
  (void)b;
}

TEST_F(ResolutionStoreTest, LocationsArePagedById) {
  auto txn = Begin();
  std::vector<model::LocationId> ids;
  for (int i = 0; i < 5; ++i) {
    model::Location location;
    location.uprn = std::to_string(1000 + i);
    location.postcode = "LS1 1AA";
    location.latitude = 53.8 + i;
    location.longitude = -1.5;
    auto id = store_->UpsertLocation(*txn, location);
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  ASSERT_TRUE(txn->Commit().ok());
  std::vector<model::LocationId> seen;
  model::LocationId after = 0;
  while (true) {
    auto page = store_->ListLocationsAfter(after, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const model::Location& l : *page) seen.push_back(l.id);
    after = page->back().id;
  }
  EXPECT_EQ(seen, ids);
  auto first = store_->ListLocationsAfter(0, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)[0].uprn, "1000");
  EXPECT_EQ((*first)[0].postcode, "LS1 1AA");
  EXPECT_EQ((*first)[0].latitude, 53.8);
  EXPECT_EQ(store_->ListLocationsAfter(0, -1).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Assignments

TEST_F(ResolutionStoreTest, AssignmentsListEveryAttachedRecordInOrder) {
  auto txn = Begin();
  auto p = People(*txn, 4);
  model::NominalId n1 = NewNominal(*txn);
  model::NominalId n2 = NewNominal(*txn);
  Attach(*txn, n2, p[2]);
  Attach(*txn, n1, p[0]);
  Attach(*txn, n2, p[1]);
  ASSERT_TRUE(txn->Commit().ok());
  auto assignments = store_->ListNominalAssignments();
  ASSERT_TRUE(assignments.ok());
  EXPECT_EQ(*assignments, (std::vector<NominalAssignment>{{p[0], n1}, {p[1], n2}, {p[2], n2}}));
  auto retired = store_->ListRetiredAssignments();
  ASSERT_TRUE(retired.ok());
  EXPECT_TRUE(retired->empty());
}

TEST_F(ResolutionStoreTest, RecordsOfANewVersionOrATombstoneAreRetiredAssignments) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::PersonRecordId a1 = PutPerson(*txn, PutRecord(*txn, "a", load), "a");
  model::PersonRecordId b1 = PutPerson(*txn, PutRecord(*txn, "b", load), "b");
  model::PersonRecordId c1 = PutPerson(*txn, PutRecord(*txn, "c", load), "c");
  model::NominalId n = NewNominal(*txn);
  model::NominalId m = NewNominal(*txn);
  Attach(*txn, n, a1);
  Attach(*txn, n, b1);
  Attach(*txn, m, c1);
  ASSERT_TRUE(txn->Commit().ok());

  txn = Begin();
  model::LoadId load2 = NewLoad(*txn);
  // "a" changes: its new version has a new person record, not yet resolved.
  model::PersonRecordId a2 = PutPerson(*txn, PutRecord(*txn, "a", load2, "v2"), "a");
  // "c" is deleted.
  ASSERT_TRUE(store_->DeleteSourceRecord(*txn, "police_crime", "c", load2).ok());
  // "b" is sent again unchanged: still current.
  PutRecord(*txn, "b", load2);
  ASSERT_TRUE(txn->Commit().ok());

  auto retired = store_->ListRetiredAssignments();
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  EXPECT_EQ(*retired, (std::vector<NominalAssignment>{{a1, n}, {c1, m}}));

  // The resolver takes them away and resolves the new version.
  int64_t seq = LastSeq();
  txn = Begin();
  ASSERT_TRUE(store_->DetachPersonRecord(*txn, a1).ok());
  ASSERT_TRUE(store_->DetachPersonRecord(*txn, c1).ok());
  Attach(*txn, n, a2);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_TRUE(store_->ListRetiredAssignments()->empty());
  EXPECT_EQ(*store_->ListNominalAssignments(), (std::vector<NominalAssignment>{{b1, n}, {a2, n}}));
  EXPECT_EQ(Feed(seq),
            (std::vector<std::pair<model::NominalId, NominalChangeKind>>{
                {n, K::kRecordsChanged}, {m, K::kRecordsChanged}, {n, K::kRecordsChanged}}));
}

TEST_F(ResolutionStoreTest, DetachingAnUnattachedRecordChangesNothing) {
  auto txn = Begin();
  auto p = People(*txn, 1);
  int64_t seq = LastSeq();
  EXPECT_TRUE(store_->DetachPersonRecord(*txn, p[0]).ok());
  EXPECT_TRUE(Feed(seq).empty());
  EXPECT_EQ(store_->DetachPersonRecord(*txn, p[0] + 100).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DetachPersonRecord(*txn, 0).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(store_->DetachPersonRecord(*txn, p[0]).code(), StatusCode::kFailedPrecondition)
      << "writes need the open transaction";
}

TEST_F(ResolutionStoreTest, ARecordMovesBetweenNominalsAndIsFoundWhereItIs) {
  auto txn = Begin();
  auto p = People(*txn, 1);
  model::NominalId n1 = NewNominal(*txn);
  model::NominalId n2 = NewNominal(*txn);
  Attach(*txn, n1, p[0]);
  int64_t seq = LastSeq();
  Attach(*txn, n1, p[0]);
  EXPECT_TRUE(Feed(seq).empty()) << "attaching where it is changes nothing";
  Attach(*txn, n2, p[0]);
  EXPECT_EQ(Feed(seq), (std::vector<std::pair<model::NominalId, NominalChangeKind>>{
                           {n1, K::kRecordsChanged}, {n2, K::kRecordsChanged}}));
  EXPECT_EQ(store_->FindNominalForPersonRecord(p[0])->value_or(0), n2);
  EXPECT_TRUE(store_->GetNominal(n1)->records.empty());
}

// ---------------------------------------------------------------------------------------------
// Merges

TEST_F(ResolutionStoreTest, AMergedNominalRedirectsToItsSurvivor) {
  auto txn = Begin();
  auto p = People(*txn, 2);
  model::NominalId survivor = NewNominal(*txn, "DOE");
  model::NominalId absorbed = NewNominal(*txn, "DOE-SMITH");
  Attach(*txn, survivor, p[0]);
  Attach(*txn, absorbed, p[1]);

  Status refused = store_->MergeNominals(*txn, survivor, absorbed, "same NHS number");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << "it still holds a record";
  EXPECT_NE(refused.message().find("move them"), std::string::npos) << refused.message();

  int64_t seq = LastSeq();
  Attach(*txn, survivor, p[1]);
  clock_.Advance(5);
  ASSERT_TRUE(store_->MergeNominals(*txn, survivor, absorbed, "same NHS number").ok());
  ASSERT_TRUE(txn->Commit().ok());

  EXPECT_EQ(
      Feed(seq),
      (std::vector<std::pair<model::NominalId, NominalChangeKind>>{
          {absorbed, K::kRecordsChanged}, {survivor, K::kRecordsChanged}, {absorbed, K::kMerged}}));
  EXPECT_EQ(StatusOf(absorbed), NominalStatus::kMerged);
  EXPECT_EQ(StatusOf(survivor), NominalStatus::kLive);
  EXPECT_EQ(*store_->ResolveNominalId(absorbed), survivor);
  EXPECT_EQ(*store_->ResolveNominalId(survivor), survivor);

  // The merged nominal's row is still there, as it was left.
  auto old = store_->GetNominal(absorbed);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->name.family, "DOE-SMITH");
  EXPECT_TRUE(old->records.empty());
  EXPECT_EQ(store_->GetNominal(survivor)->records,
            (std::vector<model::PersonRecordId>{p[0], p[1]}));

  auto lineage = store_->ListNominalLineage(absorbed);
  ASSERT_TRUE(lineage.ok());
  ASSERT_EQ(lineage->size(), 1u);
  EXPECT_EQ((*lineage)[0].kind, "merged");
  EXPECT_EQ((*lineage)[0].from, absorbed);
  EXPECT_EQ((*lineage)[0].to, survivor);
  EXPECT_EQ((*lineage)[0].reason, "same NHS number");
  EXPECT_EQ((*lineage)[0].at_micros, kTestEpochMicros + 5);
  EXPECT_EQ(*store_->ListNominalLineage(survivor), *lineage) << "both directions";
  EXPECT_EQ(store_->Counts()->nominals, 1) << "live nominals only";
}

TEST_F(ResolutionStoreTest, MergeRedirectsChain) {
  auto txn = Begin();
  model::NominalId a = NewNominal(*txn);
  model::NominalId b = NewNominal(*txn);
  model::NominalId c = NewNominal(*txn);
  ASSERT_TRUE(store_->MergeNominals(*txn, b, a, "a is b").ok());
  ASSERT_TRUE(store_->MergeNominals(*txn, c, b, "b is c").ok());
  ASSERT_TRUE(txn->Commit().ok());

  EXPECT_EQ(*store_->ResolveNominalId(a), c);
  EXPECT_EQ(*store_->ResolveNominalId(b), c);
  EXPECT_EQ(*store_->ResolveNominalId(c), c);
  EXPECT_EQ(LineageKinds(b),
            (std::vector<std::string>{Step("merged", a, b), Step("merged", b, c)}));
  EXPECT_EQ(LineageKinds(a), (std::vector<std::string>{Step("merged", a, b)}));
  EXPECT_EQ(LineageKinds(c), (std::vector<std::string>{Step("merged", b, c)}));
  EXPECT_EQ(store_->ResolveNominalId(c + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListNominalLineage(c + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Counts()->nominals, 1);
}

TEST_F(ResolutionStoreTest, MergeRefusesWhatCannotBeMerged) {
  auto txn = Begin();
  auto p = People(*txn, 1);
  model::NominalId a = NewNominal(*txn);
  model::NominalId b = NewNominal(*txn);
  model::NominalId c = NewNominal(*txn);
  EXPECT_EQ(store_->MergeNominals(*txn, a, a, "why").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->MergeNominals(*txn, a, b, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->MergeNominals(*txn, a, c + 100, "why").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->MergeNominals(*txn, c + 100, a, "why").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->MergeNominals(*txn, a, b, "b is a").ok());
  // b is a redirect now: nothing more can be written to it or merged with it.
  EXPECT_EQ(store_->MergeNominals(*txn, b, c, "why").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->MergeNominals(*txn, a, b, "again").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AttachPersonRecord(*txn, b, p[0]).code(), StatusCode::kFailedPrecondition);
  model::Nominal update;
  update.id = b;
  EXPECT_EQ(store_->UpdateNominal(*txn, update).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RecordSplit(*txn, b, c, "why").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RetireNominal(*txn, b, "why").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(LineageKinds(b), (std::vector<std::string>{Step("merged", b, a)}))
      << "refused calls left nothing";
}

// ---------------------------------------------------------------------------------------------
// Splits and retirement

TEST_F(ResolutionStoreTest, ASplitIsRecordedOnBothNominals) {
  auto txn = Begin();
  auto p = People(*txn, 2);
  model::NominalId from = NewNominal(*txn);
  Attach(*txn, from, p[0]);
  Attach(*txn, from, p[1]);
  ASSERT_TRUE(txn->Commit().ok());

  int64_t seq = LastSeq();
  txn = Begin();
  model::NominalId to = NewNominal(*txn);
  Attach(*txn, to, p[1]);
  ASSERT_TRUE(store_->RecordSplit(*txn, from, to, "record k2 corrected: different DOB").ok());
  EXPECT_EQ(store_->RecordSplit(*txn, from, from, "why").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RecordSplit(*txn, from, to, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RecordSplit(*txn, from, to + 100, "why").code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());

  EXPECT_EQ(Feed(seq),
            (std::vector<std::pair<model::NominalId, NominalChangeKind>>{{to, K::kCreated},
                                                                         {from, K::kRecordsChanged},
                                                                         {to, K::kRecordsChanged},
                                                                         {from, K::kSplit},
                                                                         {to, K::kSplit}}));
  auto lineage = store_->ListNominalLineage(to);
  ASSERT_TRUE(lineage.ok());
  ASSERT_EQ(lineage->size(), 1u);
  EXPECT_EQ((*lineage)[0].kind, "split");
  EXPECT_EQ((*lineage)[0].from, from);
  EXPECT_EQ((*lineage)[0].to, to);
  EXPECT_EQ((*lineage)[0].reason, "record k2 corrected: different DOB");
  EXPECT_EQ(*store_->ListNominalLineage(from), *lineage);
  EXPECT_EQ(StatusOf(from), NominalStatus::kLive);
  EXPECT_EQ(StatusOf(to), NominalStatus::kLive);
  EXPECT_EQ(*store_->ResolveNominalId(from), from) << "a split does not redirect";
}

TEST_F(ResolutionStoreTest, ANominalLeftWithoutRecordsIsRetired) {
  auto txn = Begin();
  auto p = People(*txn, 1);
  model::NominalId n = NewNominal(*txn);
  Attach(*txn, n, p[0]);
  EXPECT_EQ(store_->RetireNominal(*txn, n, "records deleted").code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->DetachPersonRecord(*txn, p[0]).ok());
  EXPECT_EQ(store_->RetireNominal(*txn, n, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RetireNominal(*txn, n + 100, "why").code(), StatusCode::kNotFound);
  int64_t seq = LastSeq();
  ASSERT_TRUE(store_->RetireNominal(*txn, n, "all its records were deleted").ok());
  EXPECT_EQ(store_->RetireNominal(*txn, n, "again").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AttachPersonRecord(*txn, n, p[0]).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(txn->Commit().ok());

  EXPECT_EQ(Feed(seq),
            (std::vector<std::pair<model::NominalId, NominalChangeKind>>{{n, K::kRetired}}));
  EXPECT_EQ(StatusOf(n), NominalStatus::kRetired);
  EXPECT_EQ(*store_->ResolveNominalId(n), n) << "no live nominal: the retired id itself";
  auto lineage = store_->ListNominalLineage(n);
  ASSERT_TRUE(lineage.ok());
  ASSERT_EQ(lineage->size(), 1u);
  EXPECT_EQ((*lineage)[0].kind, "retired");
  EXPECT_EQ((*lineage)[0].from, n);
  EXPECT_EQ((*lineage)[0].to, 0);
  EXPECT_EQ((*lineage)[0].reason, "all its records were deleted");
  EXPECT_TRUE(store_->GetNominal(n).ok()) << "a retired nominal can still be read";
  EXPECT_EQ(store_->Counts()->nominals, 0);
  EXPECT_EQ(store_->GetNominalStatus(n + 100).status().code(), StatusCode::kNotFound);
}

TEST_F(ResolutionStoreTest, AFailedMergeLeavesNothingBehind) {
  auto txn = Begin();
  model::NominalId a = NewNominal(*txn);
  model::NominalId b = NewNominal(*txn);
  int64_t seq = LastSeq();
  EXPECT_FALSE(store_->MergeNominals(*txn, a + 100, b, "why").ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_TRUE(Feed(seq).empty());
  EXPECT_EQ(StatusOf(b), NominalStatus::kLive);
  EXPECT_TRUE(store_->ListNominalLineage(b)->empty());
}

// ---------------------------------------------------------------------------------------------
// Clerical review

TEST_F(ResolutionStoreTest, ReviewPairsAreQueuedOncePerPair) {
  auto txn = Begin();
  auto p = People(*txn, 3);
  auto first = store_->PutReviewPair(*txn, p[1], p[0], 0.6, 1.5);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_.Advance(7);
  auto again = store_->PutReviewPair(*txn, p[0], p[1], 0.7, 2.5);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first) << "the same pair, in either order";
  auto other = store_->PutReviewPair(*txn, p[0], p[2], 0.5, 0.0);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
  ASSERT_TRUE(txn->Commit().ok());

  auto pair = store_->GetReviewPair(*first);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->a, p[0]);
  EXPECT_EQ(pair->b, p[1]);
  EXPECT_EQ(pair->probability, 0.7) << "scores updated while open";
  EXPECT_EQ(pair->match_weight, 2.5);
  EXPECT_EQ(pair->status, ReviewStatus::kOpen);
  EXPECT_EQ(pair->created_at_micros, kTestEpochMicros);
  EXPECT_TRUE(pair->decided_by.empty());
  EXPECT_FALSE(pair->decided_at_micros.has_value());
  EXPECT_EQ(store_->Counts()->review_open, 2);
  EXPECT_EQ(store_->GetReviewPair(*other + 100).status().code(), StatusCode::kNotFound);
}

TEST_F(ResolutionStoreTest, PutReviewPairRejectsBadInput) {
  auto txn = Begin();
  auto p = People(*txn, 2);
  EXPECT_EQ(store_->PutReviewPair(*txn, p[0], p[0], 0.5, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutReviewPair(*txn, p[0], p[1], 1.5, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutReviewPair(*txn, p[0], p[1], std::nan(""), 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutReviewPair(*txn, p[0], p[1], 0.5, INFINITY).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutReviewPair(*txn, p[0], p[1] + 100, 0.5, 0).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->PutReviewPair(*txn, 0, p[1], 0.5, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ResolutionStoreTest, ADecidedPairIsNotReopened) {
  auto txn = Begin();
  auto p = People(*txn, 2);
  int64_t id = store_->PutReviewPair(*txn, p[0], p[1], 0.6, 1.0).value_or(0);
  clock_.Advance(100);
  EXPECT_EQ(store_->DecideReviewPair(*txn, id, ReviewStatus::kAccepted, "cli:alice", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DecideReviewPair(*txn, id, ReviewStatus::kAccepted, "", "why").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DecideReviewPair(*txn, id, ReviewStatus::kStale, "cli:alice", "why").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->DecideReviewPair(*txn, id + 100, ReviewStatus::kAccepted, "cli:alice", "why").code(),
      StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->DecideReviewPair(*txn, id, ReviewStatus::kRejected, "cli:alice",
                                     "twins: same DOB, different NHS numbers")
                  .ok());
  EXPECT_EQ(
      store_->DecideReviewPair(*txn, id, ReviewStatus::kAccepted, "cli:bob", "changed mind").code(),
      StatusCode::kFailedPrecondition);

  // The resolver scores the pair again: the decision stands.
  auto put = store_->PutReviewPair(*txn, p[1], p[0], 0.9, 4.0);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(*put, id);
  EXPECT_EQ(store_->MarkReviewPairStale(*txn, id).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(txn->Commit().ok());

  auto pair = store_->GetReviewPair(id);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->status, ReviewStatus::kRejected);
  EXPECT_EQ(pair->probability, 0.6) << "scores of a decided pair are not touched";
  EXPECT_EQ(pair->decided_by, "cli:alice");
  EXPECT_EQ(pair->reason, "twins: same DOB, different NHS numbers");
  EXPECT_EQ(pair->decided_at_micros, kTestEpochMicros + 100);
  EXPECT_EQ(store_->Counts()->review_open, 0);
}

TEST_F(ResolutionStoreTest, AStalePairCanBeReopenedOrDecided) {
  auto txn = Begin();
  auto p = People(*txn, 3);
  int64_t id = store_->PutReviewPair(*txn, p[0], p[1], 0.6, 1.0).value_or(0);
  ASSERT_TRUE(store_->MarkReviewPairStale(*txn, id).ok());
  ASSERT_TRUE(store_->MarkReviewPairStale(*txn, id).ok()) << "stale stays stale";
  EXPECT_EQ(store_->MarkReviewPairStale(*txn, id + 100).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetReviewPair(id)->status, ReviewStatus::kStale);
  EXPECT_EQ(store_->Counts()->review_open, 0);

  // Borderline again: open again, with the new scores.
  ASSERT_EQ(store_->PutReviewPair(*txn, p[0], p[1], 0.55, 0.5).value_or(0), id);
  EXPECT_EQ(store_->GetReviewPair(id)->status, ReviewStatus::kOpen);
  EXPECT_EQ(store_->GetReviewPair(id)->probability, 0.55);

  int64_t other = store_->PutReviewPair(*txn, p[0], p[2], 0.6, 1.0).value_or(0);
  ASSERT_TRUE(store_->MarkReviewPairStale(*txn, other).ok());
  ASSERT_TRUE(
      store_->DecideReviewPair(*txn, other, ReviewStatus::kAccepted, "cli:alice", "same person")
          .ok())
      << "a person may still decide a stale pair";
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(store_->GetReviewPair(other)->status, ReviewStatus::kAccepted);
}

TEST_F(ResolutionStoreTest, ReviewPairsAreListedByIdAndStatus) {
  auto txn = Begin();
  auto p = People(*txn, 5);
  std::vector<int64_t> ids;
  for (int i = 1; i < 5; ++i)
    ids.push_back(store_->PutReviewPair(*txn, p[0], p[i], 0.5, 0).value());
  ASSERT_TRUE(
      store_->DecideReviewPair(*txn, ids[1], ReviewStatus::kAccepted, "cli:alice", "same").ok());
  ASSERT_TRUE(store_->MarkReviewPairStale(*txn, ids[2]).ok());
  ASSERT_TRUE(txn->Commit().ok());

  auto ids_of = [&](const ReviewQuery& query) {
    auto pairs = store_->ListReviewPairs(query);
    EXPECT_TRUE(pairs.ok()) << pairs.status().ToString();
    std::vector<int64_t> out;
    for (const ReviewPair& pair : pairs.value_or(std::vector<ReviewPair>{})) out.push_back(pair.id);
    return out;
  };
  ReviewQuery all;
  EXPECT_EQ(ids_of(all), ids);
  ReviewQuery open;
  open.status = ReviewStatus::kOpen;
  EXPECT_EQ(ids_of(open), (std::vector<int64_t>{ids[0], ids[3]}));
  open.after_id = ids[0];
  EXPECT_EQ(ids_of(open), (std::vector<int64_t>{ids[3]}));
  ReviewQuery accepted;
  accepted.status = ReviewStatus::kAccepted;
  EXPECT_EQ(ids_of(accepted), (std::vector<int64_t>{ids[1]}));
  ReviewQuery page;
  page.limit = 2;
  EXPECT_EQ(ids_of(page), (std::vector<int64_t>{ids[0], ids[1]}));
  page.limit = 0;
  EXPECT_EQ(store_->ListReviewPairs(page).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Link decisions

TEST_F(ResolutionStoreTest, LinkDecisionsAreKeptInOrderWithTheirHistory) {
  auto txn = Begin();
  auto p = People(*txn, 3);
  int64_t review = store_->PutReviewPair(*txn, p[0], p[1], 0.6, 1.0).value_or(0);
  ASSERT_TRUE(
      store_->DecideReviewPair(*txn, review, ReviewStatus::kRejected, "cli:alice", "twins").ok());

  LinkDecision cannot;
  cannot.a = p[1];  // either order
  cannot.b = p[0];
  cannot.kind = LinkDecisionKind::kCannotLink;
  cannot.actor = "cli:alice";
  cannot.reason = "twins";
  cannot.review_pair_id = review;
  cannot.id = 999;           // ignored
  cannot.at_micros = 12345;  // ignored
  auto first = store_->AddLinkDecision(*txn, cannot);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_.Advance(50);
  LinkDecision must;
  must.a = p[0];
  must.b = p[1];
  must.kind = LinkDecisionKind::kMustLink;
  must.actor = "cli:bob";
  must.reason = "checked with the GP: one person";
  auto second = store_->AddLinkDecision(*txn, must);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);
  ASSERT_TRUE(txn->Commit().ok());

  auto decisions = store_->ListLinkDecisions();
  ASSERT_TRUE(decisions.ok()) << decisions.status().ToString();
  ASSERT_EQ(decisions->size(), 2u) << "a later decision supersedes, and the earlier one stays";
  const LinkDecision& d0 = (*decisions)[0];
  EXPECT_EQ(d0.id, *first);
  EXPECT_EQ(d0.a, p[0]);
  EXPECT_EQ(d0.b, p[1]);
  EXPECT_EQ(d0.kind, LinkDecisionKind::kCannotLink);
  EXPECT_EQ(d0.actor, "cli:alice");
  EXPECT_EQ(d0.reason, "twins");
  EXPECT_EQ(d0.at_micros, kTestEpochMicros);
  EXPECT_EQ(d0.review_pair_id, review);
  const LinkDecision& d1 = (*decisions)[1];
  EXPECT_EQ(d1.kind, LinkDecisionKind::kMustLink);
  EXPECT_EQ(d1.at_micros, kTestEpochMicros + 50);
  EXPECT_FALSE(d1.review_pair_id.has_value());
}

TEST_F(ResolutionStoreTest, AddLinkDecisionRejectsBadInput) {
  auto txn = Begin();
  auto p = People(*txn, 3);
  int64_t review = store_->PutReviewPair(*txn, p[0], p[1], 0.6, 1.0).value_or(0);
  LinkDecision d;
  d.a = p[0];
  d.b = p[2];
  d.kind = LinkDecisionKind::kMustLink;
  d.actor = "cli:alice";
  d.reason = "why";

  LinkDecision bad = d;
  bad.actor.clear();
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  bad = d;
  bad.reason.clear();
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  bad = d;
  bad.b = bad.a;
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  bad = d;
  bad.review_pair_id = review;  // the review is of p0 and p1, not p0 and p2
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  bad = d;
  bad.review_pair_id = review + 100;
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kNotFound);
  bad = d;
  bad.b = p[2] + 100;
  EXPECT_EQ(store_->AddLinkDecision(*txn, bad).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->AddLinkDecision(*txn, d).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(store_->ListLinkDecisions()->size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Resolver bookkeeping

TEST_F(ResolutionStoreTest, ResolverStateIsASmallKeyValueStore) {
  auto missing = store_->GetResolverState("cursor");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto txn = Begin();
  ASSERT_TRUE(store_->PutResolverState(*txn, "cursor", "42").ok());
  ASSERT_TRUE(store_->PutResolverState(*txn, "model_hash", "abc").ok());
  EXPECT_EQ(store_->PutResolverState(*txn, "", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetResolverState("cursor")->value_or(""), "42") << "seen inside the txn";
  ASSERT_TRUE(txn->Commit().ok());

  txn = Begin();
  ASSERT_TRUE(store_->PutResolverState(*txn, "cursor", "43").ok());
  ASSERT_TRUE(store_->PutResolverState(*txn, "empty", "").ok());
  ASSERT_TRUE(txn->Commit().ok());
  txn = Begin();
  ASSERT_TRUE(store_->PutResolverState(*txn, "cursor", "44").ok());
  ASSERT_TRUE(txn->Rollback().ok());

  Reopen();
  EXPECT_EQ(store_->GetResolverState("cursor")->value_or(""), "43");
  EXPECT_EQ(store_->GetResolverState("model_hash")->value_or(""), "abc");
  auto empty = store_->GetResolverState("empty");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ(**empty, "");
}

// ---------------------------------------------------------------------------------------------
// The batch resolver's write path, in an all-or-nothing transaction

TEST_F(ResolutionStoreTest, ABatchOfNominalsAndAttachmentsCommitsWhole) {
  std::vector<model::PersonRecordId> p;
  {
    auto txn = Begin();
    p = People(*txn, 50);
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto txn = store_->Begin(Store::TransactionMode::kAllOrNothing);
  ASSERT_TRUE(txn.ok());
  std::vector<model::NominalId> nominals;
  for (model::PersonRecordId record : p) {
    model::NominalId n = NewNominal(**txn);
    Attach(**txn, n, record);
    nominals.push_back(n);
  }
  ASSERT_TRUE((*txn)->Commit().ok());
  auto assignments = store_->ListNominalAssignments();
  ASSERT_TRUE(assignments.ok());
  ASSERT_EQ(assignments->size(), p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ((*assignments)[i], (NominalAssignment{p[i], nominals[i]}));
  }
  EXPECT_EQ(store_->Counts()->nominals, 50);
  EXPECT_EQ(store_->ListNominalChangesAfter(0, 1000)->size(), 100u);
}

// ---------------------------------------------------------------------------------------------
// Migration 4 on a hub made at schema version 3

class ResolutionMigrationTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return tmp_.Sub("hub/hub.db"); }

  // A hub whose store was made by a binary whose last migration was 3, holding a nominal with
  // a record, as such a binary would have left it.
  void MakeVersion3Hub() {
    testing::MakeHubAtSchemaVersion(tmp_.Sub("hub"), clock_, 3);
    RawDb raw(DbPath());
    raw.Exec(
        "INSERT INTO loads (id, source_id, file, file_hash, mode, status, started_at) VALUES "
        "(1, 'police_crime', 'a.csv', 'h', 'incremental', 'completed', 1);"
        "INSERT INTO source_records (id, source_id, record_key, version, is_current, is_deleted, "
        "load_id, file, line, byte_offset, received_at, content_hash, payload) VALUES "
        "(1, 'police_crime', 'r1', 1, 1, 0, 1, 'a.csv', 2, 0, 1, 'c', '{}');"
        "INSERT INTO person_records (id, source_record_id, mention_key, role, family) VALUES "
        "(1, 1, 'r1', 'subject', 'DOE');"
        "INSERT INTO nominals (id, family, created_at, updated_at) VALUES (7, 'DOE', 1, 1);"
        "INSERT INTO nominal_records VALUES (1, 7, 1);"
        "INSERT INTO nominal_changes (nominal_id, kind, at) VALUES (7, 'created', 1);");
  }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
};

TEST_F(ResolutionMigrationTest, AVersion3HubIsMigratedWithItsNominalsLive) {
  MakeVersion3Hub();

  OpenOptions no_migrations;
  no_migrations.apply_migrations = false;
  auto refused = OpenSqliteStore(tmp_.Sub("hub"), clock_, no_migrations);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);

  auto opened = OpenSqliteStore(tmp_.Sub("hub"), clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(store.SchemaVersion(), sqlite::LatestSchemaVersion());
  auto migrations = store.ListAppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  ASSERT_GE(migrations->size(), 4u);
  EXPECT_EQ((*migrations)[3].version, 4);
  EXPECT_EQ((*migrations)[3].applied_at_micros, kTestEpochMicros);
  EXPECT_NE((*migrations)[3].description.find("resolution"), std::string::npos);

  // What was there is still there, and the old nominal is live.
  EXPECT_EQ(*store.GetNominalStatus(7), NominalStatus::kLive);
  EXPECT_EQ(*store.ResolveNominalId(7), 7);
  EXPECT_EQ(store.GetNominal(7)->records, std::vector<model::PersonRecordId>{1});
  EXPECT_EQ(*store.ListNominalAssignments(), (std::vector<NominalAssignment>{{1, 7}}));
  EXPECT_TRUE(store.ListNominalLineage(7)->empty());
  auto counts = store.Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->nominals, 1);
  EXPECT_EQ(counts->review_open, 0);

  // And the new tables work.
  auto txn = store.Begin();
  ASSERT_TRUE(txn.ok());
  model::Nominal nominal;
  auto survivor = store.CreateNominal(**txn, nominal);
  ASSERT_TRUE(survivor.ok());
  ASSERT_TRUE(store.AttachPersonRecord(**txn, *survivor, 1).ok());
  ASSERT_TRUE(store.MergeNominals(**txn, *survivor, 7, "migrated and merged").ok());
  ASSERT_TRUE(store.PutResolverState(**txn, "cursor", "1").ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(*store.ResolveNominalId(7), *survivor);
  auto feed = store.ListNominalChangesAfter(0, 100);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->front().kind, K::kCreated);
  EXPECT_EQ(feed->back().kind, K::kMerged);

  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), sqlite::LatestSchemaVersion());
  for (const char* table :
       {"nominal_lineage", "review_pairs", "link_decisions", "resolver_state"}) {
    EXPECT_EQ(raw.QueryInt(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                       "AND name = '") +
                           table + "'"),
              1)
        << table;
  }
}

}  // namespace
}  // namespace tessera::store

namespace tessera::store {
namespace {

class GroupWriteTest : public ResolutionStoreTest {};

TEST_F(GroupWriteTest, AttachingAGroupRecordsOneChangePerNominal) {
  auto txn = Begin();
  std::vector<model::PersonRecordId> people = People(*txn, 4);
  model::NominalId old_home = NewNominal(*txn);
  model::NominalId target = NewNominal(*txn);
  Attach(*txn, old_home, people[0]);
  Attach(*txn, target, people[3]);
  ASSERT_TRUE(txn->Commit().ok());
  int64_t seq = LastSeq();

  txn = Begin();
  ASSERT_TRUE(store_->AttachPersonRecords(*txn, target, people).ok());
  ASSERT_TRUE(txn->Commit().ok());
  for (model::PersonRecordId p : people) {
    EXPECT_EQ(*store_->FindNominalForPersonRecord(p), std::optional<model::NominalId>(target));
  }
  std::vector<std::pair<model::NominalId, NominalChangeKind>> expected = {
      {old_home, NominalChangeKind::kRecordsChanged}, {target, NominalChangeKind::kRecordsChanged}};
  EXPECT_EQ(Feed(seq), expected);

  // Attaching them where they are changes nothing.
  seq = LastSeq();
  txn = Begin();
  ASSERT_TRUE(store_->AttachPersonRecords(*txn, target, people).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_TRUE(Feed(seq).empty());
}

TEST_F(GroupWriteTest, AGroupWithAMissingRecordWritesNothing) {
  auto txn = Begin();
  std::vector<model::PersonRecordId> people = People(*txn, 2);
  model::NominalId target = NewNominal(*txn);
  ASSERT_TRUE(txn->Commit().ok());
  txn = Begin();
  std::vector<model::PersonRecordId> with_missing = {people[0], people[1] + 1000};
  Status status = store_->AttachPersonRecords(*txn, target, with_missing);
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_FALSE(store_->FindNominalForPersonRecord(people[0])->has_value());
}

TEST_F(GroupWriteTest, SyncedTransactionsCommitAndLeaveTheStoreAsItWas) {
  for (int round = 0; round < 2; ++round) {
    auto txn = store_->Begin(Store::TransactionMode::kAllOrNothing, Store::Durability::kSynced);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    People(**txn, 1);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto rolled = store_->Begin(Store::TransactionMode::kPerCall, Store::Durability::kSynced);
  ASSERT_TRUE(rolled.ok());
  People(**rolled, 1);
  ASSERT_TRUE((*rolled)->Rollback().ok());
  Reopen();
  EXPECT_EQ(store_->Counts()->person_records, 2);
  AuditEvent event;
  event.actor = "cli:test";
  event.action = "check";
  EXPECT_TRUE(store_->AppendAudit(event).ok());
}

}  // namespace
}  // namespace tessera::store

namespace tessera::store {
namespace {

TEST(CheckpointTest, AWriterThatLeavesCheckpointsToAnotherNeverGrowsTheDatabaseFile) {
  testing::TempDir tmp;
  ManualClock clock{testing::kTestEpochMicros};
  const std::string hub = tmp.Sub("hub");
  ASSERT_TRUE(InitHub(hub, clock).ok());
  OpenOptions quiet;
  quiet.checkpoint_on_commit = false;
  auto writer = OpenSqliteStore(hub, clock, quiet);
  auto checkpointer = OpenSqliteStore(hub, clock);
  ASSERT_TRUE(writer.ok() && checkpointer.ok());
  ASSERT_TRUE((*checkpointer)->Checkpoint().ok());
  const auto db_size = [&] { return std::filesystem::file_size(hub + "/hub.db"); };
  const auto before = db_size();
  // Far more than the 1,000 pages after which a default writer would checkpoint itself.
  for (int i = 0; i < 60; ++i) {
    auto txn = (*writer)->Begin();
    ASSERT_TRUE(txn.ok());
    auto load = (*writer)->BeginLoad(**txn, "s", "f" + std::to_string(i), "h" + std::to_string(i),
                                     LoadMode::kIncremental);
    ASSERT_TRUE(load.ok());
    for (int r = 0; r < 200; ++r) {
      model::SourceRecord record;
      record.source_id = "s";
      record.record_key = std::to_string(i) + "-" + std::to_string(r);
      record.payload = std::string(100, 'x');
      record.provenance.load_id = *load;
      record.provenance.content_hash = record.record_key;
      ASSERT_TRUE((*writer)->PutSourceRecord(**txn, record).ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(db_size(), before) << "the writer checkpointed on its own";
  auto txn = (*writer)->Begin();
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ((*writer)->Checkpoint().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*txn)->Rollback().ok());
  ASSERT_TRUE((*checkpointer)->Checkpoint().ok());
  EXPECT_GT(db_size(), before);
  EXPECT_EQ((*checkpointer)->Counts()->source_records, 60 * 200);
}

}  // namespace
}  // namespace tessera::store
