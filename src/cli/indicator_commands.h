// `tessera indicators`: a person's or a household's indicator flags and the events behind them,
// read as a named user under a purpose and audited (docs/formats/indicators.md), and
// `tessera indicators check FILE` to validate a rule file. They only wire options to the
// libraries (src/analytics, src/view, src/govern).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class IndicatorCommands {
 public:
  explicit IndicatorCommands(CLI::App& app);
  ~IndicatorCommands();
  IndicatorCommands(const IndicatorCommands&) = delete;
  IndicatorCommands& operator=(const IndicatorCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
