// The `serve` subcommand: the hub's HTTP server, with the landing-zone watcher and the resolver
// running inside it. It only wires options to the serve library (src/serve/serve.h).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tessera::cli {

class ServeCommands {
 public:
  explicit ServeCommands(CLI::App& app);
  ~ServeCommands();
  ServeCommands(const ServeCommands&) = delete;
  ServeCommands& operator=(const ServeCommands&) = delete;

  // The exit code of the parsed subcommand, or nothing if none of these was parsed.
  std::optional<int> Dispatch();

 private:
  struct Args;
  Args* args_;
};

}  // namespace tessera::cli
