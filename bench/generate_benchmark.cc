// How fast the synthetic world generator writes a world, end to end (reference data, people,
// life courses, every source rendered and written, truth files). Issue 2's goal: one million
// people in 60 seconds or less on 2 cores. Run: build/release/bench/generate_benchmark
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "synth/synth.h"

namespace {

void BM_GenerateWorld(benchmark::State& state) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tessera-bench-" + std::to_string(::getpid()));
  tessera::synth::WorldConfig config;
  config.people = state.range(0);
  config.seed = 1;
  int64_t mentions = 0;
  for (auto _ : state) {
    auto summary = tessera::synth::GenerateWorld(config, dir.string());
    if (!summary.ok()) {
      state.SkipWithError(summary.status().ToString().c_str());
      break;
    }
    mentions = summary->mentions;
  }
  std::filesystem::remove_all(dir);
  state.counters["people_per_s"] = benchmark::Counter(
      static_cast<double>(config.people), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["records"] = static_cast<double>(mentions);
}
BENCHMARK(BM_GenerateWorld)
    ->Arg(50000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
