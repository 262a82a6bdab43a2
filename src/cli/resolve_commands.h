// The resolution subcommands: `linkage train|show`, `resolve`, `explain`, `evaluate`,
// `review list|accept|reject` and `nominal merge|split`. They only wire options to the resolve
// library.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class ResolveCommands {
 public:
  explicit ResolveCommands(CLI::App& app);
  ~ResolveCommands();
  ResolveCommands(const ResolveCommands&) = delete;
  ResolveCommands& operator=(const ResolveCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
