// Purposes, agreements and restrictions (read by any signed-in user, changed by
// information-governance officers), and the audit log (information-governance officers and
// administrators): search, who viewed a nominal, usage by agency and user, verification.
#include "api/internal.h"
#include "core/ascii.h"
#include "core/dates.h"

namespace tessera::api {

namespace {

using nlohmann::json;

constexpr std::string_view kIgo = "information_governance_officer";

json PurposeJson(const store::StoredPurpose& p) {
  return {{"code", p.code},
          {"name", p.name},
          {"description", p.description},
          {"active", p.active},
          {"updated_by", p.updated_by},
          {"updated_at", IsoTime(p.updated_at_micros)}};
}

json AgreementJson(const govern::Agreement& a) {
  json j = json::parse(govern::AgreementToJson(a));
  j["version"] = a.version;
  j["author"] = a.author;
  j["created_at"] = IsoTime(a.created_at_micros);
  return j;
}

json RestrictionJson(const store::StoredRestriction& r) {
  json j = {{"id", r.id},
            {"kind", r.kind},
            {"target", r.target},
            {"fields", r.fields},
            {"purposes", r.purposes},
            {"reason", r.reason},
            {"created_by", r.created_by},
            {"created_at", IsoTime(r.created_at_micros)},
            {"lifted", r.lifted_at_micros.has_value()}};
  if (r.target == "nominal") j["nominal_id"] = r.nominal_id;
  if (r.target != "nominal") j["source_id"] = r.source_id;
  if (r.target == "record") j["record_key"] = r.record_key;
  if (r.lifted_at_micros) {
    j["lifted_by"] = r.lifted_by;
    j["lifted_at"] = IsoTime(*r.lifted_at_micros);
    j["lift_reason"] = r.lift_reason;
  }
  return j;
}

// A query-string time: "2026-11-23" or "2026-11-23T02:00:00Z"; nullopt when absent.
Result<std::optional<int64_t>> TimeParam(const serve::Request& request, std::string_view name) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return std::optional<int64_t>();
  auto date = ParseDate(text.substr(0, 10), "yyyy-mm-dd");
  if (!date.ok()) {
    return Status::InvalidArgument(std::string(name) + " must be a date (YYYY-MM-DD) or time");
  }
  int64_t micros = date->ToDays() * int64_t{86400} * 1'000'000;
  if (text.size() >= 19 && text[10] == 'T') {
    int h = 0, m = 0, s = 0;
    if (std::sscanf(text.c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) != 3 || h > 23 || m > 59 ||
        s > 59) {
      return Status::InvalidArgument(std::string(name) + " has a malformed time");
    }
    micros += (int64_t{h} * 3600 + m * 60 + s) * 1'000'000;
  }
  return std::optional<int64_t>(micros);
}

}  // namespace

Status HubApi::Impl::AddGovernanceRoutes(serve::Router& router) {
  serve::Route list_purposes{.id = "purposes.list",
                             .method = "GET",
                             .pattern = "/api/v1/purposes",
                             .access = serve::Access::kUser,
                             .handler = [this](const serve::Request&) -> serve::Response {
                               auto lease = stores.Acquire();
                               if (!lease.ok()) return ProblemFromStatus(lease.status());
                               auto purposes = (*lease)->ListPurposes();
                               if (!purposes.ok()) return ProblemFromStatus(purposes.status());
                               json out = json::array();
                               for (const auto& p : *purposes) out.push_back(PurposeJson(p));
                               return JsonResponse(200, {{"purposes", out}});
                             }};
  TRY(router.Add(std::move(list_purposes)));

  serve::Route put_purpose{.id = "purposes.put",
                           .method = "POST",
                           .pattern = "/api/v1/purposes",
                           .access = serve::Access::kUser,
                           .roles = {std::string(kIgo)},
                           .handler = [this](const serve::Request& request) -> serve::Response {
                             CallContext& ctx = ContextOf(request);
                             auto body = JsonBody(request);
                             if (!body.ok()) return ProblemFromStatus(body.status());
                             store::StoredPurpose p;
                             p.code = body->value("code", "");
                             p.name = body->value("name", "");
                             p.description = body->value("description", "");
                             p.active = body->value("active", true);
                             p.updated_by = ctx.actor;
                             auto lease = stores.Acquire();
                             if (!lease.ok()) return ProblemFromStatus(lease.status());
                             govern::Governance governance(**lease, clock);
                             if (Status s = governance.PutPurpose(p); !s.ok())
                               return ProblemFromStatus(s);
                             ctx.audit = true;
                             ctx.resource = "purpose/" + p.code;
                             ctx.detail = "name=" + p.name + " active=" + (p.active ? "1" : "0");
                             return JsonResponse(200, {{"code", p.code}});
                           }};
  TRY(router.Add(std::move(put_purpose)));

  serve::Route list_agreements{
      .id = "agreements.list",
      .method = "GET",
      .pattern = "/api/v1/agreements",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request& request) -> serve::Response {
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        govern::Governance governance(**lease, clock);
        auto list = governance.ListAgreements(QueryParam(request, "all_versions") == "true");
        if (!list.ok()) return ProblemFromStatus(list.status());
        json out = json::array();
        for (const auto& a : *list) {
          json j = AgreementJson(a);
          j["in_force"] = a.InForce(Today());
          out.push_back(std::move(j));
        }
        return JsonResponse(200, {{"agreements", out}});
      }};
  TRY(router.Add(std::move(list_agreements)));

  serve::Route get_agreement{
      .id = "agreements.get",
      .method = "GET",
      .pattern = "/api/v1/agreements/{code}",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request& request) -> serve::Response {
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        govern::Governance governance(**lease, clock);
        const std::string code = request.params.at("code");
        auto all = governance.ListAgreements(true);
        if (!all.ok()) return ProblemFromStatus(all.status());
        json versions = json::array();
        for (const auto& a : *all) {
          if (a.code == code) versions.push_back(AgreementJson(a));
        }
        if (versions.empty())
          return serve::Response::Problem(404, "Not Found", "no such agreement");
        return JsonResponse(200, {{"current", versions.back()}, {"versions", versions}});
      }};
  TRY(router.Add(std::move(get_agreement)));

  serve::Route apply_agreement{
      .id = "agreements.apply",
      .method = "POST",
      .pattern = "/api/v1/agreements",
      .access = serve::Access::kUser,
      .roles = {std::string(kIgo)},
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto body = JsonBody(request);
        if (!body.ok()) return ProblemFromStatus(body.status());
        auto agreement = govern::AgreementFromJson(body->dump());
        if (!agreement.ok()) return ProblemFromStatus(agreement.status());
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        govern::Governance governance(**lease, clock);
        auto stored = governance.ApplyAgreement(*agreement, ctx.actor);
        if (!stored.ok()) return ProblemFromStatus(stored.status());
        ctx.audit = true;
        ctx.resource = "agreement/" + stored->code + "/v" + std::to_string(stored->version);
        ctx.detail = "tier=" + std::to_string(stored->tier) +
                     " status=" + std::string(govern::AgreementStatusName(stored->status));
        return JsonResponse(201, AgreementJson(*stored));
      }};
  TRY(router.Add(std::move(apply_agreement)));

  serve::Route list_restrictions{
      .id = "restrictions.list",
      .method = "GET",
      .pattern = "/api/v1/restrictions",
      .access = serve::Access::kUser,
      .roles = {std::string(kIgo)},
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto list = (*lease)->ListRestrictions(QueryParam(request, "all") == "true");
        if (!list.ok()) return ProblemFromStatus(list.status());
        json out = json::array();
        for (const auto& r : *list) out.push_back(RestrictionJson(r));
        ctx.audit = true;  // restrictions name people (sealed records): reading them is audited
        ctx.resource = "restrictions";
        ctx.detail = "rows=" + std::to_string(list->size());
        return JsonResponse(200, {{"restrictions", out}});
      }};
  TRY(router.Add(std::move(list_restrictions)));

  serve::Route add_restriction{.id = "restrictions.add",
                               .method = "POST",
                               .pattern = "/api/v1/restrictions",
                               .access = serve::Access::kUser,
                               .roles = {std::string(kIgo)},
                               .handler = [this](const serve::Request& request) -> serve::Response {
                                 CallContext& ctx = ContextOf(request);
                                 auto body = JsonBody(request);
                                 if (!body.ok()) return ProblemFromStatus(body.status());
                                 store::StoredRestriction r;
                                 r.kind = body->value("kind", "");
                                 r.target = body->value("target", "");
                                 r.nominal_id = body->value("nominal_id", int64_t{0});
                                 r.source_id = body->value("source_id", "");
                                 r.record_key = body->value("record_key", "");
                                 r.fields = body->value("fields", std::vector<std::string>{});
                                 r.purposes = body->value("purposes", std::vector<std::string>{});
                                 r.reason = body->value("reason", "");
                                 r.created_by = ctx.actor;
                                 auto lease = stores.Acquire();
                                 if (!lease.ok()) return ProblemFromStatus(lease.status());
                                 govern::Governance governance(**lease, clock);
                                 auto id = governance.AddRestriction(r);
                                 if (!id.ok()) return ProblemFromStatus(id.status());
                                 ctx.audit = true;
                                 ctx.resource = "restriction/" + std::to_string(*id);
                                 ctx.justification = r.reason;
                                 ctx.detail = "kind=" + r.kind + " target=" + r.target;
                                 if (r.target == "nominal") ctx.seen.AddNominal(r.nominal_id);
                                 return JsonResponse(201, {{"id", *id}});
                               }};
  TRY(router.Add(std::move(add_restriction)));

  serve::Route lift_restriction{
      .id = "restrictions.lift",
      .method = "POST",
      .pattern = "/api/v1/restrictions/{id}/lift",
      .access = serve::Access::kUser,
      .roles = {std::string(kIgo)},
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto id = IdParam(request, "id");
        if (!id.ok()) return ProblemFromStatus(id.status());
        auto body = JsonBody(request);
        if (!body.ok()) return ProblemFromStatus(body.status());
        const std::string reason = body->value("reason", "");
        if (ascii::TrimBlanks(reason).empty()) {
          return serve::Response::Problem(400, "Bad Request", "say why it is lifted (reason)");
        }
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto txn = (*lease)->Begin();
        if (!txn.ok()) return ProblemFromStatus(txn.status());
        if (Status s = (*lease)->LiftRestriction(**txn, *id, ctx.actor, reason); !s.ok()) {
          return ProblemFromStatus(s);
        }
        if (Status s = (*txn)->Commit(); !s.ok()) return ProblemFromStatus(s);
        ctx.audit = true;
        ctx.resource = "restriction/" + std::to_string(*id);
        ctx.justification = reason;
        return JsonResponse(200, {{"id", *id}, {"lifted", true}});
      }};
  TRY(router.Add(std::move(lift_restriction)));
  return Status::Ok();
}

Status HubApi::Impl::AddAuditRoutes(serve::Router& router) {
  const std::vector<std::string> auditors = {std::string(kIgo), "administrator"};

  serve::Route search_audit{.id = "audit.search",
                            .method = "GET",
                            .pattern = "/api/v1/audit",
                            .access = serve::Access::kUser,
                            .roles = auditors,
                            .handler = [this](const serve::Request& request) -> serve::Response {
                              CallContext& ctx = ContextOf(request);
                              store::AuditQuery q;
                              q.actor = QueryParam(request, "actor");
                              // A bare username means that user ("sw.jones": "user:sw.jones").
                              if (!q.actor.empty() && q.actor.find(':') == std::string::npos) {
                                q.actor = "user:" + q.actor;
                              }
                              q.agency = QueryParam(request, "agency");
                              q.action_prefix = QueryParam(request, "action");
                              q.purpose = QueryParam(request, "purpose");
                              q.outcome = QueryParam(request, "outcome");
                              auto from = TimeParam(request, "from");
                              auto to = TimeParam(request, "to");
                              auto nominal = WholeQueryParam(request, "nominal");
                              auto before = WholeQueryParam(request, "before");
                              auto limit = LimitParam(request, 100, 1000);
                              for (const Status& s : {from.status(), to.status(), nominal.status(),
                                                      before.status(), limit.status()}) {
                                if (!s.ok()) return ProblemFromStatus(s);
                              }
                              q.from_micros = *from;
                              q.to_micros = *to;
                              q.nominal_id = nominal->value_or(0);
                              q.before_seq = before->value_or(0);
                              q.newest_first = true;
                              q.limit = *limit;
                              auto lease = stores.Acquire();
                              if (!lease.ok()) return ProblemFromStatus(lease.status());
                              auto events = (*lease)->SearchAudit(q);
                              if (!events.ok()) return ProblemFromStatus(events.status());
                              json out = json::array();
                              for (const auto& e : *events)
                                out.push_back(govern::AuditEventToJson(e));
                              ctx.audit = true;  // who looked at whom is itself sensitive
                              ctx.resource = "audit";
                              ctx.detail = "rows=" + std::to_string(events->size());
                              return JsonResponse(200, {{"events", out}});
                            }};
  TRY(router.Add(std::move(search_audit)));

  serve::Route viewers{
      .id = "nominals.viewers",
      .method = "GET",
      .pattern = "/api/v1/nominals/{id}/viewers",
      .access = serve::Access::kUser,
      .roles = auditors,
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto id = IdParam(request, "id");
        if (!id.ok()) return ProblemFromStatus(id.status());
        auto limit = LimitParam(request, 200, 1000);
        if (!limit.ok()) return ProblemFromStatus(limit.status());
        auto before = WholeQueryParam(request, "before");
        if (!before.ok()) return ProblemFromStatus(before.status());
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        // The newest views first, a page at a time (before: the seq the previous page ended at).
        store::AuditQuery page;
        page.nominal_id = *id;
        page.newest_first = true;
        page.before_seq = before->value_or(0);
        page.limit = *limit;
        auto events = (*lease)->SearchAudit(page);
        if (!events.ok()) return ProblemFromStatus(events.status());
        json out = json::array();
        for (const auto& e : *events) {
          out.push_back({{"seq", e.seq},
                         {"at", IsoTime(e.at_micros)},
                         {"actor", e.actor},
                         {"agency", e.agency},
                         {"role", e.role},
                         {"action", e.action},
                         {"purpose", e.purpose},
                         {"justification", e.justification},
                         {"outcome", e.outcome}});
        }
        // Who viewed, over the newest kSummaryViews views whatever the page.
        constexpr int kSummaryViews = 10'000;
        store::AuditQuery all;
        all.nominal_id = *id;
        all.newest_first = true;
        all.limit = kSummaryViews;
        auto recent = (*lease)->SearchAudit(all);
        if (!recent.ok()) return ProblemFromStatus(recent.status());
        std::map<std::string, std::pair<int64_t, int64_t>> by_actor;  // actor -> (count, last)
        for (const auto& e : *recent) {
          auto& entry = by_actor[e.actor];
          ++entry.first;
          entry.second = std::max(entry.second, e.at_micros);
        }
        json summary = json::array();
        for (const auto& [actor, entry] : by_actor) {
          summary.push_back(
              {{"actor", actor}, {"views", entry.first}, {"last", IsoTime(entry.second)}});
        }
        json body = {
            {"nominal_id", *id},
            {"viewers", summary},
            {"viewers_cover", recent->size()},
            {"viewers_truncated", static_cast<int>(recent->size()) == kSummaryViews},
            {"events", out},
            {"next_before", static_cast<int>(events->size()) == *limit ? json(events->back().seq)
                                                                       : json(nullptr)}};
        ctx.audit = true;
        ctx.resource = "nominal/" + std::to_string(*id) + "/viewers";
        ctx.seen.AddNominal(*id);
        return JsonResponse(200, body);
      }};
  TRY(router.Add(std::move(viewers)));

  serve::Route usage{
      .id = "audit.usage",
      .method = "GET",
      .pattern = "/api/v1/audit/usage",
      .access = serve::Access::kUser,
      .roles = auditors,
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto from = TimeParam(request, "from");
        auto to = TimeParam(request, "to");
        if (!from.ok()) return ProblemFromStatus(from.status());
        if (!to.ok()) return ProblemFromStatus(to.status());
        const int64_t now = clock.NowMicros();
        const int64_t to_micros = to->value_or(now + 1);
        const int64_t from_micros = from->value_or(to_micros - int64_t{30} * 86400 * 1'000'000);
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto counts = (*lease)->GetAuditUsage(from_micros, to_micros);
        if (!counts.ok()) return ProblemFromStatus(counts.status());
        auto group = [](const std::vector<store::AuditUsageCount>& groups, bool actor) {
          json out = json::array();
          for (const auto& c : groups) {
            json j = {{"agency", c.agency},
                      {"events", c.events},
                      {"nominals", c.nominals},
                      {"outcomes", c.outcomes}};
            if (actor) j["actor"] = c.actor;
            out.push_back(std::move(j));
          }
          return out;
        };
        ctx.audit = true;
        ctx.resource = "audit/usage";
        return JsonResponse(200, {{"from", IsoTime(from_micros)},
                                  {"to", IsoTime(to_micros)},
                                  {"events", counts->events},
                                  {"outcomes", counts->outcomes},
                                  {"by_agency", group(counts->by_agency, false)},
                                  {"by_user", group(counts->by_actor, true)}});
      }};
  TRY(router.Add(std::move(usage)));

  serve::Route verify{.id = "audit.verify",
                      .method = "GET",
                      .pattern = "/api/v1/audit/verify",
                      .access = serve::Access::kUser,
                      .roles = auditors,
                      .handler = [this](const serve::Request& request) -> serve::Response {
                        CallContext& ctx = ContextOf(request);
                        govern::AuditKeyFiles files;
                        files.key_file = options.audit_key_file;
                        auto result = govern::VerifyAuditLog(options.hub_dir, files);
                        if (!result.ok()) return ProblemFromStatus(result.status());
                        ctx.audit = true;
                        ctx.resource = "audit/verify";
                        ctx.detail = result->intact
                                         ? "intact"
                                         : "BROKEN at " + std::to_string(result->first_broken_seq);
                        json out = {{"intact", result->intact},
                                    {"events", result->chain.events},
                                    {"head_seq", result->chain.head_seq},
                                    {"head_hash", result->chain.head_hash},
                                    {"keyed", result->keyed},
                                    {"macs_checked", result->macs_checked},
                                    {"notes", result->notes}};
                        if (!result->intact) {
                          out["first_broken_seq"] = result->first_broken_seq;
                          out["problem"] = result->problem;
                        }
                        return JsonResponse(200, out);
                      }};
  TRY(router.Add(std::move(verify)));
  return Status::Ok();
}

}  // namespace tessera::api
