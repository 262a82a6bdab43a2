// The audit log: events chain by hash (encodings 1 and 2), append alone or in batches with a
// checkpoint per append, list, search and count, and cannot be edited or deleted through SQL;
// an edit made around the triggers is caught by VerifyAudit.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/audit_chain.h"
#include "store/hub.h"
#include "store/sqlite/audit_db.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using testing::kTestEpochMicros;
using testing::RawDb;
using testing::TempDir;

AuditEvent Viewing(const std::string& resource, const std::string& justification = "s47 enquiry") {
  AuditEvent event;
  event.actor = "cli:alice";
  event.action = "quarantine.show";
  event.justification = justification;
  event.resource = resource;
  event.detail = "rows=1";
  return event;
}

// A structured event as the server writes it.
AuditEvent NominalView(const std::string& actor, const std::string& agency,
                       std::vector<int64_t> nominals, const std::string& outcome = "allowed") {
  AuditEvent event;
  event.actor = actor;
  event.agency = agency;
  event.role = "practitioner";
  event.action = "nominal.view";
  event.purpose = "child_safeguarding";
  event.justification = "strategy meeting";
  event.agreement = "ISA-T2-CS-01 v3";
  event.outcome = outcome;
  event.resource = nominals.empty() ? "nominal" : "nominal/" + std::to_string(nominals.front());
  event.nominals = std::move(nominals);
  event.records = {1001, 1002};
  return event;
}

// Runs `sql` on the database file behind the store's back, then verifies the log.
AuditVerification VerifyAfterEdit(Store& store, const std::string& db,
                                  const std::vector<std::string>& sql) {
  {
    RawDb raw(db);
    for (const std::string& statement : sql) raw.Exec(statement);
  }
  auto verification = store.VerifyAudit();
  EXPECT_TRUE(verification.ok()) << verification.status().ToString();
  return verification.value_or(AuditVerification{});
}

// Signs with a counter instead of a key, and records what it was asked: the store's side of
// checkpoints, without govern.
class RecordingSigner final : public AuditSigner {
 public:
  Result<std::string> Sign(int64_t seq, std::string_view hash) override {
    if (!sign_error.ok()) return sign_error;
    signed_seqs.push_back(seq);
    return "mac:" + std::to_string(seq) + ":" + std::string(hash.substr(0, 8));
  }
  Status Anchor(const AuditCheckpoint& checkpoint) override {
    anchored.push_back(checkpoint);
    return anchor_error;
  }

  Status sign_error;
  Status anchor_error;
  std::vector<int64_t> signed_seqs;
  std::vector<AuditCheckpoint> anchored;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitHub(tmp_.path(), clock_).ok());
    auto opened = OpenSqliteStore(tmp_.path(), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  AuditEvent Append(const AuditEvent& event) {
    auto appended = store_->AppendAudit(event);
    EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    return appended.value_or(AuditEvent{});
  }

  AuditVerification Verify() {
    auto verification = store_->VerifyAudit();
    EXPECT_TRUE(verification.ok()) << verification.status().ToString();
    return verification.value_or(AuditVerification{});
  }

  std::vector<int64_t> Seqs(const Result<std::vector<AuditEvent>>& events) {
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<int64_t> seqs;
    if (events.ok()) {
      for (const AuditEvent& event : *events) seqs.push_back(event.seq);
    }
    return seqs;
  }

  std::string AuditDb() const { return internal::AuditDbPath(tmp_.path()); }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
  std::unique_ptr<Store> store_;
};

// ---------------------------------------------------------------------------------------------
// The encodings

TEST(AuditChainTest, TheEncodingIsUnambiguous) {
  // Moving bytes from one field to the next changes the encoding, and so the hash.
  AuditEvent a = Viewing("quarantine/1");
  a.encoding = 2;
  AuditEvent b = a;
  a.actor = "cli:alice";
  a.action = "quarantine.show";
  b.actor = "cli:alicequarantine.";
  b.action = "show";
  EXPECT_NE(internal::CanonicalAuditEncoding(a).value(),
            internal::CanonicalAuditEncoding(b).value());
  EXPECT_NE(internal::AuditEventHash(a).value(), internal::AuditEventHash(b).value());
  // Ids moving from one list to the other, or between elements, change it too.
  AuditEvent c = a;
  AuditEvent d = a;
  c.nominals = {1, 2};
  d.nominals = {1};
  d.records = {2};
  EXPECT_NE(internal::AuditEventHash(c).value(), internal::AuditEventHash(d).value());
  AuditEvent e = a;
  e.nominals = {12};
  c.nominals = {1, 2};
  EXPECT_NE(internal::AuditEventHash(c).value(), internal::AuditEventHash(e).value());
}

TEST(AuditChainTest, EveryFieldCountsInEncoding2) {
  AuditEvent a = NominalView("user:12", "police", {42});
  a.encoding = 2;
  a.seq = 3;
  a.at_micros = kTestEpochMicros;
  a.prev_hash = std::string(64, 'a');
  const std::string hash = internal::AuditEventHash(a).value();
  AuditEvent with_hash = a;
  with_hash.hash = "anything";  // the hash itself is not encoded
  EXPECT_EQ(internal::AuditEventHash(with_hash).value(), hash);
  for (std::string AuditEvent::*field :
       {&AuditEvent::actor, &AuditEvent::agency, &AuditEvent::role, &AuditEvent::action,
        &AuditEvent::purpose, &AuditEvent::justification, &AuditEvent::agreement,
        &AuditEvent::outcome, &AuditEvent::resource, &AuditEvent::detail, &AuditEvent::prev_hash}) {
    AuditEvent changed = a;
    changed.*field += "x";
    EXPECT_NE(internal::AuditEventHash(changed).value(), hash);
  }
  for (std::vector<int64_t> AuditEvent::*list : {&AuditEvent::nominals, &AuditEvent::records}) {
    AuditEvent added = a;
    (added.*list).push_back(5);
    EXPECT_NE(internal::AuditEventHash(added).value(), hash);
    AuditEvent emptied = a;
    (emptied.*list).clear();
    EXPECT_NE(internal::AuditEventHash(emptied).value(), hash);
  }
  for (int64_t AuditEvent::*number : {&AuditEvent::seq, &AuditEvent::at_micros}) {
    AuditEvent changed = a;
    changed.*number += 1;
    EXPECT_NE(internal::AuditEventHash(changed).value(), hash);
  }
}

// Golden hashes, worked out independently of this code from the format in
// docs/design/0006-audit-log.md: an encoding must never change once events carry it.
TEST(AuditChainTest, EncodingsMatchTheirGoldenHashes) {
  AuditEvent v1 = Viewing("quarantine/1");
  v1.encoding = 1;
  v1.seq = 1;
  v1.at_micros = kTestEpochMicros;
  EXPECT_EQ(internal::AuditEventHash(v1).value(),
            "d300d956c2e2fe3165d3012336d35478013bd51b222e1fa5da63bd00d01fde5e");

  AuditEvent v2 = v1;
  v2.encoding = 2;
  v2.seq = 2;
  v2.prev_hash.clear();
  for (int i = 0; i < 32; ++i) v2.prev_hash += "ab";
  v2.agency = "police";
  v2.role = "practitioner";
  v2.purpose = "child_safeguarding";
  v2.agreement = "ISA-T2-CS-01 v3";
  v2.outcome = "allowed";
  v2.nominals = {42, 7};
  v2.records = {1001};
  EXPECT_EQ(internal::AuditEventHash(v2).value(),
            "61be6a6e4f722f8482ca8e51edf3fb985675ce3097ffc843c23592b51893db9b");
}

TEST(AuditChainTest, Encoding1RefusesFieldsItDoesNotCover) {
  AuditEvent event = Viewing("quarantine/1");
  event.encoding = 1;
  EXPECT_TRUE(internal::AuditEventHash(event).ok());
  event.outcome = "allowed";
  EXPECT_EQ(internal::AuditEventHash(event).status().code(), StatusCode::kInvalidArgument);
  event.outcome.clear();
  event.nominals = {1};
  EXPECT_EQ(internal::AuditEventHash(event).status().code(), StatusCode::kInvalidArgument);
  event.nominals.clear();
  event.encoding = 3;
  EXPECT_EQ(internal::AuditEventHash(event).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Appending

TEST_F(AuditTest, AppendChainsHashes) {
  AuditEvent first = Append(Viewing("quarantine/1"));
  clock_.Advance(5);
  AuditEvent second = Append(Viewing("quarantine/2"));

  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.at_micros, kTestEpochMicros);
  EXPECT_EQ(first.encoding, 2);
  EXPECT_EQ(first.prev_hash, "");
  EXPECT_EQ(first.hash.size(), 64u);
  EXPECT_EQ(first.hash, internal::AuditEventHash(first).value());
  EXPECT_EQ(first.actor, "cli:alice");
  EXPECT_EQ(first.resource, "quarantine/1");

  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.at_micros, kTestEpochMicros + 5);
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_EQ(second.hash, internal::AuditEventHash(second).value());
  EXPECT_NE(second.hash, first.hash);
}

TEST_F(AuditTest, StructuredFieldsAreStoredAndListed) {
  AuditEvent sent = NominalView("user:12", "police", {42, 7, 42}, "partial");
  AuditEvent stored = Append(sent);
  EXPECT_EQ(stored.agency, "police");
  EXPECT_EQ(stored.nominals, (std::vector<int64_t>{42, 7, 42}));  // as sent, order kept
  auto listed = store_->ListAudit(0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), stored);
  EXPECT_EQ(listed->front().agreement, "ISA-T2-CS-01 v3");
  EXPECT_EQ(listed->front().outcome, "partial");
  EXPECT_EQ(listed->front().records, (std::vector<int64_t>{1001, 1002}));
  RawDb raw(AuditDb());
  EXPECT_EQ(raw.QueryText("SELECT nominals FROM audit_events WHERE seq = 1"), "[42,7,42]");
  EXPECT_EQ(raw.QueryInt("SELECT encoding FROM audit_events WHERE seq = 1"), 2);
  // The nominal index holds each nominal once.
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_subjects WHERE seq = 1"), 2);
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditTest, StoreAssignsSeqTimeEncodingAndHashesWhateverTheCallerSent) {
  AuditEvent event = Viewing("quarantine/1");
  event.seq = 99;
  event.at_micros = 1;
  event.encoding = 1;
  event.prev_hash = "forged";
  event.hash = "forged";
  AuditEvent stored = Append(event);
  EXPECT_EQ(stored.seq, 1);
  EXPECT_EQ(stored.at_micros, kTestEpochMicros);
  EXPECT_EQ(stored.encoding, 2);
  EXPECT_EQ(stored.prev_hash, "");
  EXPECT_NE(stored.hash, "forged");
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditTest, ListReturnsEventsInOrderAndPages) {
  for (int i = 1; i <= 5; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  auto all = store_->ListAudit(0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*all)[i].seq, i + 1);
    EXPECT_EQ((*all)[i].resource, "quarantine/" + std::to_string(i + 1));
    EXPECT_EQ((*all)[i].justification, "s47 enquiry");
    if (i > 0) {
      EXPECT_EQ((*all)[i].prev_hash, (*all)[i - 1].hash);
    }
  }
  auto page = store_->ListAudit(2, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 3);
  EXPECT_EQ((*page)[1].seq, 4);
  EXPECT_EQ(store_->ListAudit(0, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AuditTest, EventsSurviveReopeningAndAnotherStoreContinuesTheChain) {
  AuditEvent first = Append(Viewing("quarantine/1"));
  auto other = OpenSqliteStore(tmp_.path(), clock_);
  ASSERT_TRUE(other.ok());
  auto second = (*other)->AppendAudit(Viewing("quarantine/2"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->prev_hash, first.hash);
  AuditEvent third = Append(Viewing("quarantine/3"));
  EXPECT_EQ(third.prev_hash, second->hash);
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditTest, VerifyPassesOnAnIntactLog) {
  AuditVerification empty = Verify();
  EXPECT_TRUE(empty.intact);
  EXPECT_EQ(empty.events, 0);
  EXPECT_EQ(empty.first_broken_seq, 0);

  Append(Viewing("quarantine/1"));
  Append(NominalView("user:12", "police", {3}));
  AuditEvent last = Append(Viewing("quarantine/3"));
  AuditVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.events, 3);
  EXPECT_EQ(verification.first_broken_seq, 0);
  EXPECT_EQ(verification.head_seq, 3);
  EXPECT_EQ(verification.head_hash, last.hash);
  EXPECT_EQ(verification.checkpoints, 0);  // no signer
}

TEST_F(AuditTest, ActorActionAndIdsAreChecked) {
  AuditEvent no_actor = Viewing("quarantine/1");
  no_actor.actor.clear();
  EXPECT_EQ(store_->AppendAudit(no_actor).status().code(), StatusCode::kInvalidArgument);
  AuditEvent no_action = Viewing("quarantine/1");
  no_action.action.clear();
  EXPECT_EQ(store_->AppendAudit(no_action).status().code(), StatusCode::kInvalidArgument);
  AuditEvent bad_nominal = NominalView("user:1", "police", {0});
  EXPECT_EQ(store_->AppendAudit(bad_nominal).status().code(), StatusCode::kInvalidArgument);
  AuditEvent bad_record = NominalView("user:1", "police", {1});
  bad_record.records = {-4};
  EXPECT_EQ(store_->AppendAudit(bad_record).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Verify().events, 0);
}

TEST_F(AuditTest, AppendRefusesWhileATransactionIsOpen) {
  auto txn = store_->Begin();
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(store_->AppendAudit(Viewing("quarantine/1")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AppendAuditBatch({Viewing("quarantine/1")}).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*txn)->Rollback().ok());
  EXPECT_TRUE(store_->AppendAudit(Viewing("quarantine/1")).ok());
}

TEST_F(AuditTest, ABatchIsAppendedConsecutivelyInOneTransaction) {
  Append(Viewing("quarantine/0"));
  std::vector<AuditEvent> batch;
  for (int i = 1; i <= 3; ++i)
    batch.push_back(NominalView("user:" + std::to_string(i), "police", {i}));
  auto stored = store_->AppendAuditBatch(batch);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 3u);
  auto listed = store_->ListAudit(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*stored)[i].seq, i + 2);
    EXPECT_EQ((*stored)[i].actor, "user:" + std::to_string(i + 1));
    EXPECT_EQ((*stored)[i].prev_hash, (*listed)[i].hash);
    EXPECT_EQ((*stored)[i], (*listed)[i + 1]);
  }
  EXPECT_TRUE(Verify().intact);

  // One invalid event and none of the batch is appended.
  batch[1].actor.clear();
  auto refused = store_->AppendAuditBatch(batch);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("event 2 of 3"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(Verify().events, 4);

  auto empty = store_->AppendAuditBatch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(Verify().events, 4);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

TEST_F(AuditTest, ASignerGetsACheckpointPerAppendAndAnAnchorAfterCommit) {
  auto signer = std::make_shared<RecordingSigner>();
  store_->SetAuditSigner(signer);
  AuditEvent single = Append(Viewing("quarantine/1"));
  clock_.Advance(10);
  auto batch = store_->AppendAuditBatch(
      {NominalView("user:1", "police", {1}), NominalView("user:2", "health", {2})});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();

  EXPECT_EQ(signer->signed_seqs, (std::vector<int64_t>{1, 3}));
  auto checkpoints = store_->ListAuditCheckpoints(0, 10);
  ASSERT_TRUE(checkpoints.ok()) << checkpoints.status().ToString();
  ASSERT_EQ(checkpoints->size(), 2u);
  EXPECT_EQ((*checkpoints)[0].seq, 1);
  EXPECT_EQ((*checkpoints)[0].hash, single.hash);
  EXPECT_EQ((*checkpoints)[0].mac, "mac:1:" + single.hash.substr(0, 8));
  EXPECT_EQ((*checkpoints)[0].at_micros, kTestEpochMicros);
  EXPECT_EQ((*checkpoints)[1].seq, 3);
  EXPECT_EQ((*checkpoints)[1].hash, batch->back().hash);
  EXPECT_EQ(signer->anchored, *checkpoints);
  auto page = store_->ListAuditCheckpoints(1, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().seq, 3);

  AuditVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.checkpoints, 2);
  EXPECT_EQ(verification.last_checkpoint_seq, 3);

  // Without a signer, appends carry no checkpoint.
  store_->SetAuditSigner(nullptr);
  Append(Viewing("quarantine/4"));
  EXPECT_EQ(store_->ListAuditCheckpoints(0, 10)->size(), 2u);
  EXPECT_EQ(Verify().last_checkpoint_seq, 3);
}

TEST_F(AuditTest, ASigningFailureAppendsNothing) {
  auto signer = std::make_shared<RecordingSigner>();
  signer->sign_error = Status::IoError("key unreadable");
  store_->SetAuditSigner(signer);
  auto refused = store_->AppendAudit(Viewing("quarantine/1"));
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_EQ(Verify().events, 0);
  EXPECT_TRUE(signer->anchored.empty());
  signer->sign_error = Status::Ok();
  EXPECT_EQ(Append(Viewing("quarantine/1")).seq, 1);
}

TEST_F(AuditTest, AnAnchorFailureIsReportedAlthoughTheEventIsCommitted) {
  auto signer = std::make_shared<RecordingSigner>();
  signer->anchor_error = Status::IoError("disk full");
  store_->SetAuditSigner(signer);
  auto failed = store_->AppendAudit(Viewing("quarantine/1"));
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_NE(failed.status().message().find("committed"), std::string::npos);
  EXPECT_EQ(Verify().events, 1);
  EXPECT_EQ(signer->anchored.size(), 1u);
}

TEST_F(AuditTest, UpdateAndDeleteThroughSqlFail) {
  store_->SetAuditSigner(std::make_shared<RecordingSigner>());
  Append(NominalView("user:1", "police", {5}));
  RawDb raw(AuditDb());
  EXPECT_NE(raw.ExecError("UPDATE audit_events SET justification = 'nothing to see' WHERE seq = 1")
                .find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_events WHERE seq = 1").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_events").find("append-only"), std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_subjects").find("append-only"), std::string::npos);
  EXPECT_NE(raw.ExecError("UPDATE audit_subjects SET nominal_id = 6").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_checkpoints").find("append-only"), std::string::npos);
  EXPECT_NE(raw.ExecError("UPDATE audit_checkpoints SET mac = 'x'").find("append-only"),
            std::string::npos);
  EXPECT_EQ(raw.QueryText("SELECT justification FROM audit_events WHERE seq = 1"),
            "strategy meeting");
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_events"), 1);
  EXPECT_TRUE(Verify().intact);
}

// ---------------------------------------------------------------------------------------------
// Tampering behind the triggers' back

TEST_F(AuditTest, AnEditBehindTheTriggersBackIsReportedAtItsSeq) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET justification = 'routine' WHERE seq = 3");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("hash"), std::string::npos) << verification.problem;
  EXPECT_EQ(verification.head_hash, "");
}

TEST_F(AuditTest, AnEditOfAStructuredFieldIsReported) {
  for (int i = 1; i <= 3; ++i) Append(NominalView("user:1", "police", {i}));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET outcome = 'denied' WHERE seq = 2");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
}

TEST_F(AuditTest, AnEditWithItsHashRecomputedBreaksTheNextLink) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  auto events = store_->ListAudit(0, 10);
  ASSERT_TRUE(events.ok());
  AuditEvent forged = (*events)[1];
  forged.resource = "quarantine/999";
  const std::string forged_hash = internal::AuditEventHash(forged).value();
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET resource = 'quarantine/999', hash = '" + forged_hash +
             "' WHERE seq = 2");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("prev_hash"), std::string::npos) << verification.problem;
}

TEST_F(AuditTest, ADeletedEventBehindTheTriggersBackIsReported) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_delete");
    raw.Exec("DELETE FROM audit_events WHERE seq = 2");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("missing"), std::string::npos) << verification.problem;
}

TEST_F(AuditTest, SwappedEventsAreReported) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    // Exchange the rows of seq 2 and 3 (through a free seq, the primary key being unique).
    raw.Exec("UPDATE audit_events SET seq = 100 WHERE seq = 2");
    raw.Exec("UPDATE audit_events SET seq = 2 WHERE seq = 3");
    raw.Exec("UPDATE audit_events SET seq = 3 WHERE seq = 100");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
}

TEST_F(AuditTest, ACheckpointWithAnotherHashIsReported) {
  store_->SetAuditSigner(std::make_shared<RecordingSigner>());
  for (int i = 1; i <= 3; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_checkpoints_no_update");
    raw.Exec("UPDATE audit_checkpoints SET hash = '" + std::string(64, '0') + "' WHERE seq = 2");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
  EXPECT_NE(verification.problem.find("checkpoint"), std::string::npos) << verification.problem;
}

TEST_F(AuditTest, DeletingTheNewestEventsButNotTheirCheckpointsIsReported) {
  store_->SetAuditSigner(std::make_shared<RecordingSigner>());
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(AuditDb());
    raw.Exec("PRAGMA foreign_keys = OFF");
    raw.Exec("DROP TRIGGER audit_events_no_delete");
    raw.Exec("DELETE FROM audit_events WHERE seq >= 3");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("newest events were deleted"), std::string::npos)
      << verification.problem;
}

TEST_F(AuditTest, AnEditOfTheNominalIndexIsReported) {
  for (int i = 1; i <= 3; ++i) Append(NominalView("user:1", "police", {10 + i}));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_subjects_no_delete");
    raw.Exec("DELETE FROM audit_subjects WHERE seq = 2");  // hides who saw nominal 12
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
  EXPECT_NE(verification.problem.find("nominal index"), std::string::npos) << verification.problem;
}

TEST_F(AuditTest, AListThatIsNotJsonIsReportedNotAnError) {
  Append(NominalView("user:1", "police", {1}));
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET records = 'hidden' WHERE seq = 1");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 1);
  EXPECT_NE(verification.problem.find("records"), std::string::npos) << verification.problem;
  EXPECT_EQ(store_->ListAudit(0, 10).status().code(), StatusCode::kCorruption);
}

// ---------------------------------------------------------------------------------------------
// The nominal index by period: appends write audit_subjects in seq order; the append that
// completes a period writes that period's index sorted by nominal; reads probe every sealed
// period and scan the open one.

class AuditPeriodTest : public AuditTest {
 protected:
  static constexpr int64_t kPeriod = 3;

  void SetUp() override { OpenHub(tmp_.path()); }

  // Makes a hub in `dir` and opens store_ on it, with periods of kPeriod events.
  void OpenHub(const std::string& dir) {
    store_.reset();
    hub_ = dir;
    ASSERT_TRUE(InitHub(hub_, clock_).ok());
    OpenOptions options;
    options.audit_period_events = kPeriod;
    auto opened = OpenSqliteStore(hub_, clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::string AuditDb() const { return internal::AuditDbPath(hub_); }

  // The sealed periods as "first-last", oldest first.
  std::vector<std::string> Periods() {
    RawDb raw(AuditDb());
    std::vector<std::string> out;
    const int64_t n = raw.QueryInt("SELECT count(*) FROM audit_periods");
    for (int64_t k = 1; k <= n; ++k) {
      out.push_back(
          raw.QueryText("SELECT first_seq || '-' || last_seq FROM audit_periods WHERE "
                        "period = " +
                        std::to_string(k)));
    }
    return out;
  }

  // Seqs 1-8, the first six in two sealed periods, 7 and 8 in the open one; nominal 5 is named
  // in every period.
  void AppendEight() {
    Append(NominalView("user:1", "police", {5}));                                    // 1
    Append(NominalView("user:2", "health", {6, 5}));                                 // 2
    Append(NominalView("user:1", "police", {7}));                                    // 3: seals 1-3
    auto batch = store_->AppendAuditBatch({NominalView("user:3", "police", {5, 5}),  // 4
                                           NominalView("user:2", "health", {7}),     // 5
                                           NominalView("user:1", "police", {6}),     // 6
                                           NominalView("user:3", "police", {8})});   // 7
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    Append(NominalView("user:1", "police", {5}, "denied"));  // 8
  }

  std::string hub_;
};

TEST_F(AuditPeriodTest, TheAppendThatCompletesAPeriodSealsIt) {
  Append(NominalView("user:1", "police", {5}));
  Append(NominalView("user:1", "police", {6}));
  EXPECT_TRUE(Periods().empty());
  Append(NominalView("user:1", "police", {7}));
  EXPECT_EQ(Periods(), (std::vector<std::string>{"1-3"}));
  // A batch that completes more than one period seals each of them.
  std::vector<AuditEvent> batch(7, NominalView("user:2", "health", {9, 8}));
  ASSERT_TRUE(store_->AppendAuditBatch(batch).ok());  // seqs 4-10
  EXPECT_EQ(Periods(), (std::vector<std::string>{"1-3", "4-6", "7-9"}));
  RawDb raw(AuditDb());
  // Each sealed period holds its events' nominals, once per event, in nominal order.
  EXPECT_EQ(raw.QueryText("SELECT group_concat(nominal_id || '@' || seq, ' ') FROM (SELECT "
                          "nominal_id, seq FROM audit_nominal_index WHERE period = 2 ORDER BY "
                          "nominal_id, seq)"),
            "8@4 8@5 8@6 9@4 9@5 9@6");
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_nominal_index"), 1 + 1 + 1 + 6 * 2);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_subjects WHERE seq = 10"), 2);  // open
  EXPECT_TRUE(Verify().intact);
  // The period's rows, like every table of the log, cannot be changed through SQL.
  EXPECT_NE(raw.ExecError("DELETE FROM audit_nominal_index WHERE seq = 5").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("UPDATE audit_nominal_index SET nominal_id = 1").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_periods").find("append-only"), std::string::npos);
  EXPECT_NE(raw.ExecError("UPDATE audit_periods SET last_seq = 2").find("append-only"),
            std::string::npos);
}

TEST_F(AuditPeriodTest, ReadsByNominalSpanTheSealedPeriodsAndTheOpenOne) {
  AppendEight();
  ASSERT_EQ(Periods(), (std::vector<std::string>{"1-3", "4-6"}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(5, 0, 10)), (std::vector<int64_t>{1, 2, 4, 8}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(6, 0, 10)), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(8, 0, 10)), (std::vector<int64_t>{7}));
  EXPECT_TRUE(Seqs(store_->ListAuditForNominal(9, 0, 10)).empty());
  // Paging either way crosses the periods' bounds.
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(5, 2, 2)), (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(5, 4, 10)), (std::vector<int64_t>{8}));
  AuditQuery newest;
  newest.nominal_id = 5;
  newest.newest_first = true;
  newest.limit = 2;
  EXPECT_EQ(Seqs(store_->SearchAudit(newest)), (std::vector<int64_t>{8, 4}));
  newest.before_seq = 4;
  EXPECT_EQ(Seqs(store_->SearchAudit(newest)), (std::vector<int64_t>{2, 1}));
  // Other filters combine with it.
  AuditQuery police;
  police.nominal_id = 5;
  police.agency = "police";
  police.outcome = "allowed";
  EXPECT_EQ(Seqs(store_->SearchAudit(police)), (std::vector<int64_t>{1, 4}));
  // Distinct nominals per agency count across periods too.
  auto usage = store_->GetAuditUsage(kTestEpochMicros, kTestEpochMicros + 1);
  ASSERT_TRUE(usage.ok()) << usage.status().ToString();
  ASSERT_EQ(usage->by_agency.size(), 2u);
  EXPECT_EQ(usage->by_agency[0].agency, "police");
  EXPECT_EQ(usage->by_agency[0].nominals, 4);  // 5, 6, 7, 8
  EXPECT_EQ(usage->by_agency[1].nominals, 3);  // 5, 6, 7
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditPeriodTest, MergesAreFollowedAcrossPeriods) {
  auto txn = store_->Begin();
  ASSERT_TRUE(txn.ok());
  auto survivor = store_->CreateNominal(**txn, model::Nominal{});
  auto absorbed = store_->CreateNominal(**txn, model::Nominal{});
  ASSERT_TRUE(survivor.ok() && absorbed.ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  Append(NominalView("user:1", "police", {*absorbed}));  // 1, sealed with 2 and 3
  Append(Viewing("quarantine/1"));                       // 2
  Append(Viewing("quarantine/2"));                       // 3
  Append(NominalView("user:2", "health", {*survivor}));  // 4, open
  auto merge = store_->Begin();
  ASSERT_TRUE(merge.ok());
  ASSERT_TRUE(store_->MergeNominals(**merge, *survivor, *absorbed, "same person").ok());
  ASSERT_TRUE((*merge)->Commit().ok());
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*survivor, 0, 10)), (std::vector<int64_t>{1, 4}));
}

TEST_F(AuditPeriodTest, StoresWithAnotherPeriodShareTheHub) {
  AppendEight();  // periods 1-3 and 4-6 sealed
  store_.reset();
  OpenOptions options;
  options.audit_period_events = 5;
  auto reopened = OpenSqliteStore(hub_, clock_, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  store_ = std::move(reopened).value();
  for (int i = 0; i < 3; ++i) Append(NominalView("user:4", "police", {5}));  // 9-11
  EXPECT_EQ(Periods(), (std::vector<std::string>{"1-3", "4-6", "7-11"}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(5, 0, 10)),
            (std::vector<int64_t>{1, 2, 4, 8, 9, 10, 11}));
  EXPECT_TRUE(Verify().intact);
  options.audit_period_events = 0;
  EXPECT_EQ(OpenSqliteStore(hub_, clock_, options).status().code(), StatusCode::kInvalidArgument);
}

// Each edit of the sealed index or of the periods, made behind the triggers' back, is caught:
// what the index would then answer ("who has seen this person") is no longer what the events
// say.
TEST_F(AuditPeriodTest, AnEditOfASealedPeriodIsReported) {
  struct Edit {
    const char* what;
    std::vector<std::string> sql;
    int64_t broken_seq;
    const char* problem;
  };
  const std::vector<Edit> edits = {
      {"a view hidden",
       {"DROP TRIGGER audit_nominal_index_no_delete",
        "DELETE FROM audit_nominal_index WHERE nominal_id = 5 AND seq = 4"},
       4,
       "does not hold every nominal"},
      {"a view moved to another person",
       {"DROP TRIGGER audit_nominal_index_no_update",
        "UPDATE audit_nominal_index SET nominal_id = 9 WHERE nominal_id = 6 AND seq = 2"},
       2,
       "names nominal 9 for seq 2"},
      {"a view made up",
       {"INSERT INTO audit_nominal_index (period, nominal_id, seq) VALUES (2, 9, 5)"},
       5,
       "names nominal 9 for seq 5"},
      {"a row moved to the other period",
       {"DROP TRIGGER audit_nominal_index_no_update",
        "UPDATE audit_nominal_index SET period = 1 WHERE nominal_id = 7 AND seq = 5"},
       5,
       "period 1"},
      {"a period shortened",
       {"DROP TRIGGER audit_periods_no_update",
        "UPDATE audit_periods SET last_seq = 2 WHERE period = 1"},
       4,
       "does not follow the period before it"},
      {"a period dropped",
       {"DROP TRIGGER audit_periods_no_delete", "DELETE FROM audit_periods WHERE period = 2"},
       4,
       "never sealed"},
      {"a period for events yet to come",
       {"INSERT INTO audit_periods (period, first_seq, last_seq) VALUES (3, 7, 9)"},
       9,
       "the newest events were deleted"},
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    const Edit& edit = edits[i];
    SCOPED_TRACE(edit.what);
    OpenHub(tmp_.Sub("hub" + std::to_string(i)));
    AppendEight();
    ASSERT_TRUE(Verify().intact);
    AuditVerification verification = VerifyAfterEdit(*store_, AuditDb(), edit.sql);
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_broken_seq, edit.broken_seq) << verification.problem;
    EXPECT_NE(verification.problem.find(edit.problem), std::string::npos) << verification.problem;
    EXPECT_EQ(verification.head_seq, 0);
  }
}

TEST_F(AuditPeriodTest, ReadsComeFromTheSealedIndexSoVerifyChecksIt) {
  AppendEight();
  AuditVerification verification =
      VerifyAfterEdit(*store_, AuditDb(),
                      {"DROP TRIGGER audit_nominal_index_no_delete",
                       "DELETE FROM audit_nominal_index WHERE nominal_id = 5 AND seq = 2"});
  EXPECT_FALSE(verification.intact);
  // The view at seq 2 no longer shows in "who has seen nominal 5": why verification checks it.
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(5, 0, 10)), (std::vector<int64_t>{1, 4, 8}));
  EXPECT_EQ(verification.first_broken_seq, 2);
}

// ---------------------------------------------------------------------------------------------
// Logs written by older schema versions

// Writes a chain of encoding-2 events into the audit tables of an old hub's hub.db, as the
// binary of that version did, event i naming `named[i]`; returns the head's hash.
std::string WriteOldEvents(RawDb& raw, const std::vector<std::vector<int64_t>>& named) {
  std::string prev_hash;
  for (size_t i = 0; i < named.size(); ++i) {
    AuditEvent old = NominalView("user:" + std::to_string(i % 2 + 1), "police", named[i]);
    old.seq = static_cast<int64_t>(i) + 1;
    old.at_micros = kTestEpochMicros + old.seq;
    old.encoding = 2;
    old.prev_hash = prev_hash;
    old.hash = internal::AuditEventHash(old).value();
    std::string nominals = "[";
    for (size_t k = 0; k < old.nominals.size(); ++k) {
      nominals += (k > 0 ? "," : "") + std::to_string(old.nominals[k]);
    }
    nominals += "]";
    raw.Exec(
        "INSERT INTO audit_events (seq, at, actor, agency, role, action, purpose, "
        "justification, agreement, outcome, resource, detail, nominals, records, encoding, "
        "prev_hash, hash) VALUES (" +
        std::to_string(old.seq) + ", " + std::to_string(old.at_micros) + ", '" + old.actor +
        "', '" + old.agency + "', '" + old.role + "', '" + old.action + "', '" + old.purpose +
        "', '" + old.justification + "', '" + old.agreement + "', '" + old.outcome + "', '" +
        old.resource + "', '', '" + nominals + "', '[1001,1002]', 2, '" + old.prev_hash + "', '" +
        old.hash + "')");
    raw.Exec("INSERT OR IGNORE INTO audit_subjects (nominal_id, seq) SELECT value, " +
             std::to_string(old.seq) + " FROM json_each('" + nominals + "')");
    prev_hash = old.hash;
  }
  return prev_hash;
}

TEST(AuditMigrationTest, Encoding1EventsStillVerifyAndTheChainGoesOn) {
  TempDir tmp;
  ManualClock clock(kTestEpochMicros);
  const std::string audit_db = internal::AuditDbPath(tmp.path());
  const std::string db = testing::MakeHubAtSchemaVersion(tmp.path(), clock, 7);
  std::string prev_hash;
  {
    RawDb raw(db);
    for (int seq = 1; seq <= 3; ++seq) {
      AuditEvent old = Viewing("quarantine/" + std::to_string(seq));
      old.seq = seq;
      old.at_micros = kTestEpochMicros + seq;
      old.encoding = 1;
      old.prev_hash = prev_hash;
      old.hash = internal::AuditEventHash(old).value();
      raw.Exec(
          "INSERT INTO audit_events (seq, at, actor, action, purpose, justification, "
          "resource, detail, prev_hash, hash) VALUES (" +
          std::to_string(seq) + ", " + std::to_string(old.at_micros) + ", '" + old.actor + "', '" +
          old.action + "', '', '" + old.justification + "', '" + old.resource + "', '" +
          old.detail + "', '" + old.prev_hash + "', '" + old.hash + "')");
      prev_hash = old.hash;
    }
  }
  auto opened = OpenSqliteStore(tmp.path(), clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  auto verification = store.VerifyAudit();
  ASSERT_TRUE(verification.ok());
  EXPECT_TRUE(verification->intact) << verification->problem;
  EXPECT_EQ(verification->head_hash, prev_hash);
  auto old = store.ListAudit(0, 10);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ASSERT_EQ(old->size(), 3u);
  EXPECT_EQ(old->front().encoding, 1);
  EXPECT_TRUE(old->front().nominals.empty());

  auto next = store.AppendAudit(NominalView("user:1", "police", {9}));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->seq, 4);
  EXPECT_EQ(next->encoding, 2);
  EXPECT_EQ(next->prev_hash, prev_hash);
  EXPECT_TRUE(store.VerifyAudit()->intact);

  // A field encoding 1 does not cover, filled in later, is caught.
  {
    RawDb raw(audit_db);
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET outcome = 'denied' WHERE seq = 2");
  }
  auto after_edit = store.VerifyAudit();
  ASSERT_TRUE(after_edit.ok());
  EXPECT_FALSE(after_edit->intact);
  EXPECT_EQ(after_edit->first_broken_seq, 2);
}

// A log written with schema version 13 (audit_subjects keyed by nominal) becomes sealed period 1
// of the layout of version 14: its events keep verifying, reads by nominal find them, and the
// periods after it are sealed as appends complete them.
TEST(AuditMigrationTest, AVersion13LogBecomesTheFirstSealedPeriod) {
  TempDir tmp;
  ManualClock clock(kTestEpochMicros);
  const std::string audit_db = internal::AuditDbPath(tmp.path());
  const std::string db = testing::MakeHubAtSchemaVersion(tmp.path(), clock, 13);
  std::string prev_hash;
  {
    RawDb raw(db);
    prev_hash = WriteOldEvents(raw, {{5}, {6, 5}, {}, {7, 7}, {5}});
    ASSERT_EQ(raw.QueryInt("SELECT count(*) FROM audit_subjects"), 5);
  }
  OpenOptions options;
  options.audit_period_events = 2;
  auto opened = OpenSqliteStore(tmp.path(), clock, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_GE(store.SchemaVersion(), 14);
  {
    RawDb raw(audit_db);
    EXPECT_EQ(raw.QueryText("SELECT group_concat(period || ':' || first_seq || '-' || last_seq) "
                            "FROM audit_periods"),
              "1:1-5");
    EXPECT_EQ(raw.QueryText("SELECT group_concat(nominal_id || '@' || seq, ' ') FROM (SELECT "
                            "nominal_id, seq FROM audit_nominal_index WHERE period = 1 ORDER BY "
                            "nominal_id, seq)"),
              "5@1 5@2 5@5 6@2 7@4");
    EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_subjects"), 5);
  }
  auto verification = store.VerifyAudit();
  ASSERT_TRUE(verification.ok()) << verification.status().ToString();
  EXPECT_TRUE(verification->intact) << verification->problem;
  EXPECT_EQ(verification->head_seq, 5);
  EXPECT_EQ(verification->head_hash, prev_hash);

  auto seqs = [&](int64_t nominal) {
    std::vector<int64_t> out;
    auto events = store.ListAuditForNominal(nominal, 0, 100);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    for (const AuditEvent& event : events.value_or(std::vector<AuditEvent>{})) {
      out.push_back(event.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs(5), (std::vector<int64_t>{1, 2, 5}));
  EXPECT_EQ(seqs(7), (std::vector<int64_t>{4}));

  // The chain goes on, and the periods after the migrated one are sealed as they close.
  for (int i = 0; i < 3; ++i) {
    auto next = store.AppendAudit(NominalView("user:3", "health", {5, 8}));  // 6, 7, 8
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (i == 0) {
      EXPECT_EQ(next->prev_hash, prev_hash);
    }
  }
  {
    RawDb raw(audit_db);
    EXPECT_EQ(raw.QueryText("SELECT group_concat(period || ':' || first_seq || '-' || last_seq) "
                            "FROM audit_periods"),
              "1:1-5,2:6-7");
  }
  EXPECT_EQ(seqs(5), (std::vector<int64_t>{1, 2, 5, 6, 7, 8}));
  EXPECT_EQ(seqs(8), (std::vector<int64_t>{6, 7, 8}));
  EXPECT_TRUE(store.VerifyAudit()->intact);

  // An edit of the migrated period is caught like any other.
  AuditVerification after_edit =
      VerifyAfterEdit(store, audit_db,
                      {"DROP TRIGGER audit_nominal_index_no_delete",
                       "DELETE FROM audit_nominal_index WHERE nominal_id = 6 AND seq = 2"});
  EXPECT_FALSE(after_edit.intact);
  EXPECT_EQ(after_edit.first_broken_seq, 2);
}

TEST(AuditMigrationTest, AnEmptyVersion13LogHasNoPeriod) {
  TempDir tmp;
  ManualClock clock(kTestEpochMicros);
  const std::string audit_db = internal::AuditDbPath(tmp.path());
  const std::string db = testing::MakeHubAtSchemaVersion(tmp.path(), clock, 13);
  OpenOptions options;
  options.audit_period_events = 2;
  auto opened = OpenSqliteStore(tmp.path(), clock, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(RawDb(audit_db).QueryInt("SELECT count(*) FROM audit_periods"), 0);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE((*opened)->AppendAudit(Viewing("quarantine/1")).ok());
  EXPECT_EQ(RawDb(audit_db).QueryText("SELECT first_seq || '-' || last_seq FROM audit_periods"),
            "1-2");
  EXPECT_TRUE((*opened)->VerifyAudit()->intact);
}

// ---------------------------------------------------------------------------------------------
// The log's own file (schema version 15, store/sqlite/audit_db.h)

class AuditFileTest : public ::testing::Test {
 protected:
  // A version-14 hub whose hub.db holds five chained events; returns the head's hash.
  std::string MakeVersion14Hub() {
    hub_db_ = testing::MakeHubAtSchemaVersion(tmp_.path(), clock_, 14);
    RawDb raw(hub_db_);
    return WriteOldEvents(raw, {{5}, {6, 5}, {}, {7, 7}, {5}});
  }

  Result<std::unique_ptr<Store>> Open() { return OpenSqliteStore(tmp_.path(), clock_); }

  std::string AuditDb() const { return internal::AuditDbPath(tmp_.path()); }

  // An empty audit.db, as the first open of a version-14 hub makes it before the move.
  void MakeEmptyAuditDb() {
    auto audit = sqlite::OpenAuditDb(AuditDb(), /*create=*/true, 2000, true);
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  }

  // The store's log verifies, ends at `head`, and audit.db holds `events` events.
  void ExpectMovedLog(Store& store, const std::string& head, int64_t events) {
    EXPECT_EQ(RawDb(AuditDb()).QueryInt("SELECT count(*) FROM audit_events"), events);
    auto verification = store.VerifyAudit();
    ASSERT_TRUE(verification.ok()) << verification.status().ToString();
    EXPECT_TRUE(verification->intact) << verification->problem;
    EXPECT_EQ(verification->head_hash, head);
  }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
  std::string hub_db_;
};

TEST_F(AuditFileTest, MigrationMovesTheLogOutOfHubDbAndItGoesOnVerifying) {
  const std::string head = MakeVersion14Hub();
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(RawDb(hub_db_).QueryInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE "
                                    "'audit%'"),
            0);
  ExpectMovedLog(store, head, 5);
  RawDb audit(AuditDb());
  EXPECT_EQ(audit.QueryInt("SELECT count(*) FROM audit_subjects"), 5);
  auto next = store.AppendAudit(NominalView("user:3", "health", {5}));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->seq, 6);
  EXPECT_EQ(next->prev_hash, head);
  auto seen = store.ListAuditForNominal(5, 0, 10);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->size(), 4u);  // seqs 1, 2, 5 and 6
  // Through SQL the moved log is as append-only as it was.
  EXPECT_NE(audit.ExecError("DELETE FROM audit_events WHERE seq = 6").find("append-only"),
            std::string::npos);
}

// A crash after the copy into audit.db commits but before hub.db drops its tables: the next
// open copies again, adds only what is missing, and finishes the move.
TEST_F(AuditFileTest, AMoveInterruptedAfterTheCopyFinishesAtTheNextOpen) {
  const std::string head = MakeVersion14Hub();
  {
    auto audit = sqlite::OpenAuditDb(AuditDb(), /*create=*/true, 2000, true);
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
    ASSERT_TRUE(sqlite::MoveAuditLogToAuditDb(**audit, hub_db_).ok());
  }
  // Both files now hold the log, and hub.db is still at version 14.
  EXPECT_EQ(RawDb(hub_db_).QueryInt("SELECT count(*) FROM audit_events"), 5);
  EXPECT_EQ(RawDb(AuditDb()).QueryInt("SELECT count(*) FROM audit_events"), 5);
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_GE((*opened)->SchemaVersion(), 15);
  ExpectMovedLog(**opened, head, 5);  // no event twice
  EXPECT_EQ(RawDb(AuditDb()).QueryInt("SELECT count(*) FROM audit_subjects"), 5);
}

TEST_F(AuditFileTest, APartialCopyIsCompleted) {
  const std::string head = MakeVersion14Hub();
  MakeEmptyAuditDb();
  {
    // Only the first two events reached audit.db.
    RawDb audit(AuditDb());
    audit.Exec("ATTACH '" + hub_db_ + "' AS legacy");
    audit.Exec(
        "INSERT INTO audit_events (seq, at, actor, agency, role, action, purpose, justification, "
        "agreement, outcome, resource, detail, nominals, records, encoding, prev_hash, hash) "
        "SELECT seq, at, actor, agency, role, action, purpose, justification, agreement, "
        "outcome, resource, detail, nominals, records, encoding, prev_hash, hash FROM "
        "legacy.audit_events WHERE seq <= 2");
  }
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ExpectMovedLog(**opened, head, 5);
}

// An audit.db that disagrees with hub.db's log is not silently merged: the move stops, and
// hub.db keeps its log.
TEST_F(AuditFileTest, AnAuditDbThatDisagreesStopsTheMove) {
  MakeVersion14Hub();
  MakeEmptyAuditDb();
  {
    RawDb audit(AuditDb());
    audit.Exec(
        "INSERT INTO audit_events (seq, at, actor, action, purpose, justification, resource, "
        "detail, prev_hash, hash) VALUES (3, 1, 'someone:else', 'x', '', 'j', 'r', '', '', "
        "'not-the-same')");
  }
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find("audit_events"), std::string::npos)
      << opened.status().ToString();
  RawDb raw(hub_db_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_events"), 5);
  EXPECT_EQ(raw.QueryInt("SELECT max(version) FROM schema_migrations"), 14);
}

TEST_F(AuditFileTest, AHubWhoseAuditDbIsMissingDoesNotOpen) {
  ASSERT_TRUE(InitHub(tmp_.path(), clock_).ok());
  {
    auto opened = Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_TRUE((*opened)->AppendAudit(Viewing("quarantine/1")).ok());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(AuditDb() + suffix);
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("audit.db is missing"), std::string::npos)
      << opened.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(AuditDb())) << "no new, empty log in its place";
}

TEST_F(AuditFileTest, AnotherDatabaseInPlaceOfAuditDbIsRefused) {
  ASSERT_TRUE(InitHub(tmp_.path(), clock_).ok());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(AuditDb() + suffix);
  RawDb(AuditDb()).Exec("CREATE TABLE something (x)");
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find("not a Tessera audit log"), std::string::npos)
      << opened.status().ToString();
}

// A write transaction on hub.db (a load, say) does not hold the audit log's lock, so reads go on
// being audited, and served, while it runs.
TEST_F(AuditFileTest, AnOpenHubTransactionDoesNotHoldUpAppends) {
  ASSERT_TRUE(InitHub(tmp_.path(), clock_).ok());
  OpenOptions impatient;
  impatient.busy_timeout_ms = 50;
  auto loader = OpenSqliteStore(tmp_.path(), clock_, impatient);
  auto server = OpenSqliteStore(tmp_.path(), clock_, impatient);
  ASSERT_TRUE(loader.ok() && server.ok());
  auto txn = (*loader)->Begin();
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  auto appended = (*server)->AppendAudit(Viewing("quarantine/1"));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  // The load's transaction reads the log as it was when it began, and the server sees the event.
  auto listed = (*server)->ListAudit(0, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
  ASSERT_TRUE((*txn)->Commit().ok());
  // While the audit log's own lock is held, an append waits for it, then fails cleanly.
  RawDb blocker(AuditDb());
  blocker.Exec("BEGIN IMMEDIATE");
  auto blocked = (*server)->AppendAudit(Viewing("quarantine/2"));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  blocker.Exec("ROLLBACK");
  EXPECT_TRUE((*server)->AppendAudit(Viewing("quarantine/2")).ok());
}

// ---------------------------------------------------------------------------------------------
// Queries

TEST_F(AuditTest, WhoHasSeenANominalIncludesNominalsMergedIntoIt) {
  auto txn = store_->Begin();
  ASSERT_TRUE(txn.ok());
  auto survivor = store_->CreateNominal(**txn, model::Nominal{});
  auto absorbed = store_->CreateNominal(**txn, model::Nominal{});
  auto other = store_->CreateNominal(**txn, model::Nominal{});
  ASSERT_TRUE(survivor.ok() && absorbed.ok() && other.ok());
  ASSERT_TRUE((*txn)->Commit().ok());

  Append(NominalView("user:1", "police", {*survivor}));            // 1
  Append(NominalView("user:2", "health", {*absorbed, *other}));    // 2
  Append(NominalView("user:3", "police", {*other}));               // 3
  Append(NominalView("user:4", "police", {*survivor}, "denied"));  // 4
  Append(Viewing("quarantine/1"));                                 // 5

  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*survivor, 0, 10)), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*other, 0, 10)), (std::vector<int64_t>{2, 3}));

  auto merge = store_->Begin();
  ASSERT_TRUE(merge.ok());
  auto merged = store_->MergeNominals(**merge, *survivor, *absorbed, "same person");
  ASSERT_TRUE(merged.ok()) << merged.ToString();
  ASSERT_TRUE((*merge)->Commit().ok());

  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*survivor, 0, 10)), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*survivor, 1, 1)), (std::vector<int64_t>{2}));
  EXPECT_EQ(Seqs(store_->ListAuditForNominal(*absorbed, 0, 10)), (std::vector<int64_t>{2}));
  EXPECT_EQ(store_->ListAuditForNominal(0, 0, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAuditForNominal(*survivor, 0, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AuditTest, SearchAppliesEveryFilter) {
  Append(NominalView("user:1", "police", {1}));  // 1
  clock_.Advance(100);
  Append(NominalView("user:2", "health", {2}, "denied"));  // 2 at +100
  clock_.Advance(100);
  AuditEvent search = NominalView("user:1", "police", {1, 2});  // 3 at +200
  search.action = "search.people";
  search.purpose = "adult_safeguarding";
  Append(search);
  clock_.Advance(100);
  Append(Viewing("quarantine/1"));  // 4 at +300

  auto seqs = [&](const AuditQuery& query) { return Seqs(store_->SearchAudit(query)); };
  AuditQuery all;
  EXPECT_EQ(seqs(all), (std::vector<int64_t>{1, 2, 3, 4}));
  AuditQuery q;
  q.actor = "user:1";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{1, 3}));
  q = {};
  q.agency = "health";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2}));
  q = {};
  q.action_prefix = "search.";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{3}));
  q.action_prefix = "nominal";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{1, 2}));
  q = {};
  q.purpose = "adult_safeguarding";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{3}));
  q = {};
  q.outcome = "denied";
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2}));
  q = {};
  q.from_micros = kTestEpochMicros + 100;
  q.to_micros = kTestEpochMicros + 300;  // exclusive
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2, 3}));
  q = {};
  q.nominal_id = 2;
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2, 3}));
  q.actor = "user:1";  // filters combine
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{3}));
  q = {};
  q.after_seq = 1;
  q.limit = 2;
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2, 3}));
  q = {};
  q.newest_first = true;
  q.limit = 3;
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{4, 3, 2}));
  q.before_seq = 3;
  EXPECT_EQ(seqs(q), (std::vector<int64_t>{2, 1}));
  q = {};
  q.limit = 0;
  EXPECT_EQ(store_->SearchAudit(q).status().code(), StatusCode::kInvalidArgument);
  // Text filters are values, not SQL.
  q = {};
  q.actor = "' OR 1=1 --";
  EXPECT_TRUE(seqs(q).empty());
}

TEST_F(AuditTest, UsageCountsByAgencyActorAndOutcome) {
  Append(NominalView("user:1", "police", {1, 2}));  // in the period
  Append(NominalView("user:1", "police", {2}));
  Append(NominalView("user:2", "police", {3}, "denied"));
  Append(NominalView("user:3", "health", {1}));
  Append(Viewing("quarantine/1"));  // no agency, no nominals
  clock_.Advance(1000);
  Append(NominalView("user:3", "health", {4}));  // after the period

  auto usage = store_->GetAuditUsage(kTestEpochMicros, kTestEpochMicros + 1000);
  ASSERT_TRUE(usage.ok()) << usage.status().ToString();
  EXPECT_EQ(usage->events, 5);
  EXPECT_EQ(usage->outcomes,
            (std::map<std::string, int64_t>{{"", 1}, {"allowed", 3}, {"denied", 1}}));
  ASSERT_EQ(usage->by_agency.size(), 3u);
  EXPECT_EQ(usage->by_agency[0].agency, "police");
  EXPECT_EQ(usage->by_agency[0].events, 3);
  EXPECT_EQ(usage->by_agency[0].nominals, 3);
  EXPECT_EQ(usage->by_agency[0].outcomes,
            (std::map<std::string, int64_t>{{"allowed", 2}, {"denied", 1}}));
  EXPECT_EQ(usage->by_agency[1].agency, "");
  EXPECT_EQ(usage->by_agency[1].events, 1);
  EXPECT_EQ(usage->by_agency[1].nominals, 0);
  EXPECT_EQ(usage->by_agency[2].agency, "health");
  EXPECT_EQ(usage->by_agency[2].nominals, 1);

  ASSERT_EQ(usage->by_actor.size(), 4u);
  EXPECT_EQ(usage->by_actor[0].actor, "user:1");
  EXPECT_EQ(usage->by_actor[0].agency, "police");
  EXPECT_EQ(usage->by_actor[0].events, 2);
  EXPECT_EQ(usage->by_actor[0].nominals, 2);
  EXPECT_EQ(usage->by_actor[1].actor, "cli:alice");
  EXPECT_EQ(usage->by_actor[2].actor, "user:2");
  EXPECT_EQ(usage->by_actor[2].outcomes, (std::map<std::string, int64_t>{{"denied", 1}}));
  EXPECT_EQ(usage->by_actor[3].actor, "user:3");
  EXPECT_EQ(usage->by_actor[3].events, 1);

  auto later = store_->GetAuditUsage(kTestEpochMicros + 1000, kTestEpochMicros + 2000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->events, 1);
  auto none = store_->GetAuditUsage(0, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->events, 0);
  EXPECT_TRUE(none->by_agency.empty());
  EXPECT_EQ(store_->GetAuditUsage(2, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AuditTest, GetQuarantinedReadsOneRowOrIsNotFound) {
  auto txn = store_->Begin();
  ASSERT_TRUE(txn.ok());
  auto load = store_->BeginLoad(**txn, "police_crime", "landing/police_crime/a.csv", "h",
                                LoadMode::kIncremental);
  ASSERT_TRUE(load.ok());
  QuarantinedRow row;
  row.load_id = *load;
  row.source_id = "police_crime";
  row.file = "landing/police_crime/a.csv";
  row.line = 7;
  row.byte_offset = 321;
  row.field = "DoB";
  row.reason = "not a date";
  row.raw = "C1,\x1b[2J\xff,31/02/1990\r\n";
  auto id = store_->AddQuarantined(**txn, row);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE((*txn)->Commit().ok());

  auto got = store_->GetQuarantined(*id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  row.id = *id;
  EXPECT_EQ(*got, row);
  EXPECT_EQ(store_->GetQuarantined(*id + 1).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera::store
