#include <nlohmann/json.hpp>

#include "serve/serve.h"

// docs/api/openapi.json, by the .incbin in openapi_blob.S (see CMakeLists.txt).
extern "C" const char tessera_openapi_json_begin[];
extern "C" const char tessera_openapi_json_end[];

namespace tessera::serve {

std::string_view OpenApiDocument() {
  return std::string_view(
      tessera_openapi_json_begin,
      static_cast<size_t>(tessera_openapi_json_end - tessera_openapi_json_begin));
}

Status AddHubRoutes(Router& router, HubStatus status) {
  if (!status.metrics) return Status::InvalidArgument("hub routes need the server's metrics");
  if (status.clock == nullptr) status.clock = &SystemClock::Instance();

  // Built apart from TRY: a macro argument cannot hold a braced list's commas.
  Route health{
      .id = "health", .method = "GET", .pattern = "/healthz", .handler = [status](const Request&) {
        const double uptime =
            static_cast<double>(status.clock->NowMicros() - status.started_micros) / 1e6;
        nlohmann::json j = {{"status", "ok"},
                            {"schema_version", status.schema_version},
                            {"uptime_seconds", uptime < 0 ? 0 : uptime}};
        return Response::Json(200, j.dump());
      }};
  TRY(router.Add(std::move(health)));

  Route metrics{.id = "metrics",
                .method = "GET",
                .pattern = "/metrics",
                .handler = [metrics = status.metrics](const Request&) {
                  Response r;
                  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  r.body = metrics->RenderPrometheus();
                  return r;
                }};
  TRY(router.Add(std::move(metrics)));

  Route openapi{.id = "openapi",
                .method = "GET",
                .pattern = "/api/v1/openapi.json",
                .handler = [](const Request&) {
                  return Response::Json(200, std::string(OpenApiDocument()));
                }};
  TRY(router.Add(std::move(openapi)));
  return Status::Ok();
}

}  // namespace tessera::serve
