// The governed API under load (issue 5): a resolved hub served over loopback, and closed-loop
// keep-alive clients that each search for a person from the world's truth file, open the top
// hit's profile and now and then its timeline, as a practitioner would. Every request goes
// through the whole stack: Beast, the gate (session, policy decision, durable audit event),
// the search index or the single view. Prints per-route latency from the client's side (send
// to the last byte of the response), errors, and whether the audit log holds exactly one event
// per request. The goals: zero errors with 100 clients for 60 s at 1 million nominals; search
// p99 <= 50 ms with 50 clients; profile p99 <= 50 ms. Prints figures; asserts nothing.
//
// Run: build/release/bench/api_load_benchmark
//          (--people N [--work DIR] [--keep] | --data HUB [--truth DIR])
//          [--phases 50,100] [--seconds 60] [--warmup 5] [--server-threads 4]
//          [--timeline-every 5] [--url http://127.0.0.1:PORT --user U --password P]
//   --people N   generate a world of N people, ingest, train, resolve and group households
//                into DIR/hub (DIR/world beside it); ~0.6 nominals per person
//   --work DIR   where (default a temp dir, removed afterwards unless --keep)
//   --data HUB   a resolved hub; its truth files are HUB/truth, else HUB/../world/truth
//   --phases     concurrent clients of each timed phase, one after the other
//   --url        load a running `tessera serve` instead of the in-process server; --data (or
//                --truth alone) then only finds the truth and counts the audit log, and all
//                clients share one session (logins are rate-limited per address)
//
// The bench makes its own purposes, agreements (examples/synthetic/agreements.yaml) and users
// (load001...: children's social care practitioners) when the hub lacks them, so a hub can be
// reused. Argon2id costs ~44 ms a login, so every client signs in before the timed phases.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/api.h"
#include "core/clock.h"
#include "core/random.h"
#include "govern/agreements.h"
#include "govern/identity.h"
#include "ingest/ingest.h"
#include "reference/reference_data.h"
#include "resolve/households.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "serve/serve.h"
#include "store/store.h"
#include "synth/synth.h"

#ifndef TESSERA_SOURCE_DIR_DEFAULT
#define TESSERA_SOURCE_DIR_DEFAULT "."
#endif

namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using tessera::Status;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kPurpose = "child_safeguarding";
constexpr std::string_view kJustification = "MASH enquiry load test";
// What the MASH agreement shares with a children's social care practitioner: people held only
// elsewhere (mental health, probation...) cannot be found under child_safeguarding, so queries
// are drawn from people these sources hold.
const std::set<std::string> kMashSources = {
    "csc_children", "police_crime", "police_domestic_abuse", "police_missing", "school_attendance",
    "housing",      "ambulance",    "substance_misuse"};

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "api_load_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "api_load_benchmark: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double MiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::strtod(line.c_str() + n + 1, nullptr) / 1024.0;
  }
  return -1;
}

// CPU seconds (user + system) of the process or the calling thread.
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " " + five;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// The disk's fdatasync latency in `dir` now, p50 and p90 of 20 (ms): every audited request
// waits for a synced commit, so this is the floor under each latency, and other work on the
// machine moves it.
std::string SyncLatency(const fs::path& dir) {
  const fs::path file = dir / ("sync-probe-" + std::to_string(getpid()));
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return "n/a";
  std::vector<double> ms;
  const std::string page(4096, 'x');
  for (int i = 0; i < 20; ++i) {
    if (::write(fd, page.data(), page.size()) < 0) break;
    const auto start = SteadyClock::now();
    if (::fdatasync(fd) != 0) break;
    ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
  }
  ::close(fd);
  fs::remove(file);
  std::sort(ms.begin(), ms.end());
  char buf[64];
  std::snprintf(buf, sizeof buf, "p50 %.2f ms, p90 %.2f ms", Percentile(ms, 50),
                Percentile(ms, 90));
  return buf;
}

template <typename F>
void ForEachCsvRow(const fs::path& path, F&& f) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path.string());
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) f(tessera::reference::SplitCsvLine(line));
}

// ---------------------------------------------------------------------------------------------
// The hub: generated, ingested, resolved and governed (idempotently, so a kept hub is reused).

fs::path SourceDir() {
  const char* src = std::getenv("TESSERA_SOURCE_DIR");
  return src ? src : TESSERA_SOURCE_DIR_DEFAULT;
}

void BuildHub(int64_t people, const fs::path& work) {
  const fs::path hub = work / "hub";
  const tessera::Clock& clock = tessera::SystemClock::Instance();
  auto start = SteadyClock::now();
  tessera::synth::WorldConfig config;
  config.people = people;
  auto summary = tessera::synth::GenerateWorld(config, (work / "world").string());
  if (!summary.ok()) Die("generate", summary.status());
  std::printf("generate: %lld people, %lld mentions in %.1f s\n", static_cast<long long>(people),
              static_cast<long long>(summary->mentions), Seconds(start));
  fs::remove_all(hub);
  if (auto s = tessera::store::InitHub(hub.string()); !s.ok()) Die("init", s);
  fs::copy(SourceDir() / "examples/synthetic/mappings", hub / "mappings",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy(work / "world" / "landing", hub / "landing",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto opened = tessera::store::OpenSqliteStore(hub.string(), clock);
  if (!opened.ok()) Die("open", opened.status());
  tessera::store::Store& store = **opened;
  start = SteadyClock::now();
  auto landed = tessera::ingest::ProcessLandingZone(store, clock, (hub / "landing").string(),
                                                    (hub / "mappings").string(), hub.string());
  if (!landed.ok()) Die("ingest", landed.status());
  std::printf("ingest: %.1f s\n", Seconds(start));
  start = SteadyClock::now();
  tessera::resolve::TrainingOptions training;
  training.random_pairs = 500'000;
  auto model =
      tessera::resolve::TrainFromStore(store, tessera::resolve::LinkageModel::Defaults(), training);
  if (!model.ok()) Die("train", model.status());
  fs::create_directories(hub / "models");
  if (auto s = model->Save(tessera::resolve::LinkageModelPath(hub.string())); !s.ok())
    Die("save model", s);
  std::printf("train: %.1f s\n", Seconds(start));
  start = SteadyClock::now();
  {
    auto resolver = tessera::resolve::Resolver::Open(hub.string(), store, *model);
    if (!resolver.ok()) Die("resolver", resolver.status());
    auto resolved = (*resolver)->Run();
    if (!resolved.ok()) Die("resolve", resolved.status());
    std::printf("resolve: %.1f s: %lld records, %lld nominals\n", Seconds(start),
                static_cast<long long>(resolved->records),
                static_cast<long long>(resolved->nominals));
  }
  start = SteadyClock::now();
  auto households = tessera::resolve::ResolveHouseholds(store, {});
  if (!households.ok()) Die("households", households.status());
  std::printf("households: %.1f s\n", Seconds(start));
}

std::string UserName(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "load%03d", i + 1);
  return buf;
}

// Purposes and agreements from the demo's file, and `users` practitioners: whatever is missing.
void Govern(tessera::store::Store& store, int users) {
  const tessera::Clock& clock = tessera::SystemClock::Instance();
  const fs::path file = SourceDir() / "examples/synthetic/agreements.yaml";
  tessera::govern::Governance governance(store, clock);
  auto purposes = store.ListPurposes();
  if (!purposes.ok()) Die("purposes", purposes.status());
  std::set<std::string> have;
  for (const auto& p : *purposes) have.insert(p.code);
  int added_purposes = 0;
  try {
    for (const YAML::Node& node : YAML::LoadFile(file.string())["purposes"]) {
      tessera::store::StoredPurpose p;
      p.code = node["code"].as<std::string>();
      if (have.contains(p.code)) continue;
      p.name = node["name"].as<std::string>();
      if (node["description"]) p.description = node["description"].as<std::string>();
      p.active = true;
      p.updated_by = "bench:api_load_benchmark";
      if (auto s = governance.PutPurpose(p); !s.ok()) Die("purpose " + p.code, s);
      ++added_purposes;
    }
  } catch (const YAML::Exception& e) {
    Die(file.string() + ": " + e.what());
  }
  auto agreements = tessera::govern::ReadAgreementsYaml(file.string());
  if (!agreements.ok()) Die("agreements", agreements.status());
  auto stored = governance.ListAgreements(false);
  if (!stored.ok()) Die("agreements", stored.status());
  have.clear();
  for (const auto& a : *stored) have.insert(a.code);
  std::stable_sort(agreements->begin(), agreements->end(),
                   [](const auto& a, const auto& b) { return a.tier < b.tier; });
  int added_agreements = 0;
  for (const tessera::govern::Agreement& a : *agreements) {
    if (have.contains(a.code)) continue;
    auto applied = governance.ApplyAgreement(a, "api_load_benchmark");
    if (!applied.ok()) Die("agreement " + a.code, applied.status());
    ++added_agreements;
  }
  tessera::govern::Identity identity(store, clock);
  int added_users = 0;
  for (int i = 0; i < users; ++i) {
    if (identity.GetUser(UserName(i)).ok()) continue;
    tessera::govern::NewUser nu;
    nu.username = UserName(i);
    nu.display_name = "Load test practitioner " + std::to_string(i + 1);
    nu.agency = tessera::model::Agency::kChildrensSocialCare;
    nu.roles = {tessera::govern::UserRole::kPractitioner};
    nu.trained_on = tessera::CivilDate{2025, 1, 1};
    nu.training_expires = tessera::CivilDate{2035, 1, 1};
    auto added = identity.AddUser(nu, kPassword);
    if (!added.ok()) Die("user " + nu.username, added.status());
    ++added_users;
  }
  std::printf("governance: added %d purposes, %d agreements, %d users (load001..%s)\n",
              added_purposes, added_agreements, added_users, UserName(users - 1).c_str());
}

// ---------------------------------------------------------------------------------------------
// Queries: a person from the truth file, as a practitioner would type them.

struct TruePerson {
  std::string given, family;
  tessera::CivilDate dob;
  std::string postcode;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Typo(const std::string& s, tessera::Rng& rng) {
  if (s.size() < 4) return s;
  std::string t = s;
  size_t i = 1 + rng.Below(t.size() - 2);
  switch (rng.Below(3)) {
    case 0:
      t.erase(i, 1);
      break;
    case 1:
      t.insert(i, 1, t[i]);
      break;
    default:
      std::swap(t[i], t[i + 1]);
      break;
  }
  return t;
}

std::string Ddmmyyyy(const tessera::CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

// People with at least one loaded record in a source the MASH agreement shares.
std::vector<TruePerson> ReadPeople(const fs::path& truth) {
  std::unordered_map<std::string, std::string> postcode_of;
  ForEachCsvRow(truth / "addresses.csv",
                [&](const std::vector<std::string>& f) { postcode_of[f[0]] = f[4]; });
  std::unordered_map<std::string, std::string> findable;  // person -> an address of theirs
  ForEachCsvRow(truth / "records.csv", [&](const std::vector<std::string>& f) {
    if (f.size() < 6 || f[5] != "load" || !kMashSources.contains(f[0])) return;
    std::string& address = findable[f[2]];
    if (address.empty()) address = f[4];
  });
  std::vector<TruePerson> out;
  ForEachCsvRow(truth / "people.csv", [&](const std::vector<std::string>& f) {
    auto it = findable.find(f[0]);
    if (it == findable.end()) return;
    auto dob = tessera::ParseDate(f[7], "yyyy-mm-dd");
    if (!dob.ok()) return;
    auto pc = postcode_of.find(it->second);
    out.push_back(
        {Upper(f[2]), Upper(f[4]), *dob, pc == postcode_of.end() ? std::string() : pc->second});
  });
  return out;
}

std::string MakeQuery(const TruePerson& p, tessera::Rng& rng) {
  switch (rng.Below(6)) {
    case 0:
      return p.family + " " + p.given;
    case 1:
      return p.given + " " + p.family + " " + Ddmmyyyy(p.dob);
    case 2:
      return p.postcode.empty() ? p.given + " " + p.family
                                : p.family + " " + p.given + " " + p.postcode;
    case 3:
      return p.given + " " + Typo(p.family, rng);
    case 4:
      return Typo(p.given, rng) + " " + p.family + " " + p.dob.ToIso();
    default:
      return p.given + " " + p.family + " " + std::to_string(p.dob.year);
  }
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Clients

enum Route { kSearch, kProfile, kTimeline, kRoutes };
constexpr const char* kRouteNames[kRoutes] = {"search", "profile", "timeline"};

struct ClientStats {
  std::vector<double> ms[kRoutes];
  std::map<int, int64_t> statuses;  // status -> count, all routes
  int64_t requests = 0;             // sent and answered or failed, warm-up included
  int64_t errors = 0;               // non-2xx or transport failures, warm-up included
  int64_t transport_errors = 0;
  int64_t reconnects = 0;
  int64_t empty_searches = 0;
  double cpu_s = 0;  // the client thread's own CPU time
  std::vector<std::string> first_errors;
};

class Connection {
 public:
  Connection(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

  // The status (0 for a transport failure, `error` then says what) and body of one GET.
  int Get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& h,
          std::string& body, std::string& error, ClientStats& stats) {
    try {
      if (!stream_) {
        stream_ = std::make_unique<beast::tcp_stream>(ioc_);
        stream_->connect(tcp::endpoint(net::ip::make_address(host_), port_));
        stream_->socket().set_option(tcp::no_delay(true));
        ++stats.reconnects;
      }
      stream_->expires_after(std::chrono::seconds(30));
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, host_);
      for (const auto& [k, v] : h) req.set(k, v);
      http::write(*stream_, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      http::read(*stream_, buffer_, parser);
      auto& res = parser.get();
      body = std::move(res.body());
      if (!res.keep_alive()) Close();
      return static_cast<int>(res.result_int());
    } catch (const std::exception& e) {
      error = e.what();
      Close();
      return 0;
    }
  }

  int Post(const std::string& target, const std::string& json, std::string& body) {
    try {
      beast::tcp_stream stream(ioc_);
      stream.connect(tcp::endpoint(net::ip::make_address(host_), port_));
      stream.expires_after(std::chrono::seconds(60));
      http::request<http::string_body> req{http::verb::post, target, 11};
      req.set(http::field::host, host_);
      req.set(http::field::content_type, "application/json");
      req.body() = json;
      req.prepare_payload();
      http::write(stream, req);
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(stream, buffer, res);
      body = res.body();
      return static_cast<int>(res.result_int());
    } catch (const std::exception& e) {
      body = e.what();
      return 0;
    }
  }

 private:
  void Close() {
    if (stream_) {
      beast::error_code ec;
      stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.reset();
    }
    buffer_.clear();
  }

  const std::string host_;
  const uint16_t port_;
  net::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

std::string Login(const std::string& host, uint16_t port, const std::string& user,
                  const std::string& password) {
  Connection c(host, port);
  std::string body;
  const int status = c.Post(
      "/api/v1/session", nlohmann::json{{"username", user}, {"password", password}}.dump(), body);
  if (status != 201) Die("login " + user + ": " + std::to_string(status) + " " + body);
  return nlohmann::json::parse(body).at("token").get<std::string>();
}

// The first "nominal_id": N of a search response (results are in rank order), or 0.
int64_t TopNominal(const std::string& body) {
  static constexpr std::string_view kKey = "\"nominal_id\":";
  const size_t at = body.find(kKey);
  if (at == std::string::npos) return 0;
  return std::strtoll(body.c_str() + at + kKey.size(), nullptr, 10);
}

struct PhaseOptions {
  std::string host;
  uint16_t port = 0;
  int clients = 0;
  double warmup_s = 0;
  double seconds = 0;
  int timeline_every = 0;
  uint64_t seed = 0;
};

// One client: search, the top hit's profile, every `timeline_every`th time its timeline; until
// the deadline. Only requests sent after the warm-up are timed.
void RunClient(const PhaseOptions& o, int index, const std::string& token,
               const std::vector<TruePerson>& people, SteadyClock::time_point timed_from,
               SteadyClock::time_point until, ClientStats& stats) {
  const double cpu_start = CpuSeconds(RUSAGE_THREAD);
  Connection connection(o.host, o.port);
  tessera::Rng rng(o.seed * 1000 + static_cast<uint64_t>(index) + 1);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + token},
      {"X-Purpose", std::string(kPurpose)},
      {"X-Justification", std::string(kJustification)}};
  std::string body, error;
  auto call = [&](Route route, const std::string& target) -> int {
    const auto sent = SteadyClock::now();
    error.clear();
    const int status = connection.Get(target, headers, body, error, stats);
    const auto done = SteadyClock::now();
    ++stats.requests;
    ++stats.statuses[status];
    if (sent >= timed_from) {
      stats.ms[route].push_back(std::chrono::duration<double, std::milli>(done - sent).count());
    }
    if (status < 200 || status > 299) {
      ++stats.errors;
      if (status == 0) ++stats.transport_errors;
      if (stats.first_errors.size() < 3) {
        stats.first_errors.push_back(std::string(kRouteNames[route]) + " " + target + ": " +
                                     std::to_string(status) + " " +
                                     (status == 0 ? error : body.substr(0, 200)));
      }
    }
    return status;
  };
  for (int64_t i = 0; SteadyClock::now() < until; ++i) {
    const TruePerson& p = people[rng.Below(people.size())];
    const std::string q = MakeQuery(p, rng);
    if (call(kSearch, "/api/v1/search?q=" + PercentEncode(q)) != 200) continue;
    const int64_t nominal = TopNominal(body);
    if (nominal == 0) {
      ++stats.empty_searches;
      continue;
    }
    const std::string path = "/api/v1/nominals/" + std::to_string(nominal);
    if (call(kProfile, path) != 200) continue;
    if (o.timeline_every > 0 && i % o.timeline_every == 0) call(kTimeline, path + "/timeline");
  }
  stats.cpu_s = CpuSeconds(RUSAGE_THREAD) - cpu_start;
}

struct AuditTally {
  int64_t events = 0;
  std::map<std::string, int64_t> by_action;  // "search allowed" -> n
  int64_t last_seq = 0;
};

// The audit events after `after_seq`, by action and outcome.
AuditTally TallyAudit(const std::string& hub, int64_t after_seq) {
  auto store = tessera::store::OpenSqliteStore(hub, tessera::SystemClock::Instance());
  if (!store.ok()) Die("open for audit", store.status());
  AuditTally t;
  t.last_seq = after_seq;
  for (;;) {
    auto page = (*store)->ListAudit(t.last_seq, 100'000);
    if (!page.ok()) Die("audit", page.status());
    for (const auto& e : *page) {
      ++t.events;
      ++t.by_action[e.action + " " + e.outcome];
      t.last_seq = e.seq;
    }
    if (page->size() < 100'000) break;
  }
  return t;
}

void ReportRoute(const char* name, std::vector<double>& ms, double wall) {
  std::sort(ms.begin(), ms.end());
  std::printf("  %-8s %8zu timed  %7.1f/s  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms\n", name,
              ms.size(), static_cast<double>(ms.size()) / wall, Percentile(ms, 50),
              Percentile(ms, 90), Percentile(ms, 99), Percentile(ms, 100));
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int64_t people = 0;
  std::string work_arg, data, truth_arg, url, url_user, url_password;
  bool keep = false;
  std::vector<int> phases = {50, 100};
  double seconds = 60, warmup = 5;
  int server_threads = 4;
  int timeline_every = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--people") {
      people = std::atoll(value().c_str());
    } else if (a == "--work") {
      work_arg = value();
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--data") {
      data = value();
    } else if (a == "--truth") {
      truth_arg = value();
    } else if (a == "--phases" || a == "--clients") {
      phases.clear();
      std::stringstream in(value());
      std::string item;
      while (std::getline(in, item, ',')) phases.push_back(std::max(1, std::atoi(item.c_str())));
    } else if (a == "--seconds") {
      seconds = std::atof(value().c_str());
    } else if (a == "--warmup") {
      warmup = std::atof(value().c_str());
    } else if (a == "--server-threads") {
      server_threads = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--timeline-every") {
      timeline_every = std::atoi(value().c_str());
    } else if (a == "--url") {
      url = value();
    } else if (a == "--user") {
      url_user = value();
    } else if (a == "--password") {
      url_password = value();
    } else {
      std::fprintf(stderr,
                   "usage: api_load_benchmark (--people N [--work DIR] [--keep] | --data HUB "
                   "[--truth DIR]) [--phases 50,100] [--seconds 60] [--warmup 5] "
                   "[--server-threads 4] [--timeline-every 5] [--url http://127.0.0.1:PORT "
                   "--user U --password P]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  if (phases.empty() || (people <= 0 && data.empty() && (url.empty() || truth_arg.empty())))
    Die("give --people N or --data HUB (or --url with --truth DIR)");
  const int max_clients = *std::max_element(phases.begin(), phases.end());

  fs::path work, hub, truth;
  if (!data.empty()) {
    hub = data;
    truth = fs::exists(hub / "truth" / "records.csv") ? hub / "truth"
                                                      : hub.parent_path() / "world" / "truth";
  } else if (people > 0) {
    work = work_arg.empty()
               ? fs::temp_directory_path() / ("tessera-api-load-" + std::to_string(getpid()))
               : fs::path(work_arg);
    fs::create_directories(work);
    hub = work / "hub";
    truth = work / "world" / "truth";
    BuildHub(people, work);
  }
  if (!truth_arg.empty()) truth = truth_arg;

  if (!hub.empty()) {
    auto store = tessera::store::OpenSqliteStore(hub.string(), tessera::SystemClock::Instance());
    if (!store.ok()) Die("open " + hub.string(), store.status());
    auto counts = (*store)->Counts();
    if (!counts.ok()) Die("counts", counts.status());
    std::printf("hub %s: %lld source records, %lld person records, %lld nominals\n", hub.c_str(),
                static_cast<long long>(counts->source_records),
                static_cast<long long>(counts->person_records),
                static_cast<long long>(counts->nominals));
    if (url.empty()) Govern(**store, max_clients);
  }

  auto start = SteadyClock::now();
  const std::vector<TruePerson> truth_people = ReadPeople(truth);
  if (truth_people.empty()) Die("no findable people in " + truth.string());
  std::printf("truth: %zu people findable under %s, read in %.1f s\n", truth_people.size(),
              std::string(kPurpose).c_str(), Seconds(start));

  // The server: in-process on port 0 (as tests/integration/api_test.cc), or the one at --url.
  std::unique_ptr<tessera::api::HubApi> api;
  std::unique_ptr<tessera::serve::Server> server;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  if (url.empty()) {
    start = SteadyClock::now();
    const double rss_before = MiB("VmRSS");
    auto metrics = std::make_shared<tessera::serve::Metrics>();
    tessera::api::ApiOptions options;
    options.hub_dir = hub.string();
    options.metrics = metrics;
    options.logins_per_minute_per_address = 100'000;  // every client signs in from loopback
    auto opened = tessera::api::HubApi::Open(options);
    if (!opened.ok()) Die("api", opened.status());
    api = std::move(*opened);
    std::printf("api open (search index built): %.1f s, RSS %.0f -> %.0f MiB\n", Seconds(start),
                rss_before, MiB("VmRSS"));
    tessera::serve::Router router;
    if (auto s = tessera::serve::AddHubRoutes(
            router,
            {.started_micros = tessera::SystemClock::Instance().NowMicros(), .metrics = metrics});
        !s.ok())
      Die("hub routes", s);
    if (auto s = api->AddRoutes(router); !s.ok()) Die("routes", s);
    tessera::serve::ServerOptions server_options;
    server_options.metrics = metrics;
    server_options.threads = server_threads;
    server_options.max_connections = std::max(512, max_clients * 2);
    server_options.gate = api->gate();
    server_options.log = [](std::string_view) {};
    auto started = tessera::serve::Server::Start(std::move(router), server_options);
    if (!started.ok()) Die("server", started.status());
    server = std::move(*started);
    port = server->port();
    std::printf("server: 127.0.0.1:%u, %d threads\n", port, server_threads);
  } else {
    const std::string prefix = "http://";
    if (!url.starts_with(prefix)) Die("--url must be http://HOST:PORT");
    const std::string rest = url.substr(prefix.size());
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) Die("--url must be http://HOST:PORT");
    host = rest.substr(0, colon);
    port = static_cast<uint16_t>(std::atoi(rest.c_str() + colon + 1));
    if (host == "localhost") host = "127.0.0.1";
    if (url_user.empty()) Die("--url needs --user and --password");
  }

  // Sign every client in before the timed phases (Argon2id: ~44 ms each).
  start = SteadyClock::now();
  std::vector<std::string> tokens(max_clients);
  if (url.empty()) {
    std::vector<std::thread> threads;
    std::atomic<int> next{0};
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&] {
        for (int i; (i = next.fetch_add(1)) < max_clients;)
          tokens[i] = Login(host, port, UserName(i), std::string(kPassword));
      });
    }
    for (auto& t : threads) t.join();
  } else {
    const std::string token = Login(host, port, url_user, url_password);
    std::fill(tokens.begin(), tokens.end(), token);
  }
  std::printf("login: %d sessions in %.1f s\n", url.empty() ? max_clients : 1, Seconds(start));

  const bool audit = !hub.empty() && fs::exists(hub / "hub.db");
  int64_t audit_seq = audit ? TallyAudit(hub.string(), 0).last_seq : 0;
  for (size_t ph = 0; ph < phases.size(); ++ph) {
    const int clients = phases[ph];
    const std::string sync_before = hub.empty() ? "n/a" : SyncLatency(hub);
    const double process_cpu_start = CpuSeconds(RUSAGE_SELF);
    PhaseOptions o{host, port, clients, warmup, seconds, timeline_every, ph + 1};
    std::vector<ClientStats> stats(clients);
    const auto begin = SteadyClock::now();
    const auto timed_from = begin + std::chrono::duration_cast<SteadyClock::duration>(
                                        std::chrono::duration<double>(warmup));
    const auto until = timed_from + std::chrono::duration_cast<SteadyClock::duration>(
                                        std::chrono::duration<double>(seconds));
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back(
          [&, c] { RunClient(o, c, tokens[c], truth_people, timed_from, until, stats[c]); });
    }
    for (auto& t : threads) t.join();
    const double wall = std::max(1e-9, Seconds(timed_from));
    const double process_cpu = CpuSeconds(RUSAGE_SELF) - process_cpu_start;
    const std::string load = LoadAverage();

    ClientStats all;
    for (ClientStats& s : stats) {
      for (int r = 0; r < kRoutes; ++r)
        all.ms[r].insert(all.ms[r].end(), s.ms[r].begin(), s.ms[r].end());
      for (const auto& [status, n] : s.statuses) all.statuses[status] += n;
      all.requests += s.requests;
      all.errors += s.errors;
      all.transport_errors += s.transport_errors;
      all.reconnects += s.reconnects;
      all.empty_searches += s.empty_searches;
      all.cpu_s += s.cpu_s;
      for (auto& e : s.first_errors)
        if (all.first_errors.size() < 5) all.first_errors.push_back(e);
    }
    size_t timed = 0;
    for (int r = 0; r < kRoutes; ++r) timed += all.ms[r].size();
    std::printf(
        "phase %zu: %d clients, %.0f s timed after %.0f s warm-up: %lld requests (%zu timed, "
        "%.0f req/s), errors %lld (transport %lld), connections %lld, searches without a hit "
        "%lld\n",
        ph + 1, clients, wall, warmup, static_cast<long long>(all.requests), timed,
        static_cast<double>(timed) / wall, static_cast<long long>(all.errors),
        static_cast<long long>(all.transport_errors), static_cast<long long>(all.reconnects),
        static_cast<long long>(all.empty_searches));
    std::string statuses;
    for (const auto& [status, n] : all.statuses)
      statuses += " " + std::to_string(status) + "x" + std::to_string(n);
    std::printf("  statuses:%s\n", statuses.c_str());
    for (int r = 0; r < kRoutes; ++r) ReportRoute(kRouteNames[r], all.ms[r], wall);
    for (const auto& e : all.first_errors) std::printf("  error: %s\n", e.c_str());
    const double requests = static_cast<double>(std::max<int64_t>(1, all.requests));
    std::printf("  fdatasync in the hub's directory: before %s; after %s\n", sync_before.c_str(),
                hub.empty() ? "n/a" : SyncLatency(hub).c_str());
    if (url.empty()) {
      std::printf(
          "  CPU per request: %.2f ms in the process, of which clients %.2f ms (server ~%.2f "
          "ms); %.0f%% of %u cores busy with this process; load average (1, 5 min) %s\n",
          process_cpu * 1000 / requests, all.cpu_s * 1000 / requests,
          (process_cpu - all.cpu_s) * 1000 / requests,
          100 * process_cpu / (wall + warmup) / std::thread::hardware_concurrency(),
          std::thread::hardware_concurrency(), load.c_str());
    } else {
      std::printf("  client CPU per request: %.2f ms; load average (1, 5 min) %s\n",
                  all.cpu_s * 1000 / requests, load.c_str());
    }
    if (audit) {
      AuditTally after = TallyAudit(hub.string(), audit_seq);
      audit_seq = after.last_seq;
      std::string actions;
      for (const auto& [action, n] : after.by_action)
        actions += ", " + action + " " + std::to_string(n);
      std::printf("  audit: %lld events for %lld requests: %s%s\n",
                  static_cast<long long>(after.events), static_cast<long long>(all.requests),
                  after.events == all.requests ? "one per request" : "MISMATCH", actions.c_str());
    }
    if (url.empty()) {
      std::printf("  process RSS %.0f MiB (peak %.0f MiB; server and clients share it)\n",
                  MiB("VmRSS"), MiB("VmHWM"));
    }
  }

  if (server) server->Stop();
  if (api) api->Stop();
  server.reset();
  api.reset();
  if (!work.empty()) {
    if (keep) {
      std::printf("kept %s: rerun with --data %s\n", work.c_str(), hub.c_str());
    } else {
      fs::remove_all(work);
    }
  }
  return 0;
}
