// Indicators (issue 7): flags derived from a person's or a household's visible timeline
// (src/analytics, view.h NominalIndicators). Derived data is shown only for the purpose
// "risk_assessment" and only under an agreement for it (not break-glass), and is computed only
// from what that agreement shares: the view reads through the decision's Visibility. Audited
// by the gate like every personal read, with the nominals and the source records behind the
// events listed.
#include "analytics/analytics.h"
#include "analytics/costs.h"
#include "analytics/demand.h"
#include "api/internal.h"
#include "geocode/geocode.h"
#include "view/demand.h"

namespace tessera::api {

namespace {

using nlohmann::json;

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

// A YYYY-MM-DD query parameter, or `fallback` when absent.
Result<CivilDate> DateParam(const serve::Request& request, std::string_view name,
                            const CivilDate& fallback) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return fallback;
  auto date = ParseDate(text, "yyyy-mm-dd");
  if (!date.ok()) return Status::InvalidArgument(std::string(name) + " must be YYYY-MM-DD");
  return *date;
}

// "from" and "to" (YYYY-MM-DD, inclusive): by default the 365 days to `today`; at most ten
// years. The query's groups are left empty.
Result<view::DemandQuery> PeriodParams(const serve::Request& request, const CivilDate& today) {
  view::DemandQuery query;
  TRY_ASSIGN(query.to, DateParam(request, "to", today));
  TRY_ASSIGN(query.from, DateParam(request, "from", CivilDate::FromDays(query.to.ToDays() - 364)));
  if (query.to < query.from) return Status::InvalidArgument("from is after to");
  if (query.to.ToDays() - query.from.ToDays() > 366 * 10) {
    return Status::InvalidArgument("the period is at most ten years");
  }
  return query;
}

// "group=agency,month": the demand table's dimensions (default: agency).
Result<std::vector<view::DemandGroup>> GroupParam(const serve::Request& request) {
  std::vector<view::DemandGroup> groups;
  std::string all = QueryParam(request, "group");
  if (all.empty()) all = "agency";
  size_t start = 0;
  while (start <= all.size()) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    const std::string name = all.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    std::optional<view::DemandGroup> g = view::DemandGroupFromName(name);
    if (!g) {
      return Status::InvalidArgument("group must be agency, category, area or month, not '" + name +
                                     "'");
    }
    if (std::find(groups.begin(), groups.end(), *g) == groups.end()) groups.push_back(*g);
  }
  return groups;
}

}  // namespace

Status HubApi::Impl::AddAnalyticsRoutes(serve::Router& router) {
  // Read once: a hub's rules change with a restart, after `tessera indicators check`.
  TRY_ASSIGN(analytics::IndicatorSet loaded, analytics::IndicatorSet::ForHub(options.hub_dir));
  auto rules = std::make_shared<const analytics::IndicatorSet>(std::move(loaded));
  TRY_ASSIGN(analytics::UnitCosts unit_costs, analytics::UnitCosts::ForHub(options.hub_dir));
  auto costs = std::make_shared<const analytics::UnitCosts>(std::move(unit_costs));

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

  // The hub's indicator rules (not personal data): what a cohort condition may name.
  TRY(router.Add(serve::Route{
      .id = "analytics.indicator_rules",
      .method = "GET",
      .pattern = "/api/v1/analytics/indicator-rules",
      .access = serve::Access::kUser,
      .roles = {"practitioner", "analyst", "information_governance_officer", "administrator"},
      .handler = [rules](const serve::Request&) -> serve::Response {
        json list = json::array();
        for (const analytics::IndicatorRule& r : rules->rules()) {
          list.push_back({{"code", r.code},
                          {"title", r.title},
                          {"description", r.description},
                          {"scope", analytics::ScopeName(r.scope)},
                          {"composite", r.composite},
                          {"window_months", r.composite ? json(nullptr) : json(r.window_months)}});
        }
        return JsonResponse(200, {{"rule_set", rules->built_in() ? "default" : "hub"},
                                  {"origin", rules->origin()},
                                  {"rules", std::move(list)}});
      }}));

  // Demand (issue 7, part 5): counts of visible events over a period, suppressed below 5.
  TRY(router.Add(PersonalGet(
      "analytics.demand", "/api/v1/analytics/demand", [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "analytics/demand";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(view::DemandQuery query, PeriodParams(request, vc.today));
              TRY_ASSIGN(query.groups, GroupParam(request));
              TRY_ASSIGN(json body, view::Demand(vc, query));
              // Where each area is: its postcode district's centroid in the gazetteer.
              for (json& cell : body["cells"]) {
                if (!cell.contains("area")) continue;
                std::optional<geocode::Position> at =
                    gazetteer ? gazetteer->Locate(cell["area"].get<std::string>()) : std::nullopt;
                if (at) {
                  cell["lat"] = at->latitude;
                  cell["lon"] = at->longitude;
                }
              }
              std::string groups;
              for (const json& g : body["groups"]) {
                groups += (groups.empty() ? "" : ",") + g.get<std::string>();
              }
              ctx.detail =
                  "from=" + query.from.ToIso() + "; to=" + query.to.ToIso() + "; group=" + groups;
              return JsonResponse(200, body);
            });
      })));

  // The late-intervention cost estimate (issue 7, part 5): demand by category priced with the
  // hub's unit costs, with their source and assumptions. Suppressed counts are not priced.
  TRY(router.Add(PersonalGet(
      "analytics.late_intervention_cost", "/api/v1/analytics/late-intervention-cost",
      [this, costs](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "analytics/late-intervention-cost";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(view::DemandQuery query, PeriodParams(request, vc.today));
              query.groups = {view::DemandGroup::kCategory};
              TRY_ASSIGN(json demand, view::Demand(vc, query));
              std::vector<std::pair<std::string, std::optional<int64_t>>> counts;
              for (const json& cell : demand["cells"]) {
                counts.emplace_back(cell["category"].get<std::string>(),
                                    cell["count"].is_null()
                                        ? std::nullopt
                                        : std::optional<int64_t>(cell["count"].get<int64_t>()));
              }
              const analytics::CostEstimate estimate = analytics::EstimateCost(*costs, counts);
              const auto count_json = [](const std::optional<int64_t>& n) {
                return n ? json(*n) : json(nullptr);
              };
              json rows = json::array();
              for (const analytics::CostLine& line : estimate.priced) {
                rows.push_back({{"category", line.category},
                                {"label", line.price->label},
                                {"unit", line.price->unit},
                                {"unit_cost", line.price->unit_cost},
                                {"count", count_json(line.count)},
                                {"cost", line.cost ? json(*line.cost) : json(nullptr)},
                                {"suppressed", !line.count.has_value()}});
              }
              json unpriced = json::array();
              for (const analytics::CostLine& line : estimate.unpriced) {
                unpriced.push_back(
                    {{"category", line.category}, {"count", count_json(line.count)}});
              }
              ctx.detail = "from=" + query.from.ToIso() + "; to=" + query.to.ToIso();
              return JsonResponse(200, {{"from", query.from.ToIso()},
                                        {"to", query.to.ToIso()},
                                        {"currency", costs->currency},
                                        {"price_year", costs->price_year},
                                        {"source", costs->source},
                                        {"unit_costs_from", costs->origin},
                                        {"assumptions", costs->assumptions},
                                        {"suppress_below", analytics::kSuppressBelow},
                                        {"rows", std::move(rows)},
                                        {"total_cost", estimate.total},
                                        {"suppressed_cells", estimate.suppressed_lines},
                                        {"unpriced", std::move(unpriced)}});
            });
      })));

  // Duplicate intervention (issue 7, part 5): households and nominals with two or more
  // agencies' involvement episodes open at as_of. Personal data: audited with the nominals.
  TRY(router.Add(PersonalGet(
      "analytics.duplicate_interventions", "/api/v1/analytics/duplicate-interventions",
      [this](const serve::Request& request) {
        return WithView(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              ctx.resource = "analytics/duplicate-interventions";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              view::InterventionQuery query;
              TRY_ASSIGN(query.as_of, AsOfParam(request, vc.today));
              TRY_ASSIGN(std::optional<int64_t> gap, WholeQueryParam(request, "gap_days"));
              if (gap) {
                if (*gap < 1 || *gap > 3650) {
                  return Status::InvalidArgument("gap_days must be 1 to 3650");
                }
                query.gap_days = static_cast<int>(*gap);
              }
              TRY_ASSIGN(query.limit, LimitParam(request, 50, 500));
              TRY_ASSIGN(json body, view::DuplicateInterventions(vc, query, ctx.seen));
              ctx.detail = "as_of=" + query.as_of.ToIso() +
                           "; gap_days=" + std::to_string(query.gap_days) +
                           "; households=" + std::to_string(body["households"].size()) +
                           "; nominals=" + std::to_string(body["nominals"].size());
              return JsonResponse(200, body);
            });
      })));
  return Status::Ok();
}

}  // namespace tessera::api
