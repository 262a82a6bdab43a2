// Search and the single view: every route here serves personal data, so the gate has already
// decided the request and put its Visibility in the context; each handler reads through it
// (src/search, src/view) and records what it showed for the audit event.
#include <filesystem>
#include <sstream>

#include "api/internal.h"
#include "core/ascii.h"
#include "resolve/linkage_model.h"

namespace tessera::api {

namespace {

using nlohmann::json;

Result<std::optional<CivilDate>> DateParam(const serve::Request& request, std::string_view name) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return std::optional<CivilDate>();
  auto date = ParseDate(text, "yyyy-mm-dd");
  if (!date.ok()) return Status::InvalidArgument(std::string(name) + " must be YYYY-MM-DD");
  return std::optional<CivilDate>(*date);
}

std::vector<std::string> ListParam(const serve::Request& request, std::string_view name) {
  std::vector<std::string> out;
  std::stringstream in(QueryParam(request, name));
  std::string item;
  while (std::getline(in, item, ',')) {
    item = std::string(ascii::TrimBlanks(item));
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A page as the response: 200 with its body, or 308 to the live nominal for a merged id.
serve::Response PageResponse(const view::Page& page, std::string_view path_after_id) {
  if (page.redirect_to) {
    const std::string location =
        "/api/v1/nominals/" + std::to_string(*page.redirect_to) + std::string(path_after_id);
    serve::Response r =
        JsonResponse(308, {{"redirect_to", *page.redirect_to}, {"location", location}});
    r.headers.emplace_back("Location", location);
    return r;
  }
  return JsonResponse(200, page.body);
}

}  // namespace

serve::Response HubApi::Impl::WithView(const serve::Request& request, const ViewBody& body) {
  CallContext& ctx = ContextOf(request);
  auto lease = stores.Acquire();
  if (!lease.ok()) return ProblemFromStatus(lease.status());
  view::ViewContext vc{**lease, ctx.visibility(), sources, Today(), clock.NowMicros()};
  Result<serve::Response> response = body(vc, ctx);
  if (!response.ok()) return ProblemFromStatus(response.status());
  return std::move(response).value();
}

Status HubApi::Impl::AddPersonRoutes(serve::Router& router) {
  auto personal = [](std::string id, std::string pattern, serve::Handler handler) {
    return serve::Route{.id = std::move(id),
                        .method = "GET",
                        .pattern = std::move(pattern),
                        .access = serve::Access::kPersonalData,
                        .roles = {"practitioner", "analyst"},
                        .handler = std::move(handler)};
  };

  auto with_view = [this](const serve::Request& request, const ViewBody& body) {
    return WithView(request, body);
  };

  TRY(router.Add(personal(
      "search", "/api/v1/search", [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        if (!search) {
          return serve::Response::Problem(503, "Service Unavailable", "search is not enabled");
        }
        search::SearchQuery q;
        q.text = QueryParam(request, "q");
        q.postcode = QueryParam(request, "postcode");
        q.sources = ListParam(request, "source");
        auto from = DateParam(request, "dob_from");
        auto to = DateParam(request, "dob_to");
        if (!from.ok()) return ProblemFromStatus(from.status());
        if (!to.ok()) return ProblemFromStatus(to.status());
        q.dob_from = *from;
        q.dob_to = *to;
        auto limit = LimitParam(request, q.limit, search::kMaxLimit);
        if (!limit.ok()) return ProblemFromStatus(limit.status());
        q.limit = *limit;
        auto hits = search->Search(q, ctx.visibility());
        if (!hits.ok()) return ProblemFromStatus(hits.status());
        json out = json::array();
        for (const search::SearchHit& hit : *hits) {
          out.push_back(json::parse(search::HitToJson(hit)));
          ctx.seen.AddNominal(hit.nominal_id);
          for (model::SourceRecordId id : hit.records) ctx.seen.AddRecord(id);
        }
        ctx.resource = "search";
        ctx.detail = "results=" + std::to_string(hits->size());
        return JsonResponse(200, {{"results", out}, {"purpose", ctx.purpose}});
      })));

  TRY(router.Add(personal(
      "nominals.profile", "/api/v1/nominals/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalProfile(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(personal(
      "nominals.timeline", "/api/v1/nominals/{id}/timeline",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              view::TimelineFilter filter;
              for (const std::string& a : ListParam(request, "agency")) {
                std::optional<model::Agency> agency = model::AgencyFromName(a);
                if (!agency) return Status::InvalidArgument("unknown agency '" + a + "'");
                filter.agencies.push_back(*agency);
              }
              filter.categories = ListParam(request, "category");
              TRY_ASSIGN(filter.from, DateParam(request, "from"));
              TRY_ASSIGN(filter.to, DateParam(request, "to"));
              TRY_ASSIGN(std::optional<int64_t> limit, WholeQueryParam(request, "limit"));
              if (limit && *limit > 99'999) {
                return Status::InvalidArgument("limit must be at most 99999 (0: no limit)");
              }
              filter.limit = static_cast<int>(limit.value_or(0));
              TRY_ASSIGN(view::Page page, view::NominalTimeline(vc, id, filter, ctx.seen));
              return PageResponse(page, "/timeline");
            });
      })));

  TRY(router.Add(personal(
      "nominals.graph", "/api/v1/nominals/{id}/graph", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalGraph(vc, id, ctx.seen));
              return PageResponse(page, "/graph");
            });
      })));

  TRY(router.Add(personal(
      "nominals.map", "/api/v1/nominals/{id}/map", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalMapPoints(vc, id, ctx.seen));
              return PageResponse(page, "/map");
            });
      })));

  TRY(router.Add(personal(
      "nominals.explain", "/api/v1/nominals/{id}/records/{record}/explanation",
      [this, with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(int64_t record, IdParam(request, "record"));
              ctx.seen.AddNominal(id);
              const std::string path =
                  (std::filesystem::path(options.hub_dir) / "models" / "linkage.json").string();
              TRY_ASSIGN(resolve::LinkageModel model, resolve::LinkageModel::Load(path));
              TRY_ASSIGN(view::Page page, view::RecordExplanation(vc, model, id, record, ctx.seen));
              return PageResponse(page, "/records/" + std::to_string(record) + "/explanation");
            });
      })));

  TRY(router.Add(personal(
      "households.view", "/api/v1/households/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdView(vc, id, ctx.seen));
              ctx.resource = "household/" + std::to_string(id);
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(personal(
      "households.graph", "/api/v1/households/{id}/graph",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdGraph(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(personal(
      "households.map", "/api/v1/households/{id}/map", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdMapPoints(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(personal(
      "addresses.view", "/api/v1/addresses/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::AddressView(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  // How current each source is: not personal data, so any signed-in user.
  serve::Route sources_route{
      .id = "sources.list",
      .method = "GET",
      .pattern = "/api/v1/sources",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request&) -> serve::Response {
        govern::Visibility all;
        all.ShareAllDatasets();
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        view::ViewContext vc{**lease, all, sources, Today(), clock.NowMicros()};
        auto freshness = view::SourceFreshness(vc);
        if (!freshness.ok()) return ProblemFromStatus(freshness.status());
        return JsonResponse(200, {{"sources", *freshness}});
      }};
  TRY(router.Add(std::move(sources_route)));
  return Status::Ok();
}

}  // namespace tessera::api
