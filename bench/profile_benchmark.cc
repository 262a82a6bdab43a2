// What a profile page costs (issue 6's goal: profile p99 <= 50 ms at 1 million nominals under 50
// concurrent clients on 2 cores, so one profile should cost a few ms of store reads). Opens an
// existing, resolved hub without changing it and builds N random nominals' profiles (and
// timelines) single-threaded, printing p50, p90, p99 and max.
//
// Run: build/release/bench/profile_benchmark --data HUB [--profiles N] [--seed S]
//        [--visibility all|police] [--migrate]
// `all` shares every dataset (break-glass), `police` only the police datasets (most records
// are then withheld: the cost of judging them). The hub must be at this binary's schema version:
// it is opened without migrations, so that it is only read, unless --migrate is given (for a
// copy of a hub).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "govern/visibility.h"
#include "store/store.h"
#include "view/view.h"

namespace {

using tessera::Status;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

struct Figures {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

Figures Summarise(std::vector<double> ms) {
  Figures f;
  if (ms.empty()) return f;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  f.p50 = at(0.50);
  f.p90 = at(0.90);
  f.p99 = at(0.99);
  f.max = ms.back();
  double sum = 0;
  for (double m : ms) sum += m;
  f.mean = sum / ms.size();
  return f;
}

void Print(const char* what, const Figures& f, size_t n) {
  std::printf("%-10s n=%zu  mean %.2f ms  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
              what, n, f.mean, f.p50, f.p90, f.p99, f.max);
}

}  // namespace

int main(int argc, char** argv) {
  std::string hub;
  int profiles = 1000;
  uint64_t seed = 42;
  std::string visibility_name = "all";
  bool migrate = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& name) -> std::string {
      if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
      if (arg == name && i + 1 < argc) return argv[++i];
      return "";
    };
    if (auto v = value("--data"); !v.empty()) {
      hub = v;
    } else if (auto n = value("--profiles"); !n.empty()) {
      profiles = std::atoi(n.c_str());
    } else if (auto s = value("--seed"); !s.empty()) {
      seed = std::strtoull(s.c_str(), nullptr, 10);
    } else if (arg == "--migrate") {
      migrate = true;
    } else if (auto vis = value("--visibility"); !vis.empty()) {
      visibility_name = vis;
    } else {
      std::fprintf(stderr,
                   "usage: profile_benchmark --data HUB [--profiles N] [--seed S] "
                   "[--visibility all|police] [--migrate]\n");
      return 2;
    }
  }
  if (hub.empty() || profiles <= 0) {
    std::fprintf(stderr, "profile_benchmark: --data HUB is required\n");
    return 2;
  }
  tessera::SystemClock clock;
  tessera::store::OpenOptions options;
  // Read only: the hub is not changed, unless --migrate says it may be brought up to this
  // binary's schema (use it on a copy).
  options.apply_migrations = migrate;
  auto store = tessera::store::OpenSqliteStore(hub, clock, options);
  if (!store.ok()) Die("open " + hub, store.status());
  auto catalog = tessera::view::SourceCatalog::Load(hub + "/mappings");
  if (!catalog.ok()) Die("mappings", catalog.status());

  // The live nominals to pick from: the change feed names every nominal ever created.
  std::vector<tessera::model::NominalId> ids;
  for (int64_t after = 0;;) {
    auto page = (*store)->ListNominalChangesAfter(after, 50'000);
    if (!page.ok()) Die("nominal changes", page.status());
    if (page->empty()) break;
    for (const auto& change : *page) {
      if (change.kind == tessera::store::NominalChangeKind::kCreated) {
        ids.push_back(change.nominal_id);
      }
      after = change.seq;
    }
  }
  if (ids.empty()) {
    std::fprintf(stderr, "profile_benchmark: %s has no nominals (run tessera resolve)\n",
                 hub.c_str());
    return 1;
  }

  tessera::govern::Visibility visibility;
  if (visibility_name == "police") {
    for (const char* s : {"police_crime", "police_domestic_abuse", "police_missing"}) {
      visibility.ShareDataset(s, tessera::govern::kAllFields);
    }
  } else {
    visibility.ShareAllDatasets();
  }
  const int64_t now = clock.NowMicros();
  const tessera::CivilDate today = tessera::CivilDate::FromDays(now / 86'400'000'000);
  tessera::view::ViewContext ctx{**store, visibility, *catalog, today, now};

  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
  std::vector<double> profile_ms, timeline_ms;
  int64_t redirects = 0, records = 0, bytes = 0;
  for (int i = 0; i < profiles; ++i) {
    tessera::model::NominalId id = ids[pick(rng)];
    tessera::view::Seen seen;
    auto t0 = std::chrono::steady_clock::now();
    auto page = tessera::view::NominalProfile(ctx, id, seen);
    auto t1 = std::chrono::steady_clock::now();
    if (!page.ok()) Die("profile " + std::to_string(id), page.status());
    if (page->redirect_to) {
      ++redirects;
      continue;
    }
    bytes += static_cast<int64_t>(page->body.dump().size());
    records += static_cast<int64_t>(page->body["records"].size());
    profile_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    tessera::view::Seen timeline_seen;
    auto t2 = std::chrono::steady_clock::now();
    auto timeline = tessera::view::NominalTimeline(ctx, id, {}, timeline_seen);
    auto t3 = std::chrono::steady_clock::now();
    if (!timeline.ok()) Die("timeline " + std::to_string(id), timeline.status());
    timeline_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
  }
  std::printf(
      "hub %s: %zu nominals; %d profiles drawn (seed %llu), %lld redirects; visibility %s\n",
      hub.c_str(), ids.size(), profiles, static_cast<unsigned long long>(seed),
      static_cast<long long>(redirects), visibility_name.c_str());
  if (!profile_ms.empty()) {
    std::printf("mean %.1f visible records and %.1f KB of JSON per profile\n",
                static_cast<double>(records) / profile_ms.size(),
                static_cast<double>(bytes) / profile_ms.size() / 1024.0);
  }
  Print("profile", Summarise(profile_ms), profile_ms.size());
  Print("timeline", Summarise(timeline_ms), timeline_ms.size());
  return 0;
}
