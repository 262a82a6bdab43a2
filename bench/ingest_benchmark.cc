// End-to-end ingest speed: read, map, validate, standardise and commit into SQLite, on the CSV
// extracts of a generated world (issue 3's goal: 200,000 rows/s or more on 2 cores).
// Run: build/release/bench/ingest_benchmark [--people=N]  (default 200,000 people)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ingest/ingest.h"
#include "store/store.h"
#include "synth/synth.h"

namespace {

namespace fs = std::filesystem;

int64_t g_people = 200000;

// The process's resident set and its peak since the last ResetPeakRss, in MB (Linux).
double StatusMb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atof(line.c_str() + field.size() + 1) / 1024;
  }
  return 0;
}

// Hands freed memory back (the world's generation leaves plenty) and restarts the peak, so that
// the peak read after a load is the load's own.
void ResetPeakRss() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

const fs::path& World() {
  static const fs::path dir = [] {
    const fs::path d =
        fs::temp_directory_path() / ("tessera-ingest-bench-" + std::to_string(::getpid()));
    tessera::synth::WorldConfig config;
    config.people = g_people;
    config.seed = 1;
    auto r = tessera::synth::GenerateWorld(config, d.string());
    if (!r.ok()) std::abort();
    return d;
  }();
  return dir;
}

std::string SpecDir() {
  const char* src = std::getenv("TESSERA_SOURCE_DIR");
  return std::string(src ? src : TESSERA_SOURCE_DIR_DEFAULT) + "/examples/synthetic/mappings/";
}

void IngestSource(benchmark::State& state, const std::string& source, const std::string& file) {
  const fs::path input = World() / "landing" / source / file;
  const int64_t bytes = static_cast<int64_t>(fs::file_size(input));
  int64_t rows = 0;
  double load_peak_mb = 0, start_mb = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path hub =
        fs::temp_directory_path() / ("tessera-ingest-hub-" + std::to_string(::getpid()));
    fs::remove_all(hub);
    if (!tessera::store::InitHub(hub.string()).ok()) std::abort();
    auto store = tessera::store::OpenSqliteStore(hub.string(), tessera::SystemClock::Instance());
    if (!store.ok()) std::abort();
    tessera::ingest::Ingestor ingestor(**store, tessera::SystemClock::Instance());
    ResetPeakRss();
    start_mb = StatusMb("VmRSS");
    state.ResumeTiming();
    auto r = ingestor.LoadFile(SpecDir() + source + ".yaml", input.string(), file);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    rows = r->counts.read;
    state.PauseTiming();
    load_peak_mb = std::max(load_peak_mb, StatusMb("VmHWM"));
    store->reset();
    fs::remove_all(hub);
    state.ResumeTiming();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rows"] = static_cast<double>(rows);
  // The peak during the load, and what the process held as it began (the open store, and what
  // the world's generation left that malloc could not hand back): the load's own memory is the
  // difference.
  state.counters["peak_rss_MB"] = load_peak_mb;
  state.counters["rss_at_start_MB"] = start_mb;
}

void BM_IngestPoliceCrime(benchmark::State& s) {
  IngestSource(s, "police_crime", "police_crime.csv");
}
void BM_IngestDomesticAbuseCp1252(benchmark::State& s) {
  IngestSource(s, "police_domestic_abuse", "police_domestic_abuse.csv");
}
void BM_IngestChildrensSocialCare(benchmark::State& s) {
  IngestSource(s, "csc_children", "csc_children.csv");
}
void BM_IngestDwp(benchmark::State& s) {
  IngestSource(s, "dwp_worklessness", "dwp_worklessness.csv");
}

BENCHMARK(BM_IngestPoliceCrime)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_IngestDomesticAbuseCp1252)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_IngestChildrensSocialCare)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_IngestDwp)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--people=", 0) == 0) g_people = std::atoll(a.c_str() + 9);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  fs::remove_all(World());
  return 0;
}
