// The Beast server: one io_context on N threads, a strand per connection, async throughout.
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <type_traits>

#include "core/random.h"
#include "serve/serve.h"
#include "serve/web_files.h"

namespace tessera::serve {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // From any thread: close the connection if it is waiting for a request; otherwise it closes
  // after the response in progress.
  virtual void Shutdown() = 0;
  // From any thread: send the response held back (Response::hold), or a 503 problem if
  // `released` is an error.
  virtual void Release(Status released) = 0;
};

// The sessions whose responses are held back (Response::hold), kept alive here until released.
// Shared with the release callbacks, which may run after the server has stopped: they then do
// nothing.
struct HeldSessions {
  std::mutex mu;
  bool stopped = false;
  std::map<uint64_t, std::shared_ptr<SessionBase>> sessions;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void LogToStderr(std::string_view line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

std::string FormatTime(int64_t micros) { return FormatUtc(micros, /*with_millis=*/true); }

constexpr size_t kMaxWebBytes = size_t{64} << 20;

// The API's responses are JSON and never framed; the web app's pages load only their own
// scripts, styles, images and fonts, and talk only to this origin.
constexpr std::string_view kApiCsp = "default-src 'self'; frame-ancestors 'none'";
constexpr std::string_view kWebCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

struct Server::Impl {
  Router router;
  ServerOptions options;
  std::optional<WebFiles> web;
  std::shared_ptr<Metrics> metrics;
  std::optional<ssl::context> tls;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mu;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  uint64_t next_session = 0;
  std::atomic<uint64_t> requests{0};
  uint64_t request_prefix = 0;
  std::mutex stop_mu;
  bool stopped = false;
  std::shared_ptr<HeldSessions> held = std::make_shared<HeldSessions>();
  // Declared after everything a session touches, so that sessions still queued in the
  // io_context are destroyed before what they refer to.
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  std::vector<std::thread> threads;

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  std::string NextRequestId() {
    return fmt::format("{:012x}-{:x}", request_prefix & 0xffffffffffffULL, ++requests);
  }
  void Log(const nlohmann::json& line) const {
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    options.log(text);
  }
  std::atomic<int> held_responses{0};
  // Responses waiting for their release (Response::hold): for the server, audit commits in
  // flight. A number that only grows means the audit log has stopped committing.
  void HeldChanged(int delta) {
    const int now = held_responses += delta;
    metrics->SetGauge("tessera_http_responses_held",
                      "Responses held back until released (their audit events committing).", now);
  }
  void ConnectionsChanged(int delta) {
    const int now = connections += delta;
    metrics->SetGauge("tessera_http_connections_open", "Client connections open now.", now);
  }
  Response Dispatch(Request& request, std::string& route_id);
  // GET or HEAD on a path no route claims: the web app's file, index.html, or nothing.
  std::optional<Response> ServeWeb(const Request& request, std::string& route_id) const;
  void SetHeaders(http::response<http::string_body>& res, const Response& response,
                  std::string_view route_id, const std::string& request_id) const;
};

namespace {

template <bool kTls>
class Session final : public SessionBase {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(Server::Impl& server, tcp::socket socket, uint64_t id) requires(!kTls)
      : server_(server), stream_(std::move(socket)), id_(id) {
    Init();
  }
  Session(Server::Impl& server, tcp::socket socket, uint64_t id) requires(kTls)
      : server_(server), stream_(std::move(socket), *server.tls), id_(id) {
    Init();
  }
  ~Session() override {
    {
      std::lock_guard lock(server_.sessions_mu);
      server_.sessions.erase(id_);
    }
    server_.ConnectionsChanged(-1);
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = Self()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(self->server_.options.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server,
                                      beast::bind_front_handler(&Session::OnHandshake, self));
      } else {
        self->ReadRequest(/*first=*/true);
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = Self()] {
      if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  void Init() {
    beast::error_code ec;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return;  // not TLS, or gave up: nothing to answer in
    ReadRequest(/*first=*/true);
  }

  void ReadRequest(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(static_cast<std::uint64_t>(server_.options.max_body_bytes));
    if (first || buffer_.size() > 0) {
      ReadRest();
      return;
    }
    if (server_.stopping) return Close(/*linger=*/false);
    // Between requests: the idle timeout until the next request's first byte.
    idle_ = true;
    beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::OnFirstBytes, Self()));
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    idle_ = false;
    if (ec) return Close(/*linger=*/false);  // idle timeout, client gone, or shutting down
    buffer_.commit(bytes);
    ReadRest();
  }

  void ReadRest() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, Self()));
  }

  void OnRead(beast::error_code ec, size_t) {
    start_ = std::chrono::steady_clock::now();
    request_ = Request{};
    request_.request_id = server_.NextRequestId();
    request_.remote = remote_;
    if (parser_->is_header_done()) {
      const auto& header = parser_->get();
      request_.method = std::string(header.method_string());
      std::string_view target(header.target().data(), header.target().size());
      request_.path = std::string(target.substr(0, target.find('?')));
      version_ = header.version();
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof) return Close(false);
    if (ec == http::error::body_limit) {
      return Send(Response::Problem(413, "Content Too Large",
                                    fmt::format("the request body is larger than {} bytes",
                                                server_.options.max_body_bytes)),
                  "invalid", /*keep_alive=*/false);
    }
    if (ec == http::error::header_limit) {
      return Send(Response::Problem(431, "Request Header Fields Too Large",
                                    fmt::format("the request line and headers exceed {} bytes",
                                                server_.options.max_header_bytes)),
                  "invalid", false);
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return Send(Response::Problem(400, "Bad Request", "the request is not valid HTTP/1.1"),
                  "invalid", false);
    }
    if (ec == beast::error::timeout) {
      server_.metrics->AddCounter("tessera_http_read_timeouts_total",
                                  "Connections closed because a request was too slow to arrive.");
      return;  // the stream closed the socket
    }
    if (ec) return Close(false);

    auto message = parser_->release();
    std::string_view target(message.target().data(), message.target().size());
    const size_t q = target.find('?');
    if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
    for (const auto& field : message) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request_.body = std::move(message.body());
    std::string route_id;
    Response response = server_.Dispatch(request_, route_id);
    // A request the server could not make sense of ends the connection.
    const bool keep_alive = message.keep_alive() && route_id != "invalid";
    if (response.hold) return Hold(std::move(response), std::move(route_id), keep_alive);
    Send(std::move(response), std::move(route_id), keep_alive);
  }

  // Keeps the response until its hold releases it; this thread goes back to the io_context.
  void Hold(Response r, std::string route_id, bool keep_alive) {
    std::function<void(Response::Release)> hold = std::move(r.hold);
    r.hold = nullptr;
    held_response_ = std::move(r);
    held_route_ = std::move(route_id);
    held_keep_alive_ = keep_alive;
    std::shared_ptr<HeldSessions> held = server_.held;
    {
      std::lock_guard lock(held->mu);
      held->sessions[id_] = Self();
    }
    server_.HeldChanged(+1);
    hold([held, id = id_](Status released) {
      std::lock_guard lock(held->mu);
      if (held->stopped) return;
      auto it = held->sessions.find(id);
      if (it == held->sessions.end()) return;  // released twice: the first one counts
      it->second->Release(std::move(released));
      held->sessions.erase(it);
    });
  }

  void Release(Status released) override {
    net::post(stream_.get_executor(), [self = Self(), released = std::move(released)]() mutable {
      self->server_.HeldChanged(-1);
      Response r = released.ok()
                       ? std::move(self->held_response_)
                       : Response::Problem(503, "Service Unavailable", released.message());
      self->Send(std::move(r), std::move(self->held_route_), self->held_keep_alive_);
    });
  }

  void Send(Response r, std::string route_id, bool keep_alive) {
    route_id_ = std::move(route_id);
    response_ = {};
    response_.version(version_ == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::content_type, r.content_type);
    server_.SetHeaders(response_, r, route_id_, request_.request_id);
    // A handler's header replaces the server's of that name; Set-Cookie may come several times.
    for (const auto& [name, value] : r.headers) {
      if (beast::iequals(name, "Set-Cookie")) {
        response_.insert(name, value);
      } else {
        response_.set(name, value);
      }
    }
    response_.keep_alive(keep_alive && !server_.stopping);
    if (r.status == 304) {
      // No body and no Content-Length: that would describe the representation not sent.
      response_.erase(http::field::content_type);
    } else if (request_.method == "HEAD") {
      // Beast writes whatever body it is given: HEAD gets the length of the body it is not sent.
      response_.content_length(r.body.size());
    } else {
      response_.body() = std::move(r.body);
      response_.prepare_payload();
    }
    beast::get_lowest_layer(stream_).expires_after(server_.options.write_timeout);
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::OnWrite, Self()));
  }

  void OnWrite(beast::error_code ec, size_t bytes) {
    const double seconds = SecondsSince(start_);
    const int status = static_cast<int>(response_.result_int());
    server_.metrics->ObserveRequest(route_id_, status, seconds);
    server_.Log({{"time", FormatTime(server_.options.clock->NowMicros())},
                 {"level", status >= 500 ? "error" : "info"},
                 {"msg", "request"},
                 {"request_id", request_.request_id},
                 {"route", route_id_},
                 {"method", request_.method},
                 {"path", request_.path},
                 {"status", status},
                 {"duration_ms", std::round(seconds * 1e6) / 1e3},
                 {"bytes_in", request_.body.size()},
                 {"bytes_out", bytes},
                 {"remote", remote_},
                 {"tls", kTls}});
    if (ec) return Close(false);
    if (!response_.keep_alive()) return Close(/*linger=*/status >= 400);
    ReadRequest(/*first=*/false);
  }

  // With `linger`, what the client is still sending (a body we refused) is read and dropped
  // for a moment before closing, so that the close does not reset the connection before the
  // client has read our response.
  void Close(bool linger) {
    auto& lowest = beast::get_lowest_layer(stream_);
    if constexpr (kTls) {
      lowest.expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = Self()](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().close(ignored);
      });
      (void)linger;
    } else {
      beast::error_code ignored;
      lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (!linger) {
        lowest.socket().close(ignored);
        return;
      }
      lowest.expires_after(std::chrono::seconds(2));
      Discard();
    }
  }

  void Discard() {
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.async_read_some(net::buffer(discard_),
                           [self = Self()](beast::error_code ec, size_t bytes) {
                             self->discarded_ += bytes;
                             if (ec || self->discarded_ > (8u << 20)) {
                               beast::error_code ignored;
                               beast::get_lowest_layer(self->stream_).socket().close(ignored);
                               return;
                             }
                             self->Discard();
                           });
  }

  Server::Impl& server_;
  Stream stream_;
  uint64_t id_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Request request_;
  std::string route_id_;
  unsigned version_ = 11;
  bool idle_ = false;
  std::chrono::steady_clock::time_point start_;
  std::array<char, 16384> discard_{};
  size_t discarded_ = 0;
  Response held_response_;  // while a hold keeps it back
  std::string held_route_;
  bool held_keep_alive_ = false;
};

}  // namespace

Response Server::Impl::Dispatch(Request& request, std::string& route_id) {
  if (request.path.empty() || request.path.front() != '/') {
    route_id = "invalid";
    return Response::Problem(400, "Bad Request", "the request target must be an absolute path");
  }
  for (size_t i = 0; i < request.query.size(); ++i) {
    const std::string_view q = request.query;
    if (q[i] == '%' && (i + 2 >= q.size() || !std::isxdigit(static_cast<unsigned char>(q[i + 1])) ||
                        !std::isxdigit(static_cast<unsigned char>(q[i + 2])))) {
      route_id = "invalid";
      return Response::Problem(400, "Bad Request", "the query string has a malformed % escape");
    }
  }
  Router::Match match = router.Find(request.method, request.path);
  if (match.status == 404) {
    route_id = "unmatched";
    if (std::optional<Response> web_file = ServeWeb(request, route_id)) {
      return std::move(*web_file);
    }
    return Response::Problem(404, "Not Found", "no resource at this path");
  }
  if (match.status == 405) {
    route_id = "unmatched";
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response r = Response::Problem(
        405, "Method Not Allowed",
        fmt::format("{} is not allowed here; allowed: {}", request.method, allow));
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  const Route& route = *match.route;
  route_id = route.id;
  request.params = std::move(match.params);
  try {
    if (route.access != Access::kPublic) {
      // Start() refuses such routes without a gate; checked again so that no path skips it.
      if (!options.gate) {
        return Response::Problem(403, "Forbidden", "no policy engine is configured");
      }
      return options.gate(route, request, route.handler);
    }
    return route.handler(request);
  } catch (const std::exception& e) {
    Log({{"time", FormatTime(options.clock->NowMicros())},
         {"level", "error"},
         {"msg", "handler threw"},
         {"request_id", request.request_id},
         {"route", route.id},
         {"error", e.what()}});
    return Response::Problem(500, "Internal Server Error",
                             "the server failed; quote the X-Request-Id when reporting it");
  }
}

std::optional<Response> Server::Impl::ServeWeb(const Request& request,
                                               std::string& route_id) const {
  if (!web || (request.method != "GET" && request.method != "HEAD")) return std::nullopt;
  const std::string_view path = request.path;
  for (std::string_view api : {"/api", "/healthz", "/metrics"}) {
    if (path == api || (path.starts_with(api) && path[api.size()] == '/')) return std::nullopt;
  }
  // Lookup is by exact key, so nothing outside the loaded files can be named; a path that
  // decodes to "..", NUL or a backslash is refused all the same rather than given index.html.
  const std::optional<std::string> key = DecodeWebPath(path);
  if (!key) return Response::Problem(400, "Bad Request", "the path is not allowed");
  const WebFile* file = web->Find(*key);
  if (file == nullptr) {
    const std::string_view last = std::string_view(*key).substr(key->rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return std::nullopt;
    file = web->Find("/index.html");  // "/", or a route of the app's own: "/person/12"
  }
  route_id = "web";
  Response r;
  r.content_type = file->content_type;
  r.cache_control = file->cache_control;
  r.headers.emplace_back("ETag", file->etag);
  if (const std::string_view tags = request.Header("If-None-Match");
      !tags.empty() && EtagMatches(tags, file->etag)) {
    r.status = 304;
    return r;
  }
  r.body = file->body;
  return r;
}

void Server::Impl::SetHeaders(http::response<http::string_body>& res, const Response& response,
                              std::string_view route_id, const std::string& request_id) const {
  // OWASP ASVS 14.4: on every response, errors included. Cache-Control is the response's own:
  // no-store but for the web app's static files.
  res.set("Content-Security-Policy", std::string(route_id == "web" ? kWebCsp : kApiCsp));
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, response.cache_control);
  if (tls) res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  res.set("X-Request-Id", request_id);
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&Server::Impl::OnAccept, this));
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    if (stopping) {
      beast::error_code ignored;
      socket.close(ignored);
    } else if (connections.load() >= options.max_connections) {
      metrics->AddCounter("tessera_http_connections_refused_total",
                          "Connections refused because the server was at its connection limit.");
      if (!tls) {
        // Best effort and without blocking: a fresh socket's send buffer takes it whole.
        static const std::string kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
            "Connection: close\r\nRetry-After: 1\r\nContent-Length: 108\r\n\r\n"
            "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
            "\"detail\":\"too many connections\"}   ";
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(kBusy), ignored);
      }
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      ConnectionsChanged(+1);
      std::shared_ptr<SessionBase> session;
      uint64_t id;
      {
        std::lock_guard lock(sessions_mu);
        id = ++next_session;
      }
      std::function<void()> run;
      if (tls) {
        auto s = std::make_shared<Session<true>>(*this, std::move(socket), id);
        session = s;
        run = [s] { s->Run(); };
      } else {
        auto s = std::make_shared<Session<false>>(*this, std::move(socket), id);
        session = s;
        run = [s] { s->Run(); };
      }
      {
        std::lock_guard lock(sessions_mu);
        sessions[id] = session;
      }
      run();
    }
  }
  Accept();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(Router router, ServerOptions options) {
  if (options.threads < 1 || options.threads > 256) {
    return Status::InvalidArgument("threads must be 1 to 256");
  }
  if (options.max_body_bytes == 0 || options.max_header_bytes < 256 ||
      options.max_header_bytes > (1u << 20) || options.max_connections < 1) {
    return Status::InvalidArgument("limits must be positive (headers 256 B to 1 MiB)");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and a key file");
  }
  for (const Route& r : router.routes()) {
    if (r.access != Access::kPublic && !options.gate) {
      return Status::InvalidArgument("route " + r.id + " is not public but no gate is configured");
    }
  }
  if (!options.log) options.log = LogToStderr;
  if (!options.metrics) options.metrics = std::make_shared<Metrics>();
  if (options.clock == nullptr) options.clock = &SystemClock::Instance();

  auto impl = std::make_unique<Impl>();
  impl->router = std::move(router);
  impl->metrics = options.metrics;
  uint64_t seed = options.request_id_seed;
  if (seed == 0) seed = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  impl->request_prefix = SplitMix64(seed);

  if (!options.tls_cert_file.empty()) {
    impl->tls.emplace(ssl::context::tls_server);
    auto& ctx = *impl->tls;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
      return Status::IoError("cannot read TLS certificate " + options.tls_cert_file + ": " +
                             ec.message());
    }
    ctx.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return Status::IoError("cannot read TLS key " + options.tls_key_file + ": " + ec.message());
    }
  }

  if (!options.web_root.empty()) {
    std::vector<std::string> skipped;
    auto web = WebFiles::Load(options.web_root, kMaxWebBytes, &skipped);
    if (!web.ok()) return web.status();
    impl->web = std::move(web).value();
    auto log = [&](const nlohmann::json& line) {
      options.log(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    };
    const std::string time = FormatTime(options.clock->NowMicros());
    for (const std::string& link : skipped) {
      log({{"time", time},
           {"level", "warn"},
           {"msg", "web app: a symbolic link leads outside the web root; not served"},
           {"path", link}});
    }
    log({{"time", time},
         {"level", "info"},
         {"msg", "serving the web app"},
         {"web_root", std::filesystem::absolute(options.web_root).lexically_normal().string()},
         {"files", impl->web->files()},
         {"bytes", impl->web->bytes()}});
  }

  beast::error_code ec;
  auto address = net::ip::make_address(options.bind, ec);
  if (ec) return Status::InvalidArgument("--bind is not an IP address: " + options.bind);
  tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError(
        fmt::format("cannot listen on {}:{}: {}", options.bind, options.port, ec.message()));
  }
  impl->options = std::move(options);
  impl->work.emplace(impl->ioc.get_executor());
  impl->Accept();
  for (int i = 0; i < impl->options.threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->ioc.run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

bool Server::tls() const { return impl_->tls.has_value(); }

Metrics& Server::metrics() { return *impl_->metrics; }

void Server::Stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.stop_mu);
    if (s.stopped) return;
    s.stopped = true;
  }
  s.stopping = true;
  std::promise<void> closed;
  net::post(s.acceptor.get_executor(), [&s, &closed] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(s.sessions_mu);
    for (auto& [id, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Shutdown();
  live.clear();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (s.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  // Responses still held are never sent; their sessions go now, while the io_context exists.
  std::map<uint64_t, std::shared_ptr<SessionBase>> held;
  {
    std::lock_guard lock(s.held->mu);
    s.held->stopped = true;
    held.swap(s.held->sessions);
  }
}

}  // namespace tessera::serve
