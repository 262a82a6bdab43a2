// Which HTTP server library serve/ is built on (docs/design/0009-http-server.md).
//
// Runs the same minimal keep-alive JSON endpoint on Boost.Beast (async, one io_context on N
// threads) and on cpp-httplib (Debian 12's 0.11, default thread pool), in this process, and
// drives each on loopback with C concurrent keep-alive clients for S seconds. Then shows two
// behaviours the issue names: a request arriving while more keep-alive connections are held
// open than cpp-httplib has threads, and a 100 MB request body.
//
//   build/release/bench/http_server_benchmark [--seconds 10] [--clients 100] [--threads 2]
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = R"({"status":"ok","schema_version":7})";
constexpr size_t kBeastBodyLimit = 1 << 20;

// --- Beast: the shape serve/server.cc has, without the hub ------------------------------------

class BeastSession : public std::enable_shared_from_this<BeastSession> {
 public:
  explicit BeastSession(tcp::socket socket) : stream_(std::move(socket)) {}
  void Read() {
    parser_.emplace();
    parser_->body_limit(kBeastBodyLimit);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&BeastSession::OnRead, shared_from_this()));
  }

 private:
  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      res_ = {http::status::payload_too_large, 11};
      res_.keep_alive(false);
    } else if (ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    } else {
      res_ = {http::status::ok, parser_->get().version()};
      res_.keep_alive(parser_->get().keep_alive());
    }
    res_.set(http::field::content_type, "application/json");
    res_.body() = kBody;
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&BeastSession::OnWrite, shared_from_this()));
  }
  void OnWrite(beast::error_code ec, size_t) {
    if (ec || !res_.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    Read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

class BeastServer {
 public:
  explicit BeastServer(int threads) : acceptor_(net::make_strand(ioc_)) {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    Accept();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~BeastServer() {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<BeastSession>(std::move(s))->Read();
      Accept();
    });
  }
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

// --- cpp-httplib, as shipped ------------------------------------------------------------------

class HttplibServer {
 public:
  explicit HttplibServer(bool tcp_nodelay = false) {
    server_.set_tcp_nodelay(tcp_nodelay);
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kBody, "application/json");
    });
    server_.Post("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kBody, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttplibServer() {
    server_.stop();
    thread_.join();
  }
  uint16_t port() const { return static_cast<uint16_t>(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// --- the load: keep-alive clients on blocking sockets, one thread each -----------------------

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// One request and its response on `fd`. Returns false on an error; sets `closed` when the
// server ends the connection after the response (Connection: close).
bool Exchange(int fd, std::string& scratch, bool& closed) {
  static const std::string kRequest = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
  if (::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(kRequest.size())) {
    return false;
  }
  scratch.clear();
  char buf[4096];
  size_t header_end = std::string::npos, content_length = 0;
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    scratch.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = scratch.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      std::string head = scratch.substr(0, header_end);
      std::transform(head.begin(), head.end(), head.begin(), ::tolower);
      const size_t cl = head.find("content-length:");
      if (cl == std::string::npos) return false;
      content_length = std::stoul(head.substr(cl + 15));
      closed = head.find("connection: close") != std::string::npos;
      if (head.compare(0, 12, "http/1.1 200") != 0) return false;
    }
    if (scratch.size() >= header_end + 4 + content_length) return true;
  }
}

struct LoadResult {
  int64_t requests = 0, errors = 0, reconnects = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

LoadResult DriveLoad(uint16_t port, int clients, double seconds) {
  std::vector<LoadResult> per(static_cast<size_t>(clients));
  std::atomic<bool> go{false};
  const auto deadline_after = std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      LoadResult& r = per[static_cast<size_t>(c)];
      r.latencies_ms.reserve(200000);
      while (!go) std::this_thread::yield();
      const auto deadline = Clock::now() + deadline_after;
      std::string scratch;
      int fd = -1;
      while (Clock::now() < deadline) {
        const auto start = Clock::now();  // a reconnect counts in the request's latency
        if (fd < 0) {
          fd = Connect(port);
          if (fd < 0) {
            ++r.errors;
            continue;
          }
        }
        bool closed = false;
        const bool ok = Exchange(fd, scratch, closed);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!ok) {
          ++r.errors;
          ::close(fd);
          fd = -1;
          continue;
        }
        ++r.requests;
        r.latencies_ms.push_back(ms);
        if (closed) {
          ::close(fd);
          fd = -1;
          ++r.reconnects;
        }
      }
      if (fd >= 0) ::close(fd);
    });
  }
  const auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  LoadResult total;
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& r : per) {
    total.requests += r.requests;
    total.errors += r.errors;
    total.reconnects += r.reconnects;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(),
                              r.latencies_ms.end());
  }
  return total;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void Report(const char* name, int clients, LoadResult r) {
  std::printf("%-12s %7d %12.0f %9.3f %9.3f %9.3f %8lld %10lld\n", name, clients,
              static_cast<double>(r.requests) / r.seconds, Percentile(r.latencies_ms, 0.50),
              Percentile(r.latencies_ms, 0.99), Percentile(r.latencies_ms, 0.999),
              static_cast<long long>(r.errors), static_cast<long long>(r.reconnects));
  std::fflush(stdout);
}

// A new client's request while `held` keep-alive connections sit idle after one request each.
double LatencyBehindIdleConnections(uint16_t port, int held) {
  std::vector<int> fds;
  std::string scratch;
  for (int i = 0; i < held; ++i) {
    const int fd = Connect(port);
    bool closed = false;
    if (fd >= 0 && Exchange(fd, scratch, closed)) fds.push_back(fd);
  }
  const auto start = Clock::now();
  const int fd = Connect(port);
  bool closed = false;
  const bool ok = fd >= 0 && Exchange(fd, scratch, closed);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (fd >= 0) ::close(fd);
  for (int f : fds) ::close(f);
  return ok ? ms : -1;
}

// The process's peak resident memory so far.
int64_t PeakResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// POSTs a body of `bytes` while another thread reads the answer, so that a server that answers
// early (and stops reading) is seen answering.
void HugeBody(const char* name, uint16_t port, size_t bytes) {
  const int fd = Connect(port);
  const int64_t rss_before = PeakResidentKiB();
  const auto start = Clock::now();
  std::string status_line;
  double answered_ms = -1;
  std::thread reader([&] {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      std::string text(buf, static_cast<size_t>(n));
      status_line = text.substr(0, text.find("\r\n"));
    } else {
      status_line = n == 0 ? "(connection closed)" : std::string("(") + std::strerror(errno) + ")";
    }
    answered_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  });
  const std::string head =
      "POST /healthz HTTP/1.1\r\nHost: bench\r\nContent-Type: "
      "application/octet-stream\r\nContent-Length: " +
      std::to_string(bytes) + "\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  const std::string chunk(1 << 20, 'x');
  size_t sent = 0;
  while (sent < bytes) {
    const ssize_t n = ::send(fd, chunk.data(), std::min(chunk.size(), bytes - sent), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  const double sent_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  reader.join();
  ::close(fd);
  std::printf(
      "%-12s body %zu MB: answered \"%s\" after %.0f ms; client sent %.1f MB in %.0f ms; "
      "peak RSS of the process %+lld MiB\n",
      name, bytes >> 20, status_line.c_str(), answered_ms, static_cast<double>(sent) / (1 << 20),
      sent_ms, static_cast<long long>((PeakResidentKiB() - rss_before) / 1024));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  int clients = 100;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
    if (flag == "--clients") clients = std::stoi(argv[i + 1]);
    if (flag == "--threads") threads = std::stoi(argv[i + 1]);
  }
  std::printf(
      "loopback, %u hardware threads; Beast on %d threads; cpp-httplib %s with its "
      "default pool (%u threads); %.0f s per run\n\n",
      std::thread::hardware_concurrency(), threads, CPPHTTPLIB_VERSION,
      static_cast<unsigned>(CPPHTTPLIB_THREAD_POOL_COUNT), seconds);
  std::printf("%-12s %7s %12s %9s %9s %9s %8s %10s\n", "server", "clients", "requests/s", "p50 ms",
              "p99 ms", "p99.9 ms", "errors", "reconnects");
  {
    BeastServer beast_server(threads);
    Report("beast", clients, DriveLoad(beast_server.port(), clients, seconds));
    Report("beast", 8, DriveLoad(beast_server.port(), 8, seconds));
  }
  {
    HttplibServer httplib_server;
    Report("cpp-httplib", clients, DriveLoad(httplib_server.port(), clients, seconds));
    Report("cpp-httplib", 8, DriveLoad(httplib_server.port(), 8, seconds));
  }
  {
    // The default leaves Nagle's algorithm on, and it writes headers and body apart: each
    // response then waits for the client's delayed ACK. With TCP_NODELAY, as Beast's single
    // write does not need:
    HttplibServer httplib_server(/*tcp_nodelay=*/true);
    Report("httplib+ndl", clients, DriveLoad(httplib_server.port(), clients, seconds));
    Report("httplib+ndl", 8, DriveLoad(httplib_server.port(), 8, seconds));
  }

  std::printf("\nA new client's first request while N keep-alive connections sit idle:\n");
  const int pool = static_cast<int>(CPPHTTPLIB_THREAD_POOL_COUNT);
  for (int held : {pool - 1, pool, 4 * pool}) {
    BeastServer beast_server(threads);
    const double b = LatencyBehindIdleConnections(beast_server.port(), held);
    HttplibServer httplib_server;
    const double h = LatencyBehindIdleConnections(httplib_server.port(), held);
    std::printf("  %3d idle connections: beast %8.1f ms   cpp-httplib %8.1f ms\n", held, b, h);
    std::fflush(stdout);
  }

  std::printf("\nA 100 MB request body (Beast with a 1 MiB body limit; cpp-httplib as shipped):\n");
  {
    BeastServer beast_server(threads);
    HugeBody("beast", beast_server.port(), size_t{100} << 20);
  }
  {
    HttplibServer httplib_server;
    HugeBody("cpp-httplib", httplib_server.port(), size_t{100} << 20);
  }
  return 0;
}
