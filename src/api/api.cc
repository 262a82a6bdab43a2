#include "api/api.h"

#include <filesystem>

#include "api/internal.h"
#include "core/ascii.h"

namespace tessera::api {

// ---------------------------------------------------------------------------------------------
// StorePool

Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<store::Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(store));
    }
  }
  TRY_ASSIGN(std::unique_ptr<store::Store> store, store::OpenSqliteStore(hub_dir_, clock_));
  return Lease(this, std::move(store));
}

void StorePool::Return(std::unique_ptr<store::Store> store) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(store));
}

// ---------------------------------------------------------------------------------------------
// RateLimiter

std::optional<int> RateLimiter::Attempt(const std::string& key, int64_t now_micros) {
  constexpr int64_t kWindow = int64_t{60} * 1'000'000;
  std::lock_guard lock(mu_);
  if (attempts_.size() > 100'000) attempts_.clear();  // bounded memory under a flood
  std::deque<int64_t>& times = attempts_[key];
  while (!times.empty() && times.front() <= now_micros - kWindow) times.pop_front();
  if (static_cast<int>(times.size()) >= per_minute_) {
    const int64_t wait = times.front() + kWindow - now_micros;
    return static_cast<int>(wait / 1'000'000) + 1;
  }
  times.push_back(now_micros);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Helpers

serve::Response JsonResponse(int status, const nlohmann::json& body) {
  return serve::Response::Json(status,
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

serve::Response ProblemFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return serve::Response::Problem(404, "Not Found", status.message());
    case StatusCode::kInvalidArgument:
      return serve::Response::Problem(400, "Bad Request", status.message());
    case StatusCode::kPermissionDenied:
      return serve::Response::Problem(403, "Forbidden", status.message());
    case StatusCode::kUnauthenticated:
      return serve::Response::Problem(401, "Unauthorized", status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return serve::Response::Problem(409, "Conflict", status.message());
    case StatusCode::kUnavailable:
      return serve::Response::Problem(503, "Service Unavailable", "the hub is busy; try again");
    default:
      return serve::Response::Problem(
          500, "Internal Server Error",
          "the server failed; quote the X-Request-Id when reporting it");
  }
}

Result<nlohmann::json> JsonBody(const serve::Request& request) {
  std::string_view type = request.Header("Content-Type");
  const std::string lower = ascii::LowerCase(type.substr(0, type.find(';')));
  if (ascii::TrimBlanks(lower) != "application/json") {
    return Status::InvalidArgument("the body must be application/json");
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return body;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string QueryParam(const serve::Request& request, std::string_view name) {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
  }
  return "";
}

Result<std::optional<int64_t>> WholeQueryParam(const serve::Request& request,
                                               std::string_view name) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return std::optional<int64_t>();
  if (text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(std::string(name) + " must be a whole number");
  }
  return std::optional<int64_t>(std::stoll(text));
}

Result<int> LimitParam(const serve::Request& request, int fallback, int max) {
  TRY_ASSIGN(std::optional<int64_t> limit, WholeQueryParam(request, "limit"));
  if (!limit) return fallback;
  if (*limit < 1 || *limit > max) {
    return Status::InvalidArgument("limit must be 1 to " + std::to_string(max));
  }
  return static_cast<int>(*limit);
}

Result<int64_t> IdParam(const serve::Request& request, std::string_view name) {
  auto it = request.params.find(std::string(name));
  if (it == request.params.end() || it->second.empty() || it->second.size() > 18) {
    return Status::InvalidArgument(std::string(name) + " must be a positive whole number");
  }
  int64_t value = 0;
  for (char c : it->second) {
    if (!ascii::IsDigit(c)) {
      return Status::InvalidArgument(std::string(name) + " must be a positive whole number");
    }
    value = value * 10 + (c - '0');
  }
  if (value <= 0) return Status::InvalidArgument(std::string(name) + " must be positive");
  return value;
}

std::string IsoTime(int64_t micros) { return FormatUtc(micros); }

Status DerivedDataAllowed(const CallContext& ctx) {
  if (ctx.purpose != kRiskAssessment) {
    return Status::PermissionDenied(
        "indicators, scores and cohorts are derived data, shown only for the purpose '" +
        std::string(kRiskAssessment) + "' (X-Purpose: " + std::string(kRiskAssessment) +
        ") under an agreement for it; this request states '" + ctx.purpose + "'");
  }
  if (ctx.decision->break_glass) {
    return Status::PermissionDenied(
        "derived data is not shown under break-glass: it needs an agreement for '" +
        std::string(kRiskAssessment) + "'");
  }
  return Status::Ok();
}

Result<std::string> ReasonOf(const nlohmann::json& body) {
  auto it = body.find("reason");
  if (it == body.end() || !it->is_string()) {
    return Status::InvalidArgument("give a \"reason\": why you decided (it is kept with it)");
  }
  std::string reason(ascii::TrimBlanks(it->get<std::string>()));
  if (reason.empty()) {
    return Status::InvalidArgument("give a \"reason\": why you decided (it is kept with it)");
  }
  if (reason.size() > kMaxReason) {
    return Status::InvalidArgument("the reason is longer than " + std::to_string(kMaxReason) +
                                   " bytes");
  }
  return reason;
}

CivilDate HubApi::Impl::Today() const { return CivilDate::FromMicros(clock.NowMicros()); }

// ---------------------------------------------------------------------------------------------
// HubApi

HubApi::HubApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubApi::~HubApi() { Stop(); }

Result<std::unique_ptr<HubApi>> HubApi::Open(ApiOptions options) {
  if (!options.metrics) return Status::InvalidArgument("the API needs the server's metrics");
  if (options.clock == nullptr) options.clock = &SystemClock::Instance();
  auto impl = std::make_unique<Impl>(std::move(options));
  govern::AuditLogOptions audit_options;
  audit_options.files.key_file = impl->options.audit_key_file;
  audit_options.clock = impl->options.clock;
  TRY_ASSIGN(impl->audit, govern::AuditLog::Open(impl->options.hub_dir, audit_options));
  impl->gazetteer = geocode::LoadHubGazetteer(impl->options.hub_dir).gazetteer;
  const std::string mappings = (std::filesystem::path(impl->options.hub_dir) / "mappings").string();
  if (std::filesystem::is_directory(mappings)) {
    TRY_ASSIGN(impl->sources, view::SourceCatalog::Load(mappings));
  }
  if (impl->options.search) {
    TRY_ASSIGN(auto lease, impl->stores.Acquire());
    TRY_ASSIGN(impl->search, search::SearchIndex::Build(*lease));
  }
  std::unique_ptr<HubApi> api(new HubApi(std::move(impl)));
  Impl* self = api->impl_.get();
  if (self->search && self->options.search_refresh.count() > 0) {
    self->refresher = std::thread([self] {
      std::unique_lock lock(self->stop_mu);
      while (!self->stop_cv.wait_for(lock, self->options.search_refresh,
                                     [self] { return self->stopping; })) {
        lock.unlock();
        std::lock_guard refresh(self->search_refresh_mu);
        auto lease = self->stores.Acquire();
        Status s = lease.ok() ? self->search->CatchUp(**lease) : lease.status();
        if (!s.ok()) {
          self->options.metrics->AddCounter("tessera_search_refresh_errors_total",
                                            "Search index refreshes that failed (retried).");
        }
        lock.lock();
      }
    });
  }
  return api;
}

Status HubApi::Refresh() {
  if (!impl_->search) return Status::Ok();
  std::lock_guard refresh(impl_->search_refresh_mu);
  TRY_ASSIGN(auto lease, impl_->stores.Acquire());
  return impl_->search->CatchUp(*lease);
}

void HubApi::Stop() {
  {
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->refresher.joinable()) impl_->refresher.join();
  if (impl_->audit) impl_->audit->Stop();
}

serve::Gate HubApi::gate() {
  Impl* impl = impl_.get();
  return [impl](const serve::Route& route, serve::Request& request, const serve::Handler& handler) {
    return impl->Gate(route, request, handler);
  };
}

Status HubApi::AddRoutes(serve::Router& router) {
  TRY(impl_->AddSessionRoutes(router));
  TRY(impl_->AddGovernanceRoutes(router));
  TRY(impl_->AddPersonRoutes(router));
  TRY(impl_->AddAuditRoutes(router));
  TRY(impl_->AddWorkRoutes(router));
  TRY(impl_->AddReviewRoutes(router));
  TRY(impl_->AddIngestRoutes(router));
  TRY(impl_->AddAnalyticsRoutes(router));
  TRY(impl_->AddCohortRoutes(router));
  TRY(impl_->AddRiskRoutes(router));
  return Status::Ok();
}

}  // namespace tessera::api
