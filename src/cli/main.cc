// `tessera`: one binary, one subcommand per job. main() only wires options to the libraries.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/clock.h"
#include "store/store.h"
#include "synth/synth.h"

namespace {

int Fail(const tessera::Status& status) {
  std::fprintf(stderr, "tessera: %s\n", status.ToString().c_str());
  return 1;
}

int RunInit(const std::string& data_dir) {
  if (auto s = tessera::store::InitHub(data_dir); !s.ok()) return Fail(s);
  auto store = tessera::store::OpenSqliteStore(data_dir, tessera::SystemClock::Instance());
  if (!store.ok()) return Fail(store.status());
  fmt::print("hub ready at {} (schema version {})\n", data_dir, (*store)->SchemaVersion());
  return 0;
}

int RunGenerate(const tessera::synth::WorldConfig& config, const std::string& out) {
  const auto start = std::chrono::steady_clock::now();
  auto summary = tessera::synth::GenerateWorld(config, out);
  if (!summary.ok()) return Fail(summary.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("generated {} people in {} households at {} addresses: {} events, {} records\n",
             summary->people, summary->households, summary->addresses, summary->events,
             summary->mentions);
  fmt::print("{:<24} {:<22} {:>6} {:>9} {:>11} {:>8}\n", "source", "agency", "format", "records",
             "quarantine", "flagged");
  for (const auto& s : summary->sources) {
    fmt::print("{:<24} {:<22} {:>6} {:>9} {:>11} {:>8}\n", s.source_id, s.agency, s.format, s.rows,
               s.quarantine, s.load_flagged);
  }
  fmt::print("people in 2+ sources: {:.1f}% of those known to any source\n",
             100.0 * summary->rates.at("people.in_2plus_sources_of_known"));
  fmt::print("wrote {}/landing, {}/truth and {}/manifest.json in {:.2f} s\n", out, out, out,
             seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tessera: a multi-agency integrated services analytics hub"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tessera 0.1.0");

  std::string init_dir;
  auto* init = app.add_subcommand("init",
                                  "Create a hub directory (store, landing zone) or bring "
                                  "an existing one's schema up to date");
  init->add_option("--data", init_dir, "Hub directory")->required();

  tessera::synth::WorldConfig world;
  std::string out;
  std::string area = world.areas.front();
  auto* gen = app.add_subcommand(
      "generate",
      "Generate a synthetic multi-agency world: partner extracts in landing/ and "
      "ground truth in truth/");
  gen->add_option("--people", world.people, "Number of residents")
      ->check(CLI::Range(int64_t{1}, int64_t{20000000}))
      ->capture_default_str();
  gen->add_option("--seed", world.seed, "Random seed; the same seed gives identical files")
      ->capture_default_str();
  gen->add_option("--out", out, "Output directory (a hub directory works: files go to landing/)")
      ->required();
  gen->add_option("--area", area, "County from the GB places list, or \"all\"")
      ->capture_default_str();
  gen->add_option("--malformed-fraction", world.malformed_fraction,
                  "Fraction of records deliberately malformed")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  gen->add_option("--first-year", world.first_year, "First year of the observed period")
      ->check(CLI::Range(1990, 2100))
      ->capture_default_str();
  gen->add_option("--years", world.years, "Length of the observed period in years")
      ->check(CLI::Range(2, 30))
      ->capture_default_str();
  gen->add_option("--threads", world.threads, "Worker threads (0: all cores); output is the same")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (init->parsed()) return RunInit(init_dir);
  if (gen->parsed()) {
    world.areas = area == "all" ? std::vector<std::string>{} : std::vector<std::string>{area};
    return RunGenerate(world, out);
  }
  return 0;
}
