#include "cli/user_commands.h"

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "core/dates.h"
#include "govern/identity.h"
#include "store/store.h"

namespace tessera::cli {

struct UserCommands::Args {
  std::string data;
  std::string username;
  std::string name;
  std::string agency;
  std::vector<std::string> roles;
  std::string source;  // a service account's bound source
  std::string trained_on;
  std::string training_expires;
  bool password_stdin = false;
  std::string reason;

  CLI::App* add = nullptr;
  CLI::App* disable = nullptr;
  CLI::App* reset = nullptr;
  CLI::App* list = nullptr;
};

UserCommands::UserCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  auto* user = app.add_subcommand("user", "Manage the people who may log in to the hub");
  user->require_subcommand(1);

  a.add = user->add_subcommand(
      "add", "Add a user; their first password is generated and printed once (audited)");
  a.add->add_option("--data", a.data, "Hub directory")->required();
  a.add->add_option("--username", a.username, "Login name, unique ignoring case")->required();
  a.add->add_option("--name", a.name, "Display name")->required();
  a.add->add_option("--agency", a.agency, "Agency: " + model::AgencyNames())->required();
  a.add->add_option("--role", a.roles, "Role, repeatable: " + govern::UserRoleNames())->required();
  a.add->add_option("--source", a.source,
                    "The one source a service_account may push records to (and only then)");
  a.add->add_option("--trained-on", a.trained_on, "Date of data-protection training (YYYY-MM-DD)")
      ->required();
  a.add
      ->add_option("--training-expires", a.training_expires,
                   "First day the training no longer counts (YYYY-MM-DD)")
      ->required();
  a.add->add_flag("--password-stdin", a.password_stdin,
                  "Read the password from the first line of stdin instead of generating one");

  a.disable = user->add_subcommand("disable",
                                   "Disable a user and end all their sessions at once (audited)");
  a.disable->add_option("--data", a.data, "Hub directory")->required();
  a.disable->add_option("--username", a.username, "Login name")->required();
  a.disable->add_option("--reason", a.reason, "Why (audited)")->required();

  a.reset = user->add_subcommand(
      "reset",
      "Give a user a new password, printed once; ends their sessions and any lockout (audited)");
  a.reset->add_option("--data", a.data, "Hub directory")->required();
  a.reset->add_option("--username", a.username, "Login name")->required();
  a.reset->add_flag("--password-stdin", a.password_stdin,
                    "Read the password from the first line of stdin instead of generating one");

  a.list = user->add_subcommand("list", "List the hub's users (no password material)");
  a.list->add_option("--data", a.data, "Hub directory")->required();
}

UserCommands::~UserCommands() { delete args_; }

namespace {

// The password to set: the first line of stdin, or a generated one.
Result<std::string> NewPassword(bool from_stdin) {
  if (!from_stdin) return govern::GeneratePassword();
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status::InvalidArgument("--password-stdin: nothing to read on stdin");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Records a change to a user in the audit log, after it was made.
Status AuditChange(store::Store& store, std::string action, const std::string& username,
                   std::string justification, std::string detail) {
  store::AuditEvent event;
  event.actor = CliActor();
  event.action = std::move(action);
  event.resource = "user/" + username;
  event.justification = std::move(justification);
  event.detail = std::move(detail);
  auto appended = store.AppendAudit(event);
  if (!appended.ok()) {
    return Status(appended.status().code(),
                  "the change to user '" + username +
                      "' was made but its audit event could not be written (no password is "
                      "shown; fix the hub and run `tessera user reset`): " +
                      appended.status().message());
  }
  return Status::Ok();
}

std::string RoleList(const std::vector<govern::UserRole>& roles) {
  std::string out;
  for (govern::UserRole role : roles) {
    if (!out.empty()) out += ",";
    out += govern::UserRoleName(role);
  }
  return out;
}

Result<govern::NewUser> ParseNewUser(const std::string& username, const std::string& name,
                                     const std::string& agency,
                                     const std::vector<std::string>& roles,
                                     const std::string& source, const std::string& trained_on,
                                     const std::string& training_expires) {
  govern::NewUser user;
  user.username = username;
  user.display_name = name;
  std::optional<model::Agency> parsed_agency = model::AgencyFromName(agency);
  if (!parsed_agency.has_value()) {
    return Status::InvalidArgument("--agency '" + agency + "' is not one of " +
                                   model::AgencyNames());
  }
  user.agency = *parsed_agency;
  for (const std::string& name_of_role : roles) {
    std::optional<govern::UserRole> role = govern::UserRoleFromName(name_of_role);
    if (!role.has_value()) {
      return Status::InvalidArgument("--role '" + name_of_role + "' is not one of " +
                                     govern::UserRoleNames());
    }
    user.roles.push_back(*role);
  }
  user.bound_source = source;
  auto from = ParseDate(trained_on, "yyyy-mm-dd");
  if (!from.ok()) return from.status().WithContext("--trained-on");
  auto to = ParseDate(training_expires, "yyyy-mm-dd");
  if (!to.ok()) return to.status().WithContext("--training-expires");
  user.trained_on = *from;
  user.training_expires = *to;
  return user;
}

int RunAdd(const std::string& hub, const govern::NewUser& user, bool password_stdin) {
  auto password = NewPassword(password_stdin);
  if (!password.ok()) return Fail(password.status());
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, SystemClock::Instance());
  auto added = identity.AddUser(user, *password);
  if (!added.ok()) return Fail(added.status());
  if (auto s = AuditChange(
          **store, "user.add", added->username, "",
          fmt::format("id={} agency={} roles={}{} trained_on={} training_expires={} password={}",
                      added->id, model::AgencyName(added->agency), RoleList(added->roles),
                      added->bound_source.empty() ? "" : " source=" + added->bound_source,
                      added->trained_on.ToIso(), added->training_expires.ToIso(),
                      password_stdin ? "from_stdin" : "generated"));
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("added user {} (id {}): {}, {}, roles {}{}, trained {} to {}\n",
             ascii::EscapedForTerminal(added->username), added->id,
             ascii::EscapedForTerminal(added->display_name), model::AgencyName(added->agency),
             RoleList(added->roles),
             added->bound_source.empty() ? "" : " for source " + added->bound_source,
             added->trained_on.ToIso(), added->training_expires.ToIso());
  if (!password_stdin) {
    fmt::print("password (shown once, not stored; give it to the user securely): {}\n", *password);
  }
  return 0;
}

int RunDisable(const std::string& hub, const std::string& username, const std::string& reason) {
  if (auto s = RequireReason(reason, "the user is disabled (it goes in the audit log)"); !s.ok()) {
    return Fail(s);
  }
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, SystemClock::Instance());
  auto disabled = identity.DisableUser(username, reason);
  if (!disabled.ok()) return Fail(disabled.status());
  if (auto s = AuditChange(**store, "user.disable", disabled->username, reason,
                           fmt::format("id={} sessions_revoked=all", disabled->id));
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("disabled user {}; all their sessions are revoked\n",
             ascii::EscapedForTerminal(disabled->username));
  return 0;
}

int RunReset(const std::string& hub, const std::string& username, bool password_stdin) {
  auto password = NewPassword(password_stdin);
  if (!password.ok()) return Fail(password.status());
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, SystemClock::Instance());
  auto reset = identity.ResetPassword(username, *password);
  if (!reset.ok()) return Fail(reset.status());
  if (auto s = AuditChange(**store, "user.reset", reset->username, "",
                           fmt::format("id={} password={} sessions_revoked=all lockout=cleared",
                                       reset->id, password_stdin ? "from_stdin" : "generated"));
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("reset the password of {}; all their sessions are revoked\n",
             ascii::EscapedForTerminal(reset->username));
  if (!password_stdin) {
    fmt::print("password (shown once, not stored; give it to the user securely): {}\n", *password);
  }
  return 0;
}

int RunList(const std::string& hub) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, SystemClock::Instance());
  auto users = identity.ListUsers();
  if (!users.ok()) return Fail(users.status());
  const int64_t now = SystemClock::Instance().NowMicros();
  const CivilDate today = CivilDate::FromMicros(now);
  fmt::print("{:<20} {:<24} {:<22} {:<40} {:<10} {:<10} {}\n", "username", "name", "agency",
             "roles", "trained", "expires", "status");
  for (const govern::User& u : *users) {
    std::string status = u.enabled ? "enabled" : "disabled: " + u.disabled_reason;
    if (u.IsLocked(now)) status += " (locked after failed logins)";
    if (u.enabled && !govern::IsTrained(u, today)) status += " (training not current)";
    fmt::print("{:<20} {:<24} {:<22} {:<40} {:<10} {:<10} {}\n",
               ascii::EscapedForTerminal(u.username), ascii::EscapedForTerminal(u.display_name),
               model::AgencyName(u.agency),
               RoleList(u.roles) + (u.bound_source.empty() ? "" : ":" + u.bound_source),
               u.trained_on.ToIso(), u.training_expires.ToIso(), ascii::EscapedForTerminal(status));
  }
  fmt::print("{} users\n", users->size());
  return 0;
}

}  // namespace

std::optional<int> UserCommands::Dispatch() {
  Args& a = *args_;
  if (a.add->parsed()) {
    auto user = ParseNewUser(a.username, a.name, a.agency, a.roles, a.source, a.trained_on,
                             a.training_expires);
    if (!user.ok()) return Fail(user.status());
    return RunAdd(a.data, *user, a.password_stdin);
  }
  if (a.disable->parsed()) return RunDisable(a.data, a.username, a.reason);
  if (a.reset->parsed()) return RunReset(a.data, a.username, a.password_stdin);
  if (a.list->parsed()) return RunList(a.data);
  return std::nullopt;
}

}  // namespace tessera::cli
