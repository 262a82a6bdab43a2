// The audit log: events chain by hash, list in order, verify, and cannot be edited or deleted
// through SQL; an edit made around the triggers is caught by VerifyAudit.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/audit_chain.h"
#include "store/hub.h"
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

  std::string DbPath() const { return internal::HubDbPath(tmp_.path()); }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
  std::unique_ptr<Store> store_;
};

TEST(AuditChainTest, TheEncodingIsUnambiguous) {
  // Moving bytes from one field to the next changes the encoding, and so the hash.
  AuditEvent a = Viewing("quarantine/1");
  AuditEvent b = a;
  a.actor = "cli:alice";
  a.action = "quarantine.show";
  b.actor = "cli:alicequarantine.";
  b.action = "show";
  EXPECT_NE(internal::CanonicalAuditEncoding(a), internal::CanonicalAuditEncoding(b));
  EXPECT_NE(internal::AuditEventHash(a).value(), internal::AuditEventHash(b).value());
  // Every field counts, the hash itself excepted.
  AuditEvent c = a;
  c.hash = "anything";
  EXPECT_EQ(internal::AuditEventHash(a).value(), internal::AuditEventHash(c).value());
  for (std::string AuditEvent::*field :
       {&AuditEvent::actor, &AuditEvent::action, &AuditEvent::purpose, &AuditEvent::justification,
        &AuditEvent::resource, &AuditEvent::detail, &AuditEvent::prev_hash}) {
    AuditEvent d = a;
    d.*field += "x";
    EXPECT_NE(internal::AuditEventHash(a).value(), internal::AuditEventHash(d).value());
  }
  AuditEvent e = a;
  e.seq += 1;
  EXPECT_NE(internal::AuditEventHash(a).value(), internal::AuditEventHash(e).value());
  AuditEvent f = a;
  f.at_micros += 1;
  EXPECT_NE(internal::AuditEventHash(a).value(), internal::AuditEventHash(f).value());
}

TEST_F(AuditTest, AppendChainsHashes) {
  AuditEvent first = Append(Viewing("quarantine/1"));
  clock_.Advance(5);
  AuditEvent second = Append(Viewing("quarantine/2"));

  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.at_micros, kTestEpochMicros);
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

TEST_F(AuditTest, StoreAssignsSeqTimeAndHashesWhateverTheCallerSent) {
  AuditEvent event = Viewing("quarantine/1");
  event.seq = 99;
  event.at_micros = 1;
  event.prev_hash = "forged";
  event.hash = "forged";
  AuditEvent stored = Append(event);
  EXPECT_EQ(stored.seq, 1);
  EXPECT_EQ(stored.at_micros, kTestEpochMicros);
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
  Append(Viewing("quarantine/2"));
  AuditEvent last = Append(Viewing("quarantine/3"));
  AuditVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.events, 3);
  EXPECT_EQ(verification.first_broken_seq, 0);
  EXPECT_EQ(verification.head_seq, 3);
  EXPECT_EQ(verification.head_hash, last.hash);
}

TEST_F(AuditTest, ActorAndActionAreRequired) {
  AuditEvent no_actor = Viewing("quarantine/1");
  no_actor.actor.clear();
  EXPECT_EQ(store_->AppendAudit(no_actor).status().code(), StatusCode::kInvalidArgument);
  AuditEvent no_action = Viewing("quarantine/1");
  no_action.action.clear();
  EXPECT_EQ(store_->AppendAudit(no_action).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Verify().events, 0);
}

TEST_F(AuditTest, AppendRefusesWhileATransactionIsOpen) {
  auto txn = store_->Begin();
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(store_->AppendAudit(Viewing("quarantine/1")).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*txn)->Rollback().ok());
  EXPECT_TRUE(store_->AppendAudit(Viewing("quarantine/1")).ok());
}

TEST_F(AuditTest, UpdateAndDeleteThroughSqlFail) {
  Append(Viewing("quarantine/1"));
  RawDb raw(DbPath());
  EXPECT_NE(raw.ExecError("UPDATE audit_events SET justification = 'nothing to see' WHERE seq = 1")
                .find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_events WHERE seq = 1").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw.ExecError("DELETE FROM audit_events").find("append-only"), std::string::npos);
  EXPECT_EQ(raw.QueryText("SELECT justification FROM audit_events WHERE seq = 1"), "s47 enquiry");
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_events"), 1);
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditTest, AnEditBehindTheTriggersBackIsReportedAtItsSeq) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  {
    RawDb raw(DbPath());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET justification = 'routine' WHERE seq = 3");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("hash"), std::string::npos) << verification.problem;
  EXPECT_EQ(verification.head_hash, "");
}

TEST_F(AuditTest, AnEditWithItsHashRecomputedBreaksTheNextLink) {
  for (int i = 1; i <= 4; ++i) Append(Viewing("quarantine/" + std::to_string(i)));
  auto events = store_->ListAudit(0, 10);
  ASSERT_TRUE(events.ok());
  AuditEvent forged = (*events)[1];
  forged.resource = "quarantine/999";
  const std::string forged_hash = internal::AuditEventHash(forged).value();
  {
    RawDb raw(DbPath());
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
    RawDb raw(DbPath());
    raw.Exec("DROP TRIGGER audit_events_no_delete");
    raw.Exec("DELETE FROM audit_events WHERE seq = 2");
  }
  AuditVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_NE(verification.problem.find("missing"), std::string::npos) << verification.problem;
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
