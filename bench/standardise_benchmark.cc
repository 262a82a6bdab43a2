// Per-value cost of the standardisation that ingest runs on every name and phone number.
// Run: build/release/bench/standardise_benchmark
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ingest/standardise.h"

namespace {

using tessera::ingest::NameStandardiser;
using tessera::ingest::PhoneStandardiser;

const std::vector<std::string> kAsciiNames = {
    "Smith",        "  mary-jane   smith ", "O'Brien",        "Jones, David",
    "Mrs J. Patel", "Ludwig van Beethoven", "WILLIAMS-EVANS", "Mohammed Ali Khan"};
// Accented Latin first (the common non-ASCII case), then other scripts and NFKC cases.
const std::vector<std::string> kNonAsciiNames = {
    "Zoë",    "Seán Ó Briain", "Łukasz Wiśniewski", "Müller", "O’Brien", "François Lefèvre",
    "Сергей", "Γιώργος",       "Ｊｏｈｎ",          "Ærø"};
const std::vector<std::string> kSurnameFirst = {"SMITH-JONES, Joan Mary", "O'BRIEN, Sean Patrick",
                                                "PATEL, Mr Raj", "VAN DER BERG, Anna",
                                                "Wiśniewska, Zoë"};
// A file's worth of numbers: a few hundred distinct values, each seen many times.
std::vector<std::string> Phones() {
  std::vector<std::string> phones;
  for (int i = 0; i < 500; ++i) {
    phones.push_back("07700 900" + std::to_string(100 + i % 900));
    phones.push_back("0161 496 0" + std::to_string(100 + i % 900));
  }
  return phones;
}

std::unique_ptr<NameStandardiser> MakeNames() {
  auto names = NameStandardiser::Create();
  if (!names.ok()) std::abort();
  return std::move(names).value();
}

void RunStandardise(benchmark::State& state, const std::vector<std::string>& inputs) {
  auto names = MakeNames();
  size_t i = 0;
  for (auto _ : state) {
    std::string out = names->Standardise(inputs[i++ % inputs.size()]);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StandardiseAscii(benchmark::State& state) { RunStandardise(state, kAsciiNames); }
BENCHMARK(BM_StandardiseAscii);

void BM_StandardiseNonAscii(benchmark::State& state) { RunStandardise(state, kNonAsciiNames); }
BENCHMARK(BM_StandardiseNonAscii);

// The two halves of the non-ASCII mix: Latin letters with diacritics, which NFD and dropping
// the marks make ASCII, and the rest, which need the ICU transliterator.
const std::vector<std::string> kAccentedLatin = {"Zoë", "Seán Ó Briain", "Müller",
                                                 "François Lefèvre", "Dvořák"};
const std::vector<std::string> kTransliterated = {"Łukasz", "Сергей", "Γιώργος", "Ærø", "Straße"};

void BM_StandardiseAccentedLatin(benchmark::State& state) { RunStandardise(state, kAccentedLatin); }
BENCHMARK(BM_StandardiseAccentedLatin);

void BM_StandardiseTransliterated(benchmark::State& state) {
  RunStandardise(state, kTransliterated);
}
BENCHMARK(BM_StandardiseTransliterated);

void BM_SplitSurnameFirst(benchmark::State& state) {
  auto names = MakeNames();
  size_t i = 0;
  for (auto _ : state) {
    auto parts = names->SplitSurnameFirst(kSurnameFirst[i++ % kSurnameFirst.size()]);
    benchmark::DoNotOptimize(parts);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SplitSurnameFirst);

// Steady state: after the first pass over the file every number is a cache hit.
void BM_PhoneCached(benchmark::State& state) {
  const std::vector<std::string> phones = Phones();
  PhoneStandardiser standardiser;
  size_t i = 0;
  for (auto _ : state) {
    auto e164 = standardiser.Standardise(phones[i++ % phones.size()]);
    benchmark::DoNotOptimize(e164);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PhoneCached);

}  // namespace

BENCHMARK_MAIN();
