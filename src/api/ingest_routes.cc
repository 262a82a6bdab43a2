// Partners' pushes: records POSTed by a service account for the one source it is bound to, run
// through the same ingest pipeline as a landing file (docs/formats/push-ingest.md).
#include <filesystem>

#include "api/internal.h"
#include "core/ascii.h"
#include "ingest/ingest.h"

namespace tessera::api {

namespace {

using nlohmann::json;

// The push format a Content-Type names, or nothing if it names none.
std::optional<ingest::PushFormat> PushFormatOf(std::string_view content_type) {
  const std::string type =
      ascii::LowerCase(ascii::TrimBlanks(content_type.substr(0, content_type.find(';'))));
  if (type == "application/json" || type == "application/x-ndjson") {
    return ingest::PushFormat::kJsonRecords;
  }
  if (type == "application/fhir+json") return ingest::PushFormat::kFhir;
  return std::nullopt;
}

json PushJson(const ingest::FileLoadResult& r) {
  json records = json::array();
  for (const ingest::RecordOutcome& o : r.records) {
    json record = {{"index", o.index},
                   {"key", o.key},
                   {"outcome", std::string(ingest::RecordOutcomeName(o.outcome))}};
    if (o.outcome == ingest::RecordOutcome::Kind::kQuarantined) {
      record["reason"] = o.reason;
      if (!o.field.empty()) record["field"] = o.field;
    }
    records.push_back(std::move(record));
  }
  return {{"load_id", r.load_id},
          {"source_id", r.source_id},
          {"already_loaded", r.already_loaded},
          {"counts",
           {{"read", r.counts.read},
            {"loaded", r.counts.loaded},
            {"unchanged", r.counts.unchanged},
            {"quarantined", r.counts.quarantined}}},
          {"records", std::move(records)}};
}

}  // namespace

Status HubApi::Impl::AddIngestRoutes(serve::Router& router) {
  // POST /api/v1/sources/{source}/records: a partner system pushes records.
  serve::Route push{
      .id = "sources.push",
      .method = "POST",
      .pattern = "/api/v1/sources/{source}/records",
      .access = serve::Access::kUser,
      .roles = {"service_account"},
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        ctx.audit = true;  // a write, allowed or not
        const std::string& source = request.params.at("source");
        const std::string& bound = ctx.user.bound_source;
        if (bound.empty() || source != bound) {
          ctx.detail = "bound to source " + bound;
          return serve::Response::Problem(
              403, "Forbidden", "this account pushes records to source '" + bound + "' only");
        }
        ctx.resource = "source/" + source + "/records";
        const auto format = PushFormatOf(request.Header("Content-Type"));
        if (!format) {
          return serve::Response::Problem(
              415, "Unsupported Media Type",
              "send application/json (records: an array, one object, or JSON Lines) or "
              "application/fhir+json (a FHIR Bundle)");
        }
        if (ascii::TrimBlanks(request.body).empty()) {
          return serve::Response::Problem(400, "Bad Request", "the body holds no records");
        }
        const std::filesystem::path spec =
            std::filesystem::path(options.hub_dir) / "mappings" / (source + ".yaml");
        if (std::error_code ec; !std::filesystem::is_regular_file(spec, ec)) {
          return serve::Response::Problem(
              404, "Not Found", "source '" + source + "' has no mapping spec on this hub");
        }
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        ingest::Ingestor ingestor(**lease, clock, gazetteer);
        ingest::IngestOptions ingest_options;
        ingest_options.record_outcomes = true;
        auto loaded =
            ingestor.LoadBytes(source, spec.string(), request.body, *format, "api", ingest_options);
        if (!loaded.ok()) {
          ctx.detail = "refused: " + std::string(StatusCodeName(loaded.status().code()));
          return ProblemFromStatus(loaded.status());
        }
        const store::LoadCounts& c = loaded->counts;
        ctx.detail = "load=" + std::to_string(loaded->load_id) + " read=" + std::to_string(c.read) +
                     " loaded=" + std::to_string(c.loaded) +
                     " unchanged=" + std::to_string(c.unchanged) +
                     " quarantined=" + std::to_string(c.quarantined) +
                     (loaded->already_loaded ? " already_loaded" : "");
        options.metrics->AddCounter("tessera_ingest_pushes_total",
                                    "Pushes of records over the API that were read.");
        options.metrics->AddCounter("tessera_ingest_rows_loaded_total",
                                    "Rows loaded (new records and versions).",
                                    static_cast<double>(c.loaded));
        options.metrics->AddCounter(
            "tessera_ingest_rows_quarantined_total", "Rows quarantined.",
            static_cast<double>(loaded->already_loaded ? 0 : c.quarantined));
        if (c.loaded > 0 && !loaded->already_loaded && options.on_ingest) options.on_ingest();
        return JsonResponse(200, PushJson(*loaded));
      }};
  return router.Add(std::move(push));
}

}  // namespace tessera::api
