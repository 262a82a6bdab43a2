// The hub's governed JSON API under /api/v1 (issue 5): sessions, purposes and agreements,
// search, the single view, clerical review, data quality and audit. Design:
// docs/design/0010-governance.md; every route is in docs/api/openapi.json.
//
// Where access is checked: every route that is not public is registered with serve::Access
// kUser or kPersonalData, and the server dispatches those only through HubApi::gate()
// (gate.cc), which
//   1. authenticates the caller (Authorization: Bearer <token>, or the session cookie plus the
//      X-CSRF-Token header on anything but GET/HEAD);
//   2. checks the route's roles;
//   3. for personal data, asks govern::PolicyEngine for a decision on the stated purpose
//      (X-Purpose) and justification (X-Justification), and refuses (403, audited) without one;
//   4. runs the handler with the decision's govern::Visibility in the request context; the
//      handler records what it showed (nominal ids, record version ids);
//   5. appends one audit event (group-committed, durable) before the response leaves: the
//      server holds the response back (serve::Response::hold) until the audit log's writer has
//      committed it, without a thread waiting; if that fails the response is a 503 and nothing
//      is shown.
// Handlers read through the Visibility only (src/search, src/view), so nothing they return can
// hold more than the decision allows.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "govern/identity.h"
#include "serve/serve.h"

namespace tessera::api {

struct ApiOptions {
  std::string hub_dir;
  const Clock* clock = &SystemClock::Instance();
  std::shared_ptr<serve::Metrics> metrics;  // required
  std::string audit_key_file;               // empty: HUB/keys/audit.key
  govern::IdentityOptions identity;
  bool secure_cookies = false;  // set the cookies' Secure flag (the server runs TLS)
  // Login attempts a client address may make per minute before 429 (per-account lockout is
  // the identity layer's).
  int logins_per_minute_per_address = 20;
  // How often the search index takes in what the resolver wrote; 0: only on Refresh().
  std::chrono::milliseconds search_refresh{1000};
  // Build the search index (tests that do not search may skip it).
  bool search = true;
  // Called after a push over the API loaded records (ingest_routes.cc) or a clerical decision,
  // merge or split was recorded (review_routes.cc), so that the hub's one resolver applies it
  // now rather than at its next scan: `tessera serve` wires it to HubWorker::Notify.
  std::function<void()> on_ingest;
};

class HubApi {
 public:
  // Opens the hub's stores, the audit log and the search index (built from the store: a few
  // seconds per million records).
  static Result<std::unique_ptr<HubApi>> Open(ApiOptions options);
  ~HubApi();
  HubApi(const HubApi&) = delete;
  HubApi& operator=(const HubApi&) = delete;

  // Registers every /api/v1 route (not the operational ones: serve::AddHubRoutes).
  Status AddRoutes(serve::Router& router);
  // The gate every non-public route goes through (see the top of this file).
  serve::Gate gate();
  // Brings the search index up to date with the store now.
  Status Refresh();
  // Stops the background refresh and drains the audit log.
  void Stop();

  struct Impl;

 private:
  explicit HubApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::api
