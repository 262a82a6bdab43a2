// Data quality by source and load (aggregates: any signed-in user), and quarantined rows (raw
// personal data: only where the request's agreements share the source's "record.raw").
#include "api/internal.h"
#include "core/ascii.h"

namespace tessera::api {

namespace {

using nlohmann::json;

json LoadJson(const store::LoadSummary& l) {
  json j = {{"load_id", l.id},
            {"source_id", l.source_id},
            {"file", l.file},
            {"mode", std::string(store::LoadModeName(l.mode))},
            {"status", std::string(store::LoadStatusName(l.status))},
            {"started_at", IsoTime(l.started_at_micros)},
            {"read", l.counts.read},
            {"loaded", l.counts.loaded},
            {"unchanged", l.counts.unchanged},
            {"quarantined", l.counts.quarantined},
            {"deleted", l.counts.deleted}};
  if (l.finished_at_micros) j["finished_at"] = IsoTime(*l.finished_at_micros);
  return j;
}

}  // namespace

Status HubApi::Impl::AddWorkRoutes(serve::Router& router) {
  serve::Route loads{.id = "quality.loads",
                     .method = "GET",
                     .pattern = "/api/v1/quality/loads",
                     .access = serve::Access::kUser,
                     .handler = [this](const serve::Request& request) -> serve::Response {
                       const std::string source = QueryParam(request, "source");
                       auto limit_param = LimitParam(request, 100, 1000);
                       if (!limit_param.ok()) return ProblemFromStatus(limit_param.status());
                       const int limit = *limit_param;
                       auto lease = stores.Acquire();
                       if (!lease.ok()) return ProblemFromStatus(lease.status());
                       auto list = (*lease)->ListLoads(source, limit);
                       if (!list.ok()) return ProblemFromStatus(list.status());
                       json out = json::array();
                       for (const auto& l : *list) out.push_back(LoadJson(l));
                       return JsonResponse(200, {{"loads", out}});
                     }};
  TRY(router.Add(std::move(loads)));

  serve::Route load_quality{
      .id = "quality.load",
      .method = "GET",
      .pattern = "/api/v1/quality/loads/{id}",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request& request) -> serve::Response {
        auto id = IdParam(request, "id");
        if (!id.ok()) return ProblemFromStatus(id.status());
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto load = (*lease)->GetLoad(*id);
        if (!load.ok()) return ProblemFromStatus(load.status());
        auto quality = (*lease)->GetLoadQuality(*id);
        if (!quality.ok()) return ProblemFromStatus(quality.status());
        json out = LoadJson(*load);
        if (*quality) {
          json fields = json::array();
          for (const store::FieldQuality& f : (*quality)->fields) {
            const double completeness =
                f.records > 0 ? static_cast<double>(f.present - f.placeholder) / f.records : 0;
            const double validity = f.present > 0 ? static_cast<double>(f.valid) / f.present : 0;
            fields.push_back({{"attribute", f.attribute},
                              {"field", f.field},
                              {"records", f.records},
                              {"present", f.present},
                              {"valid", f.valid},
                              {"flagged", f.flagged},
                              {"placeholder", f.placeholder},
                              {"completeness", completeness},
                              {"validity", validity}});
          }
          json categories = json::object();
          for (const auto& [category, count] : (*quality)->categories) categories[category] = count;
          out["quality"] = {{"records", (*quality)->records},
                            {"flagged_records", (*quality)->flagged_records},
                            {"fields", fields},
                            {"categories", categories}};
        }
        return JsonResponse(200, out);
      }};
  TRY(router.Add(std::move(load_quality)));

  serve::Route quarantine{.id = "quality.quarantine",
                          .method = "GET",
                          .pattern = "/api/v1/quality/quarantine",
                          .access = serve::Access::kPersonalData,
                          .roles = {"practitioner", "analyst"},
                          .handler = [this](const serve::Request& request) -> serve::Response {
                            CallContext& ctx = ContextOf(request);
                            store::QuarantineQuery q;
                            q.source_id = QueryParam(request, "source");
                            auto load = WholeQueryParam(request, "load");
                            auto after = WholeQueryParam(request, "after");
                            if (!load.ok()) return ProblemFromStatus(load.status());
                            if (!after.ok()) return ProblemFromStatus(after.status());
                            if (*load) q.load_id = **load;
                            q.after_id = after->value_or(0);
                            q.limit = 100;
                            auto lease = stores.Acquire();
                            if (!lease.ok()) return ProblemFromStatus(lease.status());
                            auto rows = (*lease)->ListQuarantined(q);
                            if (!rows.ok()) return ProblemFromStatus(rows.status());
                            json out = json::array();
                            int64_t withheld = 0;
                            for (const store::QuarantinedRow& row : *rows) {
                              // A quarantined row is raw text as a partner sent it: shown only
                              // where the source's "record.raw" is shared; otherwise counted.
                              if ((ctx.visibility().DatasetFields(row.source_id) &
                                   govern::Bit(govern::Field::kRecordRaw)) == 0) {
                                ++withheld;
                                continue;
                              }
                              out.push_back({{"id", row.id},
                                             {"load_id", row.load_id},
                                             {"source_id", row.source_id},
                                             {"file", row.file},
                                             {"line", row.line},
                                             {"field", row.field},
                                             {"reason", row.reason},
                                             {"raw", ascii::EscapedForTerminal(row.raw)}});
                            }
                            ctx.resource = "quarantine";
                            ctx.detail = "rows=" + std::to_string(out.size()) +
                                         " withheld=" + std::to_string(withheld);
                            return JsonResponse(200, {{"rows", out}, {"withheld", withheld}});
                          }};
  TRY(router.Add(std::move(quarantine)));
  return Status::Ok();
}

}  // namespace tessera::api
