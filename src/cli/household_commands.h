// The household subcommands: `households` (find the hub's households from its nominals and
// print what was found) and `household show` (one household's address, period and members,
// audited). They only wire options to the resolve library (src/resolve/households.h).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class HouseholdCommands {
 public:
  explicit HouseholdCommands(CLI::App& app);
  ~HouseholdCommands();
  HouseholdCommands(const HouseholdCommands&) = delete;
  HouseholdCommands& operator=(const HouseholdCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
