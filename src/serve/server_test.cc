#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/ingest.h"
#include "serve/serve.h"
#include "serve/web_files.h"
#include "store/store.h"

namespace tessera::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Reply = http::response<http::string_body>;

constexpr int64_t kStart = 1'790'000'000'000'000;  // 2026-09-21

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "serve_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Reply Fetch(uint16_t port, http::verb method, std::string target, std::string body = "",
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.expires_after(std::chrono::seconds(10));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  Reply res;
  http::read(stream, buffer, res);
  return res;
}

Reply Get(uint16_t port, std::string target) { return Fetch(port, http::verb::get, target); }

// Sends raw bytes and reads until the server closes (or 5 s pass).
std::string RawExchange(uint16_t port, std::string_view bytes) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.expires_after(std::chrono::seconds(5));
  beast::error_code ec;
  net::write(stream, net::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  while (true) {
    size_t n = stream.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

void ExpectSecurityHeaders(const Reply& r) {
  EXPECT_EQ(r["Content-Security-Policy"], "default-src 'self'; frame-ancestors 'none'");
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r["X-Frame-Options"], "DENY");
  EXPECT_EQ(r["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(r["Cache-Control"], "no-store");
  EXPECT_FALSE(r["X-Request-Id"].empty());
}

void ExpectProblem(const Reply& r, int status) {
  EXPECT_EQ(r.result_int(), static_cast<unsigned>(status));
  EXPECT_EQ(r[http::field::content_type], "application/problem+json");
  auto j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["status"], status);
  EXPECT_TRUE(j["type"].is_string());
  EXPECT_TRUE(j["title"].is_string());
  EXPECT_TRUE(j["detail"].is_string());
  ExpectSecurityHeaders(r);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store::InitHub(hub_.path(), clock_).ok());
    auto store = store::OpenSqliteStore(hub_.path(), clock_);
    ASSERT_TRUE(store.ok());
    schema_version_ = (*store)->SchemaVersion();
  }

  ServerOptions Options() {
    ServerOptions o;
    o.clock = &clock_;
    o.request_id_seed = 7;
    o.metrics = metrics_;
    o.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    return o;
  }

  Router HubRouter() {
    Router router;
    EXPECT_TRUE(AddHubRoutes(router, {.schema_version = schema_version_,
                                      .started_micros = kStart,
                                      .clock = &clock_,
                                      .metrics = metrics_})
                    .ok());
    return router;
  }

  std::unique_ptr<Server> StartServer(Router router, ServerOptions options) {
    auto server = Server::Start(std::move(router), std::move(options));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(*server) : nullptr;
  }
  std::unique_ptr<Server> StartServer() { return StartServer(HubRouter(), Options()); }

  std::vector<std::string> Log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  TempDir hub_;
  ManualClock clock_{kStart};
  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  int schema_version_ = 0;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

// --- the router -----------------------------------------------------------------------------

Handler Ok() {
  return [](const Request&) { return Response::Json(200, "{}"); };
}

TEST(RouterTest, MatchesParametersAndPrefersLiterals) {
  Router router;
  ASSERT_TRUE(router
                  .Add({.id = "nominal",
                        .method = "GET",
                        .pattern = "/api/v1/nominals/{id}",
                        .handler = Ok()})
                  .ok());
  ASSERT_TRUE(router
                  .Add({.id = "nominal.search",
                        .method = "GET",
                        .pattern = "/api/v1/nominals/search",
                        .handler = Ok()})
                  .ok());
  auto m = router.Find("GET", "/api/v1/nominals/42");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.route->id, "nominal");
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals/search").route->id, "nominal.search");
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals/a%20b").params.at("id"), "a b");
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals/a%2Fb").status, 404);  // no '/' smuggled in
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals/%zz").status, 404);
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals").status, 404);
  EXPECT_EQ(router.Find("GET", "/api/v1/nominals/42/x").status, 404);
  auto wrong = router.Find("DELETE", "/api/v1/nominals/42");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_THAT(wrong.allowed, ::testing::ElementsAre("GET"));
}

TEST(RouterTest, RefusesMalformedAndDuplicateRoutes) {
  Router router;
  ASSERT_TRUE(router.Add({.id = "a", .method = "GET", .pattern = "/x/{id}", .handler = Ok()}).ok());
  EXPECT_EQ(router.Add({.id = "a", .method = "POST", .pattern = "/y", .handler = Ok()}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(
      router.Add({.id = "b", .method = "GET", .pattern = "/x/{other}", .handler = Ok()}).code(),
      StatusCode::kAlreadyExists);
  EXPECT_TRUE(
      router.Add({.id = "c", .method = "POST", .pattern = "/x/{id}", .handler = Ok()}).ok());
  for (std::string bad : {"x", "/x//y", "/x/{", "/x/a{id}", "/x/{id}/{id}", "/x?y"}) {
    EXPECT_EQ(router.Add({.id = "d", .method = "GET", .pattern = bad, .handler = Ok()}).code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(
      router.Add({.id = "Bad Id", .method = "GET", .pattern = "/z", .handler = Ok()}).ok());
  EXPECT_FALSE(router.Add({.id = "e", .method = "get", .pattern = "/z", .handler = Ok()}).ok());
  EXPECT_FALSE(router.Add({.id = "f", .method = "GET", .pattern = "/z", .handler = {}}).ok());
}

// --- the server -----------------------------------------------------------------------------

TEST_F(ServerTest, HealthzReportsSchemaAndUptime) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  clock_.Advance(90'000'000);
  Reply r = Get(server->port(), "/healthz");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "application/json");
  auto j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["schema_version"], schema_version_);
  EXPECT_GT(schema_version_, 0);
  EXPECT_DOUBLE_EQ(j["uptime_seconds"].get<double>(), 90.0);
  ExpectSecurityHeaders(r);
  EXPECT_TRUE(r["Strict-Transport-Security"].empty());  // no TLS here
}

TEST_F(ServerTest, UnknownPathAndWrongMethodAreProblems) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  Reply missing = Get(server->port(), "/api/v1/nothing");
  ExpectProblem(missing, 404);
  Reply wrong = Fetch(server->port(), http::verb::post, "/healthz", "{}");
  ExpectProblem(wrong, 405);
  EXPECT_EQ(wrong[http::field::allow], "GET");
}

TEST_F(ServerTest, OversizedBodyIs413AndServingGoesOn) {
  auto options = Options();
  options.max_body_bytes = 1000;
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  // A body declared too large is refused from its headers, before it is read.
  std::string reply = RawExchange(
      server->port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 200000000\r\n\r\n" +
                          std::string(5000, 'a'));
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(reply, HasSubstr("application/problem+json"));
  EXPECT_THAT(reply, HasSubstr("X-Content-Type-Options: nosniff"));
  // And a sent body over the limit, through a client that reads the answer.
  Reply r = Fetch(server->port(), http::verb::post, "/healthz", std::string(1001, 'b'));
  ExpectProblem(r, 413);
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
  EXPECT_EQ(metrics_->Requests("invalid", 413), 2);
}

TEST_F(ServerTest, HugeHeadersAre431) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  std::string reply = RawExchange(server->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                      std::string(16 << 10, 'h') + "\r\n\r\n");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(reply, HasSubstr("\"status\":431"));
  EXPECT_THAT(reply, HasSubstr("Content-Security-Policy: default-src 'self'"));
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
}

TEST_F(ServerTest, MalformedRequestsGetACleanBadRequest) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  for (std::string bad : {
           std::string("GARBAGE\r\n\r\n"),
           std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),
           std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"),
           std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n"),
           std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "zz\r\n"),
           std::string("GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("GET /a\x01z HTTP/1.1\r\nHost: x\r\n\r\n"),
       }) {
    std::string reply = RawExchange(server->port(), bad);
    EXPECT_THAT(reply, StartsWith("HTTP/1.1 400")) << bad;
    EXPECT_THAT(reply, HasSubstr("application/problem+json")) << bad;
    EXPECT_THAT(reply, ::testing::Not(HasSubstr("<html"))) << bad;
  }
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  Get(server->port(), "/healthz");
  Get(server->port(), "/healthz?probe=1");
  Get(server->port(), "/nope");
  // A request is counted once its response is written, which can be just after the client has
  // it: read /metrics until the three requests are in (each read counts only under "metrics").
  Reply r = Get(server->port(), "/metrics");
  auto counted = [](const std::string& text) {
    return text.find("route=\"unmatched\",status=\"404\"} 1") != std::string::npos &&
           text.find("route=\"health\",status=\"200\"} 2") != std::string::npos;
  };
  for (int i = 0; i < 2000 && !counted(r.body()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    r = Get(server->port(), "/metrics");
  }
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_THAT(std::string(r[http::field::content_type]), StartsWith("text/plain; version=0.0.4"));
  const std::string& text = r.body();
  EXPECT_THAT(text, HasSubstr("tessera_http_requests_total{route=\"health\",status=\"200\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("tessera_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tessera_http_request_duration_seconds histogram"));
  EXPECT_THAT(
      text,
      HasSubstr("tessera_http_request_duration_seconds_bucket{route=\"health\",le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("tessera_http_request_duration_seconds_count{route=\"health\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("tessera_http_connections_open"));
  ExpectSecurityHeaders(r);
}

TEST_F(ServerTest, LogsOneJsonLinePerRequest) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  Reply r = Get(server->port(), "/healthz?name=secret");
  Get(server->port(), "/missing");
  // The log line is written after the response: wait for it.
  for (int i = 0; i < 2000 && Log().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto lines = Log();
  ASSERT_EQ(lines.size(), 2u);
  // Each line is written when its own response is, on whichever thread served it: the two may
  // come in either order.
  if (lines[0].find("\"route\":\"health\"") == std::string::npos) std::swap(lines[0], lines[1]);
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["route"], "health");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/healthz");  // never the query string: it may hold personal data
  EXPECT_THAT(lines[0], ::testing::Not(HasSubstr("secret")));
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["request_id"], std::string(r["X-Request-Id"]));
  EXPECT_EQ(j["time"], "2026-09-21T14:13:20.000Z");
  EXPECT_TRUE(j["duration_ms"].is_number());
  EXPECT_EQ(j["bytes_out"].get<int64_t>() > 0, true);
  auto k = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(k["route"], "unmatched");
  EXPECT_EQ(k["status"], 404);
  EXPECT_NE(k["request_id"], j["request_id"]);
}

TEST_F(ServerTest, OpenApiDocumentsTheOperationalRoutes) {
  // The full comparison (every documented operation served, every route documented, access and
  // roles alike) is tests/integration/api_test.cc, which builds the whole router.
  Router router = HubRouter();
  auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_THAT(doc["openapi"].get<std::string>(), StartsWith("3.0"));
  for (const Route& r : router.routes()) {
    std::string lower = r.method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(doc["paths"].contains(r.pattern)) << r.pattern << " is not documented";
    const auto& operation = doc["paths"][r.pattern][lower];
    EXPECT_EQ(operation["operationId"], r.id);
    EXPECT_EQ(operation["x-tessera-access"], "public");
  }

  auto server = StartServer(std::move(router), Options());
  ASSERT_NE(server, nullptr);
  Reply r = Get(server->port(), "/api/v1/openapi.json");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(r.body()), doc);
  ExpectSecurityHeaders(r);
}

TEST_F(ServerTest, PersonalRoutesGoThroughTheGate) {
  auto make_router = [] {
    Router router;
    EXPECT_TRUE(router
                    .Add({.id = "nominal",
                          .method = "GET",
                          .pattern = "/api/v1/nominals/{id}",
                          .access = Access::kPersonalData,
                          .handler =
                              [](const Request& r) {
                                return Response::Json(200,
                                                      "{\"id\":\"" + r.params.at("id") + "\"}");
                              }})
                    .ok());
    return router;
  };
  // Deny by default: without a policy gate, a personal route cannot be served at all.
  auto refused = Server::Start(make_router(), Options());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);

  auto options = Options();
  std::vector<std::string> decided;
  options.gate = [&decided](const Route& route, Request& request,
                            const Handler& handler) -> Response {
    decided.push_back(route.id + ":" + request.params.at("id"));
    if (request.Header("X-Purpose").empty()) {
      return Response::Problem(403, "Forbidden", "state a purpose");
    }
    request.context = std::string("allowed");
    return handler(request);
  };
  auto server = StartServer(make_router(), options);
  ASSERT_NE(server, nullptr);
  ExpectProblem(Get(server->port(), "/api/v1/nominals/7"), 403);
  Reply ok = Fetch(server->port(), http::verb::get, "/api/v1/nominals/8", "",
                   {{"X-Purpose", "safeguarding"}});
  EXPECT_EQ(ok.result_int(), 200u);
  EXPECT_EQ(ok.body(), "{\"id\":\"8\"}");
  server->Stop();
  EXPECT_THAT(decided, ::testing::ElementsAre("nominal:7", "nominal:8"));
}

TEST_F(ServerTest, AHandlerThatThrowsIsA500) {
  Router router;
  ASSERT_TRUE(
      router
          .Add({.id = "boom",
                .method = "GET",
                .pattern = "/boom",
                .handler = [](const Request&) -> Response { throw std::runtime_error("boom"); }})
          .ok());
  auto server = StartServer(std::move(router), Options());
  ASSERT_NE(server, nullptr);
  ExpectProblem(Get(server->port(), "/boom"), 500);
}

// A held response (Response::hold) is sent only once released, and the one server thread serves
// other connections meanwhile; a release with an error sends a 503 instead.
TEST_F(ServerTest, AHeldResponseWaitsForItsReleaseWithoutHoldingAThread) {
  std::mutex mu;
  std::vector<Response::Release> releases;
  Router router = HubRouter();
  ASSERT_TRUE(router
                  .Add({.id = "held",
                        .method = "GET",
                        .pattern = "/held",
                        .handler =
                            [&](const Request&) {
                              Response r = Response::Json(200, R"({"shown":true})");
                              r.hold = [&](Response::Release release) {
                                std::lock_guard lock(mu);
                                releases.push_back(std::move(release));
                              };
                              return r;
                            }})
                  .ok());
  auto options = Options();
  options.threads = 1;
  auto server = StartServer(std::move(router), options);
  ASSERT_NE(server, nullptr);
  auto wait_for_holds = [&](size_t n) {
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard lock(mu);
        if (releases.size() >= n) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  };
  std::future<Reply> first =
      std::async(std::launch::async, [&] { return Get(server->port(), "/held"); });
  std::future<Reply> second =
      std::async(std::launch::async, [&] { return Get(server->port(), "/held"); });
  ASSERT_TRUE(wait_for_holds(2));
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(metrics_->Counter("tessera_http_responses_held"), 2);
  // Both are held, and the only thread still answers another connection.
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
  Response::Release ok, failed;
  {
    std::lock_guard lock(mu);
    ok = releases[0];
    failed = releases[1];
  }
  std::thread([ok] { ok(Status::Ok()); }).join();  // from another thread, as the audit log does
  failed(Status::Unavailable("the event could not be recorded"));
  ok(Status::Internal("a second release is ignored"));
  Reply a = first.get();
  Reply b = second.get();
  // Which request was held first is up to the scheduler: one of each.
  if (a.result_int() != 200u) std::swap(a, b);
  EXPECT_EQ(a.result_int(), 200u);
  EXPECT_EQ(a.body(), R"({"shown":true})");
  EXPECT_EQ(b.result_int(), 503u);
  EXPECT_THAT(b.body(), HasSubstr("the event could not be recorded"));
  EXPECT_THAT(b.body(), Not(HasSubstr("shown")));
  EXPECT_EQ(metrics_->Counter("tessera_http_responses_held"), 0);
}

// --- the web app ------------------------------------------------------------------------------

constexpr std::string_view kIndexHtml =
    "<!doctype html><title>Tessera</title><script type=module src=/assets/app-abc123.js>"
    "</script>";
constexpr std::string_view kAppJs = "console.log('tessera');\n";
constexpr std::string_view kFavicon = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
constexpr const char* kWebCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
constexpr std::string_view kSecret = "SECRET-OUTSIDE-THE-WEB-ROOT";

void WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A built web app in `dir`/dist, and a file beside it that must never be served.
std::string WriteWebApp(const std::string& dir) {
  const std::filesystem::path dist = std::filesystem::path(dir) / "dist";
  WriteFile(dist / "index.html", kIndexHtml);
  WriteFile(dist / "assets" / "app-abc123.js", kAppJs);
  WriteFile(dist / "favicon.svg", kFavicon);
  WriteFile(std::filesystem::path(dir) / "secret.txt", kSecret);
  return dist.string();
}

void ExpectWebHeaders(const Reply& r) {
  EXPECT_EQ(r["Content-Security-Policy"], kWebCsp);
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r["X-Frame-Options"], "DENY");
  EXPECT_EQ(r["Referrer-Policy"], "no-referrer");
  EXPECT_FALSE(r["X-Request-Id"].empty());
  EXPECT_THAT(std::string(r[http::field::etag]), ::testing::MatchesRegex("\"[0-9a-f]{32}\""));
}

// HEAD: the parser must be told that no body follows.
Reply Head(beast::tcp_stream& stream, beast::flat_buffer& buffer, std::string target) {
  http::request<http::empty_body> req{http::verb::head, target, 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  http::response_parser<http::string_body> parser;
  parser.skip(true);
  http::read(stream, buffer, parser);
  return parser.release();
}

class WebAppTest : public ServerTest {
 protected:
  std::unique_ptr<Server> StartWebServer() {
    auto options = Options();
    options.web_root = WriteWebApp(web_dir_.path());
    return StartServer(HubRouter(), options);
  }
  TempDir web_dir_;
};

TEST_F(WebAppTest, ServesTheBuiltFilesWithTheirTypesAndCaching) {
  auto server = StartWebServer();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  Reply index = Get(port, "/");
  EXPECT_EQ(index.result_int(), 200u);
  EXPECT_EQ(index.body(), kIndexHtml);
  EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(index[http::field::cache_control], "no-cache");
  ExpectWebHeaders(index);
  EXPECT_EQ(Get(port, "/index.html").body(), kIndexHtml);

  Reply js = Get(port, "/assets/app-abc123.js");
  EXPECT_EQ(js.result_int(), 200u);
  EXPECT_EQ(js.body(), kAppJs);
  EXPECT_EQ(js[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(js[http::field::cache_control], "public, max-age=31536000, immutable");
  ExpectWebHeaders(js);
  EXPECT_NE(js[http::field::etag], index[http::field::etag]);

  Reply icon = Get(port, "/favicon.svg");
  EXPECT_EQ(icon.body(), kFavicon);
  EXPECT_EQ(icon[http::field::content_type], "image/svg+xml");
  EXPECT_EQ(icon[http::field::cache_control], "no-cache");

  // The app's own routes get index.html; a missing file is a 404, not the app.
  for (const char* route : {"/person/12", "/search", "/person/12/", "/households/3/map"}) {
    Reply r = Get(port, route);
    EXPECT_EQ(r.result_int(), 200u) << route;
    EXPECT_EQ(r.body(), kIndexHtml) << route;
    EXPECT_EQ(r[http::field::cache_control], "no-cache") << route;
  }
  ExpectProblem(Get(port, "/missing.js"), 404);
  ExpectProblem(Get(port, "/assets/app-000000.js"), 404);

  // The API and the operational routes are untouched: their 404s are problems, not the app.
  for (const char* api : {"/api/v1/nope", "/api", "/api/v1", "/healthz/x", "/metrics/x"}) {
    ExpectProblem(Get(port, api), 404);
  }
  Reply health = Get(port, "/healthz");
  EXPECT_EQ(health.result_int(), 200u);
  ExpectSecurityHeaders(health);  // no-store and the API's CSP
  ExpectProblem(Fetch(port, http::verb::post, "/", "{}"), 404);

  // Counted and logged as "web".
  for (int i = 0; i < 2000 && metrics_->Requests("web", 200) < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(metrics_->Requests("web", 200), 8);
  bool logged = false;
  for (const std::string& line : Log()) {
    logged |= line.find("\"msg\":\"serving the web app\"") != std::string::npos &&
              line.find("\"files\":3") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(WebAppTest, NoPathReachesOutsideTheWebRoot) {
  const std::filesystem::path dist = WriteWebApp(web_dir_.path());
  // A link out of the root is not served; a link to a file inside it is.
  std::filesystem::create_symlink(std::filesystem::path(web_dir_.path()) / "secret.txt",
                                  dist / "leak.txt");
  std::filesystem::create_symlink(dist / "favicon.svg", dist / "icon.svg");
  auto options = Options();
  options.web_root = dist.string();
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  for (const char* target :
       {"/../secret.txt", "/../etc/passwd", "/%2e%2e/secret.txt", "/%2e%2e/x", "/assets/..%2fx",
        "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt",
        "/%5c..%5csecret.txt", "/index.html%00", "/%00", "/leak.txt", "/%zz", "/assets/..",
        "//secret.txt", "/dist/../secret.txt"}) {
    Reply r = Get(port, target);
    EXPECT_TRUE(r.result_int() == 400 || r.result_int() == 404) << target << " " << r.result();
    EXPECT_EQ(r.body().find(kSecret), std::string::npos) << target;
    EXPECT_EQ(r.body().find("<!doctype"), std::string::npos) << target;
    EXPECT_EQ(r[http::field::content_type], "application/problem+json") << target;
  }
  // Raw, in case a client library tidied the target.
  std::string raw = RawExchange(port,
                                "GET /../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: "
                                "close\r\n\r\n");
  EXPECT_THAT(raw, ::testing::Not(HasSubstr(std::string(kSecret))));
  EXPECT_EQ(Get(port, "/icon.svg").body(), kFavicon);
  bool warned = false;
  for (const std::string& line : Log()) {
    warned |= line.find("\"level\":\"warn\"") != std::string::npos &&
              line.find("leak.txt") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST_F(WebAppTest, AMatchingETagIs304) {
  auto server = StartWebServer();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  for (const char* target : {"/", "/assets/app-abc123.js", "/person/12"}) {
    Reply first = Get(port, target);
    const std::string etag(first[http::field::etag]);
    ASSERT_FALSE(etag.empty()) << target;
    for (const std::string& tags : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
      Reply again = Fetch(port, http::verb::get, target, "", {{"If-None-Match", tags}});
      EXPECT_EQ(again.result_int(), 304u) << target << " " << tags;
      EXPECT_TRUE(again.body().empty());
      EXPECT_EQ(again[http::field::etag], etag);
      EXPECT_EQ(again[http::field::cache_control], first[http::field::cache_control]);
      EXPECT_EQ(again["Content-Security-Policy"], kWebCsp);
    }
    Reply changed = Fetch(port, http::verb::get, target, "", {{"If-None-Match", "\"stale\""}});
    EXPECT_EQ(changed.result_int(), 200u);
    EXPECT_EQ(changed.body(), first.body());
  }
}

TEST_F(WebAppTest, HeadSendsHeadersOnlyAndTheConnectionGoesOn) {
  auto server = StartWebServer();
  ASSERT_NE(server, nullptr);
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
  stream.expires_after(std::chrono::seconds(10));
  beast::flat_buffer buffer;
  Reply head = Head(stream, buffer, "/assets/app-abc123.js");
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_EQ(head[http::field::content_length], std::to_string(kAppJs.size()));
  EXPECT_EQ(head[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_TRUE(head.body().empty());
  Reply person = Head(stream, buffer, "/person/12");
  EXPECT_EQ(person[http::field::content_length], std::to_string(kIndexHtml.size()));
  // A HEAD the API refuses is headers only too.
  Reply refused = Head(stream, buffer, "/healthz");
  EXPECT_EQ(refused.result_int(), 405u);
  EXPECT_TRUE(refused.body().empty());
  // Nothing stray was left on the connection: the next GET reads cleanly.
  http::request<http::string_body> req{http::verb::get, "/favicon.svg", 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  Reply icon;
  http::read(stream, buffer, icon);
  EXPECT_EQ(icon.body(), kFavicon);
}

TEST_F(WebAppTest, AMissingOrTooLargeWebRootFailsToStart) {
  auto options = Options();
  options.web_root = (std::filesystem::path(web_dir_.path()) / "nothing").string();
  auto missing = Server::Start(HubRouter(), options);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);

  WriteFile(std::filesystem::path(web_dir_.path()) / "bare" / "app.js", kAppJs);
  options.web_root = (std::filesystem::path(web_dir_.path()) / "bare").string();
  auto no_index = Server::Start(HubRouter(), options);
  EXPECT_EQ(no_index.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_index.status().message(), HasSubstr("index.html"));

  const std::string dist = WriteWebApp(web_dir_.path());
  auto loaded = WebFiles::Load(dist, 1 << 20);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->files(), 3u);
  EXPECT_EQ(loaded->bytes(), kIndexHtml.size() + kAppJs.size() + kFavicon.size());
  EXPECT_EQ(WebFiles::Load(dist, 100).status().code(), StatusCode::kResourceExhausted);
}

TEST(WebFilesTest, ContentTypesByExtension) {
  EXPECT_EQ(WebContentType("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(WebContentType("/assets/x.MJS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(WebContentType("/assets/x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(WebContentType("/gb.json"), "application/json");
  EXPECT_EQ(WebContentType("/gb.geojson"), "application/geo+json");
  EXPECT_EQ(WebContentType("/favicon.ico"), "image/vnd.microsoft.icon");
  EXPECT_EQ(WebContentType("/assets/f.woff2"), "font/woff2");
  EXPECT_EQ(WebContentType("/assets/x.js.map"), "application/json");
  EXPECT_EQ(WebContentType("/site.webmanifest"), "application/manifest+json");
  EXPECT_EQ(WebContentType("/robots.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(WebContentType("/a.png"), "image/png");
  EXPECT_EQ(WebContentType("/data.bin"), "application/octet-stream");
  EXPECT_EQ(WebContentType("/assets.d/noext"), "application/octet-stream");
}

TEST(WebFilesTest, DefaultWebRootPrefersTheEnvironmentThenTheBuildTreeThenTheWorkingDirectory) {
  TempDir repo, elsewhere;
  const std::filesystem::path root(repo.path());
  const std::string exe_dir = (root / "build" / "release").string();
  std::filesystem::create_directories(exe_dir);
  EXPECT_EQ(DefaultWebRoot("/srv/web", exe_dir, elsewhere.path()), "/srv/web");
  EXPECT_EQ(DefaultWebRoot("", exe_dir, elsewhere.path()), "");
  WriteFile(std::filesystem::path(elsewhere.path()) / "web" / "dist" / "index.html", kIndexHtml);
  EXPECT_EQ(DefaultWebRoot("", exe_dir, elsewhere.path()),
            (std::filesystem::path(elsewhere.path()) / "web" / "dist").string());
  WriteFile(root / "web" / "dist" / "index.html", kIndexHtml);
  EXPECT_EQ(DefaultWebRoot("", exe_dir, elsewhere.path()), (root / "web" / "dist").string());
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsAndIdleConnectionsClose) {
  auto options = Options();
  options.idle_timeout = std::chrono::milliseconds(300);
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
  beast::flat_buffer buffer;
  for (int i = 0; i < 3; ++i) {
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "x");
    http::write(stream, req);
    Reply res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
  }
  // Idle past the timeout: the server closes the connection.
  const auto before = std::chrono::steady_clock::now();
  stream.expires_after(std::chrono::seconds(5));
  Reply res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  EXPECT_EQ(ec, http::error::end_of_stream);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
}

TEST_F(ServerTest, SlowRequestsTimeOut) {
  auto options = Options();
  options.read_timeout = std::chrono::milliseconds(300);
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  // Half a request line, then nothing: closed after the read timeout.
  const auto before = std::chrono::steady_clock::now();
  std::string reply = RawExchange(server->port(), "GET /heal");
  EXPECT_EQ(reply, "");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitGet503) {
  auto options = Options();
  options.max_connections = 1;
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  net::io_context ioc;
  beast::tcp_stream held(ioc);
  held.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
  http::request<http::string_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "x");
  http::write(held, req);
  beast::flat_buffer buffer;
  Reply first;
  http::read(held, buffer, first);
  EXPECT_EQ(first.result_int(), 200u);
  std::string reply = RawExchange(server->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(reply, HasSubstr("\"status\":503"));
  held.close();
  for (int i = 0; i < 2000 && metrics_->Counter("tessera_http_connections_open") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200u);
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
  http::request<http::string_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "x");
  http::write(stream, req);
  beast::flat_buffer buffer;
  Reply res;
  http::read(stream, buffer, res);
  const auto before = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  EXPECT_TRUE(ec);
}

// --- TLS --------------------------------------------------------------------------------------

// A self-signed P-256 certificate for localhost, written as PEM files.
void WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "wb");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "wb");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST_F(ServerTest, TlsRoundTrip) {
  const std::string cert = hub_.path() + "/cert.pem", key = hub_.path() + "/key.pem";
  WriteSelfSignedCertificate(cert, key);
  auto options = Options();
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  auto server = StartServer(HubRouter(), options);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(server->tls());

  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(cert);  // trust exactly this self-signed certificate
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  ASSERT_TRUE(SSL_set_tlsext_host_name(stream.native_handle(), "localhost"));
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  stream.handshake(net::ssl::stream_base::client);
  http::request<http::string_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  beast::flat_buffer buffer;
  Reply res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(res.body())["status"], "ok");
  EXPECT_EQ(res["Strict-Transport-Security"], "max-age=31536000; includeSubDomains");
  ExpectSecurityHeaders(res);

  // Plain HTTP to the TLS port gets no answer, and the server goes on.
  std::string plain = RawExchange(server->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(plain, ::testing::Not(HasSubstr("\"status\":\"ok\"")));
  EXPECT_EQ(server->port() > 0, true);
}

TEST_F(ServerTest, MissingTlsFilesFailToStart) {
  auto options = Options();
  options.tls_cert_file = hub_.path() + "/none.pem";
  options.tls_key_file = hub_.path() + "/none.key";
  EXPECT_EQ(Server::Start(HubRouter(), options).status().code(), StatusCode::kIoError);
  options.tls_key_file.clear();
  EXPECT_EQ(Server::Start(HubRouter(), options).status().code(), StatusCode::kInvalidArgument);
}

// --- the hub's background work ----------------------------------------------------------------

TEST_F(ServerTest, WorkerLoadsLandingFilesAndResolvesThem) {
  const std::string hub = hub_.path();
  std::filesystem::create_directories(hub + "/mappings");
  {
    std::ofstream spec(hub + "/mappings/people.yaml");
    spec << "source: people\nagency: housing\nformat: csv\nrecord_key: Id\npeople:\n"
            "  - given: Given\n    family: Family\n    dob: {field: DoB, formats: [yyyy-mm-dd]}\n";
  }
  std::filesystem::create_directories(hub + "/landing/people");
  {
    std::ofstream csv(hub + "/landing/people/first.csv");
    csv << "Id,Given,Family,DoB\n1,Ann,Lee,1980-01-02\n2,Ann,Lee,1980-01-02\n3,Bob,Hill,"
           "1975-05-06\n";
  }
  SystemClock::Instance();
  auto worker = HubWorker::Start({.hub_dir = hub,
                                  .interval = std::chrono::milliseconds(50),
                                  .resolver_threads = 1,
                                  .metrics = metrics_,
                                  .log = [](std::string_view) {}});
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();
  for (int i = 0; i < 2000 && metrics_->Counter("tessera_resolver_runs_total") +
                                      metrics_->Counter("tessera_resolver_errors_total") <
                                  1;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  (*worker)->Stop();
  EXPECT_EQ(metrics_->Counter("tessera_ingest_files_loaded_total"), 1);
  EXPECT_EQ(metrics_->Counter("tessera_ingest_rows_loaded_total"), 3);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_errors_total"), 0);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_runs_total"), 1);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_records_resolved_total"), 3);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_queue_depth"), 0);
  EXPECT_GT(metrics_->Counter("tessera_nominals"), 0);
  EXPECT_TRUE(std::filesystem::exists(hub + "/models/linkage.json"));
  EXPECT_TRUE(std::filesystem::exists(hub + "/landing/people/processed/first.csv"));
  EXPECT_FALSE(std::filesystem::exists(hub + "/landing/people/first.csv"));
}

TEST_F(ServerTest, WorkerResolvesAtOnceWhenNotifiedOfPushedRecords) {
  const std::string hub = hub_.path();
  std::filesystem::create_directories(hub + "/mappings");
  {
    std::ofstream spec(hub + "/mappings/people.yaml");
    spec << "source: people\nagency: housing\nformat: csv\nrecord_key: Id\npeople:\n"
            "  - given: Given\n    family: Family\n    dob: {field: DoB, formats: [yyyy-mm-dd]}\n";
  }
  // Scans an hour apart: only a notice can make it resolve within the test.
  auto worker = HubWorker::Start({.hub_dir = hub,
                                  .interval = std::chrono::hours(1),
                                  .resolver_threads = 1,
                                  .metrics = metrics_,
                                  .log = [](std::string_view) {}});
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();
  for (int i = 0; i < 400 && (*worker)->scans() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    auto store = store::OpenSqliteStore(hub, SystemClock::Instance());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ingest::Ingestor ingestor(**store, SystemClock::Instance());
    auto pushed =
        ingestor.LoadBytes("", hub + "/mappings/people.yaml",
                           R"([{"Id": "1", "Given": "Ann", "Family": "Lee", "DoB": "1980-01-02"},
            {"Id": "2", "Given": "Bob", "Family": "Hill", "DoB": "1975-05-06"}])",
                           ingest::PushFormat::kJsonRecords, "api");
    ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
    ASSERT_EQ(pushed->counts.loaded, 2);
  }
  (*worker)->Notify();
  for (int i = 0; i < 2000 && metrics_->Counter("tessera_resolver_runs_total") +
                                      metrics_->Counter("tessera_resolver_errors_total") <
                                  1;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  (*worker)->Stop();
  EXPECT_EQ((*worker)->scans(), 1);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_errors_total"), 0);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_runs_total"), 1);
  EXPECT_EQ(metrics_->Counter("tessera_resolver_records_resolved_total"), 2);
}

}  // namespace
}  // namespace tessera::serve
