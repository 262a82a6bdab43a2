// Serve: the hub's HTTP/1.1 server (Boost.Beast, async; docs/design/0009-http-server.md).
//
// Every route is registered in one Router with an id, a method, a path pattern and whether it
// serves personal data. The Server matches each request, applies the limits (body, header,
// read and idle time, connections), answers unknown paths and methods with RFC 7807 problem
// JSON, adds the security headers to every response, counts and times each request by route
// id for /metrics, and logs one JSON line per request.
//
// The web app (ServerOptions::web_root, the built web/dist) is served from memory for GET and
// HEAD on any path no route claims outside /api/: a file by its exact path, and index.html for
// "/" and for any path whose last segment has no '.' (the app's own routes, "/person/12").
// Files under /assets/ are content-hashed by the build and cached for a year; the rest
// (index.html) are revalidated by ETag (304). Route id "web".
//
// Access (issue 5): a route is public, for signed-in users, or serves personal data. Every route
// that is not public is dispatched only through ServerOptions::gate (src/api/gate.cc), which
// authenticates the caller, asks govern's policy engine, runs the handler itself, and audits
// what the handler showed before the response leaves. A server with a non-public route and no
// gate refuses to start: deny by default, and no route can forget the engine.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tessera::serve {

// ---------------------------------------------------------------------------------------------
// Requests and responses, as handlers see them.

struct Request {
  std::string method;  // "GET", as sent
  std::string path;    // the target without its query string, as sent (not decoded)
  std::string query;   // after '?', without it; empty if none
  std::map<std::string, std::string> params;  // path parameters: {id} -> "42" (percent-decoded)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string request_id;  // also sent back as X-Request-Id
  std::string remote;      // the peer's address, for rate limits and logs
  // What the gate established (who is calling, what they may see), for the handler: set by the
  // gate, read by handlers with std::any_cast. Empty for public routes.
  std::any context;

  // The first header of that name (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the server's own
  // Nothing is cached unless its response says so: personal data, live state and errors are
  // no-store; only the web app's static files are cacheable.
  std::string cache_control = "no-store";
  // When set, the server sends this response only once `hold` has called the function it is
  // given: with OK, this response; with an error, a 503 problem whose detail is the error's
  // message, instead. It may call it from any thread, and must not block. The server's thread
  // serves other connections meanwhile. This is how the gate keeps personal data from leaving
  // before its audit event is durable without holding a thread through the commit.
  using Release = std::function<void(Status)>;
  std::function<void(Release)> hold;

  static Response Json(int status, std::string body);
  // An RFC 7807 problem: {"type", "title", "status", "detail"} as application/problem+json.
  // `type` is a URI naming the kind of problem; "about:blank" when the status says it all.
  static Response Problem(int status, std::string_view title, std::string_view detail,
                          std::string_view type = "about:blank");
};

using Handler = std::function<Response(const Request&)>;

// ---------------------------------------------------------------------------------------------
// Routes

enum class Access {
  kPublic,        // anyone: /healthz, /metrics, the OpenAPI document, logging in
  kUser,          // a signed-in user, holding one of `roles` when any are listed
  kPersonalData,  // kUser, plus a purpose and justification the policy engine allows
};

struct Route {
  std::string id;       // stable name: the metrics label, the log field, the OpenAPI operationId
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/api/v1/nominals/{id}": literal segments and whole-segment {params}
  Access access = Access::kPublic;      // anything but kPublic goes through the gate (see top)
  std::vector<std::string> roles = {};  // with kUser/kPersonalData: allowed role names; empty: any
  Handler handler;
};

class Router {
 public:
  // InvalidArgument if the id, method or pattern is malformed (a pattern starts with '/', has
  // no empty segment, and a parameter is a whole segment "{name}" with a unique name);
  // AlreadyExists if the id, or the method with an equivalent pattern, is taken.
  Status Add(Route route);

  struct Match {
    const Route* route = nullptr;  // set when status is 200
    int status = 404;              // 200, 404 (no pattern matches) or 405 (no such method)
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // with 405: the methods the path has, for Allow
  };
  // Literal segments win over parameters, segment by segment.
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// ---------------------------------------------------------------------------------------------
// Metrics: request counts and latency histograms by route, plus the counters and gauges the
// hub's own work reports (ingest, resolver). Thread-safe. Rendered in the Prometheus text
// exposition format (version 0.0.4).

class Metrics {
 public:
  // Upper bounds of the latency histogram buckets, in seconds.
  static const std::vector<double>& LatencyBuckets();

  void ObserveRequest(std::string_view route_id, int status, double seconds);
  // A counter only ever grows; a gauge is set. `name` must be a Prometheus metric name.
  void AddCounter(std::string_view name, std::string_view help, double amount = 1);
  void SetGauge(std::string_view name, std::string_view help, double value);

  double Counter(std::string_view name) const;  // 0 if never added; gauges too
  int64_t Requests(std::string_view route_id, int status) const;
  std::string RenderPrometheus() const;

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // per bound, not cumulative
    int64_t count = 0;
    double sum = 0;
  };
  struct Value {
    std::string help;
    bool counter = true;
    double value = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, Value> values_;
};

// ---------------------------------------------------------------------------------------------
// The server

// Runs a non-public route: decides whether the request may proceed, and if so sets
// request.context and calls `handler`; returns the response to send (the handler's, or a
// refusal: 401, 403...). src/api/gate.cc provides it (issue 5).
using Gate = std::function<Response(const Route&, Request&, const Handler& handler)>;

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (Server::port() says which)
  int threads = 2;
  size_t max_body_bytes = 1 << 20;                 // larger: 413
  size_t max_header_bytes = 8 << 10;               // request line and headers; larger: 431
  std::chrono::milliseconds read_timeout{10'000};  // from a request's first byte to its last
  std::chrono::milliseconds idle_timeout{30'000};  // a keep-alive connection between requests
  std::chrono::milliseconds write_timeout{30'000};
  int max_connections = 512;  // beyond: 503 and close
  // TLS when both are set: PEM files. Adds Strict-Transport-Security.
  std::string tls_cert_file;
  std::string tls_key_file;
  const Clock* clock = &SystemClock::Instance();  // log times
  uint64_t request_id_seed = 0;                   // 0: from std::random_device
  // One JSON line per request (and server events). Default: stderr.
  std::function<void(std::string_view line)> log;
  std::shared_ptr<Metrics> metrics;  // created when empty
  Gate gate;
  // The built web app (web/dist: index.html, assets/...), read whole into memory at Start
  // (at most 64 MiB); empty: none. Start fails if it is set but not a readable directory with
  // an index.html. Symbolic links are followed only to files inside it.
  std::string web_root;
};

class Server {
 public:
  // Binds, listens and starts the threads. InvalidArgument for bad options or routes (a
  // non-public route without a gate); IoError if the address cannot be bound or the TLS files
  // cannot be read.
  static Result<std::unique_ptr<Server>> Start(Router router, ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  bool tls() const;
  Metrics& metrics();
  // Graceful: stops accepting, lets requests in flight finish (up to `grace`), closes idle
  // keep-alive connections, then stops the threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// The hub's operational routes: GET /healthz, GET /metrics, GET /api/v1/openapi.json.

struct HubStatus {
  int schema_version = 0;
  int64_t started_micros = 0;  // by `clock`
  const Clock* clock = &SystemClock::Instance();
  std::shared_ptr<Metrics> metrics;
};

Status AddHubRoutes(Router& router, HubStatus status);

// docs/api/openapi.json, compiled in.
std::string_view OpenApiDocument();

// ---------------------------------------------------------------------------------------------
// The hub's background work, in-process: the landing-zone watcher and the one resolver.
//
// A thread scans HUB/landing every `interval` (ingest::ProcessLandingZone, as `tessera ingest
// --watch` does) with its own Store. The resolver is opened once, on that thread, and kept for
// the worker's lifetime (it holds HUB/resolver.lock); it runs at start if the hub has unresolved
// records, after every scan that loaded something, and as soon as it can after Notify() (records
// pushed over the API). Without HUB/models/linkage.json a model is
// trained from the store first (as `tessera resolve` does) and saved. Failures are logged and
// retried on the next scan: a watcher runs unattended.
//
// Metrics: tessera_ingest_files_loaded_total, tessera_ingest_rows_loaded_total,
// tessera_ingest_rows_quarantined_total, tessera_ingest_files_failed_total,
// tessera_ingest_scan_errors_total, tessera_resolver_runs_total,
// tessera_resolver_records_resolved_total, tessera_resolver_errors_total (counters);
// tessera_resolver_last_run_seconds, tessera_resolver_queue_depth (records loaded and not yet
// resolved) and tessera_nominals (gauges).

struct HubWorkerOptions {
  std::string hub_dir;
  std::chrono::milliseconds interval{5000};
  int resolver_threads = 2;
  bool resolve = true;
  const Clock* clock = &SystemClock::Instance();
  std::shared_ptr<Metrics> metrics;
  std::function<void(std::string_view line)> log;  // JSON lines; default stderr
};

class HubWorker {
 public:
  // Starts the thread. The first scan begins at once.
  static Result<std::unique_ptr<HubWorker>> Start(HubWorkerOptions options);
  ~HubWorker();  // Stop()
  HubWorker(const HubWorker&) = delete;
  HubWorker& operator=(const HubWorker&) = delete;

  // Finishes the scan or run in progress, then stops. Idempotent.
  void Stop();
  // Records were loaded by someone else (a push over the API): run the resolver now rather than
  // at the next scan. Calls while a run is waiting or in progress fold into one more run.
  void Notify();
  // Scans completed so far (for tests).
  int64_t scans() const;

  struct Impl;

 private:
  explicit HubWorker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Where `tessera serve` finds the web app when --web is not given, or empty for none: the
// environment's TESSERA_WEB_ROOT (`env_web_root`, when not empty); else `exe_dir`/../../web/dist
// (the binary is build/<preset>/tessera) if it holds index.html; else `cwd`/web/dist if it does.
std::string DefaultWebRoot(std::string_view env_web_root, const std::string& exe_dir,
                           const std::string& cwd);

// The log line writer both use by default: one line to stderr, whole.
void LogToStderr(std::string_view line);
// RFC 3339 UTC with milliseconds: "2026-11-23T02:00:00.123Z".
std::string FormatTime(int64_t micros);

}  // namespace tessera::serve
