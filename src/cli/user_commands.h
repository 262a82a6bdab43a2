// The user subcommands: `user add`, `user disable`, `user reset` and `user list`, managing who
// may log in to a hub (src/govern/identity.h). A password is printed once, when it is made, and
// never stored or shown again; every change is written to the audit log with the actor's name.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class UserCommands {
 public:
  explicit UserCommands(CLI::App& app);
  ~UserCommands();
  UserCommands(const UserCommands&) = delete;
  UserCommands& operator=(const UserCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
