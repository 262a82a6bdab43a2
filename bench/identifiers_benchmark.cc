// Per-value cost of the core parsers that ingest calls for every row.
// Run: build/release/bench/identifiers_benchmark
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/dates.h"
#include "core/identifiers.h"

namespace {

const std::vector<std::string> kDates = {"03/11/1984", "29/02/2000", "31/04/2019", "1/2/1999",
                                         "12/12/2012", "07/07/1977", "13/13/2013", "01/01/1900"};
const std::vector<std::string> kPostcodes = {"M14 5AB", "sw1a1aa", "OL12 1YA", "ZZ99 3VZ",
                                             "QX1 1ZZ", "WN2 1UY", "bl0 1jq",  "M99"};
const std::vector<std::string> kPhones = {"07140 608256", "0161 496 0000", "+44 7700 900123",
                                          "01234 567890", "07000000000",   "not a phone"};
const std::vector<std::string> kNhs = {"9434765919", "9434765918", "9990015538", "0000000000"};

void BM_ParseDate(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tessera::ParseDate(kDates[i++ % kDates.size()], "dd/mm/yyyy");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseDate);

void BM_ParsePostcode(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tessera::ParsePostcode(kPostcodes[i++ % kPostcodes.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePostcode);

void BM_NormalisePhone(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tessera::NormalisePhone(kPhones[i++ % kPhones.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalisePhone);

void BM_NormaliseNhsNumber(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tessera::NormaliseNhsNumber(kNhs[i++ % kNhs.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormaliseNhsNumber);

}  // namespace

BENCHMARK_MAIN();
