// The governance subcommands (src/govern/agreements.h), for information-governance officers:
//   tessera purpose add|list            the purposes catalogue
//   tessera agreement apply|list|show   versioned information-sharing agreements (YAML files)
//   tessera restriction add|lift|list   sealed records, objections, field exclusions
// A change names the officer making it (--as, an enabled user holding the
// information_governance_officer role) and is written to the audit log as made by the person at
// the keyboard on their behalf.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class GovernanceCommands {
 public:
  explicit GovernanceCommands(CLI::App& app);
  ~GovernanceCommands();
  GovernanceCommands(const GovernanceCommands&) = delete;
  GovernanceCommands& operator=(const GovernanceCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
