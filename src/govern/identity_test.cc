#include "govern/identity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/sha256.h"
#include "store/store_test_support.h"

namespace tessera::govern {
namespace {

using store::testing::HubFixture;
using store::testing::RawDb;

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
constexpr std::string_view kPassword = "correct horse battery";

NewUser Alice() {
  NewUser user;
  user.username = "Alice";
  user.display_name = "Alice Smith";
  user.agency = model::Agency::kChildrensSocialCare;
  user.roles = {UserRole::kPractitioner, UserRole::kAnalyst};
  user.trained_on = CivilDate{2024, 1, 10};
  user.training_expires = CivilDate{2025, 1, 10};
  return user;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class IdentityTest : public HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    identity_ = std::make_unique<Identity>(*store_, clock_);
    provider_ = std::make_unique<PasswordProvider>(*identity_);
  }

  User AddAlice() {
    auto added = identity_->AddUser(Alice(), kPassword);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? *added : User{};
  }

  SessionGrant LoginAlice() {
    auto grant = identity_->Login(*provider_, "alice", kPassword);
    EXPECT_TRUE(grant.ok()) << grant.status().ToString();
    return grant.ok() ? *grant : SessionGrant{};
  }

  std::string DbPath() const { return tmp_.Sub("hub.db"); }

  std::unique_ptr<Identity> identity_;
  std::unique_ptr<PasswordProvider> provider_;
};

// --- passwords

TEST(PasswordHashTest, IsArgon2idWithAtLeast46MiBOnePassOneLane) {
  auto start = std::chrono::steady_clock::now();
  auto hash = HashPassword(kPassword);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  RecordProperty("hash_ms", std::to_string(ms));
  std::printf("one Argon2id hash (m=47104 KiB, t=1, p=1): %.1f ms\n", ms);
  EXPECT_EQ(hash->rfind("$argon2id$v=19$", 0), 0u) << *hash;
  auto params = ParseArgon2idParams(*hash);
  ASSERT_TRUE(params.ok()) << *hash;
  EXPECT_GE(params->m_kib, 46u * 1024) << *hash;
  EXPECT_EQ(params->t_cost, 1u);
  EXPECT_EQ(params->parallelism, 1u);
  EXPECT_EQ(params->salt_bytes, 16u);
  EXPECT_EQ(params->hash_bytes, 32u);
  EXPECT_EQ(hash->find(kPassword), std::string::npos);

  auto again = HashPassword(kPassword);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash) << "a fresh salt each time";
}

TEST(PasswordHashTest, VerifiesTheRightPasswordOnly) {
  auto hash = HashPassword(kPassword);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(VerifyPassword(*hash, kPassword).value_or(false), true);
  EXPECT_EQ(VerifyPassword(*hash, "correct horse batterY").value_or(true), false);
  EXPECT_EQ(VerifyPassword(*hash, "").value_or(true), false);
  EXPECT_EQ(VerifyPassword("$argon2id$garbage", kPassword).status().code(),
            StatusCode::kCorruption);
  // An argon2i hash is not accepted where Argon2id is expected.
  EXPECT_FALSE(VerifyPassword("$argon2i$v=19$m=47104,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
                              "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                              kPassword)
                   .ok());
}

TEST(PasswordHashTest, RefusesWeakParameters) {
  Argon2Params weak;
  weak.m_kib = 4096;
  EXPECT_EQ(HashPassword(kPassword, weak).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseArgon2idParams("$argon2i$v=19$m=47104,t=1,p=1$abc$def").ok());
  EXPECT_FALSE(ParseArgon2idParams("$argon2id$v=19$m=,t=1,p=1$abc$def").ok());
}

TEST(PasswordPolicyTest, LengthAndNotTheUsername) {
  EXPECT_TRUE(CheckPasswordPolicy("twelve chars", "alice").ok());
  EXPECT_EQ(CheckPasswordPolicy("eleven char", "alice").code(), StatusCode::kInvalidArgument);
  // Counted in characters, not bytes: eleven accented letters are too short.
  EXPECT_FALSE(CheckPasswordPolicy("ééééééééééé", "alice").ok());
  EXPECT_TRUE(CheckPasswordPolicy("éééééééééééé", "alice").ok());
  EXPECT_FALSE(CheckPasswordPolicy("alice.smith.police", "Alice.Smith.Police").ok());
  EXPECT_FALSE(CheckPasswordPolicy("               ", "alice").ok());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(257, 'x'), "alice").ok());
}

TEST(PasswordPolicyTest, GeneratedPasswordsMeetItAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto password = GeneratePassword();
    ASSERT_TRUE(password.ok());
    EXPECT_EQ(password->size(), 20u);
    EXPECT_TRUE(CheckPasswordPolicy(*password, "alice").ok());
    EXPECT_EQ(password->find_first_of("0O1lI"), std::string::npos) << *password;
    seen.insert(*password);
  }
  EXPECT_EQ(seen.size(), 50u);
}

// --- users

TEST_F(IdentityTest, AddsAUserWithRolesAndNoPasswordMaterial) {
  User alice = AddAlice();
  EXPECT_GT(alice.id, 0);
  EXPECT_EQ(alice.username, "Alice");
  EXPECT_EQ(alice.agency, model::Agency::kChildrensSocialCare);
  EXPECT_TRUE(alice.HasRole(UserRole::kPractitioner));
  EXPECT_TRUE(alice.HasRole(UserRole::kAnalyst));
  EXPECT_FALSE(alice.HasRole(UserRole::kAdministrator));
  EXPECT_TRUE(alice.enabled);
  EXPECT_EQ(alice.created_at_micros, clock_.NowMicros());

  auto listed = identity_->ListUsers();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), alice);

  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM user_roles"), 2);
  EXPECT_EQ(raw.QueryText("SELECT password_hash FROM user_passwords").rfind("$argon2id$", 0), 0u);
}

TEST_F(IdentityTest, UsernamesAreUniqueIgnoringCase) {
  AddAlice();
  NewUser other = Alice();
  other.username = "ALICE";
  EXPECT_EQ(identity_->AddUser(other, kPassword).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(identity_->GetUser("aLiCe")->username, "Alice");
}

TEST_F(IdentityTest, RefusesBadUsers) {
  NewUser user = Alice();
  user.username = "al ice";
  EXPECT_EQ(identity_->AddUser(user, kPassword).status().code(), StatusCode::kInvalidArgument);
  user = Alice();
  user.roles.clear();
  EXPECT_EQ(identity_->AddUser(user, kPassword).status().code(), StatusCode::kInvalidArgument);
  user = Alice();
  user.training_expires = user.trained_on;
  EXPECT_EQ(identity_->AddUser(user, kPassword).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(identity_->AddUser(Alice(), "short").status().code(), StatusCode::kInvalidArgument);
  user = Alice();
  user.username = "alice-alice-";
  EXPECT_EQ(identity_->AddUser(user, "ALICE-ALICE-").status().code(), StatusCode::kInvalidArgument)
      << "the password is the username";
  EXPECT_TRUE(identity_->ListUsers()->empty());
}

TEST_F(IdentityTest, AServiceAccountIsBoundToOneSourceAndHoldsNoOtherRole) {
  NewUser svc = Alice();
  svc.username = "police-feed";
  svc.roles = {UserRole::kServiceAccount};
  svc.bound_source = "police_crime";
  auto added = identity_->AddUser(svc, kPassword);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->bound_source, "police_crime");
  EXPECT_EQ(identity_->GetUser("police-feed")->bound_source, "police_crime");
  // Disabling rewrites the user: the binding survives.
  ASSERT_TRUE(identity_->DisableUser("police-feed", "feed retired").ok());
  EXPECT_EQ(identity_->GetUser("police-feed")->bound_source, "police_crime");

  NewUser bad = svc;
  bad.username = "unbound";
  bad.bound_source = "";
  EXPECT_EQ(identity_->AddUser(bad, kPassword).status().code(), StatusCode::kInvalidArgument);
  bad.bound_source = "Police Crime";
  EXPECT_EQ(identity_->AddUser(bad, kPassword).status().code(), StatusCode::kInvalidArgument);
  bad = svc;
  bad.username = "two-hats";
  bad.roles = {UserRole::kPractitioner, UserRole::kServiceAccount};
  EXPECT_EQ(identity_->AddUser(bad, kPassword).status().code(), StatusCode::kInvalidArgument);
  NewUser person = Alice();
  person.bound_source = "police_crime";  // only a service account is bound
  EXPECT_EQ(identity_->AddUser(person, kPassword).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(identity_->ListUsers()->size(), 1u);
  EXPECT_EQ(UserRoleFromName("service_account"), UserRole::kServiceAccount);
}

TEST_F(IdentityTest, TrainedFromTheTrainingDateUntilItExpires) {
  User alice = AddAlice();
  EXPECT_FALSE(IsTrained(alice, CivilDate{2024, 1, 9}));
  EXPECT_TRUE(IsTrained(alice, CivilDate{2024, 1, 10}));
  EXPECT_TRUE(IsTrained(alice, CivilDate{2025, 1, 9}));
  EXPECT_FALSE(IsTrained(alice, CivilDate{2025, 1, 10})) << "the expiry day no longer counts";
  EXPECT_FALSE(IsTrained(User{}, CivilDate{2024, 6, 1})) << "no training recorded";
}

// --- login

TEST_F(IdentityTest, TheRightPasswordLogsInAndAWrongOneIsRefused) {
  User alice = AddAlice();
  auto ok = provider_->Authenticate("alice", kPassword);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->id, alice.id);

  auto wrong = provider_->Authenticate("alice", "correct horse battery!");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), kAuthenticationFailed);
  EXPECT_EQ(identity_->GetUser(alice.id)->failed_logins, 1);

  ASSERT_TRUE(provider_->Authenticate("alice", kPassword).ok());
  EXPECT_EQ(identity_->GetUser(alice.id)->failed_logins, 0) << "a success resets the count";
}

TEST_F(IdentityTest, FiveFailuresLockTheAccountForFifteenMinutes) {
  User alice = AddAlice();
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1'000'000);
    EXPECT_FALSE(provider_->Authenticate("alice", "wrong password " + std::to_string(i)).ok());
  }
  auto locked = identity_->GetUser(alice.id);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->failed_logins, 5);
  ASSERT_TRUE(locked->locked_until_micros.has_value());
  const int64_t until = *locked->locked_until_micros;
  EXPECT_EQ(until, clock_.NowMicros() + 15 * kMinute);

  // While locked, even the right password is refused, with the same answer.
  clock_.Advance(kMinute);
  auto refused = provider_->Authenticate("alice", kPassword);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.status().message(), kAuthenticationFailed);
  EXPECT_FALSE(identity_->Login(*provider_, "alice", kPassword).ok());
  // Further failures while locked extend nothing.
  EXPECT_FALSE(provider_->Authenticate("alice", "yet another guess").ok());
  EXPECT_EQ(identity_->GetUser(alice.id)->locked_until_micros, until);
  EXPECT_EQ(identity_->GetUser(alice.id)->failed_logins, 5);

  // Just before the end it is still locked; at the end it is released.
  clock_.Set(until - 1);
  EXPECT_FALSE(provider_->Authenticate("alice", kPassword).ok());
  clock_.Set(until);
  auto released = provider_->Authenticate("alice", kPassword);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->failed_logins, 0);
  EXPECT_FALSE(released->locked_until_micros.has_value());
}

TEST_F(IdentityTest, AfterALockRunsOutTheCountStartsAfresh) {
  User alice = AddAlice();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(provider_->Authenticate("alice", "wrong!wrong!").ok());
  clock_.Advance(16 * kMinute);
  EXPECT_FALSE(provider_->Authenticate("alice", "wrong!wrong!").ok());
  auto user = identity_->GetUser(alice.id);
  EXPECT_EQ(user->failed_logins, 1);
  EXPECT_FALSE(user->locked_until_micros.has_value());
  EXPECT_TRUE(provider_->Authenticate("alice", kPassword).ok());
}

TEST_F(IdentityTest, AnUnknownUserIsRefusedLikeAWrongPasswordInLikeTime) {
  AddAlice();
  auto time = [&](std::string_view username) {
    auto start = std::chrono::steady_clock::now();
    auto result = provider_->Authenticate(username, "not the password");
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return std::make_pair(result.status(), ms);
  };
  time("nobody");  // the first refusal of an unknown user also makes the dummy hash
  // The fastest of three runs each, so that a busy machine does not make the test flaky.
  Status known, unknown;
  double known_ms = 1e9, unknown_ms = 1e9;
  for (int i = 0; i < 3; ++i) {
    auto [k, k_ms] = time("alice");
    auto [u, u_ms] = time("nobody");
    known = k;
    unknown = u;
    known_ms = std::min(known_ms, k_ms);
    unknown_ms = std::min(unknown_ms, u_ms);
  }
  ASSERT_TRUE(provider_->Authenticate("alice", kPassword).ok()) << "3 failures do not lock";
  EXPECT_EQ(known, unknown) << "the same code and message";
  EXPECT_EQ(unknown.code(), StatusCode::kUnauthenticated);
  // Both spend one Argon2id verification; a shortcut would take well under a millisecond.
  EXPECT_GT(unknown_ms, known_ms / 3) << known_ms << " ms against " << unknown_ms << " ms";
  EXPECT_GT(known_ms, unknown_ms / 3) << known_ms << " ms against " << unknown_ms << " ms";
  // And an unknown user never locks: six refusals of "nobody" look like six of anyone.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(provider_->Authenticate("nobody", "x").status(), known);
}

// --- sessions

TEST_F(IdentityTest, ASessionAuthenticatesItsUser) {
  User alice = AddAlice();
  SessionGrant grant = LoginAlice();
  EXPECT_EQ(grant.token.size(), 64u);
  EXPECT_EQ(grant.expires_at_micros, clock_.NowMicros() + 8 * 60 * kMinute);
  auto user = identity_->Authenticate(grant.token);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->id, alice.id);

  EXPECT_NE(LoginAlice().token, grant.token);
  const std::string unknown(64, 'a');  // well formed, but no session has it
  for (std::string_view bad :
       {std::string_view(""), std::string_view("not-a-token"), std::string_view(unknown)}) {
    auto refused = identity_->Authenticate(bad);
    EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(refused.status().message(), kSessionInvalid);
  }
}

TEST_F(IdentityTest, ASessionLeftIdleForFifteenMinutesEnds) {
  AddAlice();
  SessionGrant grant = LoginAlice();
  clock_.Advance(15 * kMinute - 1);
  ASSERT_TRUE(identity_->Authenticate(grant.token).ok()) << "activity restarts the idle clock";
  clock_.Advance(15 * kMinute - 1);
  ASSERT_TRUE(identity_->Authenticate(grant.token).ok());
  clock_.Advance(15 * kMinute);
  EXPECT_EQ(identity_->Authenticate(grant.token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(IdentityTest, AnActiveSessionEndsAfterEightHoursAnyway) {
  AddAlice();
  SessionGrant grant = LoginAlice();
  int64_t end = grant.expires_at_micros;
  while (clock_.NowMicros() + 10 * kMinute < end) {
    clock_.Advance(10 * kMinute);
    ASSERT_TRUE(identity_->Authenticate(grant.token).ok());
  }
  clock_.Set(end - 1);
  EXPECT_TRUE(identity_->Authenticate(grant.token).ok());
  clock_.Set(end);
  EXPECT_EQ(identity_->Authenticate(grant.token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(IdentityTest, LogoutRevokesTheSessionOnTheServer) {
  AddAlice();
  SessionGrant first = LoginAlice();
  SessionGrant second = LoginAlice();
  ASSERT_TRUE(identity_->Logout(first.token).ok());
  EXPECT_EQ(identity_->Authenticate(first.token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(identity_->Authenticate(second.token).ok()) << "only that session";
  EXPECT_TRUE(identity_->Logout(first.token).ok()) << "logging out twice is harmless";
  EXPECT_EQ(identity_->Logout(std::string(64, 'b')).code(), StatusCode::kUnauthenticated);
}

TEST_F(IdentityTest, DisablingAUserEndsTheirSessionsAtOnce) {
  User alice = AddAlice();
  SessionGrant first = LoginAlice();
  SessionGrant second = LoginAlice();
  auto disabled = identity_->DisableUser("alice", "left the service");
  ASSERT_TRUE(disabled.ok()) << disabled.status().ToString();
  EXPECT_FALSE(disabled->enabled);
  EXPECT_EQ(disabled->disabled_reason, "left the service");
  EXPECT_EQ(identity_->Authenticate(first.token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(identity_->Authenticate(second.token).status().code(), StatusCode::kUnauthenticated);
  auto login = identity_->Login(*provider_, "alice", kPassword);
  EXPECT_EQ(login.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(login.status().message(), kAuthenticationFailed);
  EXPECT_EQ(identity_->StartSession(*disabled).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(identity_->StartSession(alice).status().code(), StatusCode::kFailedPrecondition)
      << "a stale copy of the user does not get round it";

  auto sessions = store_->ListUserSessions(alice.id);
  ASSERT_TRUE(sessions.ok());
  ASSERT_EQ(sessions->size(), 2u);
  for (const store::StoredSession& s : *sessions) {
    EXPECT_EQ(s.revoked_at_micros, clock_.NowMicros());
    EXPECT_EQ(s.revoke_reason, "user disabled");
  }
  EXPECT_EQ(identity_->DisableUser("alice", "  ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(identity_->DisableUser("bob", "x").status().code(), StatusCode::kNotFound);
}

TEST_F(IdentityTest, AResetRevokesSessionsClearsTheLockAndChangesThePassword) {
  User alice = AddAlice();
  SessionGrant grant = LoginAlice();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(provider_->Authenticate("alice", "wrong!wrong!").ok());
  ASSERT_TRUE(identity_->GetUser(alice.id)->IsLocked(clock_.NowMicros()));

  EXPECT_EQ(identity_->ResetPassword("alice", "short").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(identity_->Authenticate(grant.token).ok()) << "a refused reset changes nothing";
  auto reset = identity_->ResetPassword("alice", "a brand new passphrase");
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_EQ(reset->failed_logins, 0);
  EXPECT_FALSE(reset->IsLocked(clock_.NowMicros()));
  EXPECT_EQ(identity_->Authenticate(grant.token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(provider_->Authenticate("alice", kPassword).ok());
  EXPECT_TRUE(provider_->Authenticate("alice", "a brand new passphrase").ok());
  EXPECT_EQ(store_->ListUserSessions(alice.id)->front().revoke_reason, "password reset");
}

TEST_F(IdentityTest, OnlyTheHashOfATokenIsStored) {
  AddAlice();
  SessionGrant grant = LoginAlice();
  ASSERT_TRUE(identity_->Authenticate(grant.token).ok());
  {
    RawDb raw(DbPath());
    EXPECT_EQ(raw.QueryText("SELECT token_hash FROM sessions"), Sha256Hex(grant.token).value());
    EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sessions WHERE token_hash = '" + grant.token +
                           "' OR token_hash LIKE '%" + grant.token.substr(0, 16) + "%'"),
              0);
  }
  // Nowhere in the database's files, the WAL included; nor is the password.
  std::string bytes = ReadBytes(DbPath()) + ReadBytes(DbPath() + "-wal");
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(grant.token), std::string::npos);
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
  EXPECT_NE(bytes.find(Sha256Hex(grant.token).value()), std::string::npos);
}

}  // namespace
}  // namespace tessera::govern
