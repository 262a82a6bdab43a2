// `tessera risk train|evaluate`: trains the predictive risk model on a hub and its synthetic
// truth, saves it as a new version under HUB/models/risk/, and prints the evaluation report
// (src/risk). They only wire options to the library.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class RiskCommands {
 public:
  explicit RiskCommands(CLI::App& app);
  ~RiskCommands();
  RiskCommands(const RiskCommands&) = delete;
  RiskCommands& operator=(const RiskCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
