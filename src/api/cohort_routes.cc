// Cohorts for early-intervention teams (issue 7; view/cohort.h, docs/formats/cohorts.md).
// Every route is personal-data access for practitioners and analysts: a purpose and an
// agreement (the gate), and then derived data's own rule (DerivedDataAllowed: risk_assessment
// only, never break-glass). Definitions are shared by every such user; runs are shown only to
// requests of the scope they were made in (the purpose, agency, roles and agreements). Every
// call is audited, with the nominals listed; the CSV export under the action "export".
//
// Who may change a cohort: its owner, or a user of the owner's agency (cohorts are a team's
// work, and the team is the agency's). Anyone allowed may run one: a run is theirs and in their
// scope.
#include <algorithm>

#include "analytics/analytics.h"
#include "analytics/cohort.h"
#include "analytics/demand.h"
#include "api/internal.h"
#include "core/ascii.h"
#include "view/cohort.h"

namespace tessera::api {

namespace {

using nlohmann::json;

constexpr size_t kMaxName = 200;
constexpr size_t kMaxDescription = 4000;
constexpr int kRunsShown = 50;

serve::Route Personal(std::string id, std::string method, std::string pattern,
                      serve::Handler handler) {
  return serve::Route{.id = std::move(id),
                      .method = std::move(method),
                      .pattern = std::move(pattern),
                      .access = serve::Access::kPersonalData,
                      .roles = {"practitioner", "analyst"},
                      .handler = std::move(handler)};
}

// The scope of runs made, and shown, under this request's decision.
Result<std::string> ScopeOf(const CallContext& ctx) {
  std::vector<std::string> roles;
  for (govern::UserRole r : ctx.user.roles) roles.emplace_back(govern::UserRoleName(r));
  return view::CohortScope(ctx.purpose, model::AgencyName(ctx.user.agency), std::move(roles),
                           ctx.decision->agreements);
}

// The body's "definition" (an object), parsed against the hub's rules.
Result<analytics::CohortDefinition> DefinitionOf(const json& body,
                                                 const analytics::IndicatorSet& rules) {
  auto it = body.find("definition");
  if (it == body.end()) return Status::InvalidArgument("definition: is required");
  if (!it->is_object()) return Status::InvalidArgument("definition: must be a JSON object");
  return analytics::CohortDefinition::Parse(it->dump(), rules);
}

Result<std::string> TextField(const json& body, const char* key, size_t max, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string(key) + ": is required");
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(std::string(key) + ": must be text");
  std::string text(ascii::TrimBlanks(it->get<std::string>()));
  if (required && text.empty()) {
    return Status::InvalidArgument(std::string(key) + ": must not be blank");
  }
  if (text.size() > max) {
    return Status::InvalidArgument(std::string(key) + ": longer than " + std::to_string(max) +
                                   " bytes");
  }
  return text;
}

Status OnlyKeys(const json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Status::InvalidArgument(key + ": unknown key");
    }
  }
  return Status::Ok();
}

Result<store::StoredCohort> CohortOf(store::Store& store, int64_t id) {
  TRY_ASSIGN(std::optional<store::StoredCohort> cohort, store.GetCohort(id));
  if (!cohort) return Status::NotFound("no cohort " + std::to_string(id));
  return *cohort;
}

Result<json> LastRun(const view::ViewContext& vc, int64_t cohort_id, const std::string& scope) {
  TRY_ASSIGN(json runs, view::CohortRunSummaries(vc, cohort_id, scope, 1));
  return runs.empty() ? json(nullptr) : runs[0];
}

// Whether `ctx`'s user may change `cohort`: its owner, or a user of the owner's agency.
Result<bool> MayChange(store::Store& store, const CallContext& ctx,
                       const store::StoredCohort& cohort) {
  if (cohort.owner == ctx.actor) return true;
  if (!cohort.owner.starts_with("user:")) return false;
  TRY_ASSIGN(std::optional<store::StoredUser> owner,
             store.FindUserByUsername(cohort.owner.substr(5)));
  return owner && owner->agency == ctx.user.agency;
}

// A cohort route's {id} and its cohort, with the audit resource set (`tail` after the id) and
// derived data allowed.
Result<store::StoredCohort> CohortRoute(const serve::Request& request, store::Store& store,
                                        CallContext& ctx, std::string_view tail) {
  TRY_ASSIGN(int64_t id, IdParam(request, "id"));
  ctx.resource = "cohort/" + std::to_string(id) + std::string(tail);
  TRY(DerivedDataAllowed(ctx));
  return CohortOf(store, id);
}

// A run route's {id} and {run}, with the audit resource set (`tail` after the run), derived data
// allowed, and the caller's scope.
struct RunRef {
  int64_t id = 0, run = 0;
  std::string scope;
};
Result<RunRef> RunRoute(const serve::Request& request, CallContext& ctx, std::string_view tail) {
  RunRef r;
  TRY_ASSIGN(r.id, IdParam(request, "id"));
  TRY_ASSIGN(r.run, IdParam(request, "run"));
  ctx.resource =
      "cohort/" + std::to_string(r.id) + "/runs/" + std::to_string(r.run) + std::string(tail);
  TRY(DerivedDataAllowed(ctx));
  TRY_ASSIGN(r.scope, ScopeOf(ctx));
  return r;
}

}  // namespace

Status HubApi::Impl::AddCohortRoutes(serve::Router& router) {
  TRY_ASSIGN(analytics::IndicatorSet loaded, analytics::IndicatorSet::ForHub(options.hub_dir));
  auto rules = std::make_shared<const analytics::IndicatorSet>(std::move(loaded));

  TRY(router.Add(
      Personal("cohorts.list", "GET", "/api/v1/cohorts", [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "cohorts";
              if (Status s = DerivedDataAllowed(ctx); !s.ok()) return s;
              TRY_ASSIGN(std::string scope, ScopeOf(ctx));
              TRY_ASSIGN(std::vector<store::StoredCohort> cohorts, vc.store.ListCohorts());
              json out = json::array();
              for (const store::StoredCohort& c : cohorts) {
                TRY_ASSIGN(json last, LastRun(vc, c.id, scope));
                out.push_back(view::CohortJson(c, std::move(last)));
              }
              ctx.detail = "cohorts=" + std::to_string(out.size());
              return JsonResponse(200, {{"cohorts", std::move(out)}});
            });
      })));

  TRY(router.Add(Personal(
      "cohorts.create", "POST", "/api/v1/cohorts", [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "cohorts";
              if (Status s = DerivedDataAllowed(ctx); !s.ok()) return s;
              TRY_ASSIGN(json body, JsonBody(request));
              if (Status s = OnlyKeys(body, {"name", "description", "definition"}); !s.ok())
                return s;
              store::StoredCohort cohort;
              TRY_ASSIGN(cohort.name, TextField(body, "name", kMaxName, true));
              TRY_ASSIGN(cohort.description,
                         TextField(body, "description", kMaxDescription, false));
              TRY_ASSIGN(analytics::CohortDefinition definition, DefinitionOf(body, *rules));
              cohort.definition = definition.ToJson();
              cohort.owner = ctx.actor;
              TRY_ASSIGN(auto txn, vc.store.Begin());
              // A name already taken is AlreadyExists (409), saying so.
              TRY_ASSIGN(int64_t id, vc.store.PutCohort(*txn, cohort));
              if (Status s = txn->Commit(); !s.ok()) return s;
              TRY_ASSIGN(store::StoredCohort stored, CohortOf(vc.store, id));
              ctx.resource = "cohort/" + std::to_string(id);
              ctx.detail = "created; name=" + stored.name;
              return JsonResponse(201, view::CohortJson(stored, nullptr));
            });
      })));

  TRY(router.Add(Personal(
      "cohorts.preview", "POST", "/api/v1/cohorts/preview",
      [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "cohorts/preview";
              if (Status s = DerivedDataAllowed(ctx); !s.ok()) return s;
              TRY_ASSIGN(json body, JsonBody(request));
              if (Status s = OnlyKeys(body, {"definition"}); !s.ok()) return s;
              TRY_ASSIGN(analytics::CohortDefinition definition, DefinitionOf(body, *rules));
              TRY_ASSIGN(std::vector<view::CohortMember> members,
                         view::RunCohort(vc, *rules, definition, vc.today));
              const int64_t n = static_cast<int64_t>(members.size());
              const bool suppressed = n > 0 && n < analytics::kSuppressBelow;
              ctx.detail = "preview; members=" + (suppressed ? "<5" : std::to_string(n)) +
                           "; definition=" + definition.ToJson();
              return JsonResponse(200, {{"as_of", vc.today.ToIso()},
                                        {"members", suppressed ? json(nullptr) : json(n)},
                                        {"suppressed", suppressed},
                                        {"suppress_below", analytics::kSuppressBelow}});
            });
      })));

  TRY(router.Add(
      Personal("cohorts.get", "GET", "/api/v1/cohorts/{id}", [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(store::StoredCohort cohort, CohortRoute(request, vc.store, ctx, ""));
              const int64_t id = cohort.id;
              TRY_ASSIGN(std::string scope, ScopeOf(ctx));
              TRY_ASSIGN(json runs, view::CohortRunSummaries(vc, id, scope, kRunsShown));
              json out = view::CohortJson(cohort, runs.empty() ? json(nullptr) : runs[0]);
              out["runs"] = std::move(runs);
              return JsonResponse(200, out);
            });
      })));

  TRY(router.Add(Personal(
      "cohorts.update", "PUT", "/api/v1/cohorts/{id}",
      [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(store::StoredCohort cohort, CohortRoute(request, vc.store, ctx, ""));
              const int64_t id = cohort.id;
              TRY_ASSIGN(bool may, MayChange(vc.store, ctx, cohort));
              if (!may) {
                return Status::PermissionDenied(
                    "only the cohort's owner (" + cohort.owner +
                    ") or a user of their agency may change it; run it or copy it instead");
              }
              TRY_ASSIGN(json body, JsonBody(request));
              if (Status s = OnlyKeys(body, {"name", "description", "definition"}); !s.ok())
                return s;
              if (body.contains("name")) {
                TRY_ASSIGN(cohort.name, TextField(body, "name", kMaxName, true));
              }
              if (body.contains("description")) {
                TRY_ASSIGN(cohort.description,
                           TextField(body, "description", kMaxDescription, false));
              }
              if (body.contains("definition")) {
                TRY_ASSIGN(analytics::CohortDefinition definition, DefinitionOf(body, *rules));
                cohort.definition = definition.ToJson();
              }
              TRY_ASSIGN(auto txn, vc.store.Begin());
              if (Status s = vc.store.PutCohort(*txn, cohort).status(); !s.ok()) return s;
              if (Status s = txn->Commit(); !s.ok()) return s;
              TRY_ASSIGN(store::StoredCohort stored, CohortOf(vc.store, id));
              TRY_ASSIGN(std::string scope, ScopeOf(ctx));
              TRY_ASSIGN(json last, LastRun(vc, id, scope));
              ctx.detail = "updated; name=" + stored.name;
              return JsonResponse(200, view::CohortJson(stored, std::move(last)));
            });
      })));

  TRY(router.Add(Personal(
      "cohorts.run", "POST", "/api/v1/cohorts/{id}/runs",
      [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(store::StoredCohort cohort, CohortRoute(request, vc.store, ctx, "/runs"));
              const int64_t id = cohort.id;
              // The stored definition is checked against today's rules: an indicator taken out
              // of the hub's rules since is a 400 naming it, not a silent empty cohort.
              TRY_ASSIGN(analytics::CohortDefinition definition,
                         analytics::CohortDefinition::Parse(cohort.definition, *rules));
              TRY_ASSIGN(std::string scope, ScopeOf(ctx));
              TRY_ASSIGN(std::vector<view::CohortMember> members,
                         view::RunCohort(vc, *rules, definition, vc.today));
              store::StoredCohortRun run;
              run.cohort_id = id;
              run.as_of = vc.today;
              run.actor = ctx.actor;
              run.scope = scope;
              run.definition = definition.ToJson();
              std::vector<store::StoredCohortMember> stored = view::ToStoredMembers(members);
              TRY_ASSIGN(auto txn, vc.store.Begin(store::Store::TransactionMode::kAllOrNothing));
              TRY_ASSIGN(int64_t run_id, vc.store.AddCohortRun(*txn, run, stored));
              if (Status s = txn->Commit(); !s.ok()) return s;
              TRY_ASSIGN(json summary, view::CohortRunSummary(vc, id, run_id, scope));
              ctx.resource = "cohort/" + std::to_string(id) + "/runs/" + std::to_string(run_id);
              ctx.detail = "run; members=" + std::to_string(members.size());
              return JsonResponse(201, summary);
            });
      })));

  TRY(router.Add(Personal(
      "cohorts.members", "GET", "/api/v1/cohorts/{id}/runs/{run}/members",
      [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(RunRef ref, RunRoute(request, ctx, "/members"));
              TRY_ASSIGN(int limit, LimitParam(request, 50, 500));
              TRY_ASSIGN(std::optional<int64_t> offset, WholeQueryParam(request, "offset"));
              if (offset && *offset > 10'000'000) {
                return Status::InvalidArgument("offset must be at most 10000000");
              }
              TRY_ASSIGN(json body,
                         view::CohortRunMembers(vc, ref.id, ref.run, ref.scope, limit,
                                                static_cast<int>(offset.value_or(0)), ctx.seen));
              ctx.detail = "members=" + std::to_string(body["members"].size()) +
                           "; offset=" + std::to_string(offset.value_or(0));
              return JsonResponse(200, body);
            });
      })));

  // The export leaves the hub: audited as "export", refused below 5 members.
  audit_actions["cohorts.export"] = "export";
  TRY(router.Add(Personal(
      "cohorts.export", "GET", "/api/v1/cohorts/{id}/runs/{run}/export.csv",
      [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(RunRef ref, RunRoute(request, ctx, "/export.csv"));
              TRY_ASSIGN(std::string csv,
                         view::CohortRunCsv(vc, ref.id, ref.run, ref.scope, ctx.seen));
              ctx.detail = "csv; members=" + std::to_string(ctx.seen.nominals.size());
              serve::Response r;
              r.status = 200;
              r.content_type = "text/csv; charset=utf-8";
              r.body = std::move(csv);
              r.headers.emplace_back("Content-Disposition", "attachment; filename=\"cohort-" +
                                                                std::to_string(ref.id) + "-run-" +
                                                                std::to_string(ref.run) + ".csv\"");
              return r;
            });
      })));
  return Status::Ok();
}

}  // namespace tessera::api
