// Resolution at issue 4's scale, end to end, on a generated world: comparisons per second over
// real blocked pairs, the batch de-duplication of a hub's stored person records, its peak
// memory, and incremental resolution (throughput and per-record latency) against the nominals
// the batch made. Issue 4's goals, on 2 cores: 10 million comparisons/s; 1 million records
// de-duplicated in 30 s; 1 GiB per million records; 5,000 records/s incrementally with p99
// 20 ms per record.
//
// Run: build/release/bench/resolve_benchmark [--people N] [--work DIR] [--keep] [--reuse HUB]
//          [--model FILE] [--steps train,compare,batch,incremental] [--threads T]
//   --people N     people in the generated world (default 520,000: about 1M person records)
//   --work DIR     where the world and the hub go (default a temp dir, removed unless --keep)
//   --keep         keep DIR; the ingested hub stays in DIR/ingested for --reuse
//   --reuse HUB    skip generation and ingest: copy HUB (a hub whose records are ingested but
//                  not resolved, such as DIR/ingested of an earlier --keep run) and use the copy
//   --model FILE   use this linkage model instead of training one (the train step is skipped)
//   --steps LIST   which steps to run (default all); e.g. "--steps batch" under perf
//
// Steps, each timed (ingest is printed but is not a resolution figure):
//   1. generate + ingest     synth::GenerateWorld, then ingest::ProcessLandingZone
//   2. train                 resolve::TrainFromStore
//   3. compare               RecordTable + BlockingIndex as the resolver builds them, every
//                            candidate pair collected, then Scorer::Weight over all of them on
//                            1 and on 2 threads: the comparisons-per-second figure
//   4. batch                 Resolver::Open + Run on the hub; peak RSS of the run
//   5. incremental           with that resolver loaded: 5,000 new records then one Run
//                            (throughput), then 200 micro-batches of 25 (and 100 single
//                            records), each written in its own committed load and then Run
//                            (latency)
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "resolve/blocking.h"
#include "resolve/linkage_model.h"
#include "resolve/records.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "store/store.h"
#include "synth/synth.h"

#ifndef TESSERA_SOURCE_DIR_DEFAULT
#define TESSERA_SOURCE_DIR_DEFAULT "."
#endif

namespace {

namespace fs = std::filesystem;
using tessera::Status;
using tessera::store::Store;
using Clock = std::chrono::steady_clock;

constexpr int kPage = 50'000;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "resolve_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Kernel figures for this process, in MiB (VmHWM: peak resident set since the last reset).
double ProcStatusMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::strtod(line.c_str() + n + 1, nullptr) / 1024.0;  // kB
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so that a step's peak is its own.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

struct Figure {
  std::string name;
  std::string value;
  std::string goal;
};
std::vector<Figure> g_figures;

void Record(const std::string& name, const std::string& value, const std::string& goal = "") {
  g_figures.push_back({name, value, goal});
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

struct Options {
  int64_t people = 520'000;
  uint64_t seed = 1;
  std::string work;
  bool keep = false;
  std::string reuse;
  std::string model;
  int threads = 2;
  std::set<std::string> steps = {"train", "compare", "batch", "incremental"};
  int64_t throughput_records = 5000;
  int micro_batches = 200;
  int micro_batch_size = 25;
  int single_records = 100;
  int64_t random_pairs = 2'000'000;
};

// The resolver's store leaves WAL checkpoints to a background checkpointer (as a live server
// should), so that no run pays for one inside its commit.
std::unique_ptr<Store> OpenStore(const fs::path& hub) {
  tessera::store::OpenOptions options;
  options.checkpoint_on_commit = false;
  auto store =
      tessera::store::OpenSqliteStore(hub.string(), tessera::SystemClock::Instance(), options);
  if (!store.ok()) Die("open " + hub.string(), store.status());
  return std::move(store).value();
}

// --- step 1 -------------------------------------------------------------------------------

void GenerateAndIngest(const Options& o, const fs::path& work, const fs::path& ingested) {
  const fs::path world = work / "world";
  tessera::synth::WorldConfig config;
  config.people = o.people;
  config.seed = o.seed;
  auto start = Clock::now();
  auto summary = tessera::synth::GenerateWorld(config, world.string());
  if (!summary.ok()) Die("generate", summary.status());
  const double generate_s = Seconds(start);
  std::printf("generate: %lld people, %lld mentions in %.1f s\n", static_cast<long long>(o.people),
              static_cast<long long>(summary->mentions), generate_s);

  if (auto s = tessera::store::InitHub(ingested.string()); !s.ok()) Die("init hub", s);
  const char* src = std::getenv("TESSERA_SOURCE_DIR");
  const fs::path mappings =
      fs::path(src ? src : TESSERA_SOURCE_DIR_DEFAULT) / "examples/synthetic/mappings";
  fs::copy(mappings, ingested / "mappings",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::create_directories(ingested / "landing");
  fs::copy(world / "landing", ingested / "landing",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto store = OpenStore(ingested);
  start = Clock::now();
  auto out = tessera::ingest::ProcessLandingZone(
      *store, tessera::SystemClock::Instance(), (ingested / "landing").string(),
      (ingested / "mappings").string(), ingested.string());
  if (!out.ok()) Die("ingest", out.status());
  const double ingest_s = Seconds(start);
  int64_t rows = 0, loaded = 0;
  for (const auto& f : out->loaded) {
    rows += f.counts.read;
    loaded += f.counts.loaded;
  }
  for (const auto& f : out->failed)
    std::printf("  ingest failed: %s: %s\n", f.file.c_str(), f.reason.c_str());
  std::printf("ingest: %zu files, %lld rows read, %lld loaded in %.1f s (%.0f rows/s)\n",
              out->loaded.size(), static_cast<long long>(rows), static_cast<long long>(loaded),
              ingest_s, static_cast<double>(rows) / ingest_s);
  Record("generate (s, not a resolution figure)", Fmt("%.1f", generate_s));
  Record("ingest (s, not a resolution figure)", Fmt("%.1f", ingest_s));
  if (!o.keep) fs::remove_all(world);
}

// --- step 3 -------------------------------------------------------------------------------

// The resolver's in-memory view of the hub, built as ReadNewRecords in resolver.cc does.
struct LoadedTable {
  tessera::resolve::RecordTable table;
  std::unordered_map<tessera::model::LocationId, tessera::model::Location> locations;
};

void ReadTable(Store& store, LoadedTable& out) {
  tessera::model::LocationId after_location = 0;
  for (;;) {
    auto page = store.ListLocationsAfter(after_location, kPage);
    if (!page.ok()) Die("list locations", page.status());
    for (auto& l : *page) {
      after_location = l.id;
      out.locations.emplace(l.id, std::move(l));
    }
    if (static_cast<int>(page->size()) < kPage) break;
  }
  tessera::model::PersonRecordId after = 0;
  for (;;) {
    auto page = store.ListPersonRecordsForResolution(after, kPage);
    if (!page.ok()) Die("list person records", page.status());
    for (const auto& r : *page) {
      after = r.id;
      const tessera::model::Location* location = nullptr;
      if (r.location_id.has_value()) {
        auto it = out.locations.find(*r.location_id);
        if (it != out.locations.end()) location = &it->second;
      }
      out.table.Add(r, location, r.source_id);
    }
    if (static_cast<int>(page->size()) < kPage) break;
  }
}

struct PairRange {
  const std::vector<std::pair<uint32_t, uint32_t>>* pairs;
  size_t begin, end;
};

// Scores pairs [begin, end) and returns (sum of weights, pairs at or above review weight).
std::pair<double, int64_t> ScoreRange(const tessera::resolve::Scorer& scorer,
                                      const tessera::resolve::RecordTable& table,
                                      const PairRange& r) {
  double sum = 0;
  int64_t kept = 0;
  const double keep = scorer.review_weight();
  for (size_t i = r.begin; i < r.end; ++i) {
    const auto& [a, b] = (*r.pairs)[i];
    double w = scorer.Weight(table.at(a), table.at(b));
    sum += w;
    kept += w >= keep;
  }
  return {sum, kept};
}

void ComparisonsPerSecond(const Options& o, Store& store,
                          const tessera::resolve::LinkageModel& model) {
  using namespace tessera::resolve;
  auto start = Clock::now();
  auto loaded = std::make_unique<LoadedTable>();
  ReadTable(store, *loaded);
  const RecordTable& table = loaded->table;
  const double read_s = Seconds(start);
  start = Clock::now();
  BlockingIndex index(model.blocking, model.max_block_size);
  for (uint32_t i = 0; i < table.size(); ++i) index.Add(table, i);
  const double index_s = Seconds(start);
  std::printf("compare: read %u records in %.2f s, blocking index in %.2f s\n", table.size(),
              read_s, index_s);

  // Pair enumeration alone (no scoring), as the batch run does it.
  start = Clock::now();
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> per_thread(o.threads);
  auto stats = index.ForEachPair(
      o.threads, [&](int t, size_t, uint32_t a, uint32_t b) { per_thread[t].emplace_back(a, b); });
  const double enumerate_s = Seconds(start);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  size_t total = 0;
  for (const auto& v : per_thread) total += v.size();
  pairs.reserve(total);
  for (auto& v : per_thread) {
    pairs.insert(pairs.end(), v.begin(), v.end());
    std::vector<std::pair<uint32_t, uint32_t>>().swap(v);
  }
  std::printf("compare: %zu candidate pairs enumerated in %.2f s (%.1f M pairs/s, %d threads)\n",
              pairs.size(), enumerate_s, static_cast<double>(pairs.size()) / enumerate_s / 1e6,
              o.threads);
  for (const RuleStats& r : stats) {
    std::printf(
        "  rule %-40s pairs %11lld  blocks %9lld  oversized %5lld (%lld records)  "
        "largest %lld\n",
        r.name.c_str(), static_cast<long long>(r.pairs), static_cast<long long>(r.blocks),
        static_cast<long long>(r.oversized_blocks), static_cast<long long>(r.oversized_records),
        static_cast<long long>(r.largest_block));
  }

  Scorer scorer(table, model);
  int active = 0;
  for (const auto& c : model.comparisons) active += !c.levels.empty();
  std::printf(
      "compare: scorer with %d comparisons, term frequencies for %zu given / %zu family "
      "names\n",
      active, model.given_frequencies.size(), model.family_frequencies.size());

  // 1 thread, then all threads on halves of the vector. A warm-up pass first (page faults).
  (void)ScoreRange(scorer, table, {&pairs, 0, std::min<size_t>(pairs.size(), 1'000'000)});
  start = Clock::now();
  auto [sum1, kept1] = ScoreRange(scorer, table, {&pairs, 0, pairs.size()});
  const double one_s = Seconds(start);
  const double one_rate = static_cast<double>(pairs.size()) / one_s;
  std::printf(
      "compare: 1 thread: %zu pairs in %.2f s = %.2f M comparisons/s (%lld kept, "
      "checksum %.3g)\n",
      pairs.size(), one_s, one_rate / 1e6, static_cast<long long>(kept1), sum1);

  std::vector<std::pair<double, int64_t>> results(o.threads);
  std::vector<std::thread> workers;
  start = Clock::now();
  for (int t = 0; t < o.threads; ++t) {
    size_t b = pairs.size() * t / o.threads, e = pairs.size() * (t + 1) / o.threads;
    workers.emplace_back([&, t, b, e] { results[t] = ScoreRange(scorer, table, {&pairs, b, e}); });
  }
  for (auto& w : workers) w.join();
  const double many_s = Seconds(start);
  const double many_rate = static_cast<double>(pairs.size()) / many_s;
  int64_t kept = 0;
  for (const auto& r : results) kept += r.second;
  std::printf("compare: %d threads: %zu pairs in %.2f s = %.2f M comparisons/s (%lld kept)\n",
              o.threads, pairs.size(), many_s, many_rate / 1e6, static_cast<long long>(kept));

  Record("records", std::to_string(table.size()));
  Record("candidate pairs (default blocking)", std::to_string(pairs.size()));
  Record("pair enumeration, " + std::to_string(o.threads) + " threads (M pairs/s)",
         Fmt("%.2f", static_cast<double>(pairs.size()) / enumerate_s / 1e6));
  Record("comparisons/s, 1 thread (M)", Fmt("%.2f", one_rate / 1e6));
  Record("comparisons/s, " + std::to_string(o.threads) + " threads (M)",
         Fmt("%.2f", many_rate / 1e6), ">= 10");
}

// --- step 5 -------------------------------------------------------------------------------

// Makes new person records from existing ones: a third unchanged (a duplicate of someone the
// hub knows), a third with a typo in the given name, a third a new person (random name and
// date of birth, no identifiers or contacts) at the same address.
class NewRecordMaker {
 public:
  NewRecordMaker(Store& store, uint64_t seed) : rng_(seed) {
    for (tessera::model::PersonRecordId after = 0;;) {
      auto page = store.ListPersonRecordsForResolution(after, kPage);
      if (!page.ok()) Die("list person records", page.status());
      for (auto& r : *page) {
        after = r.id;
        if (rng_() % 8 == 0) templates_.push_back(std::move(r));  // a sample is enough
      }
      if (static_cast<int>(page->size()) < kPage) break;
    }
  }

  tessera::model::PersonRecord Next(int64_t n) {
    tessera::model::PersonRecord p = templates_[rng_() % templates_.size()];
    p.id = 0;
    p.source_id.clear();
    p.mention_key = "m" + std::to_string(n);
    switch (n % 3) {
      case 0:
        ++unchanged_;
        break;
      case 1: {
        std::string& g = p.name.given;
        if (g.size() >= 2) {
          size_t i = 1 + rng_() % (g.size() - 1);
          char c = static_cast<char>('A' + rng_() % 26);
          g[i] = c == g[i] ? static_cast<char>('A' + (c - 'A' + 1) % 26) : c;
        }
        ++typo_;
        break;
      }
      default: {
        p.name.given = RandomName(5 + rng_() % 4);
        p.name.middle.clear();
        p.name.family = RandomName(5 + rng_() % 5);
        p.aliases.clear();
        p.dob = tessera::CivilDate::FromDays(-18000 + static_cast<int64_t>(rng_() % 30000));
        p.identifiers.clear();
        p.phones.clear();
        p.emails.clear();
        ++fresh_;
        break;
      }
    }
    return p;
  }
  size_t templates() const { return templates_.size(); }
  std::string Mix() const {
    return std::to_string(unchanged_) + " copies, " + std::to_string(typo_) +
           " given-name typos, " + std::to_string(fresh_) + " new people";
  }

 private:
  std::string RandomName(size_t len) {
    static const char* kSyllables[] = {"KA", "RO",  "MI",  "TE",  "LU", "SAN", "DRA", "VE",
                                       "NO", "BEL", "TOR", "WIN", "ZA", "QUE", "HOL", "PY"};
    std::string s;
    while (s.size() < len) s += kSyllables[rng_() % 16];
    return s;
  }
  std::mt19937_64 rng_;
  std::vector<tessera::model::PersonRecord> templates_;
  int64_t unchanged_ = 0, typo_ = 0, fresh_ = 0;
};

// Writes `count` new person records (with their source records) as one load in one committed
// transaction. Returns seconds taken.
double WriteRecords(Store& store, NewRecordMaker& maker, int64_t& serial, int64_t count) {
  const auto start = Clock::now();
  auto txn = store.Begin(Store::TransactionMode::kAllOrNothing);
  if (!txn.ok()) Die("begin", txn.status());
  const std::string batch = "b" + std::to_string(serial);
  auto load = store.BeginLoad(**txn, "bench_incremental", "api", "hash-" + batch,
                              tessera::store::LoadMode::kIncremental);
  if (!load.ok()) Die("begin load", load.status());
  for (int64_t i = 0; i < count; ++i, ++serial) {
    tessera::model::PersonRecord person = maker.Next(serial);
    tessera::model::SourceRecord record;
    record.source_id = "bench_incremental";
    record.record_key = "r" + std::to_string(serial);
    record.payload = "{\"serial\":" + std::to_string(serial) + "}";
    record.provenance.load_id = *load;
    record.provenance.file = "api";
    record.provenance.content_hash = "h" + std::to_string(serial);
    auto put = store.PutSourceRecord(**txn, record);
    if (!put.ok()) Die("put source record", put.status());
    person.source_record_id = put->id;
    auto id = store.PutPersonRecord(**txn, person);
    if (!id.ok()) Die("put person record", id.status());
  }
  tessera::store::LoadCounts counts;
  counts.read = counts.loaded = count;
  if (auto s = store.FinishLoad(**txn, *load, counts); !s.ok()) Die("finish load", s);
  if (auto s = (*txn)->Commit(); !s.ok()) Die("commit", s);
  return Seconds(start);
}

tessera::resolve::ResolveSummary RunResolver(tessera::resolve::Resolver& resolver, double* s) {
  const auto start = Clock::now();
  auto summary = resolver.Run();
  *s = Seconds(start);
  if (!summary.ok()) Die("resolve", summary.status());
  return *summary;
}

// What an fsync of the WAL would add per commit (synchronous = FULL): fdatasync of a 4 KiB
// append, median of 50.
double FsyncMillis(const fs::path& dir) {
  const fs::path path = dir / "fsync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  char block[4096];
  std::memset(block, 'x', sizeof block);
  std::vector<double> ms;
  for (int i = 0; i < 50; ++i) {
    auto start = Clock::now();
    if (::write(fd, block, sizeof block) != static_cast<ssize_t>(sizeof block)) break;
    ::fdatasync(fd);
    ms.push_back(Seconds(start) * 1e3);
  }
  ::close(fd);
  fs::remove(path);
  return Percentile(ms, 50);
}

void Incremental(const Options& o, Store& store, tessera::resolve::Resolver& resolver,
                 const fs::path& hub) {
  // The background checkpointer: its own store, a passive checkpoint every 50 ms.
  std::atomic<bool> checkpointing{true};
  std::thread checkpointer([&] {
    auto own = tessera::store::OpenSqliteStore(hub.string(), tessera::SystemClock::Instance());
    if (!own.ok()) Die("open checkpointer", own.status());
    while (checkpointing.load()) {
      (void)(*own)->Checkpoint();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  struct Join {
    std::atomic<bool>& flag;
    std::thread& thread;
    ~Join() {
      flag = false;
      thread.join();
    }
  } join{checkpointing, checkpointer};
  auto start = Clock::now();
  NewRecordMaker maker(store, o.seed + 7);
  std::printf("incremental: %zu template records sampled in %.1f s\n", maker.templates(),
              Seconds(start));
  int64_t serial = 0;

  // (a) throughput: a batch of new records, then one run.
  const double write_s = WriteRecords(store, maker, serial, o.throughput_records);
  double run_s = 0;
  auto summary = RunResolver(resolver, &run_s);
  const double rate = static_cast<double>(o.throughput_records) / run_s;
  std::printf(
      "incremental: %lld records written in %.3f s (%.0f records/s); Run %.3f s = "
      "%.0f records/s (load %.3f, score %.3f, cluster %.3f, persist %.3f; %lld new, "
      "%lld pairs, %lld reclustered, %lld created, %lld moved, %lld merged)\n",
      static_cast<long long>(o.throughput_records), write_s,
      static_cast<double>(o.throughput_records) / write_s, run_s, rate, summary.load_seconds,
      summary.score_seconds, summary.cluster_seconds, summary.persist_seconds,
      static_cast<long long>(summary.new_records), static_cast<long long>(summary.candidate_pairs),
      static_cast<long long>(summary.reclustered_records),
      static_cast<long long>(summary.nominals_created),
      static_cast<long long>(summary.records_moved),
      static_cast<long long>(summary.nominals_merged));
  Record("incremental: " + std::to_string(o.throughput_records) + " records, Run (records/s)",
         Fmt("%.0f", rate), ">= 5000");
  Record("incremental: same incl. writing them (records/s)",
         Fmt("%.0f", static_cast<double>(o.throughput_records) / (write_s + run_s)));

  // (b) latency: micro-batches, each written and committed, then a run.
  auto latency = [&](int batches, int size, const std::string& label) {
    std::vector<double> run_ms, total_ms, load_ms, score_ms, cluster_ms, persist_ms, other_ms;
    int64_t pairs = 0, reclustered = 0;
    for (int b = 0; b < batches; ++b) {
      double w = WriteRecords(store, maker, serial, size);
      double r = 0;
      auto s = RunResolver(resolver, &r);
      run_ms.push_back(r * 1e3);
      total_ms.push_back((w + r) * 1e3);
      load_ms.push_back(s.load_seconds * 1e3);
      score_ms.push_back(s.score_seconds * 1e3);
      cluster_ms.push_back(s.cluster_seconds * 1e3);
      persist_ms.push_back(s.persist_seconds * 1e3);
      other_ms.push_back(
          (r - s.load_seconds - s.score_seconds - s.cluster_seconds - s.persist_seconds) * 1e3);
      pairs += s.candidate_pairs;
      reclustered += s.reclustered_records;
    }
    std::printf(
        "incremental %s: %d batches of %d: Run p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
        "write+Run p50 %.2f, p99 %.2f, max %.2f ms\n",
        label.c_str(), batches, size, Percentile(run_ms, 50), Percentile(run_ms, 99),
        Percentile(run_ms, 100), Percentile(total_ms, 50), Percentile(total_ms, 99),
        Percentile(total_ms, 100));
    std::printf(
        "  Run parts p50/p99 ms: load %.2f/%.2f, score %.2f/%.2f, cluster %.2f/%.2f, "
        "persist %.2f/%.2f, outside those parts %.2f/%.2f; %.1f pairs and %.1f "
        "reclustered records per batch\n",
        Percentile(load_ms, 50), Percentile(load_ms, 99), Percentile(score_ms, 50),
        Percentile(score_ms, 99), Percentile(cluster_ms, 50), Percentile(cluster_ms, 99),
        Percentile(persist_ms, 50), Percentile(persist_ms, 99), Percentile(other_ms, 50),
        Percentile(other_ms, 99), static_cast<double>(pairs) / batches,
        static_cast<double>(reclustered) / batches);
    const std::string tag = "incremental, batches of " + std::to_string(size) + ": ";
    Record(tag + "Run outside load/score/cluster/persist p50 / p99 (ms)",
           Fmt("%.2f", Percentile(other_ms, 50)) + " / " + Fmt("%.2f", Percentile(other_ms, 99)));
    Record(tag + "Run p50 / p99 / max (ms)", Fmt("%.2f", Percentile(run_ms, 50)) + " / " +
                                                 Fmt("%.2f", Percentile(run_ms, 99)) + " / " +
                                                 Fmt("%.2f", Percentile(run_ms, 100)));
    Record(tag + "write+Run p50 / p99 / max (ms)",
           Fmt("%.2f", Percentile(total_ms, 50)) + " / " + Fmt("%.2f", Percentile(total_ms, 99)) +
               " / " + Fmt("%.2f", Percentile(total_ms, 100)),
           size > 1 ? "" : "p99 <= 20");
    double mean_total = 0;
    for (double t : total_ms) mean_total += t;
    mean_total /= static_cast<double>(total_ms.size());
    Record(tag + "records/s sustained (write+Run)", Fmt("%.0f", 1000.0 * size / mean_total),
           size > 1 ? ">= 5000" : "");
    if (size > 1) {
      // A record waits for its batch to fill (up to size/5000 s at the goal's rate), then for
      // the batch's write and run.
      Record(tag + "per-record latency p99 (ms): fill wait + write+Run p99",
             Fmt("%.2f", 1000.0 * size / 5000.0 + Percentile(total_ms, 99)), "<= 20");
    }
  };
  latency(o.micro_batches, o.micro_batch_size, "micro-batches");
  latency(o.single_records, 1, "single records");
  std::printf("incremental: new records made: %s\n", maker.Mix().c_str());

  const double fsync_ms = FsyncMillis(hub);
  std::printf(
      "durability: synchronous=NORMAL in WAL mode (no fsync per commit); an fdatasync "
      "on this disk takes %.2f ms (p50), what synchronous=FULL would add per commit\n",
      fsync_ms);
  Record("fdatasync p50 on the hub's disk (ms)", Fmt("%.2f", fsync_ms));
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when piped to a file
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (a != "--keep" && a != "--help" && i + 1 < argc) {
      value = argv[++i];
    }
    if (a == "--people") {
      o.people = std::atoll(value.c_str());
    } else if (a == "--seed") {
      o.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (a == "--work") {
      o.work = value;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--reuse") {
      o.reuse = value;
    } else if (a == "--model") {
      o.model = value;
    } else if (a == "--threads") {
      o.threads = std::max(1, std::atoi(value.c_str()));
    } else if (a == "--random-pairs") {
      o.random_pairs = std::atoll(value.c_str());
    } else if (a == "--steps") {
      o.steps.clear();
      for (size_t p = 0; p <= value.size();) {
        size_t c = value.find(',', p);
        if (c == std::string::npos) c = value.size();
        if (c > p) o.steps.insert(value.substr(p, c - p));
        p = c + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: resolve_benchmark [--people N] [--seed S] [--work DIR] [--keep] "
                   "[--reuse HUB] [--model FILE] [--threads T] [--random-pairs N] "
                   "[--steps train,compare,batch,incremental]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  if (!o.model.empty()) o.steps.erase("train");

  const fs::path work = o.work.empty() ? fs::temp_directory_path() /
                                             ("tessera-resolve-bench-" + std::to_string(getpid()))
                                       : fs::path(o.work);
  fs::create_directories(work);
  const fs::path hub = work / "hub";
  fs::remove_all(hub);
  const auto all_start = Clock::now();

  // 1. A hub with the world ingested and nothing resolved.
  if (!o.reuse.empty()) {
    auto start = Clock::now();
    fs::copy(o.reuse, hub, fs::copy_options::recursive);
    fs::remove(hub / "resolver.lock");
    std::printf("reuse: copied %s in %.1f s\n", o.reuse.c_str(), Seconds(start));
  } else {
    const fs::path ingested = work / "ingested";
    fs::remove_all(ingested);
    GenerateAndIngest(o, work, ingested);
    if (o.keep) {
      fs::copy(ingested, hub, fs::copy_options::recursive);
      std::printf("ingested hub kept in %s: rerun with --reuse %s\n", ingested.c_str(),
                  ingested.c_str());
    } else {
      fs::rename(ingested, hub);
    }
  }
  auto store = OpenStore(hub);

  // 2. The model.
  tessera::resolve::LinkageModel model;
  if (!o.model.empty()) {
    auto loaded = tessera::resolve::LinkageModel::Load(o.model);
    if (!loaded.ok()) Die("load model", loaded.status());
    model = std::move(*loaded);
  } else if (o.steps.count("train")) {
    tessera::resolve::TrainingOptions training;
    training.threads = o.threads;
    training.random_pairs = o.random_pairs;
    auto start = Clock::now();
    auto trained = tessera::resolve::TrainFromStore(
        *store, tessera::resolve::LinkageModel::Defaults(), training);
    if (!trained.ok()) Die("train", trained.status());
    const double train_s = Seconds(start);
    model = std::move(*trained);
    const auto& t = model.training;
    std::printf(
        "train: %.1f s: %lld records, %lld random pairs, %lld blocked pairs, lambda "
        "%.3g, %.0f expected matches, %zu sessions\n",
        train_s, static_cast<long long>(t.records), static_cast<long long>(t.random_pairs),
        static_cast<long long>(t.blocked_pairs), model.lambda, t.expected_matches,
        t.sessions.size());
    for (const auto& s : t.sessions) {
      std::printf("  session %-40s pairs %11lld  iterations %3d%s  lambda %.4f\n", s.rule.c_str(),
                  static_cast<long long>(s.pairs), s.iterations, s.converged ? " (converged)" : "",
                  s.lambda);
    }
    Record("train (s)", Fmt("%.1f", train_s));
    Record("train: blocked pairs / random pairs",
           std::to_string(t.blocked_pairs) + " / " + std::to_string(t.random_pairs));
    const fs::path saved = work / "linkage.json";
    if (auto s = model.Save(saved.string()); !s.ok()) Die("save model", s);
    std::printf("train: model saved to %s (--model to skip training)\n", saved.c_str());
  } else {
    model = tessera::resolve::LinkageModel::Defaults();
    std::printf("train: skipped; using the default (untrained) model\n");
  }

  // 3. Comparisons per second over real blocked pairs.
  if (o.steps.count("compare")) ComparisonsPerSecond(o, *store, model);
  malloc_trim(0);

  // 4. Batch: Open + Run on the unresolved hub.
  std::unique_ptr<tessera::resolve::Resolver> resolver;
  if (o.steps.count("batch") || o.steps.count("incremental")) {
    const double rss_before = ProcStatusMiB("VmRSS");
    const bool reset = ResetPeakRss();
    // VmRSS sampled every 10 ms, so that the peak can be placed in a phase of the run.
    std::vector<std::pair<double, double>> rss_samples;  // (seconds since start, MiB)
    std::atomic<bool> sampling{true};
    auto start = Clock::now();
    std::thread sampler([&] {
      while (sampling.load()) {
        rss_samples.emplace_back(Seconds(start), ProcStatusMiB("VmRSS"));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    tessera::resolve::ResolverOptions ro;
    ro.threads = o.threads;
    auto opened = tessera::resolve::Resolver::Open(hub.string(), *store, model, ro);
    if (!opened.ok()) Die("open resolver", opened.status());
    resolver = std::move(*opened);
    auto summary = resolver->Run();
    if (!summary.ok()) Die("batch run", summary.status());
    const double batch_s = Seconds(start);
    sampling = false;
    sampler.join();
    const double hwm = ProcStatusMiB("VmHWM");
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto& s = *summary;
    std::printf(
        "batch: %.2f s wall (load %.2f, score %.2f, cluster %.2f, persist %.2f): %lld "
        "records, %lld pairs, %lld links, %lld borderline, %lld nominals, %lld refused, "
        "%lld queued for review\n",
        batch_s, s.load_seconds, s.score_seconds, s.cluster_seconds, s.persist_seconds,
        static_cast<long long>(s.records), static_cast<long long>(s.candidate_pairs),
        static_cast<long long>(s.links), static_cast<long long>(s.borderline),
        static_cast<long long>(s.nominals), static_cast<long long>(s.refused_links),
        static_cast<long long>(s.review_queued));
    for (const auto& [reason, n] : s.refused_by_reason) {
      std::printf("  refused %-16s %lld\n", reason.c_str(), static_cast<long long>(n));
    }
    const double unaccounted =
        batch_s - s.load_seconds - s.score_seconds - s.cluster_seconds - s.persist_seconds;
    std::printf(
        "batch: RSS before %.0f MiB, peak during %.0f MiB%s (ru_maxrss %.0f MiB, whole "
        "process); %.2f s outside the summary's parts\n",
        rss_before, hwm, reset ? "" : " (peak not reset: whole process)",
        static_cast<double>(usage.ru_maxrss) / 1024.0, unaccounted);
    {
      // The run's phases follow one another: load, score, (decisions, retirements), cluster,
      // persist. Peak RSS within each (sampled, so a little under the true peak).
      const double bounds[] = {0,
                               s.load_seconds,
                               s.load_seconds + s.score_seconds,
                               batch_s - s.persist_seconds - s.cluster_seconds,
                               batch_s - s.persist_seconds,
                               batch_s + 1};
      const char* names[] = {"load", "score", "between", "cluster", "persist"};
      std::string line;
      for (int p = 0; p < 5; ++p) {
        double peak = 0;
        for (const auto& [t, mib] : rss_samples) {
          if (t >= bounds[p] && t < bounds[p + 1]) peak = std::max(peak, mib);
        }
        line += std::string(p ? ", " : "") + names[p] + " " + Fmt("%.0f", peak);
      }
      std::printf("batch: peak RSS by phase (MiB, sampled every 10 ms): %s\n", line.c_str());
      Record("batch: peak RSS by phase (MiB)", line);
    }
    const double per_million = hwm / (static_cast<double>(s.records) / 1e6);
    Record("batch: records resolved", std::to_string(s.records));
    Record("batch: Open+Run wall (s)", Fmt("%.2f", batch_s), "<= 30 per 1M");
    Record("batch: load / score / cluster / persist (s)",
           Fmt("%.2f", s.load_seconds) + " / " + Fmt("%.2f", s.score_seconds) + " / " +
               Fmt("%.2f", s.cluster_seconds) + " / " + Fmt("%.2f", s.persist_seconds));
    Record("batch: candidate pairs scored/s in Run (M)",
           Fmt("%.2f", static_cast<double>(s.candidate_pairs) / s.score_seconds / 1e6));
    Record("batch: nominals / links / refused", std::to_string(s.nominals) + " / " +
                                                    std::to_string(s.links) + " / " +
                                                    std::to_string(s.refused_links));
    Record("batch: peak RSS (MiB) / RSS before Open (MiB)",
           Fmt("%.0f", hwm) + " / " + Fmt("%.0f", rss_before));
    Record("batch: RSS after Run (MiB)", Fmt("%.0f", ProcStatusMiB("VmRSS")));
    Record("batch: peak RSS per million records (MiB)", Fmt("%.0f", per_million), "<= 1024");
  }

  // 5. Incremental, against the nominals the batch made.
  if (o.steps.count("incremental") && resolver) Incremental(o, *store, *resolver, hub);

  std::printf("\n%-70s %-24s %s\n", "figure", "value", "goal");
  for (const Figure& f : g_figures) {
    std::printf("%-70s %-24s %s\n", f.name.c_str(), f.value.c_str(), f.goal.c_str());
  }
  std::printf("total %.1f s; people %lld, threads %d\n", Seconds(all_start),
              static_cast<long long>(o.people), o.threads);

  resolver.reset();
  store.reset();
  if (!o.keep) {
    fs::remove_all(hub);
    if (o.work.empty()) fs::remove_all(work);
  } else {
    std::printf("kept %s\n", work.c_str());
  }
  return 0;
}
