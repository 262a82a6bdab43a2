#include "govern/policy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "govern/agreements.h"
#include "store/store_test_support.h"

namespace tessera::govern {
namespace {

using store::testing::HubFixture;

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
constexpr int64_t kDay = int64_t{86400} * 1'000'000;
constexpr std::string_view kPassword = "correct horse battery";

// ---------------------------------------------------------------------------------------------
// Visibility

TEST(VisibilityTest, DenyByDefault) {
  Visibility v;
  EXPECT_FALSE(v.SharesAnything());
  RecordVisibility r = v.ForRecord("police_crime", 1, 1);
  EXPECT_EQ(r.access, RecordAccess::kWithheld);
  EXPECT_EQ(r.reason, kReasonNotShared);
  EXPECT_FALSE(r.Has(Field::kPersonName));
}

TEST(VisibilityTest, ForbidsBeatPermits) {
  Visibility v;
  v.ShareDataset("police_crime", kAllFields);
  v.ShareDataset("housing", Bit(Field::kPersonName) | Bit(Field::kPersonDob));
  EXPECT_TRUE(v.ForRecord("police_crime", 1, 10).Has(Field::kPersonDob));
  EXPECT_TRUE(v.ForRecord("housing", 2, 10).Has(Field::kPersonDob));
  EXPECT_FALSE(v.ForRecord("housing", 2, 10).Has(Field::kPersonAddress));

  v.SealSourceRecord(1);
  EXPECT_EQ(v.ForRecord("police_crime", 1, 10).access, RecordAccess::kSealed);
  v.WithholdNominal(11);
  EXPECT_EQ(v.ForRecord("police_crime", 3, 11).access, RecordAccess::kWithheld);
  EXPECT_EQ(v.ForRecord("police_crime", 3, 11).reason, kReasonObjection);
  v.ExcludeFieldsOfDataset("housing", Bit(Field::kPersonDob));
  EXPECT_FALSE(v.ForRecord("housing", 2, 10).Has(Field::kPersonDob));
  EXPECT_TRUE(v.ForRecord("housing", 2, 10).Has(Field::kPersonName));
  v.ExcludeFieldsOfNominal(10, Bit(Field::kPersonName));
  EXPECT_FALSE(v.ForRecord("housing", 2, 10).Has(Field::kPersonName));
  EXPECT_TRUE(v.ForRecord("housing", 2, 12).Has(Field::kPersonName));

  // Break-glass opens every dataset but not a sealed record nor an excluded field.
  Visibility glass;
  glass.ShareAllDatasets();
  glass.SealNominal(5);
  glass.ExcludeFieldsOfSourceRecord(7, Bit(Field::kPersonPhone));
  EXPECT_TRUE(glass.ForRecord("anything", 6, 4).visible());
  EXPECT_EQ(glass.ForRecord("anything", 6, 5).access, RecordAccess::kSealed);
  EXPECT_FALSE(glass.ForRecord("anything", 7, 4).Has(Field::kPersonPhone));
  EXPECT_TRUE(glass.ForRecord("anything", 7, 4).Has(Field::kPersonEmail));
  // Raw values can hold any field: with the phone excluded, they go too.
  EXPECT_TRUE(glass.ForRecord("anything", 6, 4).Has(Field::kRecordRaw));
  EXPECT_FALSE(glass.ForRecord("anything", 7, 4).Has(Field::kRecordRaw));
  Visibility partial;
  partial.ShareDataset("housing", Bit(Field::kPersonName) | Bit(Field::kRecordRaw));
  EXPECT_FALSE(partial.ForRecord("housing", 1, 0).Has(Field::kRecordRaw));
  EXPECT_EQ(partial.DatasetFields("housing"), Bit(Field::kPersonName));
}

TEST(VisibilityTest, FieldPaths) {
  EXPECT_EQ(FieldMaskFromPath("person.dob"), Bit(Field::kPersonDob));
  EXPECT_EQ(FieldMaskFromPath("*"), kAllFields);
  EXPECT_FALSE(FieldMaskFromPath("person.dobb").has_value());
  const FieldMask person = *FieldMaskFromPath("person.*");
  EXPECT_TRUE(person & Bit(Field::kPersonEmail));
  EXPECT_FALSE(person & Bit(Field::kEventDate));
  EXPECT_EQ(FieldPaths(Bit(Field::kEventCategory)), std::vector<std::string>{"event.category"});
  EXPECT_EQ(AllFieldPaths().size(), static_cast<size_t>(kFieldCount));
}

// ---------------------------------------------------------------------------------------------
// Agreements as YAML

class AgreementYamlTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = tmp_.Sub("a.yaml");
    std::ofstream(path) << text;
    return path;
  }
  store::testing::TempDir tmp_;
};

TEST_F(AgreementYamlTest, ReadsBothTiersAndRoundTripsThroughJson) {
  auto read = ReadAgreementsYaml(Write(R"(agreements:
  - code: T1
    tier: 1
    title: Protocol
    legal_gateway: Crime and Disorder Act 1998 s115
    valid_from: 2024-01-01
    valid_to: 2026-12-31
    parties: [police, childrens_social_care]
  - code: T2-CS
    tier: 2
    parent: T1
    title: Child safeguarding
    purpose: child_safeguarding
    legal_gateway: Children Act 2004 s11
    valid_from: 2024-01-01
    valid_to: 2025-12-31
    retention_days: 365
    datasets:
      - {source: police_crime, fields: [person.*, event.date]}
    recipients:
      - {agency: childrens_social_care, roles: [practitioner]}
)"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  const Agreement& t2 = (*read)[1];
  EXPECT_EQ(t2.datasets[0].fields, *FieldMaskFromPath("person.*") | Bit(Field::kEventDate));
  auto back = AgreementFromJson(AgreementToJson(t2));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(AgreementToJson(*back), AgreementToJson(t2));
  EXPECT_TRUE(t2.InForce(CivilDate{2025, 12, 31}));
  EXPECT_FALSE(t2.InForce(CivilDate{2026, 1, 1}));
}

TEST_F(AgreementYamlTest, ErrorsNameFileLineAndKey) {
  const std::string path = Write(R"(code: T2-CS
tier: 2
parent: T1
title: Child safeguarding
purpose: child_safeguarding
legal_gateway: Children Act 2004 s11
valid_from: 2024-01-01
valid_to: 2025-12-31
retention_days: 365
datasets:
  - source: police_crime
    fields: [person.name, person.dobb]
recipients:
  - {agency: childrens_social_care, roles: [practitioner]}
)");
  auto read = ReadAgreementsYaml(path);
  ASSERT_FALSE(read.ok());
  const std::string message(read.status().message());
  EXPECT_NE(message.find(path + ":12:"), std::string::npos) << message;
  EXPECT_NE(message.find("datasets[0].fields[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("person.dobb"), std::string::npos) << message;

  auto unknown_key = ReadAgreementsYaml(Write("code: T1\ntier: 1\ntitel: x\n"));
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_NE(unknown_key.status().message().find(":3: titel"), std::string::npos)
      << unknown_key.status().ToString();
}

// ---------------------------------------------------------------------------------------------
// The policy engine over a real store

class PolicyTest : public HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    identity_ = std::make_unique<Identity>(*store_, clock_);
    governance_ = std::make_unique<Governance>(*store_, clock_);
    engine_ = std::make_unique<PolicyEngine>(clock_);
    ASSERT_TRUE(
        governance_->PutPurpose({"child_safeguarding", "Child safeguarding", "", true, "t"}).ok());
    ASSERT_TRUE(
        governance_->PutPurpose({"risk_assessment", "Risk assessment", "", true, "t"}).ok());
    alice_ = AddUser("alice", model::Agency::kChildrensSocialCare, {UserRole::kPractitioner});
    bob_ = AddUser("bob", model::Agency::kPolice, {UserRole::kPractitioner});
    ASSERT_TRUE(Apply(Tier1()).ok());
    ASSERT_TRUE(Apply(Tier2()).ok());

    auto txn = Begin();
    auto load =
        store_->BeginLoad(*txn, "police_crime", "a.csv", "h", store::LoadMode::kIncremental);
    ASSERT_TRUE(load.ok());
    load_ = *load;
    crime1_ = PutRecord(*txn, "police_crime", "C1", "v1");
    fire1_ = PutRecord(*txn, "fire_safe_well", "F1", "v1");
    ASSERT_TRUE(txn->Commit().ok());
  }

  User AddUser(const std::string& name, model::Agency agency, std::vector<UserRole> roles) {
    NewUser u;
    u.username = name;
    u.display_name = name;
    u.agency = agency;
    u.roles = std::move(roles);
    u.trained_on = CivilDate{2024, 1, 1};
    u.training_expires = CivilDate{2025, 1, 1};
    auto added = identity_->AddUser(u, kPassword);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? *added : User{};
  }

  static Agreement Tier1() {
    Agreement a;
    a.code = "T1";
    a.tier = 1;
    a.title = "Protocol";
    a.legal_gateway = "Crime and Disorder Act 1998 s115";
    a.valid_from = CivilDate{2024, 1, 1};
    a.valid_to = CivilDate{2026, 12, 31};
    a.parties = {model::Agency::kPolice, model::Agency::kChildrensSocialCare};
    return a;
  }
  static Agreement Tier2() {
    Agreement a;
    a.code = "T2-CS";
    a.tier = 2;
    a.parent = "T1";
    a.title = "Child safeguarding";
    a.purpose = "child_safeguarding";
    a.legal_gateway = "Children Act 2004 s11";
    a.valid_from = CivilDate{2024, 1, 1};
    a.valid_to = CivilDate{2024, 12, 31};
    a.retention_days = 365;
    a.datasets = {{"police_crime",
                   *FieldMaskFromPath("person.*") | *FieldMaskFromPath("event.*"),
                   {"person.*", "event.*"}}};
    a.recipients = {{model::Agency::kChildrensSocialCare, {UserRole::kPractitioner}}};
    return a;
  }
  Result<Agreement> Apply(const Agreement& a) { return governance_->ApplyAgreement(a, "test"); }

  model::SourceRecordId PutRecord(store::Transaction& txn, const std::string& source,
                                  const std::string& key, const std::string& content) {
    model::SourceRecord record;
    record.source_id = source;
    record.record_key = key;
    record.payload = content;
    record.provenance.load_id = load_;
    record.provenance.content_hash = key + content;
    record.provenance.received_at_micros = clock_.NowMicros();
    auto put = store_->PutSourceRecord(txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? put->id : 0;
  }

  AccessDecision Decide(const User& user, const std::string& purpose = "child_safeguarding",
                        const std::string& why = "case 123", int64_t session = 0) {
    auto d = engine_->Decide(*store_, user, {purpose, why, session});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : AccessDecision{};
  }

  std::unique_ptr<Identity> identity_;
  std::unique_ptr<Governance> governance_;
  std::unique_ptr<PolicyEngine> engine_;
  User alice_, bob_;
  model::LoadId load_ = 0;
  model::SourceRecordId crime1_ = 0, fire1_ = 0;
};

TEST_F(PolicyTest, AllowsOnlyWhatAnAgreementShares) {
  AccessDecision d = Decide(alice_);
  ASSERT_TRUE(d.allowed) << d.denial;
  EXPECT_EQ(d.agreements, std::vector<std::string>{"T2-CS v1"});
  EXPECT_EQ(d.role, "practitioner");
  EXPECT_TRUE(d.visibility->ForRecord("police_crime", crime1_, 0).Has(Field::kPersonDob));
  EXPECT_FALSE(d.visibility->ForRecord("police_crime", crime1_, 0).Has(Field::kRecordRaw));
  EXPECT_EQ(d.visibility->ForRecord("fire_safe_well", fire1_, 0).access, RecordAccess::kWithheld);
}

TEST_F(PolicyTest, DeniesEachMissingCondition) {
  EXPECT_FALSE(Decide(alice_, "risk_assessment").allowed);  // no agreement for that purpose
  EXPECT_FALSE(Decide(alice_, "no_such_purpose").allowed);
  EXPECT_FALSE(Decide(alice_, "child_safeguarding", "  ").allowed);  // no justification
  EXPECT_FALSE(Decide(bob_).allowed);                                // police are not recipients
  AccessDecision denied = Decide(bob_);
  EXPECT_FALSE(denied.visibility->SharesAnything());
  EXPECT_NE(denied.denial.find("no information-sharing agreement"), std::string::npos);

  // Training expired.
  clock_.Set(clock_.NowMicros() + 300 * kDay);  // 2025-03
  AccessDecision untrained = Decide(alice_);
  EXPECT_FALSE(untrained.allowed);
  EXPECT_NE(untrained.denial.find("training"), std::string::npos);
}

TEST_F(PolicyTest, ExpiredWithdrawnOrOrphanedAgreementsGiveNothing) {
  ASSERT_TRUE(Decide(alice_).allowed);
  Agreement withdrawn = Tier2();
  withdrawn.status = AgreementStatus::kWithdrawn;
  ASSERT_TRUE(Apply(withdrawn).ok());
  EXPECT_FALSE(Decide(alice_).allowed);
  ASSERT_TRUE(Apply(Tier2()).ok());  // version 3 restores it
  AccessDecision back = Decide(alice_);
  ASSERT_TRUE(back.allowed);
  EXPECT_EQ(back.agreements, std::vector<std::string>{"T2-CS v3"});

  Agreement t1 = Tier1();
  t1.valid_to = CivilDate{2024, 2, 1};  // the parent lapsed
  ASSERT_TRUE(Apply(t1).ok());
  EXPECT_FALSE(Decide(alice_).allowed);
}

TEST_F(PolicyTest, ApplyValidatesAgainstTheStore) {
  Agreement bad = Tier2();
  bad.purpose = "unknown_purpose";
  EXPECT_FALSE(Apply(bad).ok());
  bad = Tier2();
  bad.recipients = {{model::Agency::kHealth, {UserRole::kPractitioner}}};  // not a party
  EXPECT_FALSE(Apply(bad).ok());
  bad = Tier2();
  bad.parent = "nope";
  EXPECT_FALSE(Apply(bad).ok());
  bad = Tier2();
  bad.nominated_users = {"nobody"};
  EXPECT_FALSE(Apply(bad).ok());
}

TEST_F(PolicyTest, NamedUsersAreNominated) {
  Agreement named = Tier2();
  named.code = "T2-NAMED";
  named.recipients.clear();
  named.nominated_users = {"BOB"};
  ASSERT_TRUE(Apply(named).ok());
  AccessDecision d = Decide(bob_);
  ASSERT_TRUE(d.allowed) << d.denial;
  EXPECT_EQ(d.role, "named");
}

TEST_F(PolicyTest, RestrictionsBeatAgreementsAndFollowNewVersions) {
  store::StoredRestriction seal;
  seal.kind = "sealed";
  seal.target = "record";
  seal.source_id = "police_crime";
  seal.record_key = "C1";
  seal.reason = "witness protection";
  seal.created_by = "test";
  ASSERT_TRUE(governance_->AddRestriction(seal).ok());
  EXPECT_EQ(Decide(alice_).visibility->ForRecord("police_crime", crime1_, 0).access,
            RecordAccess::kSealed);

  // A new version of the sealed record is sealed on the next decision.
  auto txn = Begin();
  model::SourceRecordId v2 = PutRecord(*txn, "police_crime", "C1", "v2");
  ASSERT_TRUE(txn->Commit().ok());
  ASSERT_NE(v2, crime1_);
  EXPECT_EQ(Decide(alice_).visibility->ForRecord("police_crime", v2, 0).access,
            RecordAccess::kSealed);

  store::StoredRestriction exclude;
  exclude.kind = "field_exclusion";
  exclude.target = "dataset";
  exclude.source_id = "police_crime";
  exclude.fields = {"person.dob"};
  exclude.reason = "DOBs unreliable";
  exclude.created_by = "test";
  exclude.purposes = {"child_safeguarding"};
  ASSERT_TRUE(governance_->AddRestriction(exclude).ok());
  RecordVisibility r = Decide(alice_).visibility->ForRecord("police_crime", 999, 0);
  EXPECT_TRUE(r.Has(Field::kPersonName));
  EXPECT_FALSE(r.Has(Field::kPersonDob));

  // Lifting the seal opens the record again.
  auto list = store_->ListRestrictions(false);
  ASSERT_TRUE(list.ok());
  auto txn2 = Begin();
  ASSERT_TRUE(store_->LiftRestriction(*txn2, (*list)[0].id, "test", "order expired").ok());
  ASSERT_TRUE(txn2->Commit().ok());
  EXPECT_TRUE(Decide(alice_).visibility->ForRecord("police_crime", v2, 0).visible());
}

TEST_F(PolicyTest, BreakGlassOpensDatasetsButNotSealedRecordsAndExpires) {
  auto grant = identity_->Login(*std::make_unique<PasswordProvider>(*identity_), "bob", kPassword);
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  EXPECT_FALSE(Decide(bob_, "child_safeguarding", "urgent", grant->session_id).allowed);

  EXPECT_FALSE(
      engine_->StartBreakGlass(*store_, bob_, grant->session_id, "child_safeguarding",
                               "short")
          .ok());  // a reason is needed
  auto glass = engine_->StartBreakGlass(*store_, bob_, grant->session_id, "child_safeguarding",
                                        "child missing, immediate risk to life");
  ASSERT_TRUE(glass.ok()) << glass.status().ToString();
  EXPECT_EQ(glass->expires_at_micros - glass->started_at_micros, kBreakGlassMicros);

  store::StoredRestriction seal;
  seal.kind = "sealed";
  seal.target = "record";
  seal.source_id = "fire_safe_well";
  seal.record_key = "F1";
  seal.reason = "court order";
  seal.created_by = "test";
  ASSERT_TRUE(governance_->AddRestriction(seal).ok());

  AccessDecision d = Decide(bob_, "child_safeguarding", "urgent", grant->session_id);
  ASSERT_TRUE(d.allowed) << d.denial;
  EXPECT_TRUE(d.break_glass);
  EXPECT_TRUE(d.visibility->ForRecord("police_crime", crime1_, 0).Has(Field::kRecordRaw));
  EXPECT_EQ(d.visibility->ForRecord("fire_safe_well", fire1_, 0).access, RecordAccess::kSealed);
  // Only for the purpose it was granted for, and only for that session.
  EXPECT_FALSE(Decide(bob_, "risk_assessment", "urgent", grant->session_id).allowed);
  EXPECT_FALSE(Decide(bob_, "child_safeguarding", "urgent", 0).allowed);

  clock_.Advance(61 * kMinute);
  EXPECT_FALSE(Decide(bob_, "child_safeguarding", "urgent", grant->session_id).allowed);
}

TEST_F(PolicyTest, PurposesForListsWhatTheUserCouldState) {
  auto options = engine_->PurposesFor(*store_, alice_);
  ASSERT_TRUE(options.ok());
  ASSERT_EQ(options->size(), 1u);
  EXPECT_EQ((*options)[0].code, "child_safeguarding");
  auto none = engine_->PurposesFor(*store_, bob_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(PolicyTest, AServiceAccountNeverReadsPersonalData) {
  NewUser u;
  u.username = "csc-feed";
  u.display_name = "CSC case system";
  u.agency = model::Agency::kChildrensSocialCare;
  u.roles = {UserRole::kServiceAccount};
  u.bound_source = "police_crime";
  u.trained_on = CivilDate{2024, 1, 1};
  u.training_expires = CivilDate{2025, 1, 1};
  auto svc = identity_->AddUser(u, kPassword);
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  // Even an agreement that names it does not open anything.
  Agreement named = Tier2();
  named.code = "T2-SVC";
  named.nominated_users = {"csc-feed"};
  ASSERT_TRUE(Apply(named).ok());
  AccessDecision d = Decide(*svc);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.denial.find("service account"), std::string::npos) << d.denial;
  EXPECT_FALSE(d.visibility->SharesAnything());
  auto purposes = engine_->PurposesFor(*store_, *svc);
  ASSERT_TRUE(purposes.ok());
  EXPECT_TRUE(purposes->empty());
  ASSERT_TRUE(Decide(alice_).allowed);  // the same agreements still serve people
}

}  // namespace
}  // namespace tessera::govern
