// Audit appends per second and their latency, with 1, 4, 16 and 64 request threads: each thread
// appending through its own Store (Store::AppendAudit: one transaction and one sync per event,
// writers taking turns on SQLite's write lock), with and without keyed checkpoints, against
// govern::AuditLog (group commit: one writer, one transaction and one sync per batch).
// A plain main(): the figures are wall-clock rates over a few seconds, not per-iteration costs.
//
//   audit_benchmark [--seconds S] [--dir DIR] [--threads 1,4,16,64]
//
// DIR (default: the system's temporary directory) should be on the disk a hub would use: an
// append's cost is mostly its fsync. Results: docs/benchmarks.md, "Audit".
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "govern/audit_log.h"
#include "store/store.h"

namespace {

using tessera::Result;
using tessera::Status;
namespace store = tessera::store;
namespace govern = tessera::govern;
using Clock = std::chrono::steady_clock;

store::AuditEvent Event(int thread, int64_t i) {
  store::AuditEvent event;
  event.actor = fmt::format("user:{}", thread + 1);
  event.agency = "police";
  event.role = "practitioner";
  event.action = "nominal.view";
  event.purpose = "child_safeguarding";
  event.justification = "strategy meeting";
  event.agreement = "ISA-T2-CS-01 v3";
  event.outcome = "allowed";
  const int64_t nominal = 1 + (thread * 7919 + i) % 100000;
  event.resource = fmt::format("nominal/{}", nominal);
  event.nominals = {nominal};
  event.records = {nominal * 3, nominal * 3 + 1, nominal * 3 + 2};
  return event;
}

struct Outcome {
  int64_t appended = 0;
  int64_t failed = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;
};

// Runs `threads` threads calling append(thread, i) for `seconds`, timing each call.
Outcome Drive(int threads, double seconds,
              const std::function<Status(int thread, int64_t i)>& append) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(threads);
  std::vector<int64_t> failures(threads, 0);
  std::vector<std::string> errors(threads);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto before = Clock::now();
        Status status = append(t, i);
        const auto after = Clock::now();
        if (status.ok()) {
          latencies[t].push_back(std::chrono::duration<double, std::milli>(after - before).count());
        } else {
          if (failures[t]++ == 0) errors[t] = status.ToString();
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  Outcome out;
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (int t = 0; t < threads; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    out.failed += failures[t];
    if (out.first_error.empty()) out.first_error = errors[t];
  }
  out.appended = static_cast<int64_t>(all.size());
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    out.p50_ms = all[all.size() / 2];
    out.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return out;
}

Result<std::string> FreshHub(const std::string& parent, const std::string& name) {
  const std::string dir = (std::filesystem::path(parent) / name).string();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  TRY(store::InitHub(dir));
  return dir;
}

// Each thread its own Store, as each request worker of a server has.
Result<Outcome> RunStoreAppends(const std::string& hub, int threads, double seconds, bool signed_) {
  std::vector<std::unique_ptr<store::Store>> stores;
  std::shared_ptr<govern::AuditCheckpointSigner> signer;
  if (signed_) {
    TRY_ASSIGN(signer, govern::AuditCheckpointSigner::Open(hub));
  }
  for (int t = 0; t < threads; ++t) {
    TRY_ASSIGN(auto opened, store::OpenSqliteStore(hub, tessera::SystemClock::Instance()));
    if (signer) opened->SetAuditSigner(signer);
    stores.push_back(std::move(opened));
  }
  return Drive(threads, seconds,
               [&](int t, int64_t i) { return stores[t]->AppendAudit(Event(t, i)).status(); });
}

Result<Outcome> RunAuditLog(const std::string& hub, int threads, double seconds,
                            govern::AuditLog::Stats& stats) {
  TRY_ASSIGN(auto log, govern::AuditLog::Open(hub));
  Outcome out =
      Drive(threads, seconds, [&](int t, int64_t i) { return log->Append(Event(t, i)).status(); });
  log->Stop();
  stats = log->GetStats();
  return out;
}

void Print(const std::string& mode, int threads, const Outcome& o, const std::string& extra) {
  fmt::print("{:<26} {:>7} {:>10.0f} {:>9.2f} {:>9.2f} {:>8} {}\n", mode, threads,
             o.appended / o.seconds, o.p50_ms, o.p99_ms, o.failed, extra);
  if (o.failed > 0) fmt::print("    first failure: {}\n", o.first_error);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::string parent = std::filesystem::temp_directory_path().string();
  std::vector<int> thread_counts = {1, 4, 16, 64};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      parent = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      thread_counts.clear();
      std::string list = argv[++i];
      size_t start = 0;
      while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        thread_counts.push_back(std::atoi(list.substr(start, comma - start).c_str()));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: audit_benchmark [--seconds S] [--dir DIR] [--threads 1,4,16]\n");
      return 2;
    }
  }
  char pattern_buffer[4096];
  std::snprintf(pattern_buffer, sizeof pattern_buffer, "%s/tessera_audit_bench_XXXXXX",
                parent.c_str());
  if (mkdtemp(pattern_buffer) == nullptr) {
    std::fprintf(stderr, "cannot make a directory in %s: %s\n", parent.c_str(),
                 std::strerror(errno));
    return 1;
  }
  const std::string work = pattern_buffer;
  fmt::print("audit appends, {} s per row, hubs under {}\n", seconds, work);
  fmt::print("{:<26} {:>7} {:>10} {:>9} {:>9} {:>8} {}\n", "mode", "threads", "events/s", "p50 ms",
             "p99 ms", "failed", "");
  int status = 0;
  for (int threads : thread_counts) {
    struct Mode {
      const char* name;
      int kind;  // 0 store, 1 store + signer, 2 AuditLog
    };
    for (Mode mode : {Mode{"Store::AppendAudit", 0}, Mode{"Store::AppendAudit+signer", 1},
                      Mode{"govern::AuditLog", 2}}) {
      auto hub = FreshHub(work, fmt::format("hub_{}_{}", mode.kind, threads));
      if (!hub.ok()) {
        std::fprintf(stderr, "%s\n", hub.status().ToString().c_str());
        return 1;
      }
      govern::AuditLog::Stats stats;
      Result<Outcome> outcome = mode.kind == 2
                                    ? RunAuditLog(*hub, threads, seconds, stats)
                                    : RunStoreAppends(*hub, threads, seconds, mode.kind == 1);
      if (!outcome.ok()) {
        std::fprintf(stderr, "%s: %s\n", mode.name, outcome.status().ToString().c_str());
        status = 1;
        continue;
      }
      std::string extra;
      if (mode.kind == 2 && stats.batches > 0) {
        extra = fmt::format("(mean batch {:.1f}, largest {})",
                            static_cast<double>(stats.events) / stats.batches, stats.largest_batch);
      }
      Print(mode.name, threads, *outcome, extra);
      std::error_code ec;
      std::filesystem::remove_all(*hub, ec);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  return status;
}
