// Clerical review and manual merge and split (issue 5): the resolver's borderline pairs side by
// side (src/view, through the request's Visibility), and decisions recorded through the same
// library path as `tessera review accept|reject` and `tessera nominal merge|split`
// (resolve::RecordClericalDecision). The server's one resolver runs in its HubWorker and holds
// the hub's resolver lock, so a route never opens another: it stores the decision and wakes the
// worker (ApiOptions::on_ingest), whose next run applies it; hence 202.
//
// Viewing the queue and a pair is for practitioners and analysts; deciding, merging and
// splitting change who the hub says a person is, so they are for practitioners only. A decision
// may name only records the request can see: anything else is 404, as if unknown.
#include <set>

#include "api/internal.h"
#include "core/ascii.h"
#include "resolve/linkage_model.h"
#include "resolve/resolver.h"

namespace tessera::api {

namespace {

using nlohmann::json;

// A positive integer member of the body.
Result<int64_t> IdOf(const json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return Status::InvalidArgument("\"" + std::string(name) + "\" must be a positive whole number");
  }
  return it->get<int64_t>();
}

json LinkDecisionJson(int64_t id, const store::LinkDecision& d) {
  return {{"link_decision_id", id},
          {"kind", std::string(store::LinkDecisionKindName(d.kind))},
          {"a", d.a},
          {"b", d.b}};
}

Result<store::ReviewQuery> QueueQuery(const serve::Request& request) {
  store::ReviewQuery q;
  q.limit = 50;
  const std::string status = QueryParam(request, "status");
  if (status.empty() || status == "open") {
    q.status = store::ReviewStatus::kOpen;
  } else if (status == "accepted") {
    q.status = store::ReviewStatus::kAccepted;
  } else if (status == "rejected") {
    q.status = store::ReviewStatus::kRejected;
  } else if (status == "stale") {
    q.status = store::ReviewStatus::kStale;
  } else if (status != "all") {
    return Status::InvalidArgument("status must be open, accepted, rejected, stale or all");
  }
  TRY_ASSIGN(std::optional<int64_t> after, WholeQueryParam(request, "after"));
  q.after_id = after.value_or(0);
  TRY_ASSIGN(q.limit, LimitParam(request, q.limit, 100));
  return q;
}

}  // namespace

Status HubApi::Impl::AddReviewRoutes(serve::Router& router) {
  auto personal = [](std::string id, std::string method, std::string pattern,
                     std::vector<std::string> roles, serve::Handler handler) {
    return serve::Route{.id = std::move(id),
                        .method = std::move(method),
                        .pattern = std::move(pattern),
                        .access = serve::Access::kPersonalData,
                        .roles = std::move(roles),
                        .handler = std::move(handler)};
  };
  const std::vector<std::string> viewers = {"practitioner", "analyst"};
  const std::vector<std::string> deciders = {"practitioner"};

  auto with_view = [this](const serve::Request& request, const ViewBody& body) {
    return WithView(request, body);
  };
  auto hub_model = [this]() -> Result<resolve::LinkageModel> {
    auto model = resolve::LinkageModel::Load(resolve::LinkageModelPath(options.hub_dir));
    if (!model.ok() && model.status().code() == StatusCode::kNotFound) {
      return Status::FailedPrecondition("the hub has no linkage model yet");
    }
    return model;
  };
  // The decision is stored: the worker's resolver applies it at its next run.
  auto wake_resolver = [this] {
    if (options.on_ingest) options.on_ingest();
  };

  TRY(router.Add(personal(
      "review.queue", "GET", "/api/v1/review", viewers,
      [with_view, hub_model](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(store::ReviewQuery query, QueueQuery(request));
              TRY_ASSIGN(resolve::LinkageModel model, hub_model());
              TRY_ASSIGN(view::Page page, view::ReviewQueuePage(vc, model, query, ctx.seen));
              ctx.resource = "review";
              ctx.detail = "pairs=" + std::to_string(page.body["pairs"].size()) +
                           " withheld=" + std::to_string(page.body["withheld"].get<int64_t>());
              return JsonResponse(200, page.body);
            });
      })));

  TRY(router.Add(personal(
      "review.pair", "GET", "/api/v1/review/{id}", viewers,
      [with_view, hub_model](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "review/" + std::to_string(id);
              TRY_ASSIGN(resolve::LinkageModel model, hub_model());
              TRY_ASSIGN(view::Page page, view::ReviewPairPage(vc, model, id, ctx.seen));
              return JsonResponse(200, page.body);
            });
      })));

  TRY(router.Add(personal(
      "review.decide", "POST", "/api/v1/review/{id}/decision", deciders,
      [with_view, wake_resolver](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "review/" + std::to_string(id);
              TRY_ASSIGN(json body, JsonBody(request));
              auto given = body.find("decision");
              const std::string decision =
                  given != body.end() && given->is_string() ? given->get<std::string>() : "";
              if (decision != "accept" && decision != "reject") {
                return Status::InvalidArgument("\"decision\" must be \"accept\" or \"reject\"");
              }
              TRY_ASSIGN(std::string reason, ReasonOf(body));
              TRY_ASSIGN(store::ReviewPair pair, view::VisibleReviewPair(vc, id, ctx.seen));
              TRY_ASSIGN(resolve::ClericalDecision made,
                         resolve::ReviewPairDecision(vc.store, pair.id, decision == "accept",
                                                     {ctx.actor, reason}));
              TRY_ASSIGN(std::vector<int64_t> ids, resolve::RecordClericalDecision(vc.store, made));
              wake_resolver();
              ctx.detail = "decision=" + decision;
              json links = json::array();
              for (size_t i = 0; i < ids.size(); ++i) {
                links.push_back(LinkDecisionJson(ids[i], made.links[i]));
              }
              return JsonResponse(
                  202, {{"review_pair_id", id},
                        {"status", std::string(store::ReviewStatusName(made.review_outcome))},
                        {"decided_by", ctx.actor},
                        {"reason", reason},
                        {"link_decisions", std::move(links)},
                        {"applied", "at the resolver's next run"}});
            });
      })));

  TRY(router.Add(personal(
      "nominals.merge", "POST", "/api/v1/nominals/{id}/merge", deciders,
      [with_view, wake_resolver](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "nominal/" + std::to_string(id) + "/merge";
              TRY_ASSIGN(json body, JsonBody(request));
              TRY_ASSIGN(int64_t other_id, IdOf(body, "other"));
              TRY_ASSIGN(std::string reason, ReasonOf(body));
              TRY_ASSIGN(view::NominalRecords into, view::NominalRecordAccess(vc, id));
              TRY_ASSIGN(view::NominalRecords from, view::NominalRecordAccess(vc, other_id));
              // The link names one visible record of each: what the practitioner saw.
              auto visible = [&](model::PersonRecordId r) {
                return into.visible.contains(r) || from.visible.contains(r);
              };
              TRY_ASSIGN(resolve::ClericalDecision made,
                         resolve::MergeDecision(vc.store, into.live, from.live, {ctx.actor, reason},
                                                visible));
              TRY_ASSIGN(std::vector<int64_t> ids, resolve::RecordClericalDecision(vc.store, made));
              wake_resolver();
              json links = json::array();
              for (size_t i = 0; i < ids.size(); ++i) {
                const store::LinkDecision& d = made.links[i];
                links.push_back(LinkDecisionJson(ids[i], d));
                for (model::PersonRecordId r : {d.a, d.b}) {
                  if (auto it = into.visible.find(r); it != into.visible.end()) {
                    ctx.seen.AddRecord(it->second);
                  }
                  if (auto it = from.visible.find(r); it != from.visible.end()) {
                    ctx.seen.AddRecord(it->second);
                  }
                }
              }
              ctx.seen.AddNominal(into.live);
              ctx.seen.AddNominal(from.live);
              ctx.detail =
                  "merge " + std::to_string(from.live) + " with " + std::to_string(into.live);
              return JsonResponse(202, {{"nominal_id", into.live},
                                        {"other", from.live},
                                        {"decided_by", ctx.actor},
                                        {"reason", reason},
                                        {"link_decisions", std::move(links)},
                                        {"applied", "at the resolver's next run"}});
            });
      })));

  TRY(router.Add(personal(
      "nominals.split", "POST", "/api/v1/nominals/{id}/split", deciders,
      [with_view, wake_resolver](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "nominal/" + std::to_string(id) + "/split";
              TRY_ASSIGN(json body, JsonBody(request));
              auto list = body.find("records");
              if (list == body.end() || !list->is_array() || list->empty() || list->size() > 1000) {
                return Status::InvalidArgument(
                    "\"records\" must list the person record ids to split off (1 to 1000)");
              }
              std::vector<model::PersonRecordId> off;
              for (const json& r : *list) {
                if (!r.is_number_integer() || r.get<int64_t>() <= 0) {
                  return Status::InvalidArgument("\"records\" must hold person record ids");
                }
                off.push_back(r.get<int64_t>());
              }
              TRY_ASSIGN(std::string reason, ReasonOf(body));
              TRY_ASSIGN(view::NominalRecords nominal, view::NominalRecordAccess(vc, id));
              // Only records the request can see may be split off; any other is as unknown.
              for (model::PersonRecordId r : off) {
                if (!nominal.visible.contains(r)) {
                  return Status::NotFound("person record " + std::to_string(r) +
                                          " not found in nominal " + std::to_string(id));
                }
              }
              TRY_ASSIGN(resolve::ClericalDecision made,
                         resolve::SplitDecision(vc.store, nominal.live, off, {ctx.actor, reason}));
              TRY_ASSIGN(std::vector<int64_t> ids, resolve::RecordClericalDecision(vc.store, made));
              wake_resolver();
              // The cannot-links reach every record that stays, seen or not; the response lists
              // those between visible records, counts those with a withheld one, and leaves
              // sealed ones out.
              const std::set<model::PersonRecordId> withheld(nominal.withheld.begin(),
                                                             nominal.withheld.end());
              json links = json::array();
              int64_t links_withheld = 0;
              for (size_t i = 0; i < ids.size(); ++i) {
                const store::LinkDecision& d = made.links[i];
                auto a = nominal.visible.find(d.a);
                auto b = nominal.visible.find(d.b);
                if (a != nominal.visible.end() && b != nominal.visible.end()) {
                  links.push_back(LinkDecisionJson(ids[i], d));
                  ctx.seen.AddRecord(a->second);
                  ctx.seen.AddRecord(b->second);
                } else if (withheld.contains(d.a) || withheld.contains(d.b)) {
                  ++links_withheld;
                }
              }
              ctx.seen.AddNominal(nominal.live);
              ctx.detail = "split records=" + std::to_string(off.size());
              return JsonResponse(202, {{"nominal_id", nominal.live},
                                        {"records", off},
                                        {"decided_by", ctx.actor},
                                        {"reason", reason},
                                        {"link_decisions", std::move(links)},
                                        {"link_decisions_withheld", links_withheld},
                                        {"applied", "at the resolver's next run"}});
            });
      })));
  return Status::Ok();
}

}  // namespace tessera::api
