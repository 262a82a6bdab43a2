// The hub's background work: the landing-zone watcher and the one resolver, on one thread with
// its own Store (a Store is used by one thread at a time).
#include <condition_variable>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ingest/ingest.h"
#include "resolve/resolver.h"
#include "serve/serve.h"
#include "store/store.h"

namespace tessera::serve {

struct HubWorker::Impl {
  HubWorkerOptions options;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<resolve::Resolver> resolver;
  int64_t unresolved = 0;
  std::set<std::string> last_warnings;  // rows loaded since the last successful run (the queue)
  std::mutex mu;
  std::condition_variable wake;
  bool stop = false;
  bool notified = false;  // Notify(): resolve before the next scan
  std::atomic<int64_t> scans{0};
  std::thread thread;
  // WAL checkpoints, off the resolver's path: its store never checkpoints on commit, and this
  // thread does it every 50 ms on a store of its own (docs/benchmarks.md: the per-record p99
  // went from ~20 ms to 12.6 ms this way).
  std::unique_ptr<store::Store> checkpoint_store;
  std::thread checkpointer;

  void CheckpointLoop() {
    std::unique_lock lock(mu);
    while (!wake.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop; })) {
      lock.unlock();
      if (Status s = checkpoint_store->Checkpoint(); !s.ok()) {
        options.metrics->AddCounter("tessera_store_checkpoint_errors_total",
                                    "Background WAL checkpoints that failed (retried).");
      }
      lock.lock();
    }
  }

  void Log(std::string_view level, std::string_view msg, nlohmann::json fields = {}) {
    nlohmann::json line = {{"time", FormatTime(options.clock->NowMicros())},
                           {"level", level},
                           {"msg", msg},
                           {"component", "hub_worker"}};
    for (auto& [key, value] : fields.items()) line[key] = value;
    options.log(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  void Loop();
  void Scan();
  Status EnsureResolver();
  void Resolve();
  void SetQueue() {
    options.metrics->SetGauge("tessera_resolver_queue_depth",
                              "Person records loaded and not yet resolved.",
                              static_cast<double>(unresolved));
  }
};

Status HubWorker::Impl::EnsureResolver() {
  if (resolver) return Status::Ok();
  const std::string path = resolve::LinkageModelPath(options.hub_dir);
  resolve::LinkageModel model;
  if (std::filesystem::exists(path)) {
    TRY_ASSIGN(model, resolve::LinkageModel::Load(path));
  } else {
    Log("info", "no linkage model in this hub yet: training one");
    resolve::TrainingOptions training;
    training.threads = options.resolver_threads;
    TRY_ASSIGN(model, resolve::TrainFromStore(*store, resolve::LinkageModel::Defaults(), training));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    TRY(model.Save(path));
    Log("info", "linkage model trained", {{"path", path}, {"records", model.training.records}});
  }
  resolve::ResolverOptions resolver_options;
  resolver_options.threads = options.resolver_threads;
  TRY_ASSIGN(resolver,
             resolve::Resolver::Open(options.hub_dir, *store, std::move(model), resolver_options));
  return Status::Ok();
}

void HubWorker::Impl::Resolve() {
  if (!options.resolve) return;
  Metrics& m = *options.metrics;
  if (Status s = EnsureResolver(); !s.ok()) {
    m.AddCounter("tessera_resolver_errors_total", "Resolver runs that failed (retried later).");
    Log("warn", "resolver not ready; retrying after the next load", {{"error", s.ToString()}});
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  auto summary = resolver->Run();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!summary.ok()) {
    m.AddCounter("tessera_resolver_errors_total", "Resolver runs that failed (retried later).");
    Log("warn", "resolver run failed; retrying after the next load",
        {{"error", summary.status().ToString()}});
    return;
  }
  unresolved = 0;
  SetQueue();
  m.AddCounter("tessera_resolver_runs_total", "Resolver runs completed.");
  m.AddCounter("tessera_resolver_records_resolved_total",
               "New person records the resolver has attached to nominals.",
               static_cast<double>(summary->new_records));
  m.SetGauge("tessera_resolver_last_run_seconds", "How long the last resolver run took.", seconds);
  m.SetGauge("tessera_nominals", "Live nominals after the last resolver run.",
             static_cast<double>(summary->nominals));
  Log("info", "resolved",
      {{"new_records", summary->new_records},
       {"nominals", summary->nominals},
       {"created", summary->nominals_created},
       {"merged", summary->nominals_merged},
       {"review_queued", summary->review_queued},
       {"seconds", seconds}});
}

void HubWorker::Impl::Scan() {
  Metrics& m = *options.metrics;
  const std::string& hub = options.hub_dir;
  auto outcome =
      ingest::ProcessLandingZone(*store, *options.clock, hub + "/landing", hub + "/mappings", hub);
  if (!outcome.ok()) {
    m.AddCounter("tessera_ingest_scan_errors_total",
                 "Landing-zone scans that failed (retried next scan).");
    Log("warn", "landing-zone scan failed; retrying", {{"error", outcome.status().ToString()}});
    return;
  }
  // Said once, not every scan: a folder without a spec waits until someone adds one.
  std::set<std::string> warnings(outcome->warnings.begin(), outcome->warnings.end());
  for (const auto& w : warnings) {
    if (!last_warnings.contains(w)) Log("warn", w);
  }
  last_warnings = std::move(warnings);
  for (const auto& f : outcome->failed) {
    m.AddCounter("tessera_ingest_files_failed_total",
                 "Landing files that could not be read (moved to failed/).");
    Log("warn", "landing file failed", {{"file", f.file}, {"reason", f.reason}});
  }
  int64_t loaded = 0;
  for (const auto& r : outcome->loaded) {
    if (r.already_loaded) continue;
    m.AddCounter("tessera_ingest_files_loaded_total", "Landing files loaded.");
    m.AddCounter("tessera_ingest_rows_loaded_total", "Rows loaded (new records and versions).",
                 static_cast<double>(r.counts.loaded));
    m.AddCounter("tessera_ingest_rows_quarantined_total", "Rows quarantined.",
                 static_cast<double>(r.counts.quarantined));
    loaded += r.counts.loaded;
    Log("info", "file loaded",
        {{"source", r.source_id},
         {"file", r.file},
         {"read", r.counts.read},
         {"loaded", r.counts.loaded},
         {"unchanged", r.counts.unchanged},
         {"quarantined", r.counts.quarantined}});
  }
  if (loaded > 0) {
    unresolved += loaded;
    SetQueue();
    Resolve();
  }
}

void HubWorker::Impl::Loop() {
  // Records loaded while no server ran (by `tessera ingest`) are resolved first.
  if (options.resolve) {
    auto counts = store->Counts();
    if (counts.ok() && counts->person_records > 0) Resolve();
  }
  while (true) {
    Scan();
    ++scans;
    // Until the next scan, resolve whenever Notify() says records arrived.
    const auto next_scan = std::chrono::steady_clock::now() + options.interval;
    std::unique_lock lock(mu);
    while (wake.wait_until(lock, next_scan, [this] { return stop || notified; }) && !stop) {
      notified = false;
      lock.unlock();
      Resolve();
      lock.lock();
    }
    if (stop) break;
  }
  resolver.reset();  // releases HUB/resolver.lock
}

HubWorker::HubWorker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubWorker::~HubWorker() { Stop(); }

Result<std::unique_ptr<HubWorker>> HubWorker::Start(HubWorkerOptions options) {
  if (options.interval.count() <= 0) return Status::InvalidArgument("interval must be positive");
  if (!options.log) options.log = LogToStderr;
  if (!options.metrics) options.metrics = std::make_shared<Metrics>();
  if (options.clock == nullptr) options.clock = &SystemClock::Instance();
  auto impl = std::make_unique<Impl>();
  store::OpenOptions quiet;
  quiet.checkpoint_on_commit = false;
  TRY_ASSIGN(impl->store, store::OpenSqliteStore(options.hub_dir, *options.clock, quiet));
  TRY_ASSIGN(impl->checkpoint_store, store::OpenSqliteStore(options.hub_dir, *options.clock));
  impl->options = std::move(options);
  impl->SetQueue();
  impl->thread = std::thread([raw = impl.get()] { raw->Loop(); });
  impl->checkpointer = std::thread([raw = impl.get()] { raw->CheckpointLoop(); });
  return std::unique_ptr<HubWorker>(new HubWorker(std::move(impl)));
}

void HubWorker::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
}

int64_t HubWorker::scans() const { return impl_->scans.load(); }

void HubWorker::Notify() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->notified = true;
  }
  impl_->wake.notify_all();
}

}  // namespace tessera::serve
