// Audit appends per second and their latency, with 1, 4, 16 and 64 request threads: each thread
// appending through its own Store (Store::AppendAudit: one transaction and one sync per event,
// writers taking turns on SQLite's write lock), with and without keyed checkpoints, against
// govern::AuditLog (group commit: one writer, one transaction and one sync per batch).
// A plain main(): the figures are wall-clock rates over a few seconds, not per-iteration costs.
//
//   audit_benchmark [--seconds S] [--dir DIR] [--threads 1,4,16,64]
//   audit_benchmark --hub HUB [--seconds S] [--batch N] [--signer none|sign|anchor]
//
// DIR (default: the system's temporary directory) should be on the disk a hub would use: an
// append's cost is mostly its fsync. Results: docs/benchmarks.md, "Audit".
//
// --hub replays a hub's own newest events (up to 20,000 of them, appended again as new events)
// as the server's audit writer commits them: one thread, batches of N (default 32, the server's
// threads), each Store::AppendAuditBatch one transaction and one sync. With a large log this
// shows what the log's size costs each commit, apart from the searches and profiles of a load
// test: per batch, wall time, the thread's CPU, and the bytes written. --signer: none (no
// checkpoints), sign (a checkpoint row and its HMAC per batch; the anchor file skipped, as the
// server writes it on another thread) or anchor (the anchor file replaced after every batch
// too). It changes HUB: run it on a copy.
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
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

double ThreadCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Bytes this process has passed to write(2) and friends, and bytes it has sent to the disk
// (/proc/self/io: wchar, write_bytes).
std::pair<int64_t, int64_t> WrittenBytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  int64_t value = 0;
  int64_t wchar = 0;
  int64_t disk = 0;
  while (in >> key >> value) {
    if (key == "wchar:") wchar = value;
    if (key == "write_bytes:") disk = value;
  }
  return {wchar, disk};
}

// Signs checkpoints but leaves the anchor file alone (the server replaces it on a thread of
// its own).
class SignOnly final : public store::AuditSigner {
 public:
  explicit SignOnly(std::shared_ptr<govern::AuditCheckpointSigner> signer)
      : signer_(std::move(signer)) {}
  Result<std::string> Sign(int64_t seq, std::string_view hash) override {
    return signer_->Sign(seq, hash);
  }
  Status Anchor(const store::AuditCheckpoint&) override { return Status::Ok(); }

 private:
  std::shared_ptr<govern::AuditCheckpointSigner> signer_;
};

int ReplayHub(const std::string& hub, double seconds, int batch, const std::string& signer_mode) {
  auto fail = [](const Status& status) {
    std::fprintf(stderr, "audit_benchmark: %s\n", status.ToString().c_str());
    return 1;
  };
  const auto opening = Clock::now();
  auto opened = store::OpenSqliteStore(hub, tessera::SystemClock::Instance());
  if (!opened.ok()) return fail(opened.status());
  std::unique_ptr<store::Store> s = std::move(*opened);
  const double open_s = std::chrono::duration<double>(Clock::now() - opening).count();
  if (signer_mode != "none") {
    auto signer = govern::AuditCheckpointSigner::Open(hub);
    if (!signer.ok()) return fail(signer.status());
    if (signer_mode == "sign") {
      s->SetAuditSigner(std::make_shared<SignOnly>(*signer));
    } else {
      s->SetAuditSigner(*signer);
    }
  }
  store::AuditQuery newest;
  newest.newest_first = true;
  newest.limit = 1;
  auto head = s->SearchAudit(newest);
  if (!head.ok()) return fail(head.status());
  const int64_t head_seq = head->empty() ? 0 : head->front().seq;
  auto recent = s->ListAudit(std::max<int64_t>(0, head_seq - 20000), 20000);
  if (!recent.ok()) return fail(recent.status());
  if (recent->empty()) return fail(Status::NotFound("the hub has no audit events to replay"));
  fmt::print(
      "replaying the newest {} of {} events in batches of {} (signer: {}; opened in "
      "{:.1f} s)\n",
      recent->size(), head_seq, batch, signer_mode, open_s);

  std::vector<double> wall_ms;
  std::vector<store::AuditEvent> events;
  size_t next = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto [wchar_start, disk_start] = WrittenBytes();
  const auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    events.clear();
    for (int i = 0; i < batch; ++i) {
      events.push_back((*recent)[next]);
      next = (next + 1) % recent->size();
    }
    const auto before = Clock::now();
    auto stored = s->AppendAuditBatch(events);
    if (!stored.ok()) return fail(stored.status());
    wall_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu_s = ThreadCpuSeconds() - cpu_start;
  const auto [wchar_end, disk_end] = WrittenBytes();
  const double batches = static_cast<double>(wall_ms.size());
  std::sort(wall_ms.begin(), wall_ms.end());
  fmt::print(
      "{:.0f} batches in {:.1f} s: {:.0f} events/s; per batch {:.2f} ms mean, p50 {:.2f}, "
      "p99 {:.2f}, max {:.2f}; CPU {:.2f} ms; written {:.0f} KiB (to the disk {:.0f} "
      "KiB)\n",
      batches, wall_s, batches * batch / wall_s, wall_s * 1000 / batches,
      wall_ms[wall_ms.size() / 2], wall_ms[std::min(wall_ms.size() - 1, wall_ms.size() * 99 / 100)],
      wall_ms.back(), cpu_s * 1000 / batches, (wchar_end - wchar_start) / 1024.0 / batches,
      (disk_end - disk_start) / 1024.0 / batches);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::string replay_hub;
  int batch = 32;
  std::string signer_mode = "sign";
  std::string parent = std::filesystem::temp_directory_path().string();
  std::vector<int> thread_counts = {1, 4, 16, 64};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      parent = argv[++i];
    } else if (arg == "--hub" && i + 1 < argc) {
      replay_hub = argv[++i];
    } else if (arg == "--batch" && i + 1 < argc) {
      batch = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--signer" && i + 1 < argc) {
      signer_mode = argv[++i];
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
      std::fprintf(stderr,
                   "usage: audit_benchmark [--seconds S] [--dir DIR] [--threads 1,4,16]\n"
                   "       audit_benchmark --hub HUB [--seconds S] [--batch N] "
                   "[--signer none|sign|anchor]\n");
      return 2;
    }
  }
  if (!replay_hub.empty()) {
    if (signer_mode != "none" && signer_mode != "sign" && signer_mode != "anchor") {
      std::fprintf(stderr, "audit_benchmark: --signer is none, sign or anchor\n");
      return 2;
    }
    return ReplayHub(replay_hub, seconds, batch, signer_mode);
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
