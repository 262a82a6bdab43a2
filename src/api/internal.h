// Private to src/api: the state the routes share, the per-request context the gate sets, and
// small helpers for handlers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "geocode/geocode.h"
#include "govern/agreements.h"
#include "govern/audit_log.h"
#include "govern/identity.h"
#include "govern/policy.h"
#include "search/search.h"
#include "serve/serve.h"
#include "store/store.h"
#include "view/view.h"

namespace tessera::api {

// Stores for request threads: a Store is used by one thread at a time, so each request leases
// one for its duration. Stores are opened on demand and kept.
class StorePool {
 public:
  StorePool(std::string hub_dir, const Clock& clock)
      : hub_dir_(std::move(hub_dir)), clock_(clock) {}

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<store::Store> store)
        : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Return(std::move(store_));
    }
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  Result<Lease> Acquire();

 private:
  void Return(std::unique_ptr<store::Store> store);

  const std::string hub_dir_;
  const Clock& clock_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Store>> idle_;
};

// What the gate established about a request, for its handler (serve::Request::context).
struct CallContext {
  govern::User user;
  int64_t session_id = 0;
  int64_t session_expires_at_micros = 0;
  int64_t session_idle_expires_at_micros = 0;
  std::string actor;  // "user:alice"
  // Personal-data routes: the decision, purpose and justification.
  std::optional<govern::AccessDecision> decision;
  std::string purpose;
  std::string justification;
  // What the handler showed or did, for the audit event the gate appends.
  view::Seen seen;
  std::string action;  // defaults to the route id
  std::string resource;
  std::string detail;
  std::string outcome;  // defaults from the status: "allowed" / "denied" / "not_found" / "error"
  bool audit = false;   // kUser routes: set by a handler that changed something or read audit

  const govern::Visibility& visibility() const { return *decision->visibility; }
};

// The context the gate put in `request` (never null for a gated route).
CallContext& ContextOf(const serve::Request& request);

// A sliding one-minute window of attempts per key (a client address).
class RateLimiter {
 public:
  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}
  // True if an attempt at `now_micros` is allowed (and counts it); else the seconds to wait.
  std::optional<int> Attempt(const std::string& key, int64_t now_micros);

 private:
  const int per_minute_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> attempts_;
};

struct HubApi::Impl {
  ApiOptions options;
  const Clock& clock;
  StorePool stores;
  std::unique_ptr<govern::AuditLog> audit;
  // Places pushed records' locations: the hub's own postcode file (HUB/reference/postcodes.csv)
  // over the compiled-in gazetteer, read once when the API starts.
  std::shared_ptr<const geocode::Gazetteer> gazetteer;
  govern::PolicyEngine policy;
  RateLimiter login_limiter;
  view::SourceCatalog sources;
  std::unique_ptr<search::SearchIndex> search;
  std::mutex search_refresh_mu;  // one CatchUp at a time
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread refresher;
  // The audit action of a route whose events must stand out from ordinary reads (route id ->
  // action: "nominals.chronology" -> "disclose"); any other route's action is its id. Written
  // while routes are added, before serving; read-only after.
  std::map<std::string, std::string> audit_actions;

  Impl(ApiOptions o)
      : options(std::move(o)),
        clock(*options.clock),
        stores(options.hub_dir, *options.clock),
        policy(*options.clock),
        login_limiter(options.logins_per_minute_per_address) {}

  // The gate (gate.cc).
  serve::Response Gate(const serve::Route& route, serve::Request& request,
                       const serve::Handler& handler);
  // Appends an audit event; the caller must not show anything if it fails.
  Result<store::AuditEvent> Audit(store::AuditEvent event);
  // today, by the injected clock
  CivilDate Today() const;
  // Runs `body` with the request's view context (a leased store, the decision's Visibility);
  // a failed Status becomes its problem response. For personal-data handlers.
  using ViewBody = std::function<Result<serve::Response>(const view::ViewContext&, CallContext&)>;
  serve::Response WithView(const serve::Request& request, const ViewBody& body);

  Status AddSessionRoutes(serve::Router& router);
  Status AddGovernanceRoutes(serve::Router& router);
  Status AddPersonRoutes(serve::Router& router);
  Status AddAuditRoutes(serve::Router& router);
  Status AddWorkRoutes(serve::Router& router);    // data quality
  Status AddReviewRoutes(serve::Router& router);  // clerical review, merge, split
  Status AddIngestRoutes(serve::Router& router);  // partners' pushes (ingest_routes.cc)
  // Indicators (analytics_routes.cc).
  Status AddAnalyticsRoutes(serve::Router& router);
  // Cohorts for early-intervention teams (cohort_routes.cc).
  Status AddCohortRoutes(serve::Router& router);
  // Scores, decisions and the model registry (risk_routes.cc).
  Status AddRiskRoutes(serve::Router& router);
};

// --- helpers for handlers

serve::Response JsonResponse(int status, const nlohmann::json& body);

// A GET route serving personal data to practitioners and analysts: the person, household and
// derived-data pages.
serve::Route PersonalGet(std::string id, std::string pattern, serve::Handler handler);
// A Status as a problem response: NotFound 404, InvalidArgument 400, PermissionDenied 403,
// AlreadyExists/FailedPrecondition 409, Unavailable 503, anything else 500 (without detail).
serve::Response ProblemFromStatus(const Status& status);
// The request body as a JSON object, or the 400/415 problem to answer with.
Result<nlohmann::json> JsonBody(const serve::Request& request);
// A query-string parameter (percent-decoded), or empty.
std::string QueryParam(const serve::Request& request, std::string_view name);
// A whole-number query parameter (digits only, at most 18): nullopt when absent, else the value,
// or InvalidArgument naming it.
Result<std::optional<int64_t>> WholeQueryParam(const serve::Request& request,
                                               std::string_view name);
// The "limit" query parameter: `fallback` when absent, else 1 to `max` or InvalidArgument.
Result<int> LimitParam(const serve::Request& request, int fallback, int max);
// A positive int64 path parameter, or InvalidArgument naming it.
Result<int64_t> IdParam(const serve::Request& request, std::string_view name);
std::string IsoTime(int64_t micros);  // "2026-11-23T02:00:00Z"

// Derived data (indicators, scores, cohorts, demand) is shown only for the purpose
// "risk_assessment" under an agreement for it, never under break-glass: PermissionDenied
// otherwise, saying why.
inline constexpr std::string_view kRiskAssessment = "risk_assessment";
Status DerivedDataAllowed(const CallContext& ctx);
// The body's "reason": trimmed, 1 to kMaxReason bytes, or InvalidArgument saying what to give.
inline constexpr size_t kMaxReason = 1000;
Result<std::string> ReasonOf(const nlohmann::json& body);

}  // namespace tessera::api
