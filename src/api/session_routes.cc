// Signing in and out, session status, the purposes a user may state, and break-glass.
#include "api/internal.h"
#include "core/ascii.h"
#include "govern/agreements.h"

namespace tessera::api {

std::string_view SessionCookieName();
std::string_view CsrfCookieName();

namespace {

using nlohmann::json;

json UserJson(const govern::User& user) {
  json roles = json::array();
  for (govern::UserRole r : user.roles) roles.push_back(std::string(govern::UserRoleName(r)));
  return {{"username", user.username},
          {"display_name", user.display_name},
          {"agency", std::string(model::AgencyName(user.agency))},
          {"roles", roles},
          {"trained_on", user.trained_on.ToIso()},
          {"training_expires", user.training_expires.ToIso()}};
}

std::string Cookie(std::string_view name, std::string_view value, bool http_only, bool secure,
                   int64_t max_age_seconds) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=/; SameSite=Strict";
  c += "; Max-Age=" + std::to_string(max_age_seconds);
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

}  // namespace

Status HubApi::Impl::AddSessionRoutes(serve::Router& router) {
  // POST /api/v1/session: sign in.
  serve::Route login{
      .id = "session.login",
      .method = "POST",
      .pattern = "/api/v1/session",
      .access = serve::Access::kPublic,
      .handler = [this](const serve::Request& request) -> serve::Response {
        const int64_t now = clock.NowMicros();
        if (auto wait = login_limiter.Attempt(request.remote, now)) {
          serve::Response r = serve::Response::Problem(
              429, "Too Many Requests", "too many sign-in attempts from this address; wait");
          r.headers.emplace_back("Retry-After", std::to_string(*wait));
          return r;
        }
        auto body = JsonBody(request);
        if (!body.ok()) return ProblemFromStatus(body.status());
        auto username = body->find("username");
        auto password = body->find("password");
        if (username == body->end() || !username->is_string() || password == body->end() ||
            !password->is_string()) {
          return serve::Response::Problem(400, "Bad Request",
                                          "send {\"username\": ..., \"password\": ...}");
        }
        const std::string name = username->get<std::string>();
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        govern::Identity identity(**lease, clock, options.identity);
        govern::PasswordProvider provider(identity);
        auto grant = identity.Login(provider, name, password->get<std::string>());
        store::AuditEvent event;
        event.action = "session.login";
        event.resource = "session";
        if (!grant.ok()) {
          if (grant.status().code() != StatusCode::kUnauthenticated) {
            return ProblemFromStatus(grant.status());
          }
          event.actor = "anonymous@" + request.remote;
          event.outcome = "denied";
          event.detail = "username=" + ascii::EscapedForTerminal(name.substr(0, 64));
          if (auto a = Audit(std::move(event)); !a.ok()) return ProblemFromStatus(a.status());
          options.metrics->AddCounter("tessera_login_failures_total", "Sign-in attempts refused.");
          return serve::Response::Problem(401, "Unauthorized", govern::kAuthenticationFailed);
        }
        auto user = identity.GetUser(name);
        if (!user.ok()) return ProblemFromStatus(user.status());
        event.actor = "user:" + user->username;
        event.agency = std::string(model::AgencyName(user->agency));
        event.outcome = "allowed";
        event.resource = "session/" + std::to_string(grant->session_id);
        event.detail = "from=" + request.remote;
        if (auto a = Audit(std::move(event)); !a.ok()) return ProblemFromStatus(a.status());
        // The double-submit CSRF token: 20 random characters (OpenSSL RAND_bytes).
        auto csrf = govern::GeneratePassword();
        if (!csrf.ok()) return ProblemFromStatus(csrf.status());
        const int64_t lifetime = (grant->expires_at_micros - now) / 1'000'000;
        json out = {{"token", grant->token},
                    {"csrf_token", *csrf},
                    {"expires_at", IsoTime(grant->expires_at_micros)},
                    {"idle_timeout_seconds", options.identity.idle_timeout_micros / 1'000'000},
                    {"user", UserJson(*user)}};
        serve::Response r = JsonResponse(201, out);
        r.headers.emplace_back("Set-Cookie", Cookie(SessionCookieName(), grant->token, true,
                                                    options.secure_cookies, lifetime));
        r.headers.emplace_back(
            "Set-Cookie", Cookie(CsrfCookieName(), *csrf, false, options.secure_cookies, lifetime));
        return r;
      }};
  TRY(router.Add(std::move(login)));

  // GET /api/v1/session: who am I, until when, and which purposes may I state.
  serve::Route status{
      .id = "session.status",
      .method = "GET",
      .pattern = "/api/v1/session",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto purposes = policy.PurposesFor(**lease, ctx.user);
        if (!purposes.ok()) return ProblemFromStatus(purposes.status());
        json list = json::array();
        for (const auto& p : *purposes) {
          list.push_back({{"code", p.code}, {"name", p.name}, {"agreements", p.agreements}});
        }
        json out = {{"user", UserJson(ctx.user)},
                    {"trained", govern::IsTrained(ctx.user, Today())},
                    {"expires_at", IsoTime(ctx.session_expires_at_micros)},
                    {"idle_expires_at", IsoTime(ctx.session_idle_expires_at_micros)},
                    {"idle_timeout_seconds", options.identity.idle_timeout_micros / 1'000'000},
                    {"purposes", list},
                    {"break_glass", nullptr}};
        auto glass = (*lease)->FindActiveBreakGlass(ctx.session_id, clock.NowMicros());
        if (!glass.ok()) return ProblemFromStatus(glass.status());
        if (*glass) {
          out["break_glass"] = {{"id", (*glass)->id},
                                {"purpose", (*glass)->purpose},
                                {"expires_at", IsoTime((*glass)->expires_at_micros)}};
        }
        return JsonResponse(200, out);
      }};
  TRY(router.Add(std::move(status)));

  // DELETE /api/v1/session: sign out.
  serve::Route logout{
      .id = "session.logout",
      .method = "DELETE",
      .pattern = "/api/v1/session",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto txn = (*lease)->Begin();
        if (!txn.ok()) return ProblemFromStatus(txn.status());
        if (Status s = (*lease)->RevokeSession(**txn, ctx.session_id, "logout"); !s.ok()) {
          return ProblemFromStatus(s);
        }
        if (auto s = (*lease)->EndBreakGlass(**txn, ctx.session_id); !s.ok()) {
          return ProblemFromStatus(s.status());
        }
        if (Status s = (*txn)->Commit(); !s.ok()) return ProblemFromStatus(s);
        ctx.audit = true;
        ctx.resource = "session/" + std::to_string(ctx.session_id);
        serve::Response r;
        r.status = 204;
        r.content_type = "application/json";
        r.headers.emplace_back("Set-Cookie",
                               Cookie(SessionCookieName(), "", true, options.secure_cookies, 0));
        r.headers.emplace_back("Set-Cookie",
                               Cookie(CsrfCookieName(), "", false, options.secure_cookies, 0));
        return r;
      }};
  TRY(router.Add(std::move(logout)));

  // POST /api/v1/session/break-glass: emergency access for one purpose, audited as an alert.
  serve::Route glass{
      .id = "session.break_glass",
      .method = "POST",
      .pattern = "/api/v1/session/break-glass",
      .access = serve::Access::kUser,
      .roles = {"practitioner"},
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto body = JsonBody(request);
        if (!body.ok()) return ProblemFromStatus(body.status());
        const std::string purpose = body->value("purpose", "");
        const std::string reason = body->value("reason", "");
        int minutes = 60;
        if (auto m = body->find("minutes"); m != body->end()) {
          if (!m->is_number_integer() || m->get<int>() < 1 || m->get<int>() > 60) {
            return serve::Response::Problem(400, "Bad Request", "minutes must be 1 to 60");
          }
          minutes = m->get<int>();
        }
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto grant = policy.StartBreakGlass(**lease, ctx.user, ctx.session_id, purpose, reason,
                                            int64_t{minutes} * 60 * 1'000'000);
        ctx.audit = true;
        ctx.purpose = purpose;
        ctx.justification = reason;
        if (!grant.ok()) {
          ctx.outcome = "denied";
          ctx.detail = std::string(grant.status().message());
          return ProblemFromStatus(grant.status());
        }
        ctx.outcome = "alert";
        ctx.resource = "break_glass/" + std::to_string(grant->id);
        ctx.detail = "ALERT break-glass started; expires " + IsoTime(grant->expires_at_micros);
        options.metrics->AddCounter("tessera_break_glass_started_total",
                                    "Break-glass grants started (each an audit alert).");
        return JsonResponse(201, {{"id", grant->id},
                                  {"purpose", grant->purpose},
                                  {"expires_at", IsoTime(grant->expires_at_micros)}});
      }};
  TRY(router.Add(std::move(glass)));
  return Status::Ok();
}

}  // namespace tessera::api
