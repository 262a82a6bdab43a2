// Identity in the store (issue 5): the contract of users, password hashes, sessions and login
// state, and migration 6 on a version 5 hub. What they mean (hashing, lockout, timeouts) is
// tested in src/govern/identity_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using testing::kTestEpochMicros;
using testing::MakeHubAtSchemaVersion;
using testing::RawDb;
using testing::TempDir;

StoredUser Alice() {
  StoredUser user;
  user.username = "Alice";
  user.display_name = "Alice Smith";
  user.agency = model::Agency::kHousing;
  user.roles = {"practitioner", "analyst", "practitioner"};
  user.trained_on = CivilDate{2024, 1, 1};
  user.training_expires = CivilDate{2025, 1, 1};
  user.failed_logins = 9;  // ignored by CreateUser
  return user;
}

class IdentityStoreTest : public testing::HubFixture {};

TEST_F(IdentityStoreTest, UsersRoundTripWithoutTheirPasswordHash) {
  auto txn = Begin();
  auto id = store_->CreateUser(*txn, Alice(), "$argon2id$hash");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(txn->Commit().ok());

  auto user = store_->GetUser(*id);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->username, "Alice");
  EXPECT_EQ(user->roles, (std::vector<std::string>{"analyst", "practitioner"}));
  EXPECT_EQ(user->failed_logins, 0);
  EXPECT_FALSE(user->locked_until_micros.has_value());
  EXPECT_EQ(user->created_at_micros, kTestEpochMicros);
  EXPECT_EQ(store_->FindUserByUsername("aLICE")->value(), *user);
  EXPECT_FALSE(store_->FindUserByUsername("bob")->has_value());
  EXPECT_EQ(store_->GetPasswordHash(*id).value(), "$argon2id$hash");
  EXPECT_EQ(store_->GetUser(99).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetPasswordHash(99).status().code(), StatusCode::kNotFound);

  clock_.Advance(1000);
  txn = Begin();
  StoredUser changed = *user;
  changed.roles = {"administrator"};
  changed.enabled = false;
  changed.disabled_reason = "left";
  ASSERT_TRUE(store_->UpdateUser(*txn, changed).ok());
  ASSERT_TRUE(store_->SetLoginState(*txn, *id, 3, kTestEpochMicros + 5).ok());
  ASSERT_TRUE(store_->SetPasswordHash(*txn, *id, "$argon2id$new").ok());
  EXPECT_EQ(store_->SetLoginState(*txn, *id, -1, std::nullopt).code(),
            StatusCode::kInvalidArgument);
  changed.id = 99;
  EXPECT_EQ(store_->UpdateUser(*txn, changed).code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());
  user = store_->GetUser(*id);
  EXPECT_EQ(user->roles, std::vector<std::string>{"administrator"});
  EXPECT_FALSE(user->enabled);
  EXPECT_EQ(user->disabled_reason, "left");
  EXPECT_EQ(user->failed_logins, 3);
  EXPECT_EQ(user->locked_until_micros, kTestEpochMicros + 5);
  EXPECT_EQ(user->updated_at_micros, kTestEpochMicros + 1000);
  EXPECT_EQ(store_->GetPasswordHash(*id).value(), "$argon2id$new");
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
}

TEST_F(IdentityStoreTest, UsernamesAreUniqueIgnoringCaseAndInputIsChecked) {
  auto txn = Begin();
  ASSERT_TRUE(store_->CreateUser(*txn, Alice(), "h").ok());
  StoredUser again = Alice();
  again.username = "ALICE";
  EXPECT_EQ(store_->CreateUser(*txn, again, "h").status().code(), StatusCode::kAlreadyExists);
  StoredUser bad = Alice();
  bad.username = "bob";
  EXPECT_EQ(store_->CreateUser(*txn, bad, "").status().code(), StatusCode::kInvalidArgument);
  bad.trained_on = CivilDate{2024, 2, 30};
  EXPECT_EQ(store_->CreateUser(*txn, bad, "h").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
}

TEST_F(IdentityStoreTest, SessionsAreRevokedNotDeleted) {
  auto txn = Begin();
  int64_t user = store_->CreateUser(*txn, Alice(), "h").value();
  StoredSession session;
  session.token_hash = "aaaa";
  session.user_id = user;
  session.created_at_micros = session.last_seen_at_micros = kTestEpochMicros;
  session.expires_at_micros = kTestEpochMicros + 100;
  auto first = store_->CreateSession(*txn, session);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(store_->CreateSession(*txn, session).status().code(), StatusCode::kAlreadyExists);
  session.token_hash = "bbbb";
  auto second = store_->CreateSession(*txn, session);
  ASSERT_TRUE(second.ok());
  session.user_id = 99;
  session.token_hash = "cccc";
  EXPECT_EQ(store_->CreateSession(*txn, session).status().code(), StatusCode::kNotFound);
  session.user_id = user;
  session.expires_at_micros = session.created_at_micros;
  EXPECT_EQ(store_->CreateSession(*txn, session).status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->TouchSession(*txn, *first, kTestEpochMicros + 50).ok());
  ASSERT_TRUE(store_->TouchSession(*txn, *first, kTestEpochMicros + 10).ok());
  EXPECT_EQ(store_->TouchSession(*txn, 99, 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->RevokeSession(*txn, *first, "logout").ok());
  clock_.Advance(7);
  ASSERT_TRUE(store_->RevokeSession(*txn, *first, "again").ok());
  EXPECT_EQ(store_->RevokeSession(*txn, *first, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RevokeUserSessions(*txn, user, "user disabled").value(), 1)
      << "only the one not revoked yet";
  EXPECT_EQ(store_->RevokeUserSessions(*txn, 99, "x").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());

  auto found = store_->FindSessionByTokenHash("aaaa");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->last_seen_at_micros, kTestEpochMicros + 50) << "never moves back";
  EXPECT_EQ((*found)->revoked_at_micros, kTestEpochMicros);
  EXPECT_EQ((*found)->revoke_reason, "logout") << "the first revocation stands";
  EXPECT_FALSE(store_->FindSessionByTokenHash("zzzz")->has_value());
  auto sessions = store_->ListUserSessions(user);
  ASSERT_EQ(sessions->size(), 2u);
  EXPECT_EQ(sessions->front().id, *second) << "newest first";
  EXPECT_EQ(sessions->front().revoke_reason, "user disabled");
}

TEST(IdentityMigrationTest, AVersion5HubGetsIdentityTablesAndKeepsItsData) {
  TempDir tmp;
  ManualClock clock{kTestEpochMicros};
  std::string hub = tmp.Sub("hub");
  std::string db = hub + "/hub.db";
  MakeHubAtSchemaVersion(hub, clock, 5);
  {
    RawDb raw(db);
    raw.Exec("INSERT INTO nominals (id, family, created_at, updated_at) VALUES (7, 'DOE', 1, 1)");
  }
  auto opened = OpenSqliteStore(hub, clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(store.SchemaVersion(), sqlite::LatestSchemaVersion());
  auto migrations = store.ListAppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  ASSERT_EQ(migrations->size(), static_cast<size_t>(sqlite::LatestSchemaVersion()));
  EXPECT_EQ((*migrations)[5].applied_at_micros, kTestEpochMicros);
  EXPECT_NE((*migrations)[5].description.find("identity"), std::string::npos);
  EXPECT_EQ(store.GetNominal(7)->name.family, "DOE");
  EXPECT_TRUE(store.ListUsers()->empty());
  auto txn = store.Begin();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(store.CreateUser(**txn, Alice(), "h").ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(store.ListUsers()->size(), 1u);
}

}  // namespace
}  // namespace tessera::store
