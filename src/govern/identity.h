// Identity: who a hub's users are, how they prove it, and how long that proof lasts. The first
// part of govern/ (issue 5); the policy engine and agreements come next and read the User this
// gives them. Design: docs/design/0008-identity.md.
//
// Three pieces:
//   - Users (Identity::AddUser, DisableUser, ResetPassword...): a person of one agency holding
//     one or more roles, with a data-protection training window. Users are disabled, never
//     deleted, because the audit log names them.
//   - Identity providers (IdentityProvider): turn a username and a secret into a User.
//     PasswordProvider is the first, checking an Argon2id hash kept in the store; an OIDC
//     provider (single sign-on) will be a second implementation that checks an ID token instead,
//     and hands back the same User. Everything after authentication (sessions, lockout of
//     disabled users, the policy engine) does not care which provider was used.
//   - Sessions (Identity::StartSession, Authenticate, Logout): an opaque random token given to
//     the client once; the store keeps only its SHA-256, so a copy of hub.db holds no usable
//     session. A session ends after an idle timeout, after an absolute lifetime, or when it is
//     revoked on the server: at logout, and for all a user's sessions at once when the user is
//     disabled or their password reset.
//
// Password policy (CheckPasswordPolicy): at least 12 characters (counted as Unicode code points)
// and at most 256 bytes, not the username (ignoring case), and not blank. No composition rules
// (NIST SP 800-63B section 5.1.1.2: length beats character classes); a generated password
// (GeneratePassword) is 20 characters from a 57-letter alphabet, about 116 bits.
//
// Login throttling: each user's consecutive failures are counted. After
// IdentityOptions::max_failures (5) the account is locked for lockout_micros (15 minutes). While
// locked, every attempt is refused without its password being compared with the user's hash
// (so a correct guess is not revealed either), and does not extend the lock; the lock ends on
// its own, or with a password reset. A successful login clears the count. Each attempt costs
// one Argon2id computation whatever its outcome (unknown user: against a dummy hash; locked or
// disabled: likewise), and every failure is the same Unauthenticated status with the same
// message, so neither the answer nor its timing says whether a username exists.
//
// Errors are Status values; nothing here throws. Not thread-safe: like the Store it uses, an
// Identity is used by one thread at a time (a server gives each worker its own Store and
// Identity). Identity begins and commits its own store transactions, so it must not be called
// while the caller holds a Transaction open on the same Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/dates.h"
#include "core/status.h"
#include "model/model.h"
#include "store/store.h"

namespace tessera::govern {

// ---------------------------------------------------------------------------------------------
// Users

// What a user may do is decided by the policy engine from their roles (and agency, training and
// the agreements that nominate them); a user may hold several.
enum class UserRole {
  kPractitioner,                  // consults the single view for casework
  kAnalyst,                       // works with aggregates and cohorts
  kInformationGovernanceOfficer,  // keeps agreements, purposes and restrictions
  kAdministrator,                 // manages users and the hub
  // A partner system pushing records for the one source it is bound to (User::bound_source);
  // never a person, never holds another role, and never reads personal data.
  kServiceAccount,
};
// "practitioner", "analyst", "information_governance_officer", "administrator",
// "service_account"
std::string_view UserRoleName(UserRole role);
std::optional<UserRole> UserRoleFromName(std::string_view name);
std::string UserRoleNames();  // for error messages

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  model::Agency agency = model::Agency::kPolice;
  std::vector<UserRole> roles;  // sorted, once each
  std::string bound_source;     // a service account's one source ("police_crime"); else empty
  CivilDate trained_on;
  CivilDate training_expires;
  bool enabled = true;
  std::string disabled_reason;
  int failed_logins = 0;
  std::optional<int64_t> locked_until_micros;
  int64_t created_at_micros = 0;
  int64_t updated_at_micros = 0;

  bool HasRole(UserRole role) const;
  // Locked out at `now_micros` by repeated login failures.
  bool IsLocked(int64_t now_micros) const;

  friend bool operator==(const User&, const User&) = default;
};

// Trained on `date`: trained_on <= date < training_expires. Only trained users get personal
// data (the policy engine asks this).
bool IsTrained(const User& user, const CivilDate& date);

// What AddUser needs. The username is 2 to 64 characters of ASCII letters, digits and . _ @ -
// starting with a letter or digit, and is unique ignoring case.
struct NewUser {
  std::string username;
  std::string display_name;
  model::Agency agency = model::Agency::kPolice;
  std::vector<UserRole> roles;  // at least one
  // Set for a service account, and only for one: the source it may push records to.
  std::string bound_source;
  CivilDate trained_on;
  CivilDate training_expires;  // after trained_on
};

// ---------------------------------------------------------------------------------------------
// Passwords

// Argon2id cost parameters. The defaults are OWASP's first recommendation (2023): 46 MiB, one
// pass, one lane. m_kib below 47104, t below 1 or p below 1 is refused by HashPassword.
struct Argon2Params {
  uint32_t m_kib = 47104;
  uint32_t t_cost = 1;
  uint32_t parallelism = 1;
  uint32_t salt_bytes = 16;
  uint32_t hash_bytes = 32;
};

// InvalidArgument saying what is wrong, or OK (see the policy at the top of this file).
Status CheckPasswordPolicy(std::string_view password, std::string_view username);

// The PHC-encoded Argon2id hash ("$argon2id$v=19$m=47104,t=1,p=1$<salt>$<hash>") of `password`
// with a fresh random salt. Internal if libargon2 or the random source fails.
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params = {});

// Whether `password` matches `encoded`, compared in constant time (argon2id_verify). A
// malformed `encoded` is Corruption; a mismatch is false, not an error.
Result<bool> VerifyPassword(std::string_view encoded, std::string_view password);

// The parameters written in a PHC-encoded Argon2id hash; InvalidArgument if it is not one.
Result<Argon2Params> ParseArgon2idParams(std::string_view encoded);

// A random password of 20 characters from letters and digits without look-alikes (0O1lI),
// from OpenSSL's RAND_bytes.
Result<std::string> GeneratePassword();

// ---------------------------------------------------------------------------------------------
// Identity providers

// Turns a username and a secret (a password; for OIDC, an ID token) into the user it proves.
// Any failure to prove who someone is (unknown user, wrong secret, locked, disabled) is
// Unauthenticated with one message that does not say which; other codes mean the provider
// itself failed (Unavailable: the store is busy, try again).
class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;
  IdentityProvider(const IdentityProvider&) = delete;
  IdentityProvider& operator=(const IdentityProvider&) = delete;

  // "password", "oidc": recorded with the session and in the audit log.
  virtual std::string_view name() const = 0;
  virtual Result<User> Authenticate(std::string_view username, std::string_view secret) = 0;

 protected:
  IdentityProvider() = default;
};

// ---------------------------------------------------------------------------------------------
// The identity service

struct IdentityOptions {
  int64_t idle_timeout_micros = int64_t{15} * 60 * 1'000'000;        // 15 minutes
  int64_t absolute_lifetime_micros = int64_t{8} * 3600 * 1'000'000;  // 8 hours
  // Activity is written to a session at most this often (a request in between only reads).
  int64_t touch_interval_micros = int64_t{30} * 1'000'000;  // 30 seconds
  int max_failures = 5;                                     // then the account locks
  int64_t lockout_micros = int64_t{15} * 60 * 1'000'000;    // for 15 minutes
  Argon2Params argon2;
};

// A session as given to its client: the token is shown once, here, and never again.
struct SessionGrant {
  std::string token;  // 64 hex characters: 32 random bytes
  int64_t session_id = 0;
  int64_t expires_at_micros = 0;  // the absolute end; it may end earlier if left idle
};

// A session a token proved, with the user it belongs to.
struct AuthenticatedSession {
  User user;
  int64_t session_id = 0;
  int64_t expires_at_micros = 0;       // the absolute end
  int64_t idle_expires_at_micros = 0;  // when it ends if left idle from now on (or sooner)
};

// Users and sessions over a Store. `store` and `clock` must outlive it.
class Identity {
 public:
  Identity(store::Store& store, const Clock& clock, IdentityOptions options = {});

  const IdentityOptions& options() const { return options_; }

  // --- users

  // Creates a user with `password` (which must meet the policy). InvalidArgument for a bad
  // username, empty display name, no role, training that does not end after it starts, or a
  // service account that holds another role or is not bound to one valid source id (and a
  // bound source on any other user); AlreadyExists if the username is taken (ignoring case).
  Result<User> AddUser(const NewUser& user, std::string_view password);
  // Disables the user and revokes all their sessions in the same transaction, so that none
  // outlives the change. Disabling a disabled user changes nothing. InvalidArgument if the
  // reason is blank; NotFound if there is no such user.
  Result<User> DisableUser(std::string_view username, std::string_view reason);
  // Replaces the password (which must meet the policy), clears any lockout and revokes all
  // the user's sessions. NotFound if there is no such user.
  Result<User> ResetPassword(std::string_view username, std::string_view new_password);
  // NotFound if there is no such user.
  Result<User> GetUser(std::string_view username);
  Result<User> GetUser(int64_t id);
  // Every user, by username.
  Result<std::vector<User>> ListUsers();

  // --- sessions

  // Opens a session for a user a provider has authenticated. FailedPrecondition if the user is
  // disabled.
  Result<SessionGrant> StartSession(const User& user);
  // `provider.Authenticate`, then StartSession.
  Result<SessionGrant> Login(IdentityProvider& provider, std::string_view username,
                             std::string_view secret);
  // The user a session token belongs to, recording the activity (which restarts the idle
  // timeout). Unauthenticated, with one message, for an unknown, revoked, idle-expired or
  // expired token, or a user since disabled.
  Result<User> Authenticate(std::string_view token);
  // The same, with the session's id and timeouts.
  Result<AuthenticatedSession> AuthenticateSession(std::string_view token);
  // Revokes the session of `token` ("logout"). Unauthenticated if there is none; revoking a
  // revoked session is OK.
  Status Logout(std::string_view token);
  // Revokes every session of the user; returns how many. NotFound if there is no such user.
  Result<int64_t> RevokeSessions(int64_t user_id, std::string_view reason);

 private:
  friend class PasswordProvider;

  store::Store& store_;
  const Clock& clock_;
  IdentityOptions options_;
};

// Passwords checked against the Argon2id hashes in the store, with throttling and lockout (see
// the top of this file). `identity` must outlive it.
class PasswordProvider final : public IdentityProvider {
 public:
  explicit PasswordProvider(Identity& identity) : identity_(identity) {}

  std::string_view name() const override { return "password"; }
  Result<User> Authenticate(std::string_view username, std::string_view password) override;

 private:
  // One Argon2id verification against a hash of nothing anyone knows, with the same parameters
  // as real hashes, so that a refusal that needs no real check costs the same time.
  Status SpendOneVerification(std::string_view password);

  Identity& identity_;
  std::string dummy_hash_;  // made on first use
};

// The message of every authentication failure.
inline constexpr std::string_view kAuthenticationFailed =
    "the username or password is wrong, or the account is locked or disabled";
inline constexpr std::string_view kSessionInvalid =
    "the session is not valid (unknown, expired or revoked): log in again";

}  // namespace tessera::govern
