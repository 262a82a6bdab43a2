#include "cli/serve_commands.h"

#include <fmt/format.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api.h"
#include "cli/cli_common.h"
#include "core/clock.h"
#include "serve/serve.h"
#include "store/store.h"

namespace tessera::cli {

namespace {

struct ServeArgs {
  std::string data;
  int port = 8080;
  std::string bind = "127.0.0.1";
  // Measured at 1M nominals on 2 cores (docs/benchmarks.md, "After migration 14"): 16 threads
  // serve as many requests as 32 with a much shorter tail (profile p99 63-66 ms against 85).
  int threads = 4;
  int resolver_threads = 2;
  std::string audit_key;
  double interval = 5;
  std::string tls_cert;
  std::string tls_key;
  int64_t max_body_bytes = 1 << 20;
  std::string web;  // empty: serve::DefaultWebRoot
};

}  // namespace

struct ServeCommands::Args : ServeArgs {
  CLI::App* serve = nullptr;
};

ServeCommands::ServeCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  a.serve = app.add_subcommand(
      "serve",
      "Serve the hub over HTTP (health, metrics, API), loading its landing zone and resolving "
      "new records in the background until SIGINT or SIGTERM");
  a.serve->add_option("--data", a.data, "Hub directory")->required();
  a.serve->add_option("--port", a.port, "TCP port; 0 picks a free one (printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  a.serve->add_option("--bind", a.bind, "Address to listen on")->capture_default_str();
  a.serve
      ->add_option("--threads", a.threads,
                   "Threads serving requests. A response waits for its audit event to reach "
                   "the disk without holding a thread, so about one per core is enough")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  a.serve->add_option("--resolver-threads", a.resolver_threads, "Threads the resolver uses")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  a.serve->add_option("--audit-key", a.audit_key,
                      "HMAC key file for the audit log's checkpoints (default HUB/keys/audit.key; "
                      "keep it off the volume that holds hub.db)");
  a.serve->add_option("--interval", a.interval, "Seconds between landing-zone scans")
      ->check(CLI::Range(0.05, 86400.0))
      ->capture_default_str();
  a.serve->add_option("--tls-cert", a.tls_cert, "PEM certificate (chain): serve HTTPS")
      ->check(CLI::ExistingFile);
  a.serve->add_option("--tls-key", a.tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  a.serve->add_option("--max-body-bytes", a.max_body_bytes, "Largest request body accepted")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  a.serve
      ->add_option("--web", a.web,
                   "The built web app to serve at / (index.html and assets/, read into memory at "
                   "start). Default: $TESSERA_WEB_ROOT if set; else web/dist beside the source "
                   "tree the binary was built in (build/<preset>/../../web/dist); else "
                   "./web/dist; else no web app (build it with `make web`)")
      ->check(CLI::ExistingDirectory);
}

ServeCommands::~ServeCommands() { delete args_; }

namespace {

// --web, or where the web app was built; empty (and a log line saying so) when there is none.
std::string WebRoot(const ServeArgs& a, const Clock& clock) {
  std::string root = a.web;
  if (root.empty()) {
    const char* env = std::getenv("TESSERA_WEB_ROOT");
    std::error_code ec;
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    const std::string cwd = std::filesystem::current_path(ec).string();
    root = serve::DefaultWebRoot(
        env ? env : "", exe.empty() ? "" : std::filesystem::path(exe).parent_path().string(), cwd);
  }
  if (root.empty()) {
    serve::LogToStderr(nlohmann::json{{"time", serve::FormatTime(clock.NowMicros())},
                                      {"level", "info"},
                                      {"msg", "no web app found; build it with `make web`"}}
                           .dump());
  }
  return root;
}

int RunServe(const ServeArgs& a) {
  // Blocked before any thread starts, so that every thread inherits the mask and the signals
  // wait for sigwait below: shutdown runs on this thread, not in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const Clock& clock = SystemClock::Instance();
  int schema_version = 0;
  {
    auto store = store::OpenSqliteStore(a.data, clock);
    if (!store.ok()) return Fail(store.status());
    schema_version = (*store)->SchemaVersion();
  }
  auto metrics = std::make_shared<serve::Metrics>();
  serve::Router router;
  if (auto s = serve::AddHubRoutes(router, {.schema_version = schema_version,
                                            .started_micros = clock.NowMicros(),
                                            .clock = &clock,
                                            .metrics = metrics});
      !s.ok()) {
    return Fail(s);
  }
  api::ApiOptions api_options;
  api_options.hub_dir = a.data;
  api_options.clock = &clock;
  api_options.metrics = metrics;
  api_options.audit_key_file = a.audit_key;
  api_options.secure_cookies = !a.tls_cert.empty();
  // Records pushed over the API are resolved at once: the worker starts after the API opens.
  auto worker_slot = std::make_shared<std::atomic<serve::HubWorker*>>(nullptr);
  api_options.on_ingest = [worker_slot] {
    if (serve::HubWorker* w = worker_slot->load()) w->Notify();
  };
  auto hub_api = api::HubApi::Open(std::move(api_options));
  if (!hub_api.ok()) return Fail(hub_api.status());
  if (auto s = (*hub_api)->AddRoutes(router); !s.ok()) return Fail(s);

  serve::HubWorkerOptions worker_options;
  worker_options.hub_dir = a.data;
  worker_options.interval =
      std::chrono::milliseconds(static_cast<int64_t>(a.interval * 1000 + 0.5));
  worker_options.resolver_threads = a.resolver_threads;
  worker_options.metrics = metrics;
  auto worker = serve::HubWorker::Start(std::move(worker_options));
  if (!worker.ok()) return Fail(worker.status());
  worker_slot->store(worker->get());

  serve::ServerOptions options;
  options.bind = a.bind;
  options.port = static_cast<uint16_t>(a.port);
  options.threads = a.threads;
  options.max_body_bytes = static_cast<size_t>(a.max_body_bytes);
  options.tls_cert_file = a.tls_cert;
  options.tls_key_file = a.tls_key;
  options.metrics = metrics;
  options.gate = (*hub_api)->gate();
  options.web_root = WebRoot(a, clock);  // the server logs the directory it serves
  auto server = serve::Server::Start(std::move(router), std::move(options));
  if (!server.ok()) return Fail(server.status());

  const bool ipv6 = a.bind.find(':') != std::string::npos;
  fmt::print("listening on {}://{}{}{}:{}\n", (*server)->tls() ? "https" : "http", ipv6 ? "[" : "",
             a.bind, ipv6 ? "]" : "", (*server)->port());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "tessera: %s: stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
  worker_slot->store(nullptr);
  (*worker)->Stop();
  (*hub_api)->Stop();
  return 0;
}

}  // namespace

std::optional<int> ServeCommands::Dispatch() {
  if (args_->serve->parsed()) {
    if (args_->tls_cert.empty() != args_->tls_key.empty()) {
      return Fail(Status::InvalidArgument("--tls-cert and --tls-key go together"));
    }
    return RunServe(*args_);
  }
  return std::nullopt;
}

}  // namespace tessera::cli
