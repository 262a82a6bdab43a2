// Live search at scale, end to end: a generated world ingested and resolved, the search index
// built from the hub (time, records/s, RSS), then queries drawn from the truth file with
// typos, nicknames, swapped names, partial dates, postcodes and NHS numbers: latency p50/p99
// on one thread and under concurrent clients, and recall@10 (the person's majority nominal in
// the top 10). The server's goal: p99 <= 50 ms at 1 million nominals with 50 concurrent
// clients on 2 cores. Prints figures; asserts nothing.
//
// Run: build/release/bench/search_benchmark [--people N] [--queries Q] [--clients C]
//          [--work DIR] [--keep] [--reuse HUB]
//   --people N    people in the generated world (default 50,000; 520,000 is ~1M records)
//   --queries Q   queries per run (default 3,000)
//   --clients C   concurrent client threads for the loaded run (default 50)
//   --work DIR    where the world and the hub go (default a temp dir, removed unless --keep)
//   --reuse HUB   a resolved hub of an earlier --keep run (DIR/hub; DIR/world/truth beside it)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "ingest/ingest.h"
#include "reference/reference_data.h"
#include "resolve/name_variants.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "search/search.h"
#include "store/store.h"
#include "synth/synth.h"

#ifndef TESSERA_SOURCE_DIR_DEFAULT
#define TESSERA_SOURCE_DIR_DEFAULT "."
#endif

namespace {

namespace fs = std::filesystem;
using tessera::Status;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "search_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double RssMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::strtod(line.c_str() + n + 1, nullptr) / 1024.0;
  }
  return -1;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

template <typename F>
void ForEachCsvRow(const fs::path& path, F&& f) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) f(tessera::reference::SplitCsvLine(line));
}

struct TruePerson {
  std::string given, family, nhs;
  tessera::CivilDate dob;
  std::map<std::string, int> postcodes;
  std::map<tessera::model::NominalId, int> nominals;
  bool health = false;
};

struct Query {
  std::string text;
  tessera::model::NominalId want = 0;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Typo(const std::string& s, tessera::Rng& rng) {
  if (s.size() < 4) return s;
  std::string t = s;
  size_t i = 1 + rng.Below(t.size() - 2);
  switch (rng.Below(4)) {
    case 0:
      t.erase(i, 1);
      break;
    case 1:
      t.insert(i, 1, t[i]);
      break;
    case 2:
      std::swap(t[i], t[i + 1 < t.size() ? i + 1 : i - 1]);
      break;
    default:
      t[i] = t[i] == 'E' ? 'A' : 'E';
      break;
  }
  return t;
}

std::string Ddmmyyyy(const tessera::CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

// Queries from the truth, as the recall test makes them (src/search/search_recall_test.cc).
std::vector<Query> MakeQueries(tessera::store::Store& store, const fs::path& truth, int count) {
  std::map<std::string, TruePerson> people;
  ForEachCsvRow(truth / "people.csv", [&](const std::vector<std::string>& f) {
    auto dob = tessera::ParseDate(f[7], "yyyy-mm-dd");
    if (!dob.ok()) return;
    people[f[0]] = {Upper(f[2]), Upper(f[4]), f[9], *dob, {}, {}, false};
  });
  std::map<std::string, std::string> postcode_of;
  ForEachCsvRow(truth / "addresses.csv",
                [&](const std::vector<std::string>& f) { postcode_of[f[0]] = f[4]; });
  std::map<std::pair<std::string, std::string>, tessera::model::NominalId> nominal_of;
  std::set<std::string> nhs_held;
  {
    auto assignments = store.ListNominalAssignments();
    if (!assignments.ok()) Die("assignments", assignments.status());
    std::unordered_map<tessera::model::PersonRecordId, tessera::model::NominalId> by_record;
    for (const auto& a : *assignments) by_record[a.person_record_id] = a.nominal_id;
    for (tessera::model::PersonRecordId after = 0;;) {
      auto page = store.ListPersonRecordsForResolution(after, 50'000);
      if (!page.ok()) Die("records", page.status());
      for (const auto& r : *page) {
        after = r.id;
        for (const auto& id : r.identifiers) {
          if (id.kind == tessera::model::IdentifierKind::kNhsNumber && id.valid)
            nhs_held.insert(id.value);
        }
        auto it = by_record.find(r.id);
        if (it != by_record.end()) nominal_of[{r.source_id, r.mention_key}] = it->second;
      }
      if (page->size() < 50'000) break;
    }
  }
  ForEachCsvRow(truth / "records.csv", [&](const std::vector<std::string>& f) {
    auto person = people.find(f[2]);
    auto nominal = nominal_of.find({f[0], f[1]});
    if (person == people.end() || nominal == nominal_of.end()) return;
    ++person->second.nominals[nominal->second];
    if (!f[4].empty() && postcode_of.count(f[4])) ++person->second.postcodes[postcode_of[f[4]]];
  });
  std::vector<const TruePerson*> findable;
  for (const auto& [id, p] : people) {
    if (!p.nominals.empty()) findable.push_back(&p);
  }
  tessera::Rng rng(77);
  const auto& first_names = tessera::resolve::NameVariants::FirstNames();
  std::vector<Query> out;
  for (int i = 0; i < count && !findable.empty(); ++i) {
    const TruePerson& p = *findable[rng.Below(findable.size())];
    Query q;
    int most = 0;
    for (const auto& [n, c] : p.nominals) {
      if (c > most) most = c, q.want = n;
    }
    std::string postcode;
    most = 0;
    for (const auto& [pc, c] : p.postcodes) {
      if (c > most) most = c, postcode = pc;
    }
    std::string nickname = p.given;
    if (int32_t id = first_names.Id(p.given); id >= 0) {
      for (int32_t v : first_names.VariantIdsOf(id)) {
        if (first_names.Name(v) != p.given) {
          nickname = first_names.Name(v);
          if (rng.Below(2) == 0) break;
        }
      }
    }
    switch (i % 8) {
      case 0:
        q.text = p.given + " " + Typo(p.family, rng) + " " + Ddmmyyyy(p.dob);
        break;
      case 1:
        q.text = nickname + " " + p.family + " " + std::to_string(p.dob.year);
        break;
      case 2:
        q.text = p.family + " " + p.given + " " + postcode;
        break;
      case 3:
        q.text = Typo(p.given, rng) + " " + p.family + " " + postcode.substr(0, postcode.find(' '));
        break;
      case 4: {
        tessera::CivilDate d = p.dob;
        d.day = d.day == 28 ? 27 : d.day + 1;
        q.text = p.given + " " + p.family + " " + d.ToIso();
        break;
      }
      case 5:
        q.text =
            nhs_held.contains(p.nhs) ? p.nhs : p.given + " " + p.family + " " + Ddmmyyyy(p.dob);
        break;
      case 6: {
        char month[16];
        std::snprintf(month, sizeof month, "%02d/%04d", p.dob.month, p.dob.year);
        q.text = p.family + ", " + p.given + " " + month;
        break;
      }
      default:
        q.text = nickname + " " + Typo(p.family, rng) + " " + Ddmmyyyy(p.dob);
        break;
    }
    out.push_back(std::move(q));
  }
  return out;
}

struct RunResult {
  std::vector<double> ms;
  int found = 0;
};

RunResult Run(const tessera::search::SearchIndex& index, const std::vector<Query>& queries,
              int clients, const tessera::govern::Visibility& v) {
  RunResult out;
  out.ms.resize(queries.size());
  std::atomic<size_t> next{0};
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= queries.size()) return;
        tessera::search::SearchQuery q;
        q.text = queries[i].text;
        auto start = Clock::now();
        auto hits = index.Search(q, v);
        out.ms[i] = Seconds(start) * 1000.0;
        if (!hits.ok()) Die("search " + q.text, hits.status());
        for (const auto& h : *hits) {
          if (h.nominal_id == queries[i].want) {
            ++found;
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  out.found = found.load();
  return out;
}

// The server's way: `clients` clients each send a query, wait for the answer and send the next
// (a closed loop); `workers` threads answer from one queue. A query's latency runs from when
// its client sent it, so it includes the wait in the queue.
RunResult Served(const tessera::search::SearchIndex& index, const std::vector<Query>& queries,
                 int clients, int workers, const tessera::govern::Visibility& v) {
  RunResult out;
  out.ms.resize(queries.size());
  std::mutex mu;
  std::condition_variable ready;
  std::deque<std::pair<size_t, Clock::time_point>> queue;
  size_t next = 0;
  size_t done = 0;
  for (; next < std::min<size_t>(clients, queries.size()); ++next)
    queue.emplace_back(next, Clock::now());
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (;;) {
        std::pair<size_t, Clock::time_point> job;
        {
          std::unique_lock lock(mu);
          ready.wait(lock, [&] { return !queue.empty() || done == queries.size(); });
          if (queue.empty()) return;
          job = queue.front();
          queue.pop_front();
        }
        tessera::search::SearchQuery q;
        q.text = queries[job.first].text;
        auto hits = index.Search(q, v);
        if (!hits.ok()) Die("search " + q.text, hits.status());
        for (const auto& h : *hits) {
          if (h.nominal_id == queries[job.first].want) {
            ++found;
            break;
          }
        }
        std::lock_guard lock(mu);
        out.ms[job.first] = Seconds(job.second) * 1000.0;
        ++done;
        if (next < queries.size()) queue.emplace_back(next++, Clock::now());
        ready.notify_all();
      }
    });
  }
  for (auto& t : threads) t.join();
  out.found = found.load();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int64_t people = 50'000;
  int queries_n = 3000;
  int clients = 50;
  std::string work_arg;
  std::string reuse;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--people") {
      people = std::atoll(value().c_str());
    } else if (a == "--queries") {
      queries_n = std::atoi(value().c_str());
    } else if (a == "--clients") {
      clients = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--work") {
      work_arg = value();
    } else if (a == "--reuse") {
      reuse = value();
    } else if (a == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: search_benchmark [--people N] [--queries Q] [--clients C] "
                   "[--work DIR] [--keep] [--reuse HUB]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  const fs::path work = work_arg.empty() ? fs::temp_directory_path() /
                                               ("tessera-search-bench-" + std::to_string(getpid()))
                                         : fs::path(work_arg);
  fs::create_directories(work);
  fs::path hub = work / "hub";
  fs::path truth = work / "world" / "truth";
  const tessera::Clock& clock = tessera::SystemClock::Instance();

  if (!reuse.empty()) {
    hub = reuse;
    truth = fs::path(reuse).parent_path() / "world" / "truth";
  } else {
    auto start = Clock::now();
    tessera::synth::WorldConfig config;
    config.people = people;
    auto summary = tessera::synth::GenerateWorld(config, (work / "world").string());
    if (!summary.ok()) Die("generate", summary.status());
    std::printf("generate: %lld people, %lld mentions in %.1f s\n", static_cast<long long>(people),
                static_cast<long long>(summary->mentions), Seconds(start));
    fs::remove_all(hub);
    if (auto s = tessera::store::InitHub(hub.string()); !s.ok()) Die("init", s);
    const char* src = std::getenv("TESSERA_SOURCE_DIR");
    fs::copy(fs::path(src ? src : TESSERA_SOURCE_DIR_DEFAULT) / "examples/synthetic/mappings",
             hub / "mappings", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::copy(work / "world" / "landing", hub / "landing",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  auto opened = tessera::store::OpenSqliteStore(hub.string(), clock);
  if (!opened.ok()) Die("open", opened.status());
  tessera::store::Store& store = **opened;
  if (reuse.empty()) {
    auto start = Clock::now();
    auto out = tessera::ingest::ProcessLandingZone(store, clock, (hub / "landing").string(),
                                                   (hub / "mappings").string(), hub.string());
    if (!out.ok()) Die("ingest", out.status());
    std::printf("ingest: %.1f s\n", Seconds(start));
    start = Clock::now();
    tessera::resolve::TrainingOptions training;
    training.random_pairs = 500'000;
    auto model = tessera::resolve::TrainFromStore(store, tessera::resolve::LinkageModel::Defaults(),
                                                  training);
    if (!model.ok()) Die("train", model.status());
    auto resolver = tessera::resolve::Resolver::Open(hub.string(), store, *model);
    if (!resolver.ok()) Die("resolver", resolver.status());
    auto summary = (*resolver)->Run();
    if (!summary.ok()) Die("resolve", summary.status());
    std::printf("train + resolve: %.1f s: %lld records, %lld nominals\n", Seconds(start),
                static_cast<long long>(summary->records),
                static_cast<long long>(summary->nominals));
  }

  const double rss_before = RssMiB("VmRSS");
  auto start = Clock::now();
  auto index = tessera::search::SearchIndex::Build(store);
  if (!index.ok()) Die("build", index.status());
  const double build_s = Seconds(start);
  const double rss_after = RssMiB("VmRSS");
  const auto stats = (*index)->Stats();
  std::printf(
      "build: %.2f s, %zu records (%.0f records/s), %zu nominals, %zu keys, %zu postings; RSS "
      "%.0f -> %.0f MiB (index ~%.0f MiB)\n",
      build_s, stats.records, static_cast<double>(stats.records) / build_s, stats.nominals,
      stats.keys, stats.postings, rss_before, rss_after, rss_after - rss_before);

  start = Clock::now();
  std::vector<Query> queries = MakeQueries(store, truth, queries_n);
  std::printf("queries: %zu made in %.1f s\n", queries.size(), Seconds(start));
  tessera::govern::Visibility all;
  all.ShareAllDatasets();
  // A request that sees four datasets with every field: what a typical agreement grants.
  tessera::govern::Visibility partial;
  for (const char* s : {"police_crime", "police_domestic_abuse", "csc_children", "ambulance"})
    partial.ShareDataset(s, tessera::govern::kAllFields);

  (void)Run(
      **index,
      std::vector<Query>(queries.begin(), queries.begin() + std::min<size_t>(200, queries.size())),
      1, all);
  auto report = [&](const char* name, const RunResult& r, double wall) {
    std::printf("%-40s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %7.0f queries/s  recall@10 %.3f\n",
                name, Percentile(r.ms, 50), Percentile(r.ms, 99), Percentile(r.ms, 100),
                static_cast<double>(r.ms.size()) / wall,
                static_cast<double>(r.found) / static_cast<double>(r.ms.size()));
  };
  start = Clock::now();
  RunResult one = Run(**index, queries, 1, all);
  report("1 client, all datasets:", one, Seconds(start));
  start = Clock::now();
  RunResult many = Run(**index, queries, clients, all);
  char name[64];
  std::snprintf(name, sizeof name, "%d clients, all datasets:", clients);
  report(name, many, Seconds(start));
  const int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  start = Clock::now();
  RunResult served = Served(**index, queries, clients, workers, all);
  std::snprintf(name, sizeof name, "%d clients / %d workers, all:", clients, workers);
  report(name, served, Seconds(start));
  start = Clock::now();
  RunResult part = Served(**index, queries, clients, workers, partial);
  std::snprintf(name, sizeof name, "%d clients / %d workers, 4 datasets:", clients, workers);
  report(name, part, Seconds(start));
  std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());

  index->reset();
  opened->reset();
  if (!keep && reuse.empty()) {
    fs::remove_all(work);
  } else if (keep) {
    std::printf("kept %s: rerun with --reuse %s\n", work.c_str(), hub.c_str());
  }
  return 0;
}
