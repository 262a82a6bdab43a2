// The Store's behaviour through its public interface: transactions, loads, versioned source
// records, person records, events, locations, objects, quarantine and nominals.
#include "store/store.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using model::Role;
using testing::kTestEpochMicros;
using testing::TempDir;

CivilDate Date(int y, int m, int d) { return CivilDate{y, m, d}; }

// Builders that name every field (GCC 12 warns about designated initializers that skip some).
model::Location Place(const std::string& uprn, const std::string& address = "",
                      const std::string& postcode = "") {
  model::Location location;
  location.uprn = uprn;
  location.address_text = address;
  location.postcode = postcode;
  return location;
}

LoadCounts Tally(int64_t read, int64_t loaded, int64_t unchanged, int64_t quarantined,
                 int64_t deleted = 0) {
  LoadCounts counts;
  counts.read = read;
  counts.loaded = loaded;
  counts.unchanged = unchanged;
  counts.quarantined = quarantined;
  counts.deleted = deleted;
  return counts;
}

QuarantineQuery InLoad(model::LoadId load, int64_t after_id = 0, int limit = 100) {
  QuarantineQuery query;
  query.load_id = load;
  query.after_id = after_id;
  query.limit = limit;
  return query;
}

QuarantineQuery FromSource(const std::string& source) {
  QuarantineQuery query;
  query.source_id = source;
  return query;
}

class StoreTest : public testing::HubFixture {
 protected:
  model::LoadId NewLoad(Transaction& txn, const std::string& source = "police_crime",
                        const std::string& hash = "filehash") {
    auto load = store_->BeginLoad(txn, source, "landing/" + source + "/a.csv", hash,
                                  LoadMode::kIncremental);
    EXPECT_TRUE(load.ok()) << load.status().ToString();
    return load.value_or(0);
  }

  static model::SourceRecord Record(const std::string& key, const std::string& payload,
                                    model::LoadId load,
                                    const std::string& source = "police_crime") {
    model::SourceRecord record;
    record.source_id = source;
    record.record_key = key;
    record.payload = payload;
    record.provenance.file = "landing/police_crime/a.csv";
    record.provenance.line = 7;
    record.provenance.byte_offset = 345;
    record.provenance.load_id = load;
    record.provenance.content_hash = "hash-of-" + payload;
    return record;
  }

  model::SourceRecordId PutRecord(Transaction& txn, const std::string& key, model::LoadId load) {
    auto put = store_->PutSourceRecord(txn, Record(key, "payload " + key, load));
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? put->id : 0;
  }

  model::PersonRecordId PutPerson(Transaction& txn, model::SourceRecordId source_record,
                                  const std::string& mention, const std::string& family = "SMITH") {
    model::PersonRecord person;
    person.source_record_id = source_record;
    person.mention_key = mention;
    person.name.family = family;
    auto id = store_->PutPersonRecord(txn, person);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(0);
  }

  StoreCounts Counts() {
    auto counts = store_->Counts();
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.value_or(StoreCounts{});
  }
};

// ---------------------------------------------------------------------------------------------
// Transactions

TEST_F(StoreTest, CommittedWritesSurviveReopening) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  PutRecord(*txn, "r1", load);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_FALSE(txn->is_open());
  txn.reset();

  Reopen();
  auto current = store_->GetCurrentSourceRecord("police_crime", "r1");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->payload, "payload r1");
  EXPECT_EQ(Counts().loads, 1);
}

TEST_F(StoreTest, RollbackLeavesNothing) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  PutRecord(*txn, "r1", load);
  ASSERT_TRUE(
      store_
          ->AddQuarantined(*txn, {0, load, "police_crime", "a.csv", 3, 10, "dob", "bad date", "x"})
          .ok());
  // Reads inside the transaction see its writes.
  EXPECT_EQ(Counts().source_records, 1);
  ASSERT_TRUE(txn->Rollback().ok());

  StoreCounts counts = Counts();
  EXPECT_EQ(counts.loads, 0);
  EXPECT_EQ(counts.source_record_versions, 0);
  EXPECT_EQ(counts.quarantined, 0);
  EXPECT_EQ(txn->Rollback().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, ATransactionLeftOpenRollsBackWhenDestroyed) {
  {
    auto txn = Begin();
    model::LoadId load = NewLoad(*txn);
    PutRecord(*txn, "r1", load);
  }
  EXPECT_EQ(Counts().loads, 0);
  EXPECT_EQ(Counts().source_record_versions, 0);
  // The store can begin again.
  auto txn = Begin();
  ASSERT_NE(txn, nullptr);
  NewLoad(*txn);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Counts().loads, 1);
}

TEST_F(StoreTest, AnUncommittedLoadIsGoneAfterACrash) {
  // A store that goes away (a process that dies) with its transaction open.
  auto txn = Begin();
  NewLoad(*txn);
  store_.reset();
  EXPECT_FALSE(txn->is_open()) << "the store rolled back when it closed";
  EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
  txn.reset();
  Reopen();
  EXPECT_EQ(Counts().loads, 0);
}

TEST_F(StoreTest, OneTransactionAtATime) {
  auto txn = Begin();
  auto second = store_->Begin();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, WritesNeedTheOpenTransaction) {
  auto txn = Begin();
  ASSERT_TRUE(txn->Commit().ok());
  auto load = store_->BeginLoad(*txn, "police_crime", "a.csv", "h", LoadMode::kIncremental);
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.status().code(), StatusCode::kFailedPrecondition);

  // A transaction of another store is not this store's.
  TempDir other_dir;
  ASSERT_TRUE(InitHub(other_dir.path(), clock_).ok());
  auto other = OpenSqliteStore(other_dir.path(), clock_);
  ASSERT_TRUE(other.ok());
  auto foreign = (*other)->Begin();
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(store_->BeginLoad(**foreign, "p", "a.csv", "h", LoadMode::kIncremental).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, AFailedWriteCallLeavesNoneOfItsRows) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "r1", load);
  model::PersonRecordId person = PutPerson(*txn, record, "r1");

  model::Event event;
  event.source_record_id = record;
  event.type = "crime";
  event.date = Date(2024, 1, 2);
  event.involvements = {{person, Role::kVictim}, {person + 1000, Role::kSuspect}};
  auto put = store_->PutEvent(*txn, event);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), StatusCode::kNotFound) << put.status().ToString();
  EXPECT_EQ(Counts().events, 0) << "the event row went with the failed involvement";

  // The transaction carries on.
  event.involvements.pop_back();
  EXPECT_TRUE(store_->PutEvent(*txn, event).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Counts().events, 1);
  EXPECT_EQ(Counts().person_records, 1);
}

TEST_F(StoreTest, AnAllOrNothingTransactionIsPoisonedByAFailedWrite) {
  auto begun = store_->Begin(Store::TransactionMode::kAllOrNothing);
  ASSERT_TRUE(begun.ok());
  auto& txn = *begun;
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "r1", load);
  model::PersonRecordId person = PutPerson(*txn, record, "r1");

  model::Event event;
  event.source_record_id = record;
  event.type = "crime";
  event.date = Date(2024, 1, 2);
  event.involvements = {{person, Role::kVictim}, {person + 1000, Role::kSuspect}};
  ASSERT_FALSE(store_->PutEvent(*txn, event).ok());

  // No savepoint undid the half-written event, so nothing more may be written or committed.
  event.involvements.pop_back();
  EXPECT_EQ(store_->PutEvent(*txn, event).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Counts().events, 0);
  EXPECT_EQ(Counts().person_records, 0);
  EXPECT_EQ(Counts().loads, 0);

  // The store is usable again afterwards.
  auto next = store_->Begin(Store::TransactionMode::kAllOrNothing);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  NewLoad(**next);
  ASSERT_TRUE((*next)->Commit().ok());
  EXPECT_EQ(Counts().loads, 1);
}

// ---------------------------------------------------------------------------------------------
// Loads

TEST_F(StoreTest, ALoadIsRunningUntilFinished) {
  auto txn = Begin();
  auto id = store_->BeginLoad(*txn, "police_crime", "landing/police_crime/a.csv", "abc123",
                              LoadMode::kFullRefresh);
  ASSERT_TRUE(id.ok());
  auto running = store_->GetLoad(*id);
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->status, LoadStatus::kRunning);
  EXPECT_EQ(running->source_id, "police_crime");
  EXPECT_EQ(running->file, "landing/police_crime/a.csv");
  EXPECT_EQ(running->file_hash, "abc123");
  EXPECT_EQ(running->mode, LoadMode::kFullRefresh);
  EXPECT_EQ(running->started_at_micros, kTestEpochMicros);
  EXPECT_FALSE(running->finished_at_micros.has_value());

  clock_.Advance(2'500'000);
  LoadCounts counts = Tally(10, 6, 3, 1, 2);
  ASSERT_TRUE(store_->FinishLoad(*txn, *id, counts).ok());
  ASSERT_TRUE(txn->Commit().ok());

  auto done = store_->GetLoad(*id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, LoadStatus::kCompleted);
  EXPECT_EQ(done->counts, counts);
  EXPECT_EQ(done->finished_at_micros, kTestEpochMicros + 2'500'000);
  EXPECT_EQ(store_->GetLoad(*id + 1).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, FinishLoadChecksTheCountsReconcile) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  Status bad = store_->FinishLoad(*txn, load, Tally(10, 6, 0, 1));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("reconcile"), std::string::npos) << bad.message();
  EXPECT_EQ(store_->FinishLoad(*txn, load, Tally(-1, -1, 0, 0)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->FinishLoad(*txn, load + 7, {}).code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->FinishLoad(*txn, load, Tally(2, 2, 0, 0)).ok());
  EXPECT_EQ(store_->FinishLoad(*txn, load, Tally(2, 2, 0, 0)).code(),
            StatusCode::kFailedPrecondition)
      << "a load finishes once";
}

TEST_F(StoreTest, ALoadIsFoundByFileHashOnlyOnceCompleted) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn, "police_crime", "samefile");
  auto found = store_->FindCompletedLoadByFileHash("police_crime", "samefile");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value()) << "still running";

  ASSERT_TRUE(store_->FinishLoad(*txn, load, {}).ok());
  ASSERT_TRUE(txn->Commit().ok());
  found = store_->FindCompletedLoadByFileHash("police_crime", "samefile");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, load);

  found = store_->FindCompletedLoadByFileHash("health_ae", "samefile");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value()) << "the same file from another source is another load";
  found = store_->FindCompletedLoadByFileHash("police_crime", "otherfile");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(StoreTest, ARolledBackLoadIsNotFoundByFileHash) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn, "police_crime", "h");
  ASSERT_TRUE(store_->FinishLoad(*txn, load, {}).ok());
  ASSERT_TRUE(txn->Rollback().ok());
  auto found = store_->FindCompletedLoadByFileHash("police_crime", "h");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(StoreTest, LoadsAreListedNewestFirst) {
  auto txn = Begin();
  model::LoadId a = NewLoad(*txn, "police_crime", "1");
  model::LoadId b = NewLoad(*txn, "health_ae", "2");
  model::LoadId c = NewLoad(*txn, "police_crime", "3");
  ASSERT_TRUE(txn->Commit().ok());

  auto all = store_->ListLoads("", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, c);
  EXPECT_EQ((*all)[2].id, a);
  auto police = store_->ListLoads("police_crime", 10);
  ASSERT_TRUE(police.ok());
  ASSERT_EQ(police->size(), 2u);
  EXPECT_EQ((*police)[0].id, c);
  EXPECT_EQ((*police)[1].id, a);
  auto one = store_->ListLoads("", 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, c);
  EXPECT_NE(b, 0);
  EXPECT_EQ(store_->ListLoads("", 0).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Source records

TEST_F(StoreTest, SourceRecordsAreInsertedUnchangedOrUpdated) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);

  auto first = store_->PutSourceRecord(*txn, Record("r1", "v1", load));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->change, RecordChange::kInserted);
  EXPECT_EQ(first->version, 1);

  auto same = store_->PutSourceRecord(*txn, Record("r1", "v1", load));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->change, RecordChange::kUnchanged);
  EXPECT_EQ(same->id, first->id);
  EXPECT_EQ(same->version, 1);
  EXPECT_EQ(Counts().source_record_versions, 1) << "nothing written for unchanged content";

  auto changed = store_->PutSourceRecord(*txn, Record("r1", "v2", load));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->change, RecordChange::kUpdated);
  EXPECT_EQ(changed->version, 2);
  EXPECT_NE(changed->id, first->id);
  ASSERT_TRUE(txn->Commit().ok());

  auto current = store_->GetCurrentSourceRecord("police_crime", "r1");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->id, changed->id);
  EXPECT_EQ((*current)->version, 2);
  EXPECT_EQ((*current)->payload, "v2");
  EXPECT_FALSE((*current)->deleted);

  auto history = store_->GetSourceRecordHistory("police_crime", "r1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 1);
  EXPECT_EQ((*history)[0].payload, "v1");
  EXPECT_EQ((*history)[0].provenance.content_hash, "hash-of-v1");
  EXPECT_EQ((*history)[1].version, 2);
  EXPECT_EQ((*history)[1].payload, "v2");

  StoreCounts counts = Counts();
  EXPECT_EQ(counts.source_records, 1);
  EXPECT_EQ(counts.source_record_versions, 2);

  // Going back to earlier content is a change too: a third version.
  auto txn2 = Begin();
  auto back = store_->PutSourceRecord(*txn2, Record("r1", "v1", load));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->change, RecordChange::kUpdated);
  EXPECT_EQ(back->version, 3);
}

TEST_F(StoreTest, ASourceRecordKeepsItsProvenance) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecord record = Record("r9", "{\"name\": \"Zoë\"}", load);
  record.provenance.source_id = "police_crime";
  record.provenance.received_at_micros = 123456789;
  auto put = store_->PutSourceRecord(*txn, record);
  ASSERT_TRUE(put.ok());

  auto got = store_->GetSourceRecord(put->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, put->id);
  EXPECT_EQ(got->source_id, "police_crime");
  EXPECT_EQ(got->record_key, "r9");
  EXPECT_EQ(got->payload, "{\"name\": \"Zoë\"}");
  EXPECT_EQ(got->provenance.source_id, "police_crime");
  EXPECT_EQ(got->provenance.file, "landing/police_crime/a.csv");
  EXPECT_EQ(got->provenance.line, 7);
  EXPECT_EQ(got->provenance.byte_offset, 345);
  EXPECT_EQ(got->provenance.load_id, load);
  EXPECT_EQ(got->provenance.received_at_micros, 123456789);
  EXPECT_EQ(got->provenance.content_hash, record.provenance.content_hash);

  // Without a receipt time, the store's clock says when.
  auto now = store_->PutSourceRecord(*txn, Record("r10", "x", load));
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(store_->GetSourceRecord(now->id)->provenance.received_at_micros, kTestEpochMicros);
  EXPECT_EQ(store_->GetSourceRecord(now->id + 100).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, SourceRecordsAreKeyedWithinTheirSource) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  auto police = store_->PutSourceRecord(*txn, Record("r1", "same", load, "police_crime"));
  auto health = store_->PutSourceRecord(*txn, Record("r1", "same", load, "health_ae"));
  ASSERT_TRUE(police.ok());
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->change, RecordChange::kInserted);
  EXPECT_NE(health->id, police->id);
}

TEST_F(StoreTest, PutSourceRecordRejectsIncompleteRecords) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecord no_key = Record("", "x", load);
  EXPECT_EQ(store_->PutSourceRecord(*txn, no_key).status().code(), StatusCode::kInvalidArgument);
  model::SourceRecord no_hash = Record("r1", "x", load);
  no_hash.provenance.content_hash.clear();
  EXPECT_EQ(store_->PutSourceRecord(*txn, no_hash).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutSourceRecord(*txn, Record("r1", "x", 0)).status().code(),
            StatusCode::kInvalidArgument);
  model::SourceRecord mismatch = Record("r1", "x", load);
  mismatch.provenance.source_id = "health_ae";
  EXPECT_EQ(store_->PutSourceRecord(*txn, mismatch).status().code(), StatusCode::kInvalidArgument);
  auto unknown_load = store_->PutSourceRecord(*txn, Record("r1", "x", load + 50));
  EXPECT_EQ(unknown_load.status().code(), StatusCode::kNotFound)
      << unknown_load.status().ToString();
  EXPECT_NE(unknown_load.status().message().find("PutSourceRecord"), std::string::npos)
      << "the error names the operation: " << unknown_load.status().message();
  EXPECT_EQ(Counts().source_record_versions, 0);
}

TEST_F(StoreTest, DeletingWritesATombstoneVersion) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  PutRecord(*txn, "r1", load);
  PutRecord(*txn, "r2", load);
  model::LoadId refresh = NewLoad(*txn, "police_crime", "refresh");

  auto deleted = store_->DeleteSourceRecord(*txn, "police_crime", "r1", refresh);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->change, RecordChange::kDeleted);
  EXPECT_EQ(deleted->version, 2);

  auto again = store_->DeleteSourceRecord(*txn, "police_crime", "r1", refresh);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->change, RecordChange::kUnchanged);
  EXPECT_EQ(again->id, deleted->id);

  auto never = store_->DeleteSourceRecord(*txn, "police_crime", "r404", refresh);
  EXPECT_EQ(never.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());

  auto current = store_->GetCurrentSourceRecord("police_crime", "r1");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(current->has_value());
  EXPECT_TRUE((*current)->deleted);
  EXPECT_EQ((*current)->version, 2);
  EXPECT_EQ((*current)->payload, "");
  EXPECT_EQ((*current)->provenance.load_id, refresh);
  EXPECT_EQ((*current)->provenance.file, "landing/police_crime/a.csv");

  auto history = store_->GetSourceRecordHistory("police_crime", "r1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_FALSE((*history)[0].deleted);
  EXPECT_EQ((*history)[0].payload, "payload r1") << "history keeps what was deleted";
  EXPECT_TRUE((*history)[1].deleted);

  auto keys = store_->ListCurrentRecordKeys("police_crime");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, std::vector<std::string>{"r2"});
  EXPECT_EQ(Counts().source_records, 1);

  // The record comes back: a new version, even with its old content.
  auto txn2 = Begin();
  auto back = store_->PutSourceRecord(*txn2, Record("r1", "payload r1", load));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->change, RecordChange::kUpdated);
  EXPECT_EQ(back->version, 3);
}

TEST_F(StoreTest, CurrentRecordKeysAreSortedAndPerSource) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  for (const char* key : {"c", "a", "b"}) PutRecord(*txn, key, load);
  ASSERT_TRUE(store_->PutSourceRecord(*txn, Record("z", "z", load, "health_ae")).ok());
  ASSERT_TRUE(store_->PutSourceRecord(*txn, Record("a", "changed", load)).ok());

  auto keys = store_->ListCurrentRecordKeys("police_crime");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<std::string>{"a", "b", "c"}));
  auto none = store_->GetCurrentSourceRecord("police_crime", "zz");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto no_history = store_->GetSourceRecordHistory("police_crime", "zz");
  ASSERT_TRUE(no_history.ok());
  EXPECT_TRUE(no_history->empty());
}

// ---------------------------------------------------------------------------------------------
// Person records

TEST_F(StoreTest, APersonRecordRoundTripsEveryField) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "r1", load);
  auto location = store_->UpsertLocation(*txn, Place("100023336956"));
  ASSERT_TRUE(location.ok());

  model::PersonRecord in;
  in.source_record_id = record;
  in.mention_key = "r1#suspect";
  in.role = Role::kSuspect;
  in.name = {"JOHN", "PAUL", "O'NEILL-SMITH", "MR", "JR"};
  in.aliases = {{"JONNY", "", "SMITH", "", ""}, {"J", "P", "ONEILL", "", ""}};
  in.dob = Date(1987, 3, 14);
  in.sex = model::Sex::kMale;
  in.identifiers = {{model::IdentifierKind::kNhsNumber, "9434765919", true},
                    {model::IdentifierKind::kPncId, "2001/0012345X", false}};
  in.location_id = *location;
  in.phones = {"+447700900123", "+441632960001"};
  in.emails = {"john@example.org"};
  in.raw = {{"Surname", "O'Neill-Smith "}, {"DOB", "14/03/87"}, {"Notes", "line1\nline2 \"q\""}};
  in.flags = {{"dob", "two-digit year"}, {"phone", "landline"}};
  auto id = store_->PutPersonRecord(*txn, in);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(txn->Commit().ok());
  Reopen();

  auto out = store_->GetPersonRecord(*id);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->id, *id);
  EXPECT_EQ(out->source_record_id, record);
  EXPECT_EQ(out->mention_key, "r1#suspect");
  EXPECT_EQ(out->role, Role::kSuspect);
  EXPECT_EQ(out->name.given, "JOHN");
  EXPECT_EQ(out->name.middle, "PAUL");
  EXPECT_EQ(out->name.family, "O'NEILL-SMITH");
  EXPECT_EQ(out->name.title, "MR");
  EXPECT_EQ(out->name.suffix, "JR");
  ASSERT_EQ(out->aliases.size(), 2u);
  EXPECT_EQ(out->aliases[0].given, "JONNY");
  EXPECT_EQ(out->aliases[0].family, "SMITH");
  EXPECT_EQ(out->aliases[1].middle, "P");
  EXPECT_EQ(out->aliases[1].family, "ONEILL");
  ASSERT_TRUE(out->dob.has_value());
  EXPECT_EQ(*out->dob, Date(1987, 3, 14));
  EXPECT_EQ(out->sex, model::Sex::kMale);
  ASSERT_EQ(out->identifiers.size(), 2u);
  EXPECT_EQ(out->identifiers[0].kind, model::IdentifierKind::kNhsNumber);
  EXPECT_EQ(out->identifiers[0].value, "9434765919");
  EXPECT_TRUE(out->identifiers[0].valid);
  EXPECT_EQ(out->identifiers[1].kind, model::IdentifierKind::kPncId);
  EXPECT_EQ(out->identifiers[1].value, "2001/0012345X");
  EXPECT_FALSE(out->identifiers[1].valid);
  EXPECT_EQ(out->location_id, *location);
  EXPECT_EQ(out->phones, in.phones);
  EXPECT_EQ(out->emails, in.emails);
  ASSERT_EQ(out->raw.size(), 3u);
  EXPECT_EQ(out->raw[0].field, "Surname");
  EXPECT_EQ(out->raw[0].value, "O'Neill-Smith ");
  EXPECT_EQ(out->raw[2].value, "line1\nline2 \"q\"");
  ASSERT_EQ(out->flags.size(), 2u);
  EXPECT_EQ(out->flags[0].field, "dob");
  EXPECT_EQ(out->flags[0].reason, "two-digit year");
  EXPECT_EQ(out->flags[1].field, "phone");
}

TEST_F(StoreTest, AnEmptyPersonRecordRoundTrips) {
  auto txn = Begin();
  model::SourceRecordId record = PutRecord(*txn, "r1", NewLoad(*txn));
  model::PersonRecordId id = PutPerson(*txn, record, "r1", "");
  auto out = store_->GetPersonRecord(id);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->dob.has_value());
  EXPECT_FALSE(out->location_id.has_value());
  EXPECT_EQ(out->sex, model::Sex::kUnknown);
  EXPECT_EQ(out->role, Role::kSubject);
  EXPECT_TRUE(out->identifiers.empty());
  EXPECT_TRUE(out->aliases.empty());
  EXPECT_TRUE(out->raw.empty());
  EXPECT_EQ(store_->GetPersonRecord(id + 1).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, PutPersonRecordRejectsBadInput) {
  auto txn = Begin();
  model::SourceRecordId record = PutRecord(*txn, "r1", NewLoad(*txn));
  PutPerson(*txn, record, "r1");

  model::PersonRecord person;
  person.source_record_id = record;
  person.mention_key = "r1";
  EXPECT_EQ(store_->PutPersonRecord(*txn, person).status().code(), StatusCode::kAlreadyExists)
      << "a source record mentions each person once";

  person.mention_key = "r1#2";
  person.dob = CivilDate{2023, 2, 29};
  EXPECT_EQ(store_->PutPersonRecord(*txn, person).status().code(), StatusCode::kInvalidArgument);
  person.dob.reset();

  person.raw = {{"name", std::string("caf\xe9", 4)}};  // Latin-1, not UTF-8
  EXPECT_EQ(store_->PutPersonRecord(*txn, person).status().code(), StatusCode::kInvalidArgument);
  person.raw.clear();

  person.location_id = 999;
  EXPECT_EQ(store_->PutPersonRecord(*txn, person).status().code(), StatusCode::kNotFound);
  person.location_id.reset();
  person.source_record_id = record + 99;
  EXPECT_EQ(store_->PutPersonRecord(*txn, person).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Counts().person_records, 1);
}

TEST_F(StoreTest, PersonRecordsAreListedBySourceRecord) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId r1 = PutRecord(*txn, "r1", load);
  model::SourceRecordId r2 = PutRecord(*txn, "r2", load);
  model::PersonRecordId victim = PutPerson(*txn, r1, "r1#victim", "JONES");
  PutPerson(*txn, r2, "r2", "BROWN");
  model::PersonRecordId suspect = PutPerson(*txn, r1, "r1#suspect", "SMITH");

  auto people = store_->ListPersonRecordsForSourceRecord(r1);
  ASSERT_TRUE(people.ok());
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].id, victim);
  EXPECT_EQ((*people)[0].name.family, "JONES");
  EXPECT_EQ((*people)[1].id, suspect);
  EXPECT_EQ(Counts().person_records, 3);
}

TEST_F(StoreTest, TheResolverPagesThroughCurrentPersonRecords) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  std::vector<model::PersonRecordId> ids;
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    ids.push_back(PutPerson(*txn, PutRecord(*txn, key, load), key));
  }
  // "b" gets a new version with a new person record; "d" is deleted.
  auto b2 = store_->PutSourceRecord(*txn, Record("b", "b version 2", load));
  ASSERT_TRUE(b2.ok());
  model::PersonRecordId b2_person = PutPerson(*txn, b2->id, "b");
  ASSERT_TRUE(store_->DeleteSourceRecord(*txn, "police_crime", "d", load).ok());
  ASSERT_TRUE(txn->Commit().ok());

  std::vector<model::PersonRecordId> seen;
  model::PersonRecordId after = 0;
  int pages = 0;
  while (true) {
    auto page = store_->ListPersonRecordsAfter(after, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    ++pages;
    EXPECT_LE(page->size(), 2u);
    for (const model::PersonRecord& p : *page) seen.push_back(p.id);
    after = page->back().id;
  }
  EXPECT_EQ(seen, (std::vector<model::PersonRecordId>{ids[0], ids[2], ids[4], b2_person}));
  EXPECT_EQ(pages, 2);
}

// ---------------------------------------------------------------------------------------------
// Events

TEST_F(StoreTest, AnEventRoundTripsWithItsInvolvements) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "crime-1", load);
  model::PersonRecordId victim = PutPerson(*txn, record, "crime-1#victim");
  model::PersonRecordId suspect = PutPerson(*txn, record, "crime-1#suspect");
  auto location = store_->UpsertLocation(*txn, Place("", "1 HIGH STREET", "AB1 2CD"));
  ASSERT_TRUE(location.ok());

  model::Event in;
  in.source_record_id = record;
  in.event_ref = "CR/2024/0001";
  in.type = "domestic_abuse";
  in.agency = model::Agency::kPolice;
  in.category = "assault_abh";
  in.severity = 4;
  in.date = Date(2024, 2, 29);
  in.location_id = *location;
  in.involvements = {{victim, Role::kVictim}, {suspect, Role::kSuspect}};
  auto id = store_->PutEvent(*txn, in);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(txn->Commit().ok());

  auto out = store_->GetEvent(*id);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->id, *id);
  EXPECT_EQ(out->source_record_id, record);
  EXPECT_EQ(out->source_id, "police_crime") << "taken from the source record";
  EXPECT_EQ(out->event_ref, "CR/2024/0001");
  EXPECT_EQ(out->type, "domestic_abuse");
  EXPECT_EQ(out->agency, model::Agency::kPolice);
  EXPECT_EQ(out->category, "assault_abh");
  EXPECT_EQ(out->severity, 4);
  EXPECT_EQ(out->date, Date(2024, 2, 29));
  EXPECT_EQ(out->location_id, *location);
  ASSERT_EQ(out->involvements.size(), 2u);
  EXPECT_EQ(out->involvements[0].person_record_id, victim);
  EXPECT_EQ(out->involvements[0].role, Role::kVictim);
  EXPECT_EQ(out->involvements[1].person_record_id, suspect);
  EXPECT_EQ(out->involvements[1].role, Role::kSuspect);
  EXPECT_EQ(store_->GetEvent(*id + 1).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, APersonRecordsEventsComeInDateOrder) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "r1", load);
  model::PersonRecordId person = PutPerson(*txn, record, "r1");
  model::PersonRecordId other = PutPerson(*txn, record, "r1#2");
  auto put = [&](CivilDate date, std::vector<model::EventInvolvement> involved) {
    model::Event event;
    event.source_record_id = record;
    event.type = "crime";
    event.agency = model::Agency::kHousing;
    event.date = date;
    event.involvements = std::move(involved);
    auto id = store_->PutEvent(*txn, event);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(0);
  };
  model::EventId late = put(Date(2024, 6, 1), {{person, Role::kVictim}});
  model::EventId early = put(Date(2023, 1, 1), {{person, Role::kVictim}, {person, Role::kWitness}});
  put(Date(2022, 1, 1), {{other, Role::kSuspect}});

  auto events = store_->ListEventsForPersonRecord(person);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u) << "an event with two roles is listed once";
  EXPECT_EQ((*events)[0].id, early);
  EXPECT_EQ((*events)[0].agency, model::Agency::kHousing);
  EXPECT_EQ((*events)[0].involvements.size(), 2u);
  EXPECT_EQ((*events)[1].id, late);
}

TEST_F(StoreTest, PutEventRejectsBadInput) {
  auto txn = Begin();
  model::SourceRecordId record = PutRecord(*txn, "r1", NewLoad(*txn));
  model::Event event;
  event.source_record_id = record;
  event.type = "crime";
  event.date = Date(2024, 1, 1);

  model::Event bad_date = event;
  bad_date.date = CivilDate{2024, 13, 1};
  EXPECT_EQ(store_->PutEvent(*txn, bad_date).status().code(), StatusCode::kInvalidArgument);
  model::Event bad_severity = event;
  bad_severity.severity = 6;
  EXPECT_EQ(store_->PutEvent(*txn, bad_severity).status().code(), StatusCode::kInvalidArgument);
  model::Event wrong_source = event;
  wrong_source.source_id = "health_ae";
  EXPECT_EQ(store_->PutEvent(*txn, wrong_source).status().code(), StatusCode::kInvalidArgument);
  model::Event no_record = event;
  no_record.source_record_id = record + 10;
  EXPECT_EQ(store_->PutEvent(*txn, no_record).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Counts().events, 0);
}

// ---------------------------------------------------------------------------------------------
// Locations and objects

TEST_F(StoreTest, LocationsDeduplicateOnUprn) {
  auto txn = Begin();
  auto first = store_->UpsertLocation(*txn, Place("100023336956", "10 DOWNING STREET", "SW1A 2AA"));
  auto second = store_->UpsertLocation(*txn, Place("100023336956", "NUMBER 10", "SW1A 2AB"));
  auto other = store_->UpsertLocation(*txn, Place("100023336957", "10 DOWNING STREET", "SW1A 2AA"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *other);
  auto stored = store_->GetLocation(*first);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->address_text, "10 DOWNING STREET") << "an upsert does not overwrite";
  EXPECT_EQ(stored->postcode, "SW1A 2AA");
  EXPECT_EQ(Counts().locations, 2);
}

TEST_F(StoreTest, LocationsWithoutUprnDeduplicateOnNormalisedAddressAndPostcode) {
  auto txn = Begin();
  auto first = store_->UpsertLocation(*txn, Place("", "Flat 2, 12 High St., Anytown", "AB1 2CD"));
  auto same = store_->UpsertLocation(*txn, Place("", "  FLAT 2 12 HIGH ST  ANYTOWN ", "ab12cd"));
  auto other_postcode =
      store_->UpsertLocation(*txn, Place("", "Flat 2, 12 High St., Anytown", "AB1 2CE"));
  auto other_flat =
      store_->UpsertLocation(*txn, Place("", "Flat 3, 12 High St., Anytown", "AB1 2CD"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(same.ok());
  ASSERT_TRUE(other_postcode.ok());
  ASSERT_TRUE(other_flat.ok());
  EXPECT_EQ(*first, *same);
  EXPECT_NE(*first, *other_postcode);
  EXPECT_NE(*first, *other_flat);
  EXPECT_EQ(Counts().locations, 3);
  auto stored = store_->GetLocation(*first);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->address_text, "Flat 2, 12 High St., Anytown") << "kept as first written";
}

TEST_F(StoreTest, AnUpsertFillsWhatTheStoredLocationLacks) {
  auto txn = Begin();
  auto id = store_->UpsertLocation(*txn, Place("42"));
  ASSERT_TRUE(id.ok());
  model::Location fuller = Place("42", "1 MAIN ROAD", "ZZ1 1ZZ");
  fuller.postcode_district = "ZZ1";
  fuller.small_area = "ZZ1 1";
  auto again = store_->UpsertLocation(*txn, fuller);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id);
  EXPECT_FALSE(store_->GetLocation(*id)->latitude.has_value());
  // A later mention that lacks nothing but the coordinates still fills them (a mention that
  // fills nothing writes nothing).
  fuller.latitude = 51.5;
  fuller.longitude = -0.12;
  ASSERT_TRUE(store_->UpsertLocation(*txn, fuller).ok());
  auto stored = store_->GetLocation(*id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->uprn, "42");
  EXPECT_EQ(stored->address_text, "1 MAIN ROAD");
  EXPECT_EQ(stored->postcode, "ZZ1 1ZZ");
  EXPECT_EQ(stored->postcode_district, "ZZ1");
  EXPECT_EQ(stored->small_area, "ZZ1 1");
  ASSERT_TRUE(stored->latitude.has_value());
  EXPECT_DOUBLE_EQ(*stored->latitude, 51.5);
  ASSERT_TRUE(stored->longitude.has_value());
  EXPECT_DOUBLE_EQ(*stored->longitude, -0.12);
  EXPECT_FALSE(stored->no_fixed_abode);

  fuller.latitude = 10.0;
  fuller.longitude = 10.0;
  ASSERT_TRUE(store_->UpsertLocation(*txn, fuller).ok());
  EXPECT_DOUBLE_EQ(*store_->GetLocation(*id)->latitude, 51.5) << "never overwritten";
}

// Coordinates come with how precisely a gazetteer placed them; the first ones stay, precision
// included, until geocoding sets new ones.
TEST_F(StoreTest, GeoPrecisionTravelsWithTheCoordinates) {
  auto txn = Begin();
  model::Location sector = Place("", "1 MAIN ROAD", "M11 1ZZ");
  sector.latitude = 53.47;
  sector.longitude = -2.19;
  sector.geo_precision = "sector";
  auto id = store_->UpsertLocation(*txn, sector);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(store_->GetLocation(*id)->geo_precision, "sector");
  model::Location finer = sector;
  finer.latitude = 53.48;
  finer.geo_precision = "postcode";
  ASSERT_TRUE(store_->UpsertLocation(*txn, finer).ok());
  EXPECT_EQ(store_->GetLocation(*id)->geo_precision, "sector") << "never overwritten";

  // A location stored without coordinates takes them, and their precision, from a later upsert.
  auto bare = store_->UpsertLocation(*txn, Place("", "2 MAIN ROAD", "M11 1ZZ"));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(store_->GetLocation(*bare)->geo_precision, "");
  model::Location placed = Place("", "2 MAIN ROAD", "M11 1ZZ");
  placed.latitude = 53.4;
  placed.longitude = -2.2;
  placed.geo_precision = "district";
  ASSERT_TRUE(store_->UpsertLocation(*txn, placed).ok());
  EXPECT_EQ(store_->GetLocation(*bare)->geo_precision, "district");

  ASSERT_TRUE(store_->SetLocationPosition(*txn, *id, 53.481, -2.191, "postcode").ok());
  auto moved = store_->GetLocation(*id);
  ASSERT_TRUE(moved.ok());
  EXPECT_DOUBLE_EQ(*moved->latitude, 53.481);
  EXPECT_DOUBLE_EQ(*moved->longitude, -2.191);
  EXPECT_EQ(moved->geo_precision, "postcode");
  EXPECT_EQ(store_->SetLocationPosition(*txn, 987654, 53.0, -2.0, "area").code(),
            StatusCode::kNotFound);
}

TEST_F(StoreTest, UpsertLocationRejectsEmptyLocations) {
  auto txn = Begin();
  EXPECT_EQ(store_->UpsertLocation(*txn, model::Location{}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->UpsertLocation(*txn, Place("", " ,. ")).status().code(),
            StatusCode::kInvalidArgument);
  model::Location half_coordinates = Place("1");
  half_coordinates.latitude = 1.0;
  EXPECT_EQ(store_->UpsertLocation(*txn, half_coordinates).status().code(),
            StatusCode::kInvalidArgument);
  model::Location no_fixed_abode = Place("", "", "ZZ99 3VZ");
  no_fixed_abode.no_fixed_abode = true;
  auto nfa = store_->UpsertLocation(*txn, no_fixed_abode);
  ASSERT_TRUE(nfa.ok());
  EXPECT_TRUE(store_->GetLocation(*nfa)->no_fixed_abode);
  EXPECT_EQ(store_->GetLocation(*nfa + 1).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, ObjectsDeduplicateOnKindAndValue) {
  auto txn = Begin();
  auto phone = store_->UpsertObject(*txn, {0, model::ObjectKind::kPhone, "+447700900123"});
  auto again = store_->UpsertObject(*txn, {0, model::ObjectKind::kPhone, "+447700900123"});
  auto car = store_->UpsertObject(*txn, {0, model::ObjectKind::kVehicle, "AB12CDE"});
  ASSERT_TRUE(phone.ok());
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(car.ok());
  EXPECT_EQ(*phone, *again);
  EXPECT_NE(*phone, *car);
  auto stored = store_->GetObject(*car);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->kind, model::ObjectKind::kVehicle);
  EXPECT_EQ(stored->value, "AB12CDE");
  EXPECT_EQ(Counts().objects, 2);
  EXPECT_EQ(store_->UpsertObject(*txn, {0, model::ObjectKind::kEmail, ""}).status().code(),
            StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Quarantine

TEST_F(StoreTest, QuarantinedRowsRoundTrip) {
  auto txn = Begin();
  model::LoadId police = NewLoad(*txn, "police_crime", "p");
  model::LoadId health = NewLoad(*txn, "health_ae", "h");
  // Quarantined bytes need not be text: a NUL and Latin-1 survive.
  QuarantinedRow bad_dob{0,
                         police,
                         "police_crime",
                         "landing/police_crime/a.csv",
                         12,
                         1034,
                         "dob",
                         "unparseable date '31/02/2020'",
                         std::string("a,b,\0\xe9", 6)};
  QuarantinedRow short_row{0,
                           police,
                           "police_crime",
                           "landing/police_crime/a.csv",
                           40,
                           5012,
                           "",
                           "row has 3 fields, expected 9",
                           "x,y,z"};
  QuarantinedRow other{0,    health, "health_ae",  "landing/health_ae/b.csv",
                       2,    80,     "nhs_number", "bad check digit",
                       "943"};
  for (QuarantinedRow* row : {&bad_dob, &short_row, &other}) {
    auto id = store_->AddQuarantined(*txn, *row);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    row->id = *id;
  }
  ASSERT_TRUE(txn->Commit().ok());

  auto by_load = store_->ListQuarantined(InLoad(police));
  ASSERT_TRUE(by_load.ok()) << by_load.status().ToString();
  ASSERT_EQ(by_load->size(), 2u);
  EXPECT_EQ((*by_load)[0], bad_dob);
  EXPECT_EQ((*by_load)[0].raw.size(), 6u);
  EXPECT_EQ((*by_load)[1], short_row);

  auto by_source = store_->ListQuarantined(FromSource("health_ae"));
  ASSERT_TRUE(by_source.ok());
  ASSERT_EQ(by_source->size(), 1u);
  EXPECT_EQ((*by_source)[0], other);

  auto page = store_->ListQuarantined(InLoad(police, bad_dob.id, 1));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, short_row.id);

  QuarantineQuery mismatched = InLoad(health);
  mismatched.source_id = "police_crime";
  auto both = store_->ListQuarantined(mismatched);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->empty());
  auto all = store_->ListQuarantined(QuarantineQuery{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(Counts().quarantined, 3);
}

TEST_F(StoreTest, AddQuarantinedNeedsALoadAndAReason) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  EXPECT_EQ(store_->AddQuarantined(*txn, {0, load, "police_crime", "a.csv", 1, 0, "f", "", "r"})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->AddQuarantined(*txn, {0, load + 5, "police_crime", "a.csv", 1, 0, "f", "why", "r"})
          .status()
          .code(),
      StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Nominals and the change feed

TEST_F(StoreTest, NominalsRecordTheirPersonRecordsAndChanges) {
  auto txn = Begin();
  model::LoadId load = NewLoad(*txn);
  model::SourceRecordId record = PutRecord(*txn, "r1", load);
  model::PersonRecordId p1 = PutPerson(*txn, record, "r1#1");
  model::PersonRecordId p2 = PutPerson(*txn, record, "r1#2");

  model::Nominal nominal;
  nominal.name = {"JANE", "", "DOE", "MS", ""};
  nominal.other_names = {{"JANE", "", "SMITH", "", ""}};
  nominal.dob = Date(1990, 12, 31);
  nominal.sex = model::Sex::kFemale;
  nominal.identifiers = {{model::IdentifierKind::kNiNumber, "QQ123456C", true}};
  auto a = store_->CreateNominal(*txn, nominal);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  clock_.Advance(10);
  auto b = store_->CreateNominal(*txn, model::Nominal{});
  ASSERT_TRUE(b.ok());

  ASSERT_TRUE(store_->AttachPersonRecord(*txn, *a, p1).ok());
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, *a, p2).ok());
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, *a, p2).ok()) << "already there: no change";
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, *b, p2).ok()) << "moves";
  EXPECT_EQ(store_->AttachPersonRecord(*txn, *a + 100, p1).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->AttachPersonRecord(*txn, *a, p2 + 100).code(), StatusCode::kNotFound);

  nominal.id = *a;
  nominal.name.family = "DOE-SMITH";
  ASSERT_TRUE(store_->UpdateNominal(*txn, nominal).ok());
  nominal.id = *b + 100;
  EXPECT_EQ(store_->UpdateNominal(*txn, nominal).code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());

  auto got = store_->GetNominal(*a);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->name.given, "JANE");
  EXPECT_EQ(got->name.family, "DOE-SMITH");
  EXPECT_EQ(got->name.title, "MS");
  ASSERT_EQ(got->other_names.size(), 1u);
  EXPECT_EQ(got->other_names[0].family, "SMITH");
  EXPECT_EQ(got->dob, Date(1990, 12, 31));
  EXPECT_EQ(got->sex, model::Sex::kFemale);
  ASSERT_EQ(got->identifiers.size(), 1u);
  EXPECT_EQ(got->identifiers[0].value, "QQ123456C");
  EXPECT_EQ(got->records, std::vector<model::PersonRecordId>{p1});
  EXPECT_EQ(store_->GetNominal(*b)->records, std::vector<model::PersonRecordId>{p2});
  EXPECT_EQ(store_->FindNominalForPersonRecord(p2)->value_or(0), *b);
  EXPECT_EQ(store_->GetNominal(*b + 100).status().code(), StatusCode::kNotFound);

  auto feed = store_->ListNominalChangesAfter(0, 100);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  std::vector<std::pair<model::NominalId, NominalChangeKind>> seen;
  for (const NominalChange& change : *feed) seen.emplace_back(change.nominal_id, change.kind);
  using K = NominalChangeKind;
  std::vector<std::pair<model::NominalId, NominalChangeKind>> expected = {
      {*a, K::kCreated},        {*b, K::kCreated},        {*a, K::kRecordsChanged},
      {*a, K::kRecordsChanged}, {*a, K::kRecordsChanged}, {*b, K::kRecordsChanged},
      {*a, K::kUpdated}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ((*feed)[0].at_micros, kTestEpochMicros);
  EXPECT_EQ((*feed)[1].at_micros, kTestEpochMicros + 10);
  for (size_t i = 1; i < feed->size(); ++i) EXPECT_GT((*feed)[i].seq, (*feed)[i - 1].seq);

  auto rest = store_->ListNominalChangesAfter((*feed)[4].seq, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 2u);
  EXPECT_EQ(Counts().nominals, 2);
}

TEST_F(StoreTest, AnUnattachedPersonRecordHasNoNominal) {
  auto txn = Begin();
  model::PersonRecordId p = PutPerson(*txn, PutRecord(*txn, "r1", NewLoad(*txn)), "r1");
  auto found = store_->FindNominalForPersonRecord(p);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

// ---------------------------------------------------------------------------------------------
// Data quality

TEST_F(StoreTest, LoadQualityRoundTripsInOrder) {
  LoadQuality quality;
  quality.records = 12;
  quality.flagged_records = 3;
  quality.fields = {{"person.family", "Surname", 12, 11, 10, 1, 0},
                    {"person.dob", "DOB", 12, 9, 7, 1, 1},
                    {"event.category", "Code", 12, 12, 12, 0, 0}};
  quality.categories = {{"burglary", 4}, {"theft", 8}};
  auto txn = Begin();
  const model::LoadId load = NewLoad(*txn);
  const model::LoadId bare = NewLoad(*txn, "police_crime", "otherhash");
  ASSERT_TRUE(store_->PutLoadQuality(*txn, load, quality).ok());
  EXPECT_EQ(store_->PutLoadQuality(*txn, load, quality).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->PutLoadQuality(*txn, 999, quality).code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());
  Reopen();

  auto got = store_->GetLoadQuality(load);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, quality) << "fields keep their order, not alphabetical";
  auto none = store_->GetLoadQuality(bare);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "a load without statistics";
  EXPECT_EQ(store_->GetLoadQuality(999).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, LoadQualityOfARolledBackLoadIsGone) {
  model::LoadId load = 0;
  {
    auto txn = Begin();
    load = NewLoad(*txn);
    LoadQuality quality;
    quality.fields = {{"person.dob", "DOB", 1, 1, 1, 0, 0}};
    ASSERT_TRUE(store_->PutLoadQuality(*txn, load, quality).ok());
    ASSERT_TRUE(txn->Rollback().ok());
  }
  EXPECT_EQ(store_->GetLoadQuality(load).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, CountDuplicatesOfAnEmptySourceIsZero) {
  auto d = store_->CountDuplicates("police_crime");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, SourceDuplicates{});
  EXPECT_EQ(store_->CountDuplicates("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::store
