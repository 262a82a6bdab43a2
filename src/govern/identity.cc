#include "govern/identity.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/sha256.h"

namespace tessera::govern {
namespace {

constexpr std::array<UserRole, 5> kAllRoles = {UserRole::kPractitioner, UserRole::kAnalyst,
                                               UserRole::kInformationGovernanceOfficer,
                                               UserRole::kAdministrator, UserRole::kServiceAccount};

constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxPasswordBytes = 256;
constexpr size_t kMinPasswordCodePoints = 12;
constexpr size_t kGeneratedPasswordLength = 20;
// Letters and digits without the look-alikes 0, O, 1, l and I: 57 characters.
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

Status Unauthenticated() { return Status::Unauthenticated(std::string(kAuthenticationFailed)); }
Status SessionInvalid() { return Status::Unauthenticated(std::string(kSessionInvalid)); }

Status RandomBytes(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    return Status::Internal("the random source (OpenSSL RAND_bytes) failed");
  }
  return Status::Ok();
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

bool IsToken(std::string_view token) {
  return token.size() == kTokenBytes * 2 && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status CheckUsername(std::string_view username) {
  if (username.size() < 2 || username.size() > 64) {
    return Status::InvalidArgument("a username is 2 to 64 characters, not " +
                                   std::to_string(username.size()));
  }
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(username.front())) {
    return Status::InvalidArgument("a username starts with a letter or a digit");
  }
  for (char c : username) {
    if (!alnum(c) && c != '.' && c != '_' && c != '@' && c != '-') {
      return Status::InvalidArgument("a username holds only ASCII letters, digits and . _ @ -");
    }
  }
  return Status::Ok();
}

// A service account is bound to exactly one source and holds no other role; nobody else is bound.
// Source ids follow the mapping specs' rule: lower case letters, digits and '_'.
Status CheckBinding(const std::vector<UserRole>& roles, std::string_view bound_source) {
  const bool service =
      std::find(roles.begin(), roles.end(), UserRole::kServiceAccount) != roles.end();
  if (!service) {
    if (bound_source.empty()) return Status::Ok();
    return Status::InvalidArgument("only a service_account is bound to a source");
  }
  if (std::any_of(roles.begin(), roles.end(),
                  [](UserRole r) { return r != UserRole::kServiceAccount; })) {
    return Status::InvalidArgument("a service_account holds no other role");
  }
  if (bound_source.empty() || bound_source.size() > 64 ||
      !std::all_of(bound_source.begin(), bound_source.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return Status::InvalidArgument(
        "a service_account is bound to one source: a source id of lower case letters, digits "
        "and '_'");
  }
  return Status::Ok();
}

Result<User> ToUser(const store::StoredUser& stored) {
  User user;
  user.id = stored.id;
  user.username = stored.username;
  user.display_name = stored.display_name;
  user.agency = stored.agency;
  for (const std::string& name : stored.roles) {
    std::optional<UserRole> role = UserRoleFromName(name);
    if (!role.has_value()) {
      return Status::Corruption("user '" + stored.username + "' has an unknown role '" + name +
                                "'");
    }
    user.roles.push_back(*role);
  }
  std::sort(user.roles.begin(), user.roles.end());
  user.bound_source = stored.bound_source;
  user.trained_on = stored.trained_on;
  user.training_expires = stored.training_expires;
  user.enabled = stored.enabled;
  user.disabled_reason = stored.disabled_reason;
  user.failed_logins = stored.failed_logins;
  user.locked_until_micros = stored.locked_until_micros;
  user.created_at_micros = stored.created_at_micros;
  user.updated_at_micros = stored.updated_at_micros;
  return user;
}

store::StoredUser ToStored(const User& user) {
  store::StoredUser stored;
  stored.id = user.id;
  stored.username = user.username;
  stored.display_name = user.display_name;
  stored.agency = user.agency;
  for (UserRole role : user.roles) stored.roles.emplace_back(UserRoleName(role));
  stored.bound_source = user.bound_source;
  stored.trained_on = user.trained_on;
  stored.training_expires = user.training_expires;
  stored.enabled = user.enabled;
  stored.disabled_reason = user.disabled_reason;
  return stored;
}

Status CheckParams(const Argon2Params& p) {
  if (p.m_kib < 47104 || p.t_cost < 1 || p.parallelism < 1 || p.salt_bytes < 16 ||
      p.hash_bytes < 32) {
    return Status::InvalidArgument(
        "Argon2id parameters below the floor (m >= 47104 KiB, t >= 1, p >= 1, a 16-byte salt "
        "and a 32-byte hash)");
  }
  return Status::Ok();
}

// Reads "name=<digits>" at the front of `text`, moving past it.
bool ReadParam(std::string_view& text, std::string_view name, uint32_t& value) {
  if (text.substr(0, name.size()) != name || text.size() <= name.size() ||
      text[name.size()] != '=') {
    return false;
  }
  text.remove_prefix(name.size() + 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Users

std::string_view UserRoleName(UserRole role) {
  switch (role) {
    case UserRole::kPractitioner:
      return "practitioner";
    case UserRole::kAnalyst:
      return "analyst";
    case UserRole::kInformationGovernanceOfficer:
      return "information_governance_officer";
    case UserRole::kAdministrator:
      return "administrator";
    case UserRole::kServiceAccount:
      return "service_account";
  }
  return "unknown";
}

std::optional<UserRole> UserRoleFromName(std::string_view name) {
  for (UserRole role : kAllRoles) {
    if (UserRoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string UserRoleNames() {
  std::string out;
  for (UserRole role : kAllRoles) {
    if (!out.empty()) out += ", ";
    out += UserRoleName(role);
  }
  return out;
}

bool User::HasRole(UserRole role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool User::IsLocked(int64_t now_micros) const {
  return locked_until_micros.has_value() && now_micros < *locked_until_micros;
}

bool IsTrained(const User& user, const CivilDate& date) {
  return user.trained_on.IsValid() && user.training_expires.IsValid() && user.trained_on <= date &&
         date < user.training_expires;
}

// ---------------------------------------------------------------------------------------------
// Passwords

Status CheckPasswordPolicy(std::string_view password, std::string_view username) {
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument("a password is at most " + std::to_string(kMaxPasswordBytes) +
                                   " bytes");
  }
  size_t code_points = static_cast<size_t>(
      std::count_if(password.begin(), password.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  if (code_points < kMinPasswordCodePoints) {
    return Status::InvalidArgument("a password is at least " +
                                   std::to_string(kMinPasswordCodePoints) + " characters");
  }
  if (IsBlank(password)) return Status::InvalidArgument("a password is not only spaces");
  if (!username.empty() && LowerAscii(password) == LowerAscii(username)) {
    return Status::InvalidArgument("a password is not the username");
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
  TRY(CheckParams(params));
  std::vector<unsigned char> salt(params.salt_bytes);
  TRY(RandomBytes(salt.data(), salt.size()));
  size_t length = argon2_encodedlen(params.t_cost, params.m_kib, params.parallelism,
                                    params.salt_bytes, params.hash_bytes, Argon2_id);
  std::string encoded(length, '\0');
  int rc = argon2id_hash_encoded(params.t_cost, params.m_kib, params.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), params.hash_bytes,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("hashing a password with Argon2id failed: ") +
                            argon2_error_message(rc));
  }
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return encoded;
}

Result<bool> VerifyPassword(std::string_view encoded, std::string_view password) {
  std::string terminated(encoded);  // argon2id_verify reads a C string
  int rc = argon2id_verify(terminated.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) return true;
  if (rc == ARGON2_VERIFY_MISMATCH) return false;
  return Status::Corruption(std::string("a stored password hash could not be checked: ") +
                            argon2_error_message(rc));
}

Result<Argon2Params> ParseArgon2idParams(std::string_view encoded) {
  auto bad = [] { return Status::InvalidArgument("not a PHC-encoded Argon2id hash"); };
  constexpr std::string_view kPrefix = "$argon2id$v=19$";
  if (encoded.substr(0, kPrefix.size()) != kPrefix) return bad();
  std::string_view rest = encoded.substr(kPrefix.size());
  Argon2Params params;
  if (!ReadParam(rest, "m", params.m_kib) || rest.empty() || rest.front() != ',') return bad();
  rest.remove_prefix(1);
  if (!ReadParam(rest, "t", params.t_cost) || rest.empty() || rest.front() != ',') return bad();
  rest.remove_prefix(1);
  if (!ReadParam(rest, "p", params.parallelism) || rest.empty() || rest.front() != '$') {
    return bad();
  }
  rest.remove_prefix(1);
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos || dollar == 0 || dollar + 1 >= rest.size()) return bad();
  // Unpadded base64: 4 characters carry 3 bytes.
  auto decoded_size = [](size_t chars) { return chars * 3 / 4; };
  params.salt_bytes = static_cast<uint32_t>(decoded_size(dollar));
  params.hash_bytes = static_cast<uint32_t>(decoded_size(rest.size() - dollar - 1));
  return params;
}

Result<std::string> GeneratePassword() {
  std::string out;
  // Rejection sampling keeps every character equally likely: bytes at or above the largest
  // multiple of the alphabet's size are drawn again.
  const size_t limit = 256 - 256 % kPasswordAlphabet.size();
  while (out.size() < kGeneratedPasswordLength) {
    std::array<unsigned char, 32> bytes;
    TRY(RandomBytes(bytes.data(), bytes.size()));
    for (unsigned char b : bytes) {
      if (b >= limit || out.size() == kGeneratedPasswordLength) continue;
      out += kPasswordAlphabet[b % kPasswordAlphabet.size()];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The identity service

Identity::Identity(store::Store& store, const Clock& clock, IdentityOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Result<User> Identity::AddUser(const NewUser& user, std::string_view password) {
  TRY(CheckUsername(user.username));
  if (IsBlank(user.display_name)) {
    return Status::InvalidArgument("a user needs a display name");
  }
  if (user.roles.empty()) {
    return Status::InvalidArgument("a user needs at least one role (" + UserRoleNames() + ")");
  }
  TRY(CheckBinding(user.roles, user.bound_source));
  if (!user.trained_on.IsValid() || !user.training_expires.IsValid()) {
    return Status::InvalidArgument("a user needs valid training dates");
  }
  if (!(user.trained_on < user.training_expires)) {
    return Status::InvalidArgument("training must expire after it was done (" +
                                   user.trained_on.ToIso() + " to " +
                                   user.training_expires.ToIso() + ")");
  }
  TRY(CheckPasswordPolicy(password, user.username));
  TRY_ASSIGN(std::string hash, HashPassword(password, options_.argon2));

  User draft;
  draft.username = user.username;
  draft.display_name = user.display_name;
  draft.agency = user.agency;
  draft.roles = user.roles;
  draft.bound_source = user.bound_source;
  draft.trained_on = user.trained_on;
  draft.training_expires = user.training_expires;
  TRY_ASSIGN(auto txn, store_.Begin(store::Store::TransactionMode::kPerCall,
                                    store::Store::Durability::kSynced));
  TRY_ASSIGN(int64_t id, store_.CreateUser(*txn, ToStored(draft), hash));
  TRY(txn->Commit());
  return GetUser(id);
}

Result<User> Identity::DisableUser(std::string_view username, std::string_view reason) {
  if (IsBlank(reason)) return Status::InvalidArgument("disabling a user needs a reason");
  TRY_ASSIGN(auto txn, store_.Begin(store::Store::TransactionMode::kPerCall,
                                    store::Store::Durability::kSynced));
  TRY_ASSIGN(User user, GetUser(username));  // inside the transaction: the latest state
  if (user.enabled) {
    user.enabled = false;
    user.disabled_reason = std::string(reason);
    TRY(store_.UpdateUser(*txn, ToStored(user)));
  }
  // Also when it was disabled already: a session can have no business outliving that.
  TRY(store_.RevokeUserSessions(*txn, user.id, "user disabled").status());
  TRY(txn->Commit());
  return GetUser(user.id);
}

Result<User> Identity::ResetPassword(std::string_view username, std::string_view new_password) {
  TRY_ASSIGN(User before, GetUser(username));
  TRY(CheckPasswordPolicy(new_password, before.username));
  // Hashed before the write lock is taken: it takes tens of milliseconds.
  TRY_ASSIGN(std::string hash, HashPassword(new_password, options_.argon2));
  TRY_ASSIGN(auto txn, store_.Begin(store::Store::TransactionMode::kPerCall,
                                    store::Store::Durability::kSynced));
  TRY(store_.SetPasswordHash(*txn, before.id, hash));
  TRY(store_.SetLoginState(*txn, before.id, 0, std::nullopt));
  TRY(store_.RevokeUserSessions(*txn, before.id, "password reset").status());
  TRY(txn->Commit());
  return GetUser(before.id);
}

Result<User> Identity::GetUser(std::string_view username) {
  TRY_ASSIGN(std::optional<store::StoredUser> found, store_.FindUserByUsername(username));
  if (!found.has_value()) {
    return Status::NotFound("there is no user '" + std::string(username) + "'");
  }
  return ToUser(*found);
}

Result<User> Identity::GetUser(int64_t id) {
  TRY_ASSIGN(store::StoredUser stored, store_.GetUser(id));
  return ToUser(stored);
}

Result<std::vector<User>> Identity::ListUsers() {
  TRY_ASSIGN(std::vector<store::StoredUser> stored, store_.ListUsers());
  std::vector<User> out;
  out.reserve(stored.size());
  for (const store::StoredUser& s : stored) {
    TRY_ASSIGN(User user, ToUser(s));
    out.push_back(std::move(user));
  }
  return out;
}

Result<SessionGrant> Identity::StartSession(const User& user) {
  if (!user.enabled) {
    return Status::FailedPrecondition("user '" + user.username + "' is disabled");
  }
  std::array<unsigned char, kTokenBytes> bytes;
  TRY(RandomBytes(bytes.data(), bytes.size()));
  SessionGrant grant;
  grant.token = Hex(bytes.data(), bytes.size());
  TRY_ASSIGN(std::string token_hash, Sha256Hex(grant.token));
  int64_t now = clock_.NowMicros();
  store::StoredSession session;
  session.token_hash = token_hash;
  session.user_id = user.id;
  session.created_at_micros = now;
  session.last_seen_at_micros = now;
  session.expires_at_micros = now + options_.absolute_lifetime_micros;
  TRY_ASSIGN(auto txn, store_.Begin());
  // The user is read again under the write lock: one disabled since the provider looked gets
  // no session (disabling revokes under the same lock, so nothing slips between the two).
  TRY_ASSIGN(store::StoredUser current, store_.GetUser(user.id));
  if (!current.enabled) {
    return Status::FailedPrecondition("user '" + user.username + "' is disabled");
  }
  TRY_ASSIGN(grant.session_id, store_.CreateSession(*txn, session));
  TRY(txn->Commit());
  grant.expires_at_micros = session.expires_at_micros;
  return grant;
}

Result<SessionGrant> Identity::Login(IdentityProvider& provider, std::string_view username,
                                     std::string_view secret) {
  TRY_ASSIGN(User user, provider.Authenticate(username, secret));
  return StartSession(user);
}

Result<User> Identity::Authenticate(std::string_view token) {
  TRY_ASSIGN(AuthenticatedSession session, AuthenticateSession(token));
  return std::move(session.user);
}

Result<AuthenticatedSession> Identity::AuthenticateSession(std::string_view token) {
  if (!IsToken(token)) return SessionInvalid();
  TRY_ASSIGN(std::string token_hash, Sha256Hex(token));
  const int64_t now = clock_.NowMicros();
  auto check = [&](const std::optional<store::StoredSession>& found) {
    return found.has_value() && !found->revoked_at_micros.has_value() &&
           now < found->expires_at_micros &&
           now - found->last_seen_at_micros < options_.idle_timeout_micros;
  };
  TRY_ASSIGN(std::optional<store::StoredSession> found, store_.FindSessionByTokenHash(token_hash));
  if (!check(found)) return SessionInvalid();
  if (now - found->last_seen_at_micros >= options_.touch_interval_micros) {
    // Recording activity restarts the idle timeout. Checked again and touched under the write
    // lock, so that a revocation is either seen here or happens after this request was let in.
    // Between touches a request only reads, so that signed-in traffic does not queue on the
    // store's one writer; the idle timeout is then exact to within touch_interval_micros.
    TRY_ASSIGN(auto txn, store_.Begin());
    TRY_ASSIGN(found, store_.FindSessionByTokenHash(token_hash));
    if (!check(found)) return SessionInvalid();
    TRY(store_.TouchSession(*txn, found->id, now));
    TRY(txn->Commit());
    found->last_seen_at_micros = now;
  }
  TRY_ASSIGN(store::StoredUser stored, store_.GetUser(found->user_id));
  if (!stored.enabled) return SessionInvalid();
  AuthenticatedSession out;
  TRY_ASSIGN(out.user, ToUser(stored));
  out.session_id = found->id;
  out.expires_at_micros = found->expires_at_micros;
  out.idle_expires_at_micros =
      std::min(found->expires_at_micros, found->last_seen_at_micros + options_.idle_timeout_micros);
  return out;
}

Status Identity::Logout(std::string_view token) {
  if (!IsToken(token)) return SessionInvalid();
  TRY_ASSIGN(std::string token_hash, Sha256Hex(token));
  TRY_ASSIGN(auto txn, store_.Begin());
  TRY_ASSIGN(std::optional<store::StoredSession> found, store_.FindSessionByTokenHash(token_hash));
  if (!found.has_value()) return SessionInvalid();
  TRY(store_.RevokeSession(*txn, found->id, "logout"));
  return txn->Commit();
}

Result<int64_t> Identity::RevokeSessions(int64_t user_id, std::string_view reason) {
  TRY_ASSIGN(auto txn, store_.Begin(store::Store::TransactionMode::kPerCall,
                                    store::Store::Durability::kSynced));
  TRY_ASSIGN(int64_t revoked, store_.RevokeUserSessions(*txn, user_id, reason));
  TRY(txn->Commit());
  return revoked;
}

// ---------------------------------------------------------------------------------------------
// The password provider

Status PasswordProvider::SpendOneVerification(std::string_view password) {
  if (dummy_hash_.empty()) {
    std::array<unsigned char, 32> secret;
    TRY(RandomBytes(secret.data(), secret.size()));
    TRY_ASSIGN(dummy_hash_,
               HashPassword(Hex(secret.data(), secret.size()), identity_.options_.argon2));
  }
  return VerifyPassword(dummy_hash_, password).status();
}

Result<User> PasswordProvider::Authenticate(std::string_view username, std::string_view password) {
  store::Store& store = identity_.store_;
  const IdentityOptions& options = identity_.options_;
  int64_t now = identity_.clock_.NowMicros();

  TRY_ASSIGN(std::optional<store::StoredUser> found, store.FindUserByUsername(username));
  if (!found.has_value() || !found->enabled ||
      (found->locked_until_micros.has_value() && now < *found->locked_until_micros) ||
      password.size() > kMaxPasswordBytes) {
    // Refused without looking at the user's hash, in the time a real check takes.
    TRY(SpendOneVerification(password));
    return Unauthenticated();
  }
  TRY_ASSIGN(std::string hash, store.GetPasswordHash(found->id));
  TRY_ASSIGN(bool match, VerifyPassword(hash, password));

  // The outcome is recorded under the write lock, from the state as it is now: concurrent
  // failures each count, and a lock or a disable that came in meanwhile wins.
  TRY_ASSIGN(auto txn, store.Begin());
  TRY_ASSIGN(store::StoredUser current, store.GetUser(found->id));
  bool locked = current.locked_until_micros.has_value() && now < *current.locked_until_micros;
  if (match && current.enabled && !locked) {
    if (current.failed_logins != 0 || current.locked_until_micros.has_value()) {
      TRY(store.SetLoginState(*txn, current.id, 0, std::nullopt));
      TRY(txn->Commit());
      current.failed_logins = 0;
      current.locked_until_micros.reset();
    }
    return ToUser(current);
  }
  if (!locked && current.enabled) {
    // A lock that has run out starts a fresh count.
    int failures = current.locked_until_micros.has_value() ? 1 : current.failed_logins + 1;
    std::optional<int64_t> locked_until;
    if (failures >= options.max_failures) locked_until = now + options.lockout_micros;
    TRY(store.SetLoginState(*txn, current.id, failures, locked_until));
    TRY(txn->Commit());
  }
  return Unauthenticated();
}

}  // namespace tessera::govern
