// The gate: where every non-public request is authenticated, decided by the policy engine and
// audited. See api.h for the steps; this is the only place that does them.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/internal.h"
#include "core/ascii.h"

namespace tessera::api {

namespace {

constexpr std::string_view kSessionCookie = "tessera_session";
constexpr std::string_view kCsrfCookie = "tessera_csrf";

// The value of cookie `name` in the Cookie header, or empty.
std::string CookieValue(const serve::Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (ascii::LowerCase(key) != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = ascii::TrimBlanks(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return "";
}

bool Safe(std::string_view method) { return method == "GET" || method == "HEAD"; }

// Constant-time comparison of two strings of public length.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

serve::Response Unauthenticated(std::string_view detail) {
  serve::Response r = serve::Response::Problem(401, "Unauthorized", detail);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tessera\"");
  return r;
}

std::string OutcomeFor(int status) {
  if (status < 400) return "allowed";
  if (status == 401 || status == 403) return "denied";
  if (status == 404) return "not_found";
  if (status < 500) return "rejected";
  return "error";
}

}  // namespace

std::string_view SessionCookieName() { return kSessionCookie; }
std::string_view CsrfCookieName() { return kCsrfCookie; }

CallContext& ContextOf(const serve::Request& request) {
  return *std::any_cast<std::shared_ptr<CallContext>>(request.context);
}

Result<store::AuditEvent> HubApi::Impl::Audit(store::AuditEvent event) {
  return audit->Append(std::move(event));
}

serve::Response HubApi::Impl::Gate(const serve::Route& route, serve::Request& request,
                                   const serve::Handler& handler) {
  // 1. Who is calling: a bearer token, or the session cookie (then a CSRF token on writes).
  std::string token;
  bool from_cookie = false;
  std::string_view authorization = request.Header("Authorization");
  if (!authorization.empty()) {
    if (authorization.size() <= 7 || ascii::LowerCase(authorization.substr(0, 7)) != "bearer ") {
      return Unauthenticated("use Authorization: Bearer <token>");
    }
    token = std::string(ascii::TrimBlanks(authorization.substr(7)));
  } else {
    token = CookieValue(request, kSessionCookie);
    from_cookie = !token.empty();
  }
  if (token.empty()) return Unauthenticated("sign in first: POST /api/v1/session");
  if (from_cookie && !Safe(request.method)) {
    const std::string cookie = CookieValue(request, kCsrfCookie);
    const std::string_view header = request.Header("X-CSRF-Token");
    if (cookie.empty() || !SameSecret(cookie, header)) {
      return serve::Response::Problem(
          403, "Forbidden", "a request signed in by cookie must carry the X-CSRF-Token header");
    }
  }
  auto ctx = std::make_shared<CallContext>();
  {
    auto lease = stores.Acquire();
    if (!lease.ok()) return ProblemFromStatus(lease.status());
    govern::Identity identity(**lease, clock, options.identity);
    auto session = identity.AuthenticateSession(token);
    if (!session.ok()) {
      if (session.status().code() == StatusCode::kUnauthenticated) {
        return Unauthenticated(session.status().message());
      }
      return ProblemFromStatus(session.status());
    }
    ctx->user = std::move(session->user);
    ctx->session_id = session->session_id;
    ctx->session_expires_at_micros = session->expires_at_micros;
    ctx->session_idle_expires_at_micros = session->idle_expires_at_micros;
  }
  ctx->actor = "user:" + ctx->user.username;
  const auto special = audit_actions.find(route.id);
  ctx->action = special == audit_actions.end() ? route.id : special->second;
  ctx->resource = request.path;

  auto base_event = [&]() {
    store::AuditEvent event;
    event.actor = ctx->actor;
    event.agency = std::string(model::AgencyName(ctx->user.agency));
    event.action = ctx->action;
    event.resource = ctx->resource;
    return event;
  };

  // 2. The route's roles.
  if (!route.roles.empty()) {
    const bool allowed = std::any_of(route.roles.begin(), route.roles.end(), [&](const auto& r) {
      auto role = govern::UserRoleFromName(r);
      return role && ctx->user.HasRole(*role);
    });
    if (!allowed) {
      std::string roles;
      for (const auto& r : route.roles) roles += (roles.empty() ? "" : ", ") + r;
      const std::string why = "this needs one of the roles: " + roles;
      if (route.access == serve::Access::kPersonalData || !Safe(request.method)) {
        store::AuditEvent event = base_event();
        event.outcome = "denied";
        event.detail = why;
        if (auto a = Audit(std::move(event)); !a.ok()) return ProblemFromStatus(a.status());
      }
      return serve::Response::Problem(403, "Forbidden", why);
    }
  }

  // 3. Personal data: a purpose and a justification the policy engine allows.
  if (route.access == serve::Access::kPersonalData) {
    ctx->purpose = std::string(ascii::TrimBlanks(request.Header("X-Purpose")));
    ctx->justification = std::string(ascii::TrimBlanks(request.Header("X-Justification")));
    auto lease = stores.Acquire();
    if (!lease.ok()) return ProblemFromStatus(lease.status());
    auto decision =
        policy.Decide(**lease, ctx->user, {ctx->purpose, ctx->justification, ctx->session_id});
    if (!decision.ok()) return ProblemFromStatus(decision.status());
    if (!decision->allowed) {
      store::AuditEvent event = base_event();
      event.purpose = ctx->purpose;
      event.justification = ctx->justification;
      event.outcome = "denied";
      event.detail = decision->denial;
      if (auto id = request.params.find("id");
          id != request.params.end() && route.pattern.starts_with("/api/v1/nominals/")) {
        int64_t nominal = 0;
        if (std::from_chars(id->second.data(), id->second.data() + id->second.size(), nominal).ec ==
                std::errc() &&
            nominal > 0) {
          event.nominals = {nominal};
        }
      }
      if (auto a = Audit(std::move(event)); !a.ok()) return ProblemFromStatus(a.status());
      options.metrics->AddCounter("tessera_access_denied_total",
                                  "Requests for personal data the policy engine refused.");
      return serve::Response::Problem(403, "Forbidden", decision->denial,
                                      "https://tessera.example/problems/no-agreement");
    }
    ctx->decision = std::move(decision).value();
    ctx->audit = true;
  }

  // 4. The handler, with the context.
  request.context = ctx;
  // A handler reads its JSON body with nlohmann's typed accessors, which throw type_error when
  // the client sent, say, a number where text belongs: that is the client's mistake (400), not a
  // server failure (the 500 the server gives any other exception).
  serve::Response response;
  try {
    response = handler(request);
  } catch (const nlohmann::json::type_error&) {
    response = serve::Response::Problem(400, "Bad Request",
                                        "a field of the request body has the wrong type");
  }

  // 5. The audit event, durable before anything is sent.
  if (ctx->audit) {
    store::AuditEvent event = base_event();
    event.action = ctx->action;
    event.resource = ctx->resource;
    event.purpose = ctx->purpose;
    event.justification = ctx->justification;
    if (ctx->decision) {
      event.role = ctx->decision->role;
      event.agreement = ctx->decision->AgreementList();
    }
    event.outcome = ctx->outcome.empty() ? OutcomeFor(response.status) : ctx->outcome;
    ctx->seen.Normalise();
    event.nominals = ctx->seen.nominals;
    event.records = ctx->seen.records;
    event.detail = ctx->detail;
    if (ctx->decision && ctx->decision->break_glass) {
      event.detail = "ALERT break-glass access" + (event.detail.empty() ? "" : "; " + event.detail);
      options.metrics->AddCounter("tessera_break_glass_reads_total",
                                  "Requests for personal data made under break-glass.");
    }
    // The server holds the response back until the audit log's writer has committed the event
    // durably, and sends a 503 instead if it could not; no thread waits through the commit.
    response.hold = [log = audit.get(),
                     event = std::move(event)](serve::Response::Release release) mutable {
      log->AppendAsync(std::move(event), [release = std::move(release)](
                                             Result<store::AuditEvent> stored) {
        release(stored.ok() ? Status::Ok()
                            : Status::Unavailable("the request could not be recorded in the audit "
                                                  "log, so nothing is shown; try again"));
      });
    };
  }
  return response;
}

}  // namespace tessera::api
