// Indicators (issue 7): flags derived from a person's or a household's visible timeline
// (src/analytics, view.h NominalIndicators). Derived data is shown only for the purpose
// "risk_assessment" and only under an agreement for it (not break-glass), and is computed only
// from what that agreement shares: the view reads through the decision's Visibility. Audited
// by the gate like every personal read, with the nominals and the source records behind the
// events listed.
#include "analytics/analytics.h"
#include "api/internal.h"

namespace tessera::api {

namespace {

using nlohmann::json;

constexpr std::string_view kRiskAssessment = "risk_assessment";

// Derived data needs the risk-assessment purpose and an agreement for it.
Status DerivedDataAllowed(const CallContext& ctx) {
  if (ctx.purpose != kRiskAssessment) {
    return Status::PermissionDenied(
        "indicators are derived data, shown only for the purpose '" + std::string(kRiskAssessment) +
        "' (X-Purpose: " + std::string(kRiskAssessment) +
        ") under an agreement for it; this request states '" + ctx.purpose + "'");
  }
  if (ctx.decision->break_glass) {
    return Status::PermissionDenied(
        "indicators are not shown under break-glass: they need an agreement for '" +
        std::string(kRiskAssessment) + "'");
  }
  return Status::Ok();
}

// The "as_of" query parameter (YYYY-MM-DD), or `today`.
Result<CivilDate> AsOfParam(const serve::Request& request, const CivilDate& today) {
  const std::string text = QueryParam(request, "as_of");
  if (text.empty()) return today;
  auto date = ParseDate(text, "yyyy-mm-dd");
  if (!date.ok()) return Status::InvalidArgument("as_of must be YYYY-MM-DD");
  return *date;
}

// "as_of=2026-06-01; raised=tf_health,tf_worklessness": what the audit event says was shown.
std::string AuditDetail(const json& body) {
  std::string raised;
  for (const json& i : body["indicators"]) {
    if (i["raised"].get<bool>())
      raised += (raised.empty() ? "" : ",") + i["code"].get<std::string>();
  }
  return "as_of=" + body["as_of"].get<std::string>() + "; raised=" + raised;
}

}  // namespace

Status HubApi::Impl::AddAnalyticsRoutes(serve::Router& router) {
  // Read once: a hub's rules change with a restart, after `tessera indicators check`.
  TRY_ASSIGN(analytics::IndicatorSet loaded, analytics::IndicatorSet::ForHub(options.hub_dir));
  auto rules = std::make_shared<const analytics::IndicatorSet>(std::move(loaded));

  TRY(router.Add(PersonalGet(
      "nominals.indicators", "/api/v1/nominals/{id}/indicators",
      [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(CivilDate as_of, AsOfParam(request, vc.today));
              TRY_ASSIGN(view::Page page, view::NominalIndicators(vc, *rules, id, as_of, ctx.seen));
              if (page.redirect_to) {
                const std::string location =
                    "/api/v1/nominals/" + std::to_string(*page.redirect_to) + "/indicators";
                serve::Response r =
                    JsonResponse(308, {{"redirect_to", *page.redirect_to}, {"location", location}});
                r.headers.emplace_back("Location", location);
                return r;
              }
              ctx.resource = "nominal/" + std::to_string(id) + "/indicators";
              ctx.detail = AuditDetail(page.body);
              return JsonResponse(200, page.body);
            });
      })));

  TRY(router.Add(PersonalGet(
      "households.indicators", "/api/v1/households/{id}/indicators",
      [this, rules](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "household/" + std::to_string(id) + "/indicators";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(CivilDate as_of, AsOfParam(request, vc.today));
              TRY_ASSIGN(view::Page page,
                         view::HouseholdIndicators(vc, *rules, id, as_of, ctx.seen));
              ctx.detail = AuditDetail(page.body);
              return JsonResponse(200, page.body);
            });
      })));
  return Status::Ok();
}

}  // namespace tessera::api
