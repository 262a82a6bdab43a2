// What the store costs the resolver (issue 4): reading every person record, writing one nominal
// per record with its attachment in one transaction, and reading the assignments back. The
// issue's goal is a 1-million-record de-duplication in 30 s end to end, so the store's share
// should be a few seconds.
// Run: build/release/bench/store_resolution_benchmark [--records=N]  (default 1,000,000)
//
// The hub is built once (one load, N source records and N person records, a third of them with
// a location) before the timed benchmarks, which then run in order:
//   BM_ListPersonRecordsForResolution  every current person record, without raw values
//   BM_ListPersonRecordsAfter          the same with raw values and flags, for comparison
//   BM_CreateNominalsAndAttach         CreateNominal + AttachPersonRecord per record, one
//                                      transaction, commit included
//   BM_ListNominalAssignments          every record's nominal
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using tessera::store::Store;
using tessera::store::Transaction;

int64_t g_records = 1'000'000;
constexpr int kPage = 50'000;

[[noreturn]] void Die(const std::string& what, const tessera::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.ToString().c_str());
  std::abort();
}

const fs::path& HubDir() {
  static const fs::path dir =
      fs::temp_directory_path() / ("tessera-resolution-bench-" + std::to_string(::getpid()));
  return dir;
}

// A person mention shaped like the synthetic world's: a name, a date of birth, an NHS number, a
// phone, sometimes an email and an address, and the raw values they came from.
tessera::model::PersonRecord Person(int64_t i, tessera::model::SourceRecordId source_record,
                                    std::optional<tessera::model::LocationId> location) {
  static const char* kGiven[] = {"OLIVIA", "AMELIA", "ISLA",   "AVA",      "MIA", "NOAH",
                                 "OLIVER", "GEORGE", "ARTHUR", "MUHAMMAD", "LEO", "HARRY"};
  static const char* kFamily[] = {"SMITH",    "JONES",    "TAYLOR",  "BROWN",
                                  "WILLIAMS", "WILSON",   "JOHNSON", "DAVIES",
                                  "PATEL",    "ROBINSON", "WRIGHT",  "THOMPSON"};
  tessera::model::PersonRecord p;
  p.source_record_id = source_record;
  p.mention_key = "r" + std::to_string(i);
  p.name.given = kGiven[i % 12];
  p.name.family = kFamily[(i / 12) % 12] + std::string(i % 7 == 0 ? "-" : "") +
                  (i % 7 == 0 ? kFamily[(i / 144) % 12] : "");
  p.dob = tessera::CivilDate{1940 + static_cast<int>(i % 70), 1 + static_cast<int>(i % 12),
                             1 + static_cast<int>(i % 28)};
  p.sex = i % 2 == 0 ? tessera::model::Sex::kFemale : tessera::model::Sex::kMale;
  p.identifiers.push_back(
      {tessera::model::IdentifierKind::kNhsNumber, std::to_string(4000000000 + i), true});
  p.phones.push_back("+447700" + std::to_string(900000 + i % 100000));
  if (i % 3 == 0) p.emails.push_back("person" + std::to_string(i) + "@example.org");
  p.location_id = location;
  p.raw = {{"forename", p.name.given}, {"surname", p.name.family},
           {"dob", p.dob->ToIso()},    {"nhs_no", p.identifiers[0].value},
           {"phone", p.phones[0]},     {"sex", i % 2 == 0 ? "F" : "M"}};
  return p;
}

std::unique_ptr<Store> OpenHub() {
  auto store = tessera::store::OpenSqliteStore(HubDir().string(), tessera::SystemClock::Instance());
  if (!store.ok()) Die("open", store.status());
  return std::move(store).value();
}

void BuildHub() {
  fs::remove_all(HubDir());
  if (auto s = tessera::store::InitHub(HubDir().string()); !s.ok()) Die("init", s);
  auto store = OpenHub();
  auto txn = store->Begin(Store::TransactionMode::kAllOrNothing);
  if (!txn.ok()) Die("begin", txn.status());
  auto load =
      store->BeginLoad(**txn, "bench", "bench.csv", "hash", tessera::store::LoadMode::kIncremental);
  if (!load.ok()) Die("load", load.status());
  std::vector<tessera::model::LocationId> locations;
  for (int64_t i = 0; i < g_records / 3 / 4 + 1; ++i) {
    tessera::model::Location location;
    location.uprn = std::to_string(100000000 + i);
    location.address_text = std::to_string(i % 200 + 1) + " HIGH STREET";
    location.postcode = "LS1 " + std::to_string(i % 10) + "AA";
    auto id = store->UpsertLocation(**txn, location);
    if (!id.ok()) Die("location", id.status());
    locations.push_back(*id);
  }
  for (int64_t i = 0; i < g_records; ++i) {
    tessera::model::SourceRecord record;
    record.source_id = "bench";
    record.record_key = "r" + std::to_string(i);
    record.payload = "{\"row\":" + std::to_string(i) + "}";
    record.provenance.load_id = *load;
    record.provenance.file = "bench.csv";
    record.provenance.line = i + 2;
    record.provenance.content_hash = "h" + std::to_string(i);
    auto put = store->PutSourceRecord(**txn, record);
    if (!put.ok()) Die("source record", put.status());
    std::optional<tessera::model::LocationId> location;
    if (i % 3 == 0) location = locations[static_cast<size_t>(i / 3) % locations.size()];
    auto person = store->PutPersonRecord(**txn, Person(i, put->id, location));
    if (!person.ok()) Die("person record", person.status());
  }
  tessera::store::LoadCounts counts;
  counts.read = counts.loaded = g_records;
  if (auto s = store->FinishLoad(**txn, *load, counts); !s.ok()) Die("finish", s);
  if (auto s = (*txn)->Commit(); !s.ok()) Die("commit", s);
}

void Report(benchmark::State& state, int64_t records) {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["records"] = static_cast<double>(records);
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(records), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

template <typename List>
void ListAll(benchmark::State& state, List list) {
  auto store = OpenHub();
  int64_t records = 0;
  for (auto _ : state) {
    records = 0;
    tessera::model::PersonRecordId after = 0;
    while (true) {
      auto page = list(*store, after);
      if (!page.ok()) {
        state.SkipWithError(page.status().ToString().c_str());
        return;
      }
      if (page->empty()) break;
      records += static_cast<int64_t>(page->size());
      after = page->back().id;
      benchmark::DoNotOptimize(page->data());
    }
  }
  if (records != g_records) state.SkipWithError("did not read every record");
  Report(state, records);
}

void BM_ListPersonRecordsForResolution(benchmark::State& state) {
  ListAll(state, [](Store& store, tessera::model::PersonRecordId after) {
    return store.ListPersonRecordsForResolution(after, kPage);
  });
}

void BM_ListPersonRecordsAfter(benchmark::State& state) {
  ListAll(state, [](Store& store, tessera::model::PersonRecordId after) {
    return store.ListPersonRecordsAfter(after, kPage);
  });
}

void CreateNominalsAndAttach(benchmark::State& state, Store::TransactionMode mode) {
  auto store = OpenHub();
  // The ids to attach, read before the clock starts: the resolver has them in memory.
  std::vector<tessera::model::PersonRecordId> ids;
  for (tessera::model::PersonRecordId after = 0;;) {
    auto page = store->ListPersonRecordsForResolution(after, kPage);
    if (!page.ok()) Die("list", page.status());
    if (page->empty()) break;
    for (const auto& p : *page) ids.push_back(p.id);
    after = page->back().id;
  }
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  double create_s = 0, attach_s = 0, commit_s = 0;
  for (auto _ : state) {
    auto txn = store->Begin(mode);
    if (!txn.ok()) Die("begin", txn.status());
    // All the nominals, then all the attachments: the two costs are reported apart.
    const auto t0 = Clock::now();
    std::vector<tessera::model::NominalId> nominals(ids.size());
    tessera::model::Nominal nominal;
    for (size_t i = 0; i < ids.size(); ++i) {
      nominal.name.given = i % 2 ? "OLIVIA" : "NOAH";
      nominal.name.family = "SMITH";
      nominal.dob = tessera::CivilDate{1980, 1 + static_cast<int>(i % 12), 1};
      auto id = store->CreateNominal(**txn, nominal);
      if (!id.ok()) Die("create", id.status());
      nominals[i] = *id;
    }
    const auto t1 = Clock::now();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (auto s = store->AttachPersonRecord(**txn, nominals[i], ids[i]); !s.ok()) {
        Die("attach", s);
      }
    }
    const auto t2 = Clock::now();
    if (mode == Store::TransactionMode::kAllOrNothing) {
      if (auto s = (*txn)->Commit(); !s.ok()) Die("commit", s);
    } else {
      // The per-call run is measured for comparison only: its writes are rolled back so that
      // the all-or-nothing run (which the listing after it reads) starts from no nominals.
      if (auto s = (*txn)->Rollback(); !s.ok()) Die("rollback", s);
    }
    const auto t3 = Clock::now();
    create_s = seconds(t1 - t0);
    attach_s = seconds(t2 - t1);
    commit_s = seconds(t3 - t2);
  }
  Report(state, static_cast<int64_t>(ids.size()));
  state.counters["create_s"] = create_s;
  state.counters["attach_s"] = attach_s;
  state.counters["commit_s"] = commit_s;
}

void BM_CreateNominalsAndAttachPerCall(benchmark::State& state) {
  CreateNominalsAndAttach(state, Store::TransactionMode::kPerCall);
}

void BM_CreateNominalsAndAttach(benchmark::State& state) {
  CreateNominalsAndAttach(state, Store::TransactionMode::kAllOrNothing);
}

void BM_ListNominalAssignments(benchmark::State& state) {
  auto store = OpenHub();
  int64_t records = 0;
  for (auto _ : state) {
    auto assignments = store->ListNominalAssignments();
    if (!assignments.ok()) {
      state.SkipWithError(assignments.status().ToString().c_str());
      return;
    }
    records = static_cast<int64_t>(assignments->size());
  }
  if (records != g_records) state.SkipWithError("not every record is assigned");
  Report(state, records);
}

BENCHMARK(BM_ListPersonRecordsForResolution)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ListPersonRecordsAfter)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CreateNominalsAndAttachPerCall)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CreateNominalsAndAttach)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ListNominalAssignments)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--records=", 0) == 0) g_records = std::atoll(a.c_str() + 10);
  }
  benchmark::Initialize(&argc, argv);
  BuildHub();
  benchmark::RunSpecifiedBenchmarks();
  fs::remove_all(HubDir());
  return 0;
}
