// The format readers alone (no mapping, no store): how fast partner files are decoded and split
// into records. Run: build/release/bench/readers_benchmark
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "ingest/record.h"
#include "synth/synth.h"

namespace {

namespace fs = std::filesystem;

const fs::path& World() {
  static const fs::path dir = [] {
    const fs::path d =
        fs::temp_directory_path() / ("tessera-readers-bench-" + std::to_string(::getpid()));
    tessera::synth::WorldConfig config;
    config.people = 200000;
    config.seed = 1;
    if (!tessera::synth::GenerateWorld(config, d.string()).ok()) std::abort();
    return d;
  }();
  return dir;
}

// Drains `open()`'s reader once per iteration, counting records and bytes.
template <typename Open>
void Drain(benchmark::State& state, const fs::path& file, Open open) {
  int64_t records = 0;
  const auto bytes = static_cast<int64_t>(fs::file_size(file));
  for (auto _ : state) {
    auto reader = open(file.string());
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    const tessera::ingest::Record* record = nullptr;
    tessera::ingest::BrokenRecord broken;
    records = 0;
    while (true) {
      auto outcome = (*reader)->Next(record, broken);
      if (!outcome.ok() || *outcome == tessera::ingest::ReadOutcome::kEnd) break;
      ++records;
    }
  }
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(records), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CsvCp1252(benchmark::State& state) {
  tessera::ingest::CsvOptions options;
  options.encoding = "windows-1252";
  Drain(state, World() / "landing/police_domestic_abuse/police_domestic_abuse.csv",
        [&](const std::string& p) { return tessera::ingest::OpenCsvReader(p, options); });
}

void BM_CsvUtf8Bom(benchmark::State& state) {
  Drain(state, World() / "landing/csc_children/csc_children.csv", [](const std::string& p) {
    return tessera::ingest::OpenCsvReader(p, tessera::ingest::CsvOptions{});
  });
}

void BM_JsonLines(benchmark::State& state) {
  Drain(state, World() / "landing/police_missing/missing_episodes.jsonl", [](const std::string& p) {
    return tessera::ingest::OpenJsonLinesReader(p, tessera::ingest::JsonOptions{});
  });
}

void BM_FhirBundle(benchmark::State& state) {
  Drain(state, World() / "landing/mental_health/bundle-00001.json", [](const std::string& p) {
    return tessera::ingest::OpenFhirReader(p, tessera::ingest::JsonOptions{});
  });
}

BENCHMARK(BM_CsvCp1252)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CsvUtf8Bom)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_JsonLines)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FhirBundle)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  fs::remove_all(World());
  return 0;
}
