// Per-call cost of the record-linkage comparators, which the resolver runs for every candidate
// pair (10 million pairs per second on 2 cores with 6+ attributes leaves ~200 ns per pair for
// all of them together).
// Run: build/release/bench/comparators_benchmark
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "core/dates.h"
#include "resolve/double_metaphone.h"
#include "resolve/field_compare.h"
#include "resolve/name_variants.h"
#include "resolve/similarity.h"

namespace {

using tessera::CivilDate;
namespace resolve = tessera::resolve;

// Name pairs as blocking hands them over: a third equal, a third typos and variants, a third
// unrelated names that happened to share a block.
const std::vector<std::pair<std::string, std::string>> kNamePairs = {
    {"SMITH", "SMITH"},         {"OLIVER", "OLIVER"},        {"MARGARET", "MARGARET"},
    {"JACKSON", "JACKSON"},     {"ELIZABETH", "ELIZABETH"},  {"MOHAMMED", "MOHAMMED"},
    {"MARTHA", "MARHTA"},       {"DWAYNE", "DUANE"},         {"DIXON", "DICKSONX"},
    {"THOMPSON", "THOMSON"},    {"CATHERINE", "KATHRYN"},    {"STEPHENSON", "STEVENSON"},
    {"WILLIAMS", "WILLIAMSON"}, {"MCDONALD", "MACDONALD"},   {"O'BRIEN", "OBRIEN"},
    {"SMITH", "JONES"},         {"OLIVER", "AMELIA"},        {"TAYLOR", "BROWN"},
    {"HARRISON", "PATEL"},      {"CHRISTOPHER", "ISABELLA"}, {"WRIGHT", "ROBINSON"},
};

// state.range(0): 0 all pairs, 1 the equal ones, 2 the similar ones, 3 the unrelated ones.
template <typename Fn>
void RunOverPairs(benchmark::State& state, Fn fn) {
  const size_t third = kNamePairs.size() / 3;
  const auto kind = static_cast<size_t>(state.range(0));
  const size_t first = kind == 0 ? 0 : (kind - 1) * third;
  const size_t end = kind == 0 ? kNamePairs.size() : first + third;
  size_t i = first;
  for (auto _ : state) {
    const auto& [a, b] = kNamePairs[i];
    benchmark::DoNotOptimize(fn(a, b));
    if (++i == end) i = first;
  }
  state.SetItemsProcessed(state.iterations());
  static const char* const kLabels[] = {"mixed", "equal", "similar", "different"};
  state.SetLabel(kLabels[kind]);
}

#define NAME_PAIR_BENCHMARK(fn) BENCHMARK(fn)->DenseRange(0, 3)

void BM_JaroWinkler(benchmark::State& state) {
  RunOverPairs(state, [](const std::string& a, const std::string& b) {
    return resolve::JaroWinklerSimilarity(a, b);
  });
}
NAME_PAIR_BENCHMARK(BM_JaroWinkler);

void BM_LevenshteinAtMost2(benchmark::State& state) {
  RunOverPairs(state, [](const std::string& a, const std::string& b) {
    return resolve::LevenshteinDistanceAtMost(a, b, 2);
  });
}
NAME_PAIR_BENCHMARK(BM_LevenshteinAtMost2);

void BM_Levenshtein(benchmark::State& state) {
  RunOverPairs(state, [](const std::string& a, const std::string& b) {
    return resolve::LevenshteinDistance(a, b);
  });
}
NAME_PAIR_BENCHMARK(BM_Levenshtein);

void BM_DamerauLevenshtein(benchmark::State& state) {
  RunOverPairs(state, [](const std::string& a, const std::string& b) {
    return resolve::DamerauLevenshteinDistance(a, b);
  });
}
NAME_PAIR_BENCHMARK(BM_DamerauLevenshtein);

void BM_OptimalStringAlignment(benchmark::State& state) {
  RunOverPairs(state, [](const std::string& a, const std::string& b) {
    return resolve::OptimalStringAlignmentDistance(a, b);
  });
}
NAME_PAIR_BENCHMARK(BM_OptimalStringAlignment);

// Per record, not per pair: the resolver keys each record once.
void BM_DoubleMetaphone(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    const auto& pair = kNamePairs[i];
    benchmark::DoNotOptimize(resolve::DoubleMetaphone(pair.second));
    if (++i == kNamePairs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DoubleMetaphone);

// Per record: interning a name to its id.
void BM_NameVariantsId(benchmark::State& state) {
  const auto& first = resolve::NameVariants::FirstNames();
  const std::vector<std::string> names = {"ROBERT",  "BOB",  "MARGARET",  "PEGGY", "OLIVER",
                                          "WILLIAM", "BILL", "ZEBEDIAHX", "TED",   "EDWARD"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(first.Id(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NameVariantsId);

// Per pair: ids interned beforehand, as the engine does.
void BM_AreVariantIds(benchmark::State& state) {
  const auto& first = resolve::NameVariants::FirstNames();
  const std::vector<std::pair<std::string, std::string>> names = {
      {"ROBERT", "BOB"},     {"MARGARET", "PEGGY"},  {"WILLIAM", "BILL"}, {"ELIZABETH", "BETTY"},
      {"ROBERT", "WILLIAM"}, {"OLIVER", "MARGARET"}, {"EDWARD", "TED"},   {"BOB", "ZEBEDIAHX"}};
  std::vector<std::pair<int32_t, int32_t>> ids;
  for (const auto& [a, b] : names) ids.emplace_back(first.Id(a), first.Id(b));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(first.AreVariantIds(ids[i].first, ids[i].second));
    if (++i == ids.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AreVariantIds);

void BM_CompareDates(benchmark::State& state) {
  const std::vector<std::pair<CivilDate, CivilDate>> dates = {
      {{1985, 7, 12}, {1985, 7, 12}}, {{1985, 3, 4}, {1985, 4, 3}},
      {{1985, 7, 12}, {1958, 7, 12}}, {{1985, 7, 12}, {1986, 2, 28}},
      {{1985, 7, 12}, {1990, 2, 28}}, {{1985, 7, 12}, {2003, 11, 30}},
  };
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(resolve::CompareDates(dates[i].first, dates[i].second));
    if (++i == dates.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompareDates);

void BM_ComparePostcodes(benchmark::State& state) {
  const std::vector<std::pair<std::string, std::string>> postcodes = {
      {"SW1A 1AA", "SW1A 1AA"}, {"M14 5AB", "M14 5XY"}, {"OL12 1YA", "OL12 7QT"},
      {"SW1A 1AA", "SW7 2AZ"},  {"BL0 1JQ", "WN2 1UY"}, {"M14 5AB", "M145AB"},
  };
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(resolve::ComparePostcodes(postcodes[i].first, postcodes[i].second));
    if (++i == postcodes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComparePostcodes);

}  // namespace

BENCHMARK_MAIN();
