// The governed API end to end (issue 5), hermetic: a generated world ingested and resolved into
// a temporary hub, the demo's agreements, users in several agencies, planted canaries, and the
// real server on port 0 with an injected clock. Covers the OpenAPI document against the router,
// the authorisation matrix over every documented route, canaries, audit completeness and
// tampering, sessions, and hostile requests.
#include "api/api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analytics/analytics.h"
#include "analytics/cohort.h"
#include "govern/agreements.h"
#include "govern/audit_log.h"
#include "govern/identity.h"
#include "ingest/ingest.h"
#include "reference/reference_data.h"
#include "resolve/households.h"
#include "resolve/resolver.h"
#include "serve/serve.h"
#include "store/store.h"
#include "synth/synth.h"
#include "view/cohort.h"
#include "view/demand.h"
#include "view/view.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;

constexpr int64_t kDay = int64_t{86400} * 1'000'000;
constexpr int64_t kMinute = int64_t{60} * 1'000'000;
// 2026-06-01T09:00:00Z
constexpr int64_t kNow = int64_t{1'780'304'400} * 1'000'000;
constexpr std::string_view kPassword = "correct horse battery staple";

// Markers planted in the hub that no response may ever hold for a user not entitled to them.
constexpr std::string_view kSealedCanary = "SEALEDCANARY";   // a sealed police record
constexpr std::string_view kExcludedCanary = "EXCLCANARY";   // a name excluded by restriction
constexpr std::string_view kProbationCanary = "PROBCANARY";  // probation: not shared for MASH

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  json Json() const { return json::parse(body, nullptr, false); }
};

Reply Fetch(uint16_t port, http::verb method, const std::string& target, const std::string& body,
            const std::vector<std::pair<std::string, std::string>>& headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.expires_after(std::chrono::seconds(30));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  Reply out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  for (const auto& field : res) {
    out.headers[std::string(field.name_string())] += std::string(field.value()) + "\n";
  }
  return out;
}

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

struct TestUser {
  std::string name;
  model::Agency agency;
  std::vector<govern::UserRole> roles;
  CivilDate trained_on{2026, 1, 1};
  CivilDate training_expires{2027, 1, 1};
};

class ApiTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new ManualClock(kNow);
    base_ = new fs::path(fs::temp_directory_path() / ("tessera-api-" + std::to_string(::getpid())));
    fs::remove_all(*base_);
    const fs::path world = *base_ / "world";
    const fs::path hub = *base_ / "hub";
    synth::WorldConfig config;
    config.people = 800;
    config.seed = 11;
    config.threads = 2;
    ASSERT_TRUE(synth::GenerateWorld(config, world.string()).ok());
    ASSERT_TRUE(store::InitHub(hub.string(), *clock_).ok());
    const char* src = std::getenv("TESSERA_SOURCE_DIR");
    const fs::path source_dir = src ? src : ".";
    fs::copy(source_dir / "examples/synthetic/mappings", hub / "mappings",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::copy(world / "landing", hub / "landing",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    PlantCanaries(hub);
    auto store = store::OpenSqliteStore(hub.string(), *clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto landed = ingest::ProcessLandingZone(**store, *clock_, (hub / "landing").string(),
                                             (hub / "mappings").string(), hub.string());
    ASSERT_TRUE(landed.ok()) << landed.status().ToString();
    {
      resolve::TrainingOptions training;
      training.threads = 2;
      auto model = resolve::TrainFromStore(**store, resolve::LinkageModel::Defaults(), training);
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      fs::create_directories(hub / "models");
      ASSERT_TRUE(model->Save(resolve::LinkageModelPath(hub.string())).ok());
      auto resolver = resolve::Resolver::Open(hub.string(), **store, std::move(*model));
      ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
      ASSERT_TRUE((*resolver)->Run().ok());
      ASSERT_TRUE(resolve::ResolveHouseholds(**store, {}).ok());
    }
    SetUpGovernance(**store, source_dir);
    FindSubjects(**store, world);

    auto metrics = std::make_shared<serve::Metrics>();
    api::ApiOptions options;
    options.hub_dir = hub.string();
    options.clock = clock_;
    options.metrics = metrics;
    options.search_refresh = std::chrono::milliseconds(0);
    options.logins_per_minute_per_address = 200;
    options.on_ingest = [] { ++ingest_notices_; };
    auto opened = api::HubApi::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    api_ = opened->release();
    serve::Router router;
    ASSERT_TRUE(
        serve::AddHubRoutes(
            router,
            {.schema_version = 0, .started_micros = kNow, .clock = clock_, .metrics = metrics})
            .ok());
    ASSERT_TRUE(api_->AddRoutes(router).ok());
    routes_ = new std::vector<serve::Route>(router.routes());
    serve::ServerOptions server_options;
    server_options.clock = clock_;
    server_options.metrics = metrics;
    server_options.threads = 4;
    server_options.gate = api_->gate();
    server_options.log = [](std::string_view) {};
    auto server = serve::Server::Start(std::move(router), server_options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = server->release();
  }

  static void TearDownTestSuite() {
    if (server_) server_->Stop();
    delete server_;
    if (api_) api_->Stop();
    delete api_;
    delete routes_;
    fs::remove_all(*base_);
    delete base_;
    delete clock_;
  }

  // A sealed police record, a police record whose name is excluded, and a probation record.
  static void PlantCanaries(const fs::path& hub) {
    std::ofstream crime(hub / "landing/police_crime/canary.csv");
    crime << "InvolvementID,CrimeRef,OffenceDate,HOCategory,OffenceDescription,InvolvementType,"
             "NominalID,Name,DateOfBirth,Gender,Address,Postcode,PNCID\n"
          << "CANARY-SEALED,CR/2025/990001,03/03/2025,VAP,Assault,VICTIM,NCAN1,\"" << kSealedCanary
          << ", Quentin\",03/03/1991,M,\"1 Canary Wharf Road\",M1 1AE,\n"
          << "CANARY-EXCL,CR/2025/990002,04/03/2025,VAP,Assault,VICTIM,NCAN2,\"" << kExcludedCanary
          << ", Ursula\",04/04/1992,F,\"2 Canary Wharf Road\",M1 1AE,\n";
    std::ofstream probation(hub / "landing/probation/canary.csv");
    probation << "RecordID,CRN,PNCNumber,Surname,FirstName,SecondName,DateOfBirth,Gender,Postcode,"
                 "SentenceDate,Disposal,OffenceCategory,Tier\n"
              << "CANARY/1,Z999999,," << kProbationCanary
              << ",Vera,,1985-05-05,Female,M1 1AE,2025-01-10,Licence,Burglary,B2\n";
  }

  static void SetUpGovernance(store::Store& store, const fs::path& source_dir) {
    govern::Identity identity(store, *clock_);
    const std::vector<TestUser> users = {
        {"sw", model::Agency::kChildrensSocialCare, {govern::UserRole::kPractitioner}},
        {"pc", model::Agency::kPolice, {govern::UserRole::kPractitioner}},
        {"fso", model::Agency::kFireRescue, {govern::UserRole::kPractitioner}},
        {"analyst", model::Agency::kChildrensSocialCare, {govern::UserRole::kAnalyst}},
        {"igo",
         model::Agency::kChildrensSocialCare,
         {govern::UserRole::kInformationGovernanceOfficer}},
        {"admin", model::Agency::kPolice, {govern::UserRole::kAdministrator}},
        {"lapsed",
         model::Agency::kChildrensSocialCare,
         {govern::UserRole::kPractitioner},
         CivilDate{2024, 1, 1},
         CivilDate{2025, 1, 1}},
        {"victim", model::Agency::kPolice, {govern::UserRole::kPractitioner}},
        {"disabled", model::Agency::kPolice, {govern::UserRole::kPractitioner}},
        {"idle", model::Agency::kPolice, {govern::UserRole::kPractitioner}},
    };
    for (const TestUser& u : users) {
      govern::NewUser nu;
      nu.username = u.name;
      nu.display_name = u.name;
      nu.agency = u.agency;
      nu.roles = u.roles;
      nu.trained_on = u.trained_on;
      nu.training_expires = u.training_expires;
      auto added = identity.AddUser(nu, kPassword);
      ASSERT_TRUE(added.ok()) << added.status().ToString();
    }
    govern::Governance governance(store, *clock_);
    const std::string file = (source_dir / "examples/synthetic/agreements.yaml").string();
    for (const auto& [code, name] : std::vector<std::pair<std::string, std::string>>{
             {"child_safeguarding", "Child safeguarding"},
             {"domestic_abuse_risk_management", "Domestic abuse risk management"},
             {"fire_prevention_safe_and_well", "Fire prevention Safe and Well"},
             {"risk_assessment", "Risk assessment"},
             {"missing_persons", "Missing persons"}}) {
      ASSERT_TRUE(governance.PutPurpose({code, name, "", true, "test"}).ok());
    }
    auto agreements = govern::ReadAgreementsYaml(file);
    ASSERT_TRUE(agreements.ok()) << agreements.status().ToString();
    std::stable_sort(agreements->begin(), agreements->end(),
                     [](const auto& a, const auto& b) { return a.tier < b.tier; });
    for (const govern::Agreement& a : *agreements) {
      auto applied = governance.ApplyAgreement(a, "test");
      ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    }
    // An agreement that has lapsed: the analyst's only route to missing-persons data.
    govern::Agreement lapsed = (*agreements)[0].tier == 2 ? (*agreements)[0] : (*agreements)[1];
    lapsed.code = "ISA-LAPSED";
    lapsed.purpose = "missing_persons";
    lapsed.valid_from = CivilDate{2025, 1, 1};
    lapsed.valid_to = CivilDate{2025, 12, 31};
    lapsed.recipients = {{model::Agency::kChildrensSocialCare, {govern::UserRole::kAnalyst}}};
    lapsed.nominated_users.clear();
    ASSERT_TRUE(governance.ApplyAgreement(lapsed, "test").ok());

    store::StoredRestriction seal;
    seal.kind = "sealed";
    seal.target = "record";
    seal.source_id = "police_crime";
    seal.record_key = "CANARY-SEALED";
    seal.reason = "court order";
    seal.created_by = "test";
    ASSERT_TRUE(governance.AddRestriction(seal).ok());
    store::StoredRestriction exclude = seal;
    exclude.kind = "field_exclusion";
    exclude.record_key = "CANARY-EXCL";
    exclude.fields = {"person.name"};
    exclude.reason = "name withheld: protected identity";
    ASSERT_TRUE(governance.AddRestriction(exclude).ok());
  }

  static model::NominalId NominalOf(store::Store& store, const std::string& source,
                                    const std::string& key) {
    auto record = store.GetCurrentSourceRecord(source, key);
    if (!record.ok() || !*record) return 0;
    auto people = store.ListPersonRecordsForSourceRecord((*record)->id);
    if (!people.ok() || people->empty()) return 0;
    auto nominal = store.FindNominalForPersonRecord((*people)[0].id);
    if (!nominal.ok() || !*nominal) return 0;
    return **nominal;
  }

  // A nominal with police and children's social care records (multi-agency), its household,
  // address and one person record; and the canaries' nominals.
  static void FindSubjects(store::Store& store, const fs::path& world) {
    std::ifstream truth(world / "truth/records.csv");
    std::string line;
    std::getline(truth, line);
    std::map<std::string, std::set<std::string>> sources_of;
    std::map<std::string, std::pair<std::string, std::string>> a_record;
    std::map<std::string, std::string> probation_key;
    while (std::getline(truth, line)) {
      const std::vector<std::string> cols = reference::SplitCsvLine(line);
      if (cols.size() < 3) continue;
      sources_of[cols[2]].insert(cols[0]);
      if (cols[0] == "police_crime") a_record[cols[2]] = {cols[0], cols[1]};
      if (cols[0] == "probation") probation_key[cols[2]] = cols[1];
    }
    for (const auto& [person, key] : probation_key) {
      if (!sources_of[person].contains("police_crime")) continue;
      if (model::NominalId id = NominalOf(store, "probation", key); id != 0) {
        probation_subjects_->push_back(id);
      }
      if (probation_subjects_->size() >= 20) break;
    }
    for (const auto& [person, sources] : sources_of) {
      if (sources.contains("police_crime") && sources.contains("csc_children") &&
          a_record.contains(person)) {
        subject_ = NominalOf(store, a_record[person].first, a_record[person].second);
        if (subject_ != 0) break;
      }
    }
    for (const auto& [source, key] :
         std::vector<std::pair<std::string, std::string>>{{"police_crime", "CANARY-SEALED"},
                                                          {"police_crime", "CANARY-EXCL"},
                                                          {"probation", "CANARY/1"}}) {
      auto record = store.GetCurrentSourceRecord(source, key);
      ASSERT_TRUE(record.ok() && record->has_value()) << key;
      auto people = store.ListPersonRecordsForSourceRecord((*record)->id);
      ASSERT_TRUE(people.ok() && !people->empty()) << key;
      canary_records_->push_back((*people)[0].id);
      if ((*people)[0].location_id) canary_location_ = *(*people)[0].location_id;
    }
    if (canary_location_ != 0) {
      auto households = store.ListHouseholdsAtLocation(canary_location_);
      if (households.ok() && !households->empty()) canary_household_ = households->front().id;
    }
    sealed_nominal_ = NominalOf(store, "police_crime", "CANARY-SEALED");
    excluded_nominal_ = NominalOf(store, "police_crime", "CANARY-EXCL");
    probation_nominal_ = NominalOf(store, "probation", "CANARY/1");
    auto nominal = store.GetNominal(subject_);
    ASSERT_TRUE(nominal.ok());
    subject_record_ = nominal->records.front();
    auto households = store.ListHouseholds();
    ASSERT_TRUE(households.ok());
    ASSERT_FALSE(households->empty());
    household_ = households->front().id;
    auto person = store.GetPersonRecord(subject_record_);
    ASSERT_TRUE(person.ok());
    location_ = person->location_id.value_or(1);
  }

  static std::string Login(const std::string& user) {
    Reply r = Fetch(server_->port(), http::verb::post, "/api/v1/session",
                    json{{"username", user}, {"password", kPassword}}.dump(),
                    {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("token", "");
  }

  static Reply Get(const std::string& token, const std::string& path,
                   const std::string& purpose = "", const std::string& why = "MASH ref 2026/77") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!purpose.empty()) {
      headers.emplace_back("X-Purpose", purpose);
      headers.emplace_back("X-Justification", why);
    }
    return Fetch(server_->port(), http::verb::get, path, "", headers);
  }

  static Reply Post(const std::string& token, const std::string& path, const json& body) {
    return Fetch(server_->port(), http::verb::post, path, body.dump(),
                 {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  static std::unique_ptr<store::Store> OpenStore() {
    auto s = store::OpenSqliteStore((*base_ / "hub").string(), *clock_);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  static int64_t AuditCount() {
    auto store = OpenStore();
    auto events = store->ListAudit(0, 1'000'000);
    EXPECT_TRUE(events.ok());
    return static_cast<int64_t>(events->size());
  }

  static std::vector<store::AuditEvent> AuditAfter(int64_t seq) {
    auto store = OpenStore();
    auto events = store->ListAudit(seq, 1'000'000);
    EXPECT_TRUE(events.ok());
    return *events;
  }

  // A concrete path for a route pattern.
  static std::string PathFor(const std::string& pattern) {
    std::string path = pattern;
    auto replace = [&](const std::string& param, const std::string& value) {
      const size_t at = path.find(param);
      if (at != std::string::npos) path.replace(at, param.size(), value);
    };
    if (pattern.starts_with("/api/v1/households")) replace("{id}", std::to_string(household_));
    if (pattern.starts_with("/api/v1/addresses")) replace("{id}", std::to_string(location_));
    if (pattern.starts_with("/api/v1/quality/loads")) replace("{id}", "1");
    if (pattern.starts_with("/api/v1/restrictions")) replace("{id}", "999");
    replace("{id}", std::to_string(subject_));
    replace("{record}", std::to_string(subject_record_));
    replace("{code}", "ISA-CS-MASH");
    if (pattern == "/api/v1/search") path += "?q=smith";
    return path;
  }

  static inline ManualClock* clock_ = nullptr;
  static inline fs::path* base_ = nullptr;
  static inline api::HubApi* api_ = nullptr;
  static inline serve::Server* server_ = nullptr;
  static inline std::vector<serve::Route>* routes_ = nullptr;
  static inline model::NominalId subject_ = 0, sealed_nominal_ = 0, excluded_nominal_ = 0,
                                 probation_nominal_ = 0;
  static inline model::PersonRecordId subject_record_ = 0;
  // Nominals with probation and police records: probation is shared for MARAC, not for MASH.
  static inline std::vector<model::NominalId>* probation_subjects_ =
      new std::vector<model::NominalId>();
  static inline std::vector<model::PersonRecordId>* canary_records_ =
      new std::vector<model::PersonRecordId>();
  static inline model::LocationId canary_location_ = 0;
  static inline model::HouseholdId canary_household_ = 0;
  static inline model::HouseholdId household_ = 0;
  static inline model::LocationId location_ = 0;
  static inline std::atomic<int> ingest_notices_{0};  // ApiOptions::on_ingest calls
};

TEST_F(ApiTest, OpenApiDocumentsExactlyTheServedRoutes) {
  auto doc = json::parse(serve::OpenApiDocument());
  std::set<std::pair<std::string, std::string>> documented, registered;
  std::map<std::pair<std::string, std::string>, const serve::Route*> by_key;
  for (const serve::Route& r : *routes_) {
    registered.insert({r.method, r.pattern});
    by_key[{r.method, r.pattern}] = &r;
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({upper, path});
      auto it = by_key.find({upper, path});
      ASSERT_NE(it, by_key.end()) << upper << " " << path << " is documented but not served";
      const serve::Route& route = *it->second;
      EXPECT_EQ(operation["operationId"], route.id);
      const std::string access = route.access == serve::Access::kPublic ? "public"
                                 : route.access == serve::Access::kUser ? "user"
                                                                        : "personal_data";
      EXPECT_EQ(operation["x-tessera-access"], access) << route.id;
      std::vector<std::string> roles =
          operation.value("x-tessera-roles", std::vector<std::string>{});
      EXPECT_EQ(roles, route.roles) << route.id;
    }
  }
  EXPECT_EQ(documented, registered);
}

TEST_F(ApiTest, PractitionerSearchesOpensProfileAndSeesAMultiAgencyTimeline) {
  ASSERT_NE(subject_, 0);
  const std::string token = Login("sw");
  Reply profile = Get(token, "/api/v1/nominals/" + std::to_string(subject_), "child_safeguarding");
  ASSERT_EQ(profile.status, 200) << profile.body;
  json p = profile.Json();
  ASSERT_TRUE(p["records"].is_array());
  EXPECT_FALSE(p["records"].empty());
  const std::string name = p["attributes"]["name"]["best"]["value"]["family"].get<std::string>();
  ASSERT_FALSE(name.empty());

  Reply found = Get(token, "/api/v1/search?q=" + name, "child_safeguarding");
  ASSERT_EQ(found.status, 200) << found.body;
  bool listed = false;
  const json results = found.Json()["results"];
  for (const json& hit : results) listed |= hit["nominal_id"] == subject_;
  EXPECT_TRUE(listed) << found.body;

  Reply timeline = Get(token, "/api/v1/nominals/" + std::to_string(subject_) + "/timeline",
                       "child_safeguarding");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  std::set<std::string> agencies;
  const json events = timeline.Json()["events"];
  for (const json& e : events) agencies.insert(e.value("agency", ""));
  EXPECT_GE(agencies.size(), 2u) << timeline.body;
}

TEST_F(ApiTest, EveryPersonalReadIsAuditedOnceWithWhatWasSeen) {
  const std::string token = Login("sw");
  const int64_t before = AuditCount();
  Reply r = Get(token, "/api/v1/nominals/" + std::to_string(subject_), "child_safeguarding",
                "MASH referral 2026/0451");
  ASSERT_EQ(r.status, 200);
  std::vector<store::AuditEvent> events = AuditAfter(before);
  ASSERT_EQ(events.size(), 1u);
  const store::AuditEvent& e = events[0];
  EXPECT_EQ(e.actor, "user:sw");
  EXPECT_EQ(e.agency, "childrens_social_care");
  EXPECT_EQ(e.role, "practitioner");
  EXPECT_EQ(e.action, "nominals.profile");
  EXPECT_EQ(e.purpose, "child_safeguarding");
  EXPECT_EQ(e.justification, "MASH referral 2026/0451");
  EXPECT_NE(e.agreement.find("ISA-CS-MASH v1"), std::string::npos);
  EXPECT_EQ(e.outcome, "allowed");
  EXPECT_TRUE(std::find(e.nominals.begin(), e.nominals.end(), subject_) != e.nominals.end());
  EXPECT_FALSE(e.records.empty());

  // Every record shown is in the event, and nothing more.
  std::set<int64_t> shown;
  const json records = r.Json()["records"];
  for (const json& rec : records) shown.insert(rec["source_record_id"].get<int64_t>());
  for (int64_t id : shown) {
    EXPECT_TRUE(std::find(e.records.begin(), e.records.end(), id) != e.records.end()) << id;
  }

  // A denial is one event too.
  const int64_t mid = AuditCount();
  EXPECT_EQ(
      Get(token, "/api/v1/nominals/" + std::to_string(subject_), "fire_prevention_safe_and_well")
          .status,
      403);
  std::vector<store::AuditEvent> denied = AuditAfter(mid);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].outcome, "denied");
  EXPECT_EQ(denied[0].nominals, std::vector<int64_t>{subject_});

  govern::AuditKeyFiles files;
  auto verified = govern::VerifyAuditLog((*base_ / "hub").string(), files);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_TRUE(verified->keyed);
}

// Every documented route, for each kind of caller and agreement state: no unauthorised read.
TEST_F(ApiTest, AuthorisationMatrixOverEveryRoute) {
  struct Caller {
    std::string label;
    std::string user;  // empty: not signed in
    std::string purpose;
  };
  const std::vector<Caller> callers = {
      {"anonymous", "", "child_safeguarding"},
      {"no agreement", "fso", "child_safeguarding"},
      {"wrong purpose", "sw", "fire_prevention_safe_and_well"},
      {"lapsed agreement", "analyst", "missing_persons"},
      {"lapsed training", "lapsed", "child_safeguarding"},
      {"no purpose", "sw", ""},
      {"unknown purpose", "sw", "curiosity"},
      {"administrator", "admin", "child_safeguarding"},
  };
  std::map<std::string, std::string> tokens;
  std::map<std::string, std::vector<std::string>> roles_of;
  for (const Caller& c : callers) {
    if (c.user.empty() || tokens.contains(c.user)) continue;
    tokens[c.user] = Login(c.user);
    auto stored = OpenStore()->FindUserByUsername(c.user);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    roles_of[c.user] = (*stored)->roles;
  }
  int checked = 0;
  for (const serve::Route& route : *routes_) {
    if (route.access == serve::Access::kPublic) continue;
    if (route.method != "GET") continue;  // writes are covered below with their bodies
    const std::string path = PathFor(route.pattern);
    for (const Caller& c : callers) {
      const std::string token = c.user.empty() ? "" : tokens[c.user];
      const int64_t before = AuditCount();
      Reply r = Get(token, path, c.purpose);
      ++checked;
      if (c.user.empty()) {
        EXPECT_EQ(r.status, 401) << route.id << " " << c.label;
        continue;
      }
      const std::vector<std::string>& held = roles_of[c.user];
      bool role_ok = route.roles.empty();
      for (const std::string& role : route.roles) {
        role_ok |= std::find(held.begin(), held.end(), role) != held.end();
      }
      if (route.access == serve::Access::kPersonalData || !role_ok) {
        EXPECT_EQ(r.status, 403) << route.id << " " << c.label << ": " << r.body;
        EXPECT_NE(r.headers["Content-Type"].find("problem+json"), std::string::npos);
      }
      if (route.access == serve::Access::kPersonalData) {
        // The refusal is audited, once.
        EXPECT_EQ(AuditCount() - before, 1) << route.id << " " << c.label;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TEST_F(ApiTest, CanariesNeverLeak) {
  // Everyone who may read personal data, under every purpose they hold; the canaries must not
  // appear in any search, profile, timeline, graph, map or explanation.
  const std::vector<std::pair<std::string, std::string>> sessions = {
      {"sw", "child_safeguarding"},
      {"pc", "domestic_abuse_risk_management"},
      {"pc", "child_safeguarding"},
      {"analyst", "risk_assessment"}};
  std::vector<std::string> paths;
  for (model::NominalId id : {sealed_nominal_, excluded_nominal_, probation_nominal_, subject_}) {
    if (id == 0) continue;
    for (const char* suffix : {"", "/timeline", "/graph", "/map"}) {
      paths.push_back("/api/v1/nominals/" + std::to_string(id) + suffix);
    }
  }
  for (const char* q : {"SEALEDCANARY", "Quentin SEALEDCANARY", "EXCLCANARY Ursula", "PROBCANARY",
                        "Vera PROBCANARY 1985-05-05", "M1 1AE", "03/03/1991", "CANARY-SEALED"}) {
    std::string query(q);
    for (char& c : query) {
      if (c == ' ') c = '+';
    }
    paths.push_back("/api/v1/search?q=" + query);
  }
  paths.push_back("/api/v1/addresses/" + std::to_string(location_));
  bool probation_seen_by_police = false;
  for (const auto& [user, purpose] : sessions) {
    const std::string token = Login(user);
    for (const std::string& path : paths) {
      Reply r = Get(token, path, purpose);
      EXPECT_TRUE(r.status == 200 || r.status == 404 || r.status == 403) << path << r.body;
      if (path.starts_with("/api/v1/search") && r.status == 200) {
        // A reason echoes the query's own words before "~" ("SMYTHE ~ SMITH"): only what the
        // hub returned counts, so keep the matched side.
        json body = r.Json();
        for (json& hit : body["results"]) {
          for (json& reason : hit["reasons"]) {
            const std::string text = reason.get<std::string>();
            const size_t tilde = text.find('~');
            reason = tilde == std::string::npos ? text : text.substr(tilde);
          }
        }
        body.erase("query");
        r.body = body.dump();
      }
      EXPECT_EQ(r.body.find(kSealedCanary), std::string::npos) << user << " " << path;
      EXPECT_EQ(r.body.find(kExcludedCanary), std::string::npos) << user << " " << path << r.body;
      const bool probation = r.body.find(kProbationCanary) != std::string::npos;
      if (purpose == "child_safeguarding") {
        EXPECT_FALSE(probation) << user << " " << path;
      }
      if (purpose == "domestic_abuse_risk_management") probation_seen_by_police |= probation;
    }
  }
  // The test can fail: the probation canary is visible to those entitled to it.
  EXPECT_TRUE(probation_seen_by_police);

  // A sealed nominal is not found at all, even under break-glass.
  ASSERT_NE(sealed_nominal_, 0);
  const std::string fso = Login("fso");
  Reply glass =
      Post(fso, "/api/v1/session/break-glass",
           {{"purpose", "child_safeguarding"}, {"reason", "child missing, risk to life"}});
  ASSERT_EQ(glass.status, 201) << glass.body;
  Reply sealed =
      Get(fso, "/api/v1/nominals/" + std::to_string(sealed_nominal_), "child_safeguarding");
  EXPECT_EQ(sealed.body.find(kSealedCanary), std::string::npos);
  Reply opened = Get(fso, "/api/v1/nominals/" + std::to_string(subject_), "child_safeguarding");
  EXPECT_EQ(opened.status, 200) << opened.body;
  auto alerts = AuditAfter(0);
  bool alert = false;
  for (const auto& e : alerts) alert |= e.outcome == "alert" && e.actor == "user:fso";
  EXPECT_TRUE(alert);
}

TEST_F(ApiTest, WithheldRecordsAreCountedNotDropped) {
  ASSERT_NE(probation_nominal_, 0);
  // Police under MARAC see the probation record; a MASH social worker sees it withheld.
  const std::string pc = Login("pc");
  Reply marac = Get(pc, "/api/v1/nominals/" + std::to_string(probation_nominal_),
                    "domestic_abuse_risk_management");
  ASSERT_EQ(marac.status, 200) << marac.body;
  EXPECT_NE(marac.body.find(kProbationCanary), std::string::npos);
  const std::string sw = Login("sw");
  Reply mash =
      Get(sw, "/api/v1/nominals/" + std::to_string(probation_nominal_), "child_safeguarding");
  if (mash.status == 200) {
    EXPECT_GE(mash.Json()["withheld"]["total"].get<int>(), 1) << mash.body;
  } else {
    EXPECT_EQ(mash.status, 404);  // nothing of it visible: as if unknown
  }
  EXPECT_EQ(mash.body.find(kProbationCanary), std::string::npos);
}

// A chronology for a meeting: the visible timeline oldest first, with who asked and why, only
// what the caller's agreement shares, and one audit event marked as a disclosure.
TEST_F(ApiTest, ChronologyIsOldestFirstSharedOnlyAsAgreedAndAuditedAsADisclosure) {
  ASSERT_NE(subject_, 0);
  const std::string sw = Login("sw");
  const std::string base = "/api/v1/nominals/" + std::to_string(subject_);
  Reply timeline = Get(sw, base + "/timeline", "child_safeguarding");
  ASSERT_EQ(timeline.status, 200) << timeline.body;

  // (a) Oldest first, everything the timeline shows, and the document's furniture.
  const int64_t before = AuditCount();
  Reply r = Get(sw, base + "/chronology?meeting=MASH+strategy+2026-06-02", "child_safeguarding",
                "MASH referral 2026/0451");
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = r.Json();
  EXPECT_EQ(c["nominal_id"], subject_);
  EXPECT_EQ(c["classification"], "OFFICIAL-SENSITIVE");
  EXPECT_EQ(c["title"], "Multi-agency chronology");
  EXPECT_EQ(c["meeting"], "MASH strategy 2026-06-02");
  EXPECT_EQ(c["generated_at"], "2026-06-01T09:00:00Z");
  EXPECT_EQ(c["generated_by"]["username"], "sw");
  EXPECT_EQ(c["generated_by"]["agency"], "childrens_social_care");
  EXPECT_EQ(c["purpose"], "child_safeguarding");
  EXPECT_EQ(c["justification"], "MASH referral 2026/0451");
  EXPECT_FALSE(c["subject"].value("name", "").empty()) << c["subject"];
  EXPECT_NE(c["handling"].get<std::string>().find("ISA-CS-MASH v1"), std::string::npos);
  EXPECT_NE(c["handling"].get<std::string>().find("Child safeguarding"), std::string::npos);
  EXPECT_TRUE(c["withheld"].contains("total"));
  const json& entries = c["entries"];
  ASSERT_EQ(entries.size(), timeline.Json()["events"].size());
  ASSERT_GE(entries.size(), 2u);
  std::string last;
  bool undated = false;
  std::set<std::string> agencies;
  for (const json& e : entries) {
    agencies.insert(e["agency"].get<std::string>());
    EXPECT_FALSE(e.contains("event_id"));
    EXPECT_TRUE(e["roles"].is_array());
    EXPECT_TRUE(e["withheld_fields"].is_array());
    if (!e.contains("date")) {
      undated = true;
      continue;
    }
    EXPECT_FALSE(undated) << "a dated entry after an undated one";
    EXPECT_LE(last, e["date"].get<std::string>());
    last = e["date"].get<std::string>();
  }
  EXPECT_EQ(c["agencies"].get<std::set<std::string>>(), agencies);
  EXPECT_GE(agencies.size(), 2u);

  // (c) One audit event, marked as a disclosure, naming the meeting and what was shown.
  std::vector<store::AuditEvent> events = AuditAfter(before);
  ASSERT_EQ(events.size(), 1u);
  const store::AuditEvent& e = events[0];
  EXPECT_EQ(e.action, "disclose");
  EXPECT_EQ(e.outcome, "allowed");
  EXPECT_EQ(e.actor, "user:sw");
  EXPECT_EQ(e.purpose, "child_safeguarding");
  EXPECT_EQ(e.justification, "MASH referral 2026/0451");
  EXPECT_NE(e.detail.find("MASH strategy 2026-06-02"), std::string::npos) << e.detail;
  EXPECT_NE(e.resource.find("chronology"), std::string::npos);
  EXPECT_TRUE(std::find(e.nominals.begin(), e.nominals.end(), subject_) != e.nominals.end());
  const json timeline_json = timeline.Json();  // the range must not dangle
  for (const json& event : timeline_json["events"]) {
    const int64_t id = event["source_record_id"].get<int64_t>();
    EXPECT_TRUE(std::find(e.records.begin(), e.records.end(), id) != e.records.end()) << id;
  }

  // Dates bound it; bad input is a 400; a refusal is a disclosure attempt, audited as such.
  Reply bounded = Get(sw, base + "/chronology?from=" + last + "&to=" + last, "child_safeguarding");
  ASSERT_EQ(bounded.status, 200) << bounded.body;
  const json bounded_json = bounded.Json();  // the range must not dangle
  for (const json& entry : bounded_json["entries"]) EXPECT_EQ(entry["date"], last);
  EXPECT_GE(bounded.Json()["entries"].size(), 1u);
  for (const std::string& bad : std::vector<std::string>{
           "?from=2026-13-01", "?to=01/02/2026", "?from=2026-02-01&to=2026-01-01",
           "?meeting=" + std::string(81, 'M'), "?meeting=MARAC%0A2026"}) {
    EXPECT_EQ(Get(sw, base + "/chronology" + bad, "child_safeguarding").status, 400) << bad;
  }
  const std::string fso = Login("fso");
  const int64_t mid = AuditCount();
  EXPECT_EQ(Get(fso, base + "/chronology", "child_safeguarding").status, 403);
  std::vector<store::AuditEvent> refused = AuditAfter(mid);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].action, "disclose");
  EXPECT_EQ(refused[0].outcome, "denied");

  // (b) Probation is shared for MARAC, not for MASH: the same person's chronology leaves the
  // probation events out, and counts them as withheld, for a MASH enquiry.
  bool compared = false;
  for (model::NominalId id : *probation_subjects_) {
    const std::string path = "/api/v1/nominals/" + std::to_string(id) + "/chronology";
    Reply marac = Get(sw, path + "?meeting=MARAC+2026-06-04", "domestic_abuse_risk_management");
    if (marac.status != 200) continue;
    auto sources_in = [](const json& chronology) {
      std::set<std::string> sources;
      for (const json& entry : chronology["entries"]) sources.insert(entry["source_id"]);
      return sources;
    };
    if (!sources_in(marac.Json()).contains("probation") ||
        !sources_in(marac.Json()).contains("police_crime")) {
      continue;
    }
    Reply mash = Get(sw, path + "?meeting=MASH+2026-06-04", "child_safeguarding");
    ASSERT_EQ(mash.status, 200) << mash.body;
    const json m = mash.Json();
    EXPECT_FALSE(sources_in(m).contains("probation")) << mash.body;
    EXPECT_TRUE(sources_in(m).contains("police_crime")) << mash.body;
    EXPECT_FALSE(m["agencies"].get<std::set<std::string>>().contains("probation"));
    EXPECT_GE(m["withheld"]["total"].get<int>(), 1) << mash.body;
    EXPECT_NE(m["handling"].get<std::string>().find("ISA-CS-MASH"), std::string::npos);
    EXPECT_NE(marac.Json()["handling"].get<std::string>().find("ISA-DA-MARAC"), std::string::npos);
    compared = true;
    break;
  }
  EXPECT_TRUE(compared) << "no nominal with probation and police records among "
                        << probation_subjects_->size();
}

TEST_F(ApiTest, SessionsExpireAreRevokedAndLockOut) {
  // Logout revokes on the server.
  std::string token = Login("victim");
  EXPECT_EQ(Get(token, "/api/v1/session").status, 200);
  EXPECT_EQ(Fetch(server_->port(), http::verb::delete_, "/api/v1/session", "",
                  {{"Authorization", "Bearer " + token}})
                .status,
            204);
  EXPECT_EQ(Get(token, "/api/v1/session").status, 401);

  // Disabling a user cuts them off at once.
  token = Login("disabled");
  EXPECT_EQ(Get(token, "/api/v1/session").status, 200);
  {
    auto store = OpenStore();
    govern::Identity identity(*store, *clock_);
    ASSERT_TRUE(identity.DisableUser("disabled", "left the force").ok());
  }
  EXPECT_EQ(Get(token, "/api/v1/session").status, 401);

  // Idle sessions end after 15 minutes.
  token = Login("idle");
  clock_->Advance(16 * kMinute);
  EXPECT_EQ(Get(token, "/api/v1/session").status, 401);
  clock_->Set(kNow);

  // Five wrong passwords lock the account: the right one is then refused too.
  for (int i = 0; i < 5; ++i) {
    Reply r = Fetch(server_->port(), http::verb::post, "/api/v1/session",
                    json{{"username", "victim"}, {"password", "wrong password here"}}.dump(),
                    {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 401);
  }
  Reply locked = Fetch(server_->port(), http::verb::post, "/api/v1/session",
                       json{{"username", "victim"}, {"password", kPassword}}.dump(),
                       {{"Content-Type", "application/json"}});
  EXPECT_EQ(locked.status, 401);
}

TEST_F(ApiTest, CookieSessionsNeedTheCsrfToken) {
  Reply login = Fetch(server_->port(), http::verb::post, "/api/v1/session",
                      json{{"username", "igo"}, {"password", kPassword}}.dump(),
                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 201);
  EXPECT_NE(login.headers["Set-Cookie"].find("HttpOnly"), std::string::npos);
  EXPECT_NE(login.headers["Set-Cookie"].find("SameSite=Strict"), std::string::npos);
  const std::string token = login.Json()["token"];
  const std::string csrf = login.Json()["csrf_token"];
  const std::string cookie = "tessera_session=" + token + "; tessera_csrf=" + csrf;
  EXPECT_EQ(
      Fetch(server_->port(), http::verb::get, "/api/v1/session", "", {{"Cookie", cookie}}).status,
      200);
  const std::string purpose = json{{"code", "test_purpose"}, {"name", "Test"}}.dump();
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/api/v1/purposes", purpose,
                  {{"Cookie", cookie}, {"Content-Type", "application/json"}})
                .status,
            403);
  EXPECT_EQ(
      Fetch(server_->port(), http::verb::post, "/api/v1/purposes", purpose,
            {{"Cookie", cookie}, {"Content-Type", "application/json"}, {"X-CSRF-Token", csrf}})
          .status,
      200);
}

TEST_F(ApiTest, HostileRequestsGetCleanErrorsAndTheServerKeepsServing) {
  const uint16_t port = server_->port();
  auto login = [&](const std::string& body, const std::string& type) {
    return Fetch(port, http::verb::post, "/api/v1/session", body, {{"Content-Type", type}});
  };
  EXPECT_EQ(login("{not json", "application/json").status, 400);
  EXPECT_EQ(login("[1,2]", "application/json").status, 400);
  EXPECT_EQ(login("username=sw", "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(login(std::string(2 << 20, 'x'), "application/json").status, 413);
  EXPECT_EQ(login(json{{"username", 5}, {"password", true}}.dump(), "application/json").status,
            400);
  const std::string token = Login("sw");
  for (const char* path : {"/api/v1/nominals/../session", "/api/v1/nominals/1%00",
                           "/api/v1/nominals/-1", "/api/v1/nominals/99999999999999999999",
                           "/api/v1/nominals/abc", "//api/v1/session", "/api/v1/search?q=%ZZ"}) {
    Reply r = Get(token, path, "child_safeguarding");
    EXPECT_GE(r.status, 400) << path;
    EXPECT_LT(r.status, 500) << path << r.body;
  }
  // Body fields of the wrong type are the client's mistake: 400, not 500.
  const std::string igo = Login("igo");
  EXPECT_EQ(Post(igo, "/api/v1/purposes", {{"code", 5}, {"name", "x"}}).status, 400);
  EXPECT_EQ(Post(igo, "/api/v1/restrictions", {{"kind", {"sealed"}}, {"reason", true}}).status,
            400);
  EXPECT_EQ(
      Post(Login("pc"), "/api/v1/session/break-glass", {{"purpose", 5}, {"reason", 1}}).status,
      400);
  Reply bad_bearer = Fetch(port, http::verb::get, "/api/v1/session", "",
                           {{"Authorization", "Bearer ../../etc/passwd"}});
  EXPECT_EQ(bad_bearer.status, 401);
  std::string injected = RawExchange(
      port, "GET /api/v1/session HTTP/1.1\r\nHost: x\r\nX-Purpose: a\rInjected: 1\r\n\r\n");
  EXPECT_NE(injected.find("HTTP/1.1 4"), std::string::npos) << injected;
  EXPECT_EQ(Fetch(port, http::verb::get, "/healthz", "", {}).status, 200);
}

// A partner's system pushes records as a service account bound to its source; the records go
// through the file pipeline, are resolved, and can then be found. The account reads nothing.
TEST_F(ApiTest, ServiceAccountsPushRecordsForTheirSourceOnly) {
  {
    auto store = OpenStore();
    govern::Identity identity(*store, *clock_);
    govern::NewUser svc;
    svc.username = "crime-feed";
    svc.display_name = "Police records system";
    svc.agency = model::Agency::kPolice;
    svc.roles = {govern::UserRole::kServiceAccount};
    svc.bound_source = "police_crime";
    svc.trained_on = CivilDate{2026, 1, 1};
    svc.training_expires = CivilDate{2027, 1, 1};
    ASSERT_TRUE(identity.AddUser(svc, kPassword).ok());
  }
  const std::string token = Login("crime-feed");
  auto record = [](const std::string& id, const std::string& date, const std::string& name,
                   const std::string& dob) {
    return json{{"InvolvementID", id},
                {"CrimeRef", "CR/2026/" + id},
                {"OffenceDate", date},
                {"HOCategory", "THF"},
                {"InvolvementType", "VICTIM"},
                {"NominalID", "N" + id},
                {"Name", name},
                {"DateOfBirth", dob},
                {"Gender", "F"},
                {"Address", "9 Push Lane"},
                {"Postcode", "M2 5DB"},
                {"PNCID", ""}};
  };
  const std::string body =
      json::array({record("PUSH-1", "02/05/2026", "QUILLFEATHER, Ottoline", "14/07/1988"),
                   record("PUSH-2", "02/05/2026", "QUILLFEATHER, Barnaby", "01/09/2015"),
                   record("PUSH-3", "31/13/2026", "QUILLFEATHER, Agatha", "01/01/1950")})
          .dump();
  auto push = [&](const std::string& who, const std::string& source, const std::string& type) {
    return Fetch(server_->port(), http::verb::post, "/api/v1/sources/" + source + "/records", body,
                 {{"Authorization", "Bearer " + who}, {"Content-Type", type}});
  };
  const int64_t before = AuditCount();
  const int notices = ingest_notices_.load();
  Reply first = push(token, "police_crime", "application/json");
  ASSERT_EQ(first.status, 200) << first.body;
  json r = first.Json();
  EXPECT_EQ(r["counts"]["read"], 3);
  EXPECT_EQ(r["counts"]["loaded"], 2);
  EXPECT_EQ(r["counts"]["quarantined"], 1);
  EXPECT_FALSE(r["already_loaded"].get<bool>());
  ASSERT_EQ(r["records"].size(), 3u) << first.body;
  EXPECT_EQ(r["records"][0]["key"], "PUSH-1");
  EXPECT_EQ(r["records"][0]["outcome"], "inserted");
  EXPECT_EQ(r["records"][1]["outcome"], "inserted");
  EXPECT_EQ(r["records"][2]["key"], "PUSH-3");
  EXPECT_EQ(r["records"][2]["outcome"], "quarantined");
  EXPECT_EQ(r["records"][2]["field"], "OffenceDate");
  EXPECT_NE(r["records"][2].value("reason", "").find("date"), std::string::npos) << first.body;
  EXPECT_EQ(ingest_notices_.load(), notices + 1);
  // Audited, with counts and no personal data.
  std::vector<store::AuditEvent> events = AuditAfter(before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, "user:crime-feed");
  EXPECT_EQ(events[0].action, "sources.push");
  EXPECT_EQ(events[0].resource, "source/police_crime/records");
  EXPECT_EQ(events[0].outcome, "allowed");
  EXPECT_NE(events[0].detail.find("loaded=2"), std::string::npos) << events[0].detail;
  EXPECT_EQ(events[0].detail.find("QUILLFEATHER"), std::string::npos);

  // The same body again changes nothing and says so record by record.
  Reply again = push(token, "police_crime", "application/json");
  ASSERT_EQ(again.status, 200) << again.body;
  json a = again.Json();
  EXPECT_TRUE(a["already_loaded"].get<bool>());
  EXPECT_EQ(a["counts"]["loaded"], 0);
  EXPECT_EQ(a["records"][0]["outcome"], "unchanged");
  EXPECT_EQ(a["records"][1]["outcome"], "unchanged");
  EXPECT_EQ(a["records"][2]["outcome"], "quarantined");
  EXPECT_EQ(ingest_notices_.load(), notices + 1);

  // Another source, another role, another media type: refused.
  EXPECT_EQ(push(token, "probation", "application/json").status, 403);
  EXPECT_EQ(push(Login("pc"), "police_crime", "application/json").status, 403);
  EXPECT_EQ(push(token, "police_crime", "text/csv").status, 415);
  EXPECT_EQ(push(token, "police_crime", "application/fhir+json").status, 400);

  // A service account never reads personal data, whatever the purpose.
  EXPECT_EQ(Get(token, "/api/v1/nominals/" + std::to_string(subject_), "child_safeguarding").status,
            403);
  EXPECT_EQ(Get(token, "/api/v1/search?q=QUILLFEATHER", "child_safeguarding").status, 403);

  // Resolution is incremental (the server's worker runs on the notice; here, by hand): the
  // pushed person is then found by a practitioner entitled to police records.
  model::NominalId pushed = 0;
  {
    auto store = OpenStore();
    auto model = resolve::LinkageModel::Load(resolve::LinkageModelPath((*base_ / "hub").string()));
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto resolver = resolve::Resolver::Open((*base_ / "hub").string(), *store, std::move(*model));
    ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
    auto run = (*resolver)->Run();
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->new_records, 2);
    pushed = NominalOf(*store, "police_crime", "PUSH-1");
  }
  ASSERT_NE(pushed, 0);
  ASSERT_TRUE(api_->Refresh().ok());
  Reply found = Get(Login("sw"), "/api/v1/search?q=Ottoline+Quillfeather", "child_safeguarding");
  ASSERT_EQ(found.status, 200) << found.body;
  bool listed = false;
  const json results = found.Json()["results"];
  for (const json& hit : results) listed |= hit["nominal_id"] == pushed;
  EXPECT_TRUE(listed) << found.body;
}

// Clerical review through the API: pairs planted between the subject's police record and each
// canary. Decisions are stored for the server's one resolver (woken through on_ingest); nothing
// here runs a resolver afterwards, so the decisions do not change what later tests see.
TEST_F(ApiTest, ClericalReviewShowsOnlyWhatTheRequestMaySeeAndRecordsDecisions) {
  ASSERT_NE(excluded_nominal_, 0);
  model::PersonRecordId police = 0, excluded = 0, sealed = 0, probation = 0;
  int64_t after = 0, visible_pair = 0, sealed_pair = 0, probation_pair = 0;
  model::SourceRecordId police_version = 0, excluded_version = 0;
  {
    auto store = OpenStore();
    auto person_of = [&](const std::string& source, const std::string& key) {
      auto record = store->GetCurrentSourceRecord(source, key);
      EXPECT_TRUE(record.ok() && record->has_value()) << key;
      auto people = store->ListPersonRecordsForSourceRecord((*record)->id);
      EXPECT_TRUE(people.ok() && !people->empty()) << key;
      return std::make_pair((*people)[0].id, (*record)->id);
    };
    std::tie(excluded, excluded_version) = person_of("police_crime", "CANARY-EXCL");
    sealed = person_of("police_crime", "CANARY-SEALED").first;
    probation = person_of("probation", "CANARY/1").first;
    auto subject = store->GetNominal(subject_);
    ASSERT_TRUE(subject.ok());
    for (model::PersonRecordId r : subject->records) {
      auto person = store->GetPersonRecord(r);
      ASSERT_TRUE(person.ok());
      auto source = store->GetSourceRecord(person->source_record_id);
      ASSERT_TRUE(source.ok());
      if (source->source_id == "police_crime") {
        police = r;
        police_version = source->id;
        break;
      }
    }
    ASSERT_NE(police, 0);
    store::ReviewQuery all;
    all.limit = 1'000'000;
    auto existing = store->ListReviewPairs(all);
    ASSERT_TRUE(existing.ok());
    if (!existing->empty()) after = existing->back().id;
    auto txn = store->Begin();
    ASSERT_TRUE(txn.ok());
    visible_pair = *store->PutReviewPair(**txn, police, excluded, 0.55, 0.3);
    sealed_pair = *store->PutReviewPair(**txn, police, sealed, 0.5, 0.0);
    probation_pair = *store->PutReviewPair(**txn, police, probation, 0.45, -0.3);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto post = [](const std::string& token, const std::string& path, const json& body,
                 const std::string& purpose) {
    return Fetch(server_->port(), http::verb::post, path, body.dump(),
                 {{"Authorization", "Bearer " + token},
                  {"Content-Type", "application/json"},
                  {"X-Purpose", purpose},
                  {"X-Justification", "MASH ref 2026/77"}});
  };
  auto no_canary = [](const Reply& r, const std::string& what) {
    EXPECT_EQ(r.body.find(kSealedCanary), std::string::npos) << what;
    EXPECT_EQ(r.body.find(kExcludedCanary), std::string::npos) << what << r.body;
    EXPECT_EQ(r.body.find(kProbationCanary), std::string::npos) << what;
  };
  const std::string review = "/api/v1/review/";

  // The queue for a MASH social worker: the pair with the excluded name shown without the
  // name, the probation pair counted, the sealed pair not at all.
  const std::string sw = Login("sw");
  const int64_t before = AuditCount();
  Reply queue =
      Get(sw, "/api/v1/review?status=open&after=" + std::to_string(after), "child_safeguarding");
  ASSERT_EQ(queue.status, 200) << queue.body;
  no_canary(queue, "queue");
  json q = queue.Json();
  ASSERT_EQ(q["pairs"].size(), 1u) << queue.body;
  EXPECT_EQ(q["pairs"][0]["review_pair_id"], visible_pair);
  EXPECT_EQ(q["withheld"], 1);
  std::vector<store::AuditEvent> events = AuditAfter(before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "review.queue");
  EXPECT_EQ(events[0].purpose, "child_safeguarding");
  for (model::SourceRecordId id : {police_version, excluded_version}) {
    EXPECT_NE(std::find(events[0].records.begin(), events[0].records.end(), id),
              events[0].records.end())
        << id;
  }
  EXPECT_NE(std::find(events[0].nominals.begin(), events[0].nominals.end(), subject_),
            events[0].nominals.end());
  EXPECT_EQ(Get(sw, "/api/v1/review?status=maybe", "child_safeguarding").status, 400);

  Reply pair = Get(sw, review + std::to_string(visible_pair), "child_safeguarding");
  ASSERT_EQ(pair.status, 200) << pair.body;
  no_canary(pair, "pair");
  ASSERT_EQ(pair.Json()["records"].size(), 2u);
  // The excluded name is listed as withheld, and so are the name comparisons and the totals.
  const json sides = pair.Json()["records"];
  json excluded_side;
  for (const json& side : sides) {
    if (side["record"]["person_record_id"] == excluded) excluded_side = side["record"];
  }
  ASSERT_TRUE(excluded_side.is_object()) << pair.body;
  const json withheld_fields = excluded_side["withheld_fields"];
  EXPECT_NE(std::find(withheld_fields.begin(), withheld_fields.end(), "person.name"),
            withheld_fields.end());
  EXPECT_FALSE(pair.Json().contains("probability"));
  for (int64_t hidden : {sealed_pair, probation_pair}) {
    Reply r = Get(sw, review + std::to_string(hidden), "child_safeguarding");
    EXPECT_EQ(r.status, 404) << r.body;
    no_canary(r, "hidden pair");
  }
  // The probation canary is there for those entitled to it: the test can fail.
  const std::string pc = Login("pc");
  Reply marac = Get(pc, review + std::to_string(probation_pair), "domestic_abuse_risk_management");
  ASSERT_EQ(marac.status, 200) << marac.body;
  EXPECT_NE(marac.body.find(kProbationCanary), std::string::npos);

  // Deciding: a reason is required; only practitioners under an agreement; only visible pairs.
  const std::string decide = review + std::to_string(visible_pair) + "/decision";
  EXPECT_EQ(post(sw, decide, {{"decision", "accept"}}, "child_safeguarding").status, 400);
  EXPECT_EQ(
      post(sw, decide, {{"decision", "accept"}, {"reason", "  "}}, "child_safeguarding").status,
      400);
  EXPECT_EQ(post(sw, decide, {{"decision", "maybe"}, {"reason", "same DOB and address"}},
                 "child_safeguarding")
                .status,
            400);
  const json accept = {{"decision", "accept"}, {"reason", "same DOB, address and school"}};
  EXPECT_EQ(post(Login("fso"), decide, accept, "child_safeguarding").status, 403);
  EXPECT_EQ(post(Login("analyst"), decide, accept, "risk_assessment").status, 403);
  for (int64_t hidden : {sealed_pair, probation_pair}) {
    EXPECT_EQ(post(sw, review + std::to_string(hidden) + "/decision", accept, "child_safeguarding")
                  .status,
              404);
  }
  const int notices = ingest_notices_.load();
  const int64_t before_decision = AuditCount();
  Reply decided = post(sw, decide, accept, "child_safeguarding");
  ASSERT_EQ(decided.status, 202) << decided.body;
  no_canary(decided, "decision");
  EXPECT_EQ(decided.Json()["status"], "accepted");
  EXPECT_EQ(ingest_notices_.load(), notices + 1) << "the worker's resolver is woken";
  {
    auto store = OpenStore();
    auto stored = store->GetReviewPair(visible_pair);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->status, store::ReviewStatus::kAccepted);
    EXPECT_EQ(stored->decided_by, "user:sw");
    auto links = store->ListLinkDecisions();
    ASSERT_TRUE(links.ok());
    ASSERT_FALSE(links->empty());
    const store::LinkDecision& d = links->back();
    EXPECT_EQ(d.review_pair_id, visible_pair);
    EXPECT_EQ(d.kind, store::LinkDecisionKind::kMustLink);
    EXPECT_EQ(d.actor, "user:sw");
    EXPECT_EQ(d.reason, "same DOB, address and school");
  }
  std::vector<store::AuditEvent> decision_events = AuditAfter(before_decision);
  ASSERT_EQ(decision_events.size(), 1u);
  EXPECT_EQ(decision_events[0].action, "review.decide");
  EXPECT_EQ(decision_events[0].outcome, "allowed");
  EXPECT_EQ(post(sw, decide, accept, "child_safeguarding").status, 409) << "decided already";

  // Merge and split: reasons required, visible nominals and records only.
  const std::string subject = "/api/v1/nominals/" + std::to_string(subject_);
  const json merge = {{"other", excluded_nominal_}, {"reason", "one person: same DOB"}};
  EXPECT_EQ(
      post(sw, subject + "/merge", {{"other", excluded_nominal_}}, "child_safeguarding").status,
      400);
  EXPECT_EQ(post(sw, subject + "/merge", {{"other", sealed_nominal_}, {"reason", "same person"}},
                 "child_safeguarding")
                .status,
            404);
  EXPECT_EQ(post(Login("analyst"), subject + "/merge", merge, "risk_assessment").status, 403);
  Reply merged = post(sw, subject + "/merge", merge, "child_safeguarding");
  ASSERT_EQ(merged.status, 202) << merged.body;
  no_canary(merged, "merge");
  ASSERT_EQ(merged.Json()["link_decisions"].size(), 1u);
  EXPECT_EQ(merged.Json()["link_decisions"][0]["kind"], "must_link");

  const json split = {{"records", {police}}, {"reason", "a different person: other DOB"}};
  EXPECT_EQ(post(sw, subject + "/split", {{"records", {police}}}, "child_safeguarding").status,
            400);
  EXPECT_EQ(post(sw, subject + "/split", {{"records", {sealed}}, {"reason", "not them"}},
                 "child_safeguarding")
                .status,
            404);
  Reply split_reply = post(sw, subject + "/split", split, "child_safeguarding");
  ASSERT_EQ(split_reply.status, 202) << split_reply.body;  // police and social care records
  no_canary(split_reply, "split");
  EXPECT_FALSE(split_reply.Json()["link_decisions"].empty());
  EXPECT_EQ(post(sw, subject + "/split",
                 {{"records", json::array({police, excluded})}, {"reason", "not them"}},
                 "child_safeguarding")
                .status,
            404)
      << "a record of another nominal is as unknown";
}

// Every personal-data route, pointed at the canaries' nominals, records, address and household,
// for everyone who may read personal data: nothing sealed or excluded ever comes back, and the
// probation canary only to those whose agreement shares probation.
TEST_F(ApiTest, EveryPersonalRouteKeepsTheCanariesFromThoseNotEntitled) {
  ASSERT_EQ(canary_records_->size(), 3u);
  struct Caller {
    std::string user, purpose;
    bool break_glass = false;
  };
  const std::vector<Caller> callers = {{"sw", "child_safeguarding"},
                                       {"pc", "child_safeguarding"},
                                       {"analyst", "risk_assessment"},
                                       {"fso", "child_safeguarding", true}};
  std::vector<std::string> paths;
  for (const serve::Route& route : *routes_) {
    if (route.access != serve::Access::kPersonalData || route.method != "GET") continue;
    std::vector<std::string> ids;
    if (route.pattern.starts_with("/api/v1/nominals/")) {
      for (model::NominalId id : {sealed_nominal_, excluded_nominal_, probation_nominal_}) {
        if (id != 0) ids.push_back(std::to_string(id));
      }
    } else if (route.pattern.starts_with("/api/v1/households/")) {
      if (canary_household_ != 0) ids.push_back(std::to_string(canary_household_));
    } else if (route.pattern.starts_with("/api/v1/addresses/")) {
      ids.push_back(std::to_string(canary_location_));
    } else {
      ids.push_back("");
    }
    for (const std::string& id : ids) {
      for (model::PersonRecordId record : *canary_records_) {
        std::string path = route.pattern;
        if (size_t at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, id);
        if (size_t at = path.find("{record}"); at != std::string::npos) {
          path.replace(at, 8, std::to_string(record));
        }
        if (route.pattern == "/api/v1/search") path += "?q=CANARY+M1+1AE";
        paths.push_back(path);
        if (route.pattern.find("{record}") == std::string::npos) break;
      }
    }
  }
  ASSERT_GT(paths.size(), 20u);
  for (const Caller& c : callers) {
    const std::string token = Login(c.user);
    if (c.break_glass) {
      ASSERT_EQ(Post(token, "/api/v1/session/break-glass",
                     {{"purpose", c.purpose}, {"reason", "urgent: child missing tonight"}})
                    .status,
                201);
    }
    for (const std::string& path : paths) {
      Reply r = Get(token, path, c.purpose);
      EXPECT_LT(r.status, 500) << path << r.body;
      EXPECT_EQ(r.body.find(kSealedCanary), std::string::npos) << c.user << " " << path;
      EXPECT_EQ(r.body.find(kExcludedCanary), std::string::npos) << c.user << " " << path;
      if (c.purpose == "child_safeguarding" && !c.break_glass) {
        EXPECT_EQ(r.body.find(kProbationCanary), std::string::npos) << c.user << " " << path;
      }
    }
  }
}

// Indicators are derived data (issue 7): only under the purpose risk_assessment, computed only
// from the sources the caller's agreement shares, each flag naming the visible events behind it,
// and audited with the nominals and records shown.
TEST_F(ApiTest, IndicatorsAreForRiskAssessmentOnlyAndComeFromVisibleSourcesOnly) {
  ASSERT_NE(subject_, 0);
  const std::string base = "/api/v1/nominals/" + std::to_string(subject_);
  // Under another purpose, even one the caller's agreement allows: refused, and audited.
  const std::string sw = Login("sw");
  ASSERT_EQ(Get(sw, base, "child_safeguarding").status, 200);
  int64_t before = AuditCount();
  Reply refused = Get(sw, base + "/indicators", "child_safeguarding");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("risk_assessment"), std::string::npos) << refused.body;
  std::vector<store::AuditEvent> denied = AuditAfter(before);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].outcome, "denied");
  EXPECT_EQ(denied[0].action, "nominals.indicators");
  EXPECT_EQ(denied[0].nominals, std::vector<int64_t>{subject_});
  EXPECT_TRUE(denied[0].records.empty());
  EXPECT_EQ(Get(Login("pc"), "/api/v1/households/" + std::to_string(household_) + "/indicators",
                "domestic_abuse_risk_management")
                .status,
            403);

  // ISA-SF-RISK shares these sources; mental health, ambulance and fire are not among them.
  const std::set<std::string> shared = {
      "csc_children",     "police_crime",      "police_domestic_abuse",
      "police_missing",   "school_attendance", "housing",
      "dwp_worklessness", "probation",         "substance_misuse"};
  const std::string analyst = Login("analyst");
  before = AuditCount();
  Reply r = Get(analyst, base + "/indicators?as_of=2024-12-31", "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["as_of"], "2024-12-31");
  EXPECT_EQ(body["rule_set"], "default");
  const std::vector<store::AuditEvent> events = AuditAfter(before);
  std::set<std::string> codes;
  for (const json& i : body["indicators"]) codes.insert(i["code"].get<std::string>());
  EXPECT_EQ(codes, (std::set<std::string>{"da_escalation_marac", "repeat_missing"}));
  // Every event listed is one the analyst's own timeline shows.
  Reply timeline = Get(analyst, base + "/timeline", "risk_assessment");
  ASSERT_EQ(timeline.status, 200);
  std::set<int64_t> visible;
  const json timeline_json = timeline.Json();  // the range must not dangle
  for (const json& e : timeline_json["events"]) visible.insert(e["event_id"].get<int64_t>());
  std::set<int64_t> listed;
  for (const json& e : body["events"]) {
    listed.insert(e["event_id"].get<int64_t>());
    EXPECT_TRUE(visible.contains(e["event_id"].get<int64_t>())) << e.dump();
    EXPECT_TRUE(shared.contains(e["source_id"].get<std::string>())) << e.dump();
  }
  for (const json& i : body["indicators"]) {
    for (const json& id : i["events"]) EXPECT_TRUE(listed.contains(id.get<int64_t>()));
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "nominals.indicators");
  EXPECT_EQ(events[0].purpose, "risk_assessment");
  EXPECT_EQ(events[0].outcome, "allowed");
  EXPECT_NE(events[0].agreement.find("ISA-SF-RISK"), std::string::npos);
  EXPECT_EQ(events[0].nominals, std::vector<int64_t>{subject_});
  for (const json& e : body["events"]) {
    const int64_t record = e["source_record_id"].get<int64_t>();
    EXPECT_TRUE(std::find(events[0].records.begin(), events[0].records.end(), record) !=
                events[0].records.end());
  }
  EXPECT_EQ(Get(analyst, base + "/indicators?as_of=31/12/2024", "risk_assessment").status, 400);

  // A household whose members have health events from sources the analyst's agreement does not
  // share, in the window: the rules run on everything find them (so this test can fail), the
  // analyst's flags never use them.
  auto store = OpenStore();
  auto households = store->ListHouseholds();
  ASSERT_TRUE(households.ok());
  auto rules = analytics::IndicatorSet::Default();
  ASSERT_TRUE(rules.ok());
  govern::Visibility everything;
  everything.ShareAllDatasets();
  view::SourceCatalog catalog;
  view::ViewContext all{*store, everything, catalog, CivilDate{2026, 6, 1}, kNow};
  const std::set<std::string> unshared_health = {"mental_health", "ambulance"};
  int checked = 0;
  for (const model::Household& h : *households) {
    if (checked >= 3) break;
    view::Seen seen;
    auto full = view::HouseholdIndicators(all, *rules, h.id, {2024, 12, 31}, seen);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    std::map<int64_t, std::string> source_of;
    for (const json& e : full->body["events"]) {
      source_of[e["event_id"].get<int64_t>()] = e["source_id"].get<std::string>();
    }
    bool uses_unshared = false;
    for (const json& i : full->body["indicators"]) {
      if (i["code"] != "tf_health") continue;
      for (const json& id : i["events"]) {
        uses_unshared |= unshared_health.contains(source_of[id.get<int64_t>()]);
      }
    }
    if (!uses_unshared) continue;
    ++checked;
    Reply hr =
        Get(analyst, "/api/v1/households/" + std::to_string(h.id) + "/indicators?as_of=2024-12-31",
            "risk_assessment");
    ASSERT_EQ(hr.status, 200) << hr.body;
    json hb = hr.Json();
    EXPECT_GE(hb["withheld"]["total"].get<int>(), 1) << hb.dump();
    for (const json& e : hb["events"]) {
      EXPECT_TRUE(shared.contains(e["source_id"].get<std::string>())) << e.dump();
    }
    for (const json& i : hb["indicators"]) {
      if (i["code"] != "tf_health") continue;
      for (const json& id : i["events"]) {
        for (const json& e : hb["events"]) {
          if (e["event_id"] == id) {
            EXPECT_EQ(e["source_id"], "substance_misuse") << e.dump();
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0) << "no household with unshared health events in 2024";
}

// Demand (issue 7, part 5): counts of the events the caller's risk-assessment agreement shares,
// small numbers suppressed so that no count below 5 is shown or can be worked out.
TEST_F(ApiTest, DemandCountsOnlySharedSourcesAndSuppressesSmallNumbers) {
  EXPECT_EQ(Get(Login("sw"), "/api/v1/analytics/demand", "child_safeguarding").status, 403);
  const std::string analyst = Login("analyst");
  const std::string path = "/api/v1/analytics/demand?from=2018-01-01&to=2026-06-01";
  const int64_t before = AuditCount();
  Reply r = Get(analyst, path + "&group=agency,month", "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<store::AuditEvent> audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "analytics.demand");
  EXPECT_EQ(audit[0].purpose, "risk_assessment");
  json body = r.Json();
  EXPECT_EQ(body["groups"], json::array({"agency", "month"}));
  int suppressed = 0;
  std::map<std::string, int> suppressed_by_agency, suppressed_by_month, cells_by_agency,
      cells_by_month;
  for (const json& c : body["cells"]) {
    ++cells_by_agency[c["agency"].get<std::string>()];
    ++cells_by_month[c["month"].get<std::string>()];
    if (c["suppressed"].get<bool>()) {
      ++suppressed;
      EXPECT_TRUE(c["count"].is_null()) << c.dump();
      ++suppressed_by_agency[c["agency"].get<std::string>()];
      ++suppressed_by_month[c["month"].get<std::string>()];
    } else {
      EXPECT_GE(c["count"].get<int64_t>(), 5) << c.dump();
    }
  }
  EXPECT_GT(suppressed, 0) << "the world has small cells by agency and month";
  // No row or column of two or more cells holds a lone suppressed cell (secondary
  // suppression); a cell alone in its row is protected by its column.
  for (const auto& [agency, n] : suppressed_by_agency) {
    EXPECT_TRUE(n != 1 || cells_by_agency[agency] == 1) << agency;
  }
  for (const auto& [month, n] : suppressed_by_month) {
    EXPECT_TRUE(n != 1 || cells_by_month[month] == 1) << month;
  }
  EXPECT_EQ(Get(analyst, path + "&group=weather", "risk_assessment").status, 400);

  // Ambulance, fire and mental health records are not shared under ISA-SF-RISK: counted with
  // everything visible (so this test can fail), never in the analyst's demand.
  Reply by_agency = Get(analyst, path + "&group=agency,area", "risk_assessment");
  ASSERT_EQ(by_agency.status, 200) << by_agency.body;
  std::set<std::string> agencies;
  bool located = false;
  const json by_agency_body = by_agency.Json();
  for (const json& c : by_agency_body["cells"]) {
    agencies.insert(c["agency"].get<std::string>());
    located |= c.contains("lat") && c.contains("lon");
  }
  EXPECT_TRUE(located) << "areas carry their district's centroid";
  auto store = OpenStore();
  govern::Visibility everything;
  everything.ShareAllDatasets();
  view::SourceCatalog catalog;
  view::ViewContext all{*store, everything, catalog, CivilDate{2026, 6, 1}, kNow};
  auto full = view::Demand(all, {{2018, 1, 1}, {2026, 6, 1}, {view::DemandGroup::kAgency}});
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  std::set<std::string> all_agencies;
  for (const json& c : (*full)["cells"]) all_agencies.insert(c["agency"].get<std::string>());
  EXPECT_TRUE(all_agencies.contains("ambulance"));
  EXPECT_FALSE(agencies.contains("ambulance"));
  EXPECT_FALSE(agencies.contains("mental_health"));
  EXPECT_FALSE(agencies.contains("fire_rescue"));
  EXPECT_TRUE(agencies.contains("police"));
}

// Duplicate intervention (issue 7, part 5): households and nominals two or more agencies are
// involved with at once, from visible events only, audited with the nominals shown.
TEST_F(ApiTest, DuplicateInterventionsListConcurrentAgenciesFromSharedSourcesOnly) {
  const std::string base = "/api/v1/analytics/duplicate-interventions";
  EXPECT_EQ(Get(Login("sw"), base, "child_safeguarding").status, 403);
  const std::string analyst = Login("analyst");
  const int64_t before = AuditCount();
  Reply r = Get(analyst, base + "?as_of=2024-12-31&gap_days=180&limit=20", "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["gap_days"], 180);
  const std::vector<store::AuditEvent> audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "analytics.duplicate_interventions");
  const std::set<std::string> unshared = {"ambulance", "mental_health", "fire_rescue"};
  ASSERT_FALSE(body["households"].empty()) << body.dump();
  size_t previous = 99;
  for (const json& h : body["households"]) {
    const size_t n = h["agency_count"].get<size_t>();
    EXPECT_GE(n, 2u);
    EXPECT_LE(n, previous);  // ranked
    previous = n;
    EXPECT_EQ(h["agencies"].size(), n);
    for (const json& a : h["agencies"]) {
      EXPECT_FALSE(unshared.contains(a["agency"].get<std::string>())) << a.dump();
      EXPECT_LE(a["episode_start"].get<std::string>(), "2024-12-31");
      EXPECT_GE(a["open_until"].get<std::string>(), "2024-12-31");
      EXPECT_GE(a["events"].get<int64_t>(), 1);
    }
    for (const json& m : h["members"]) {
      const int64_t id = m.get<int64_t>();
      EXPECT_TRUE(std::find(audit[0].nominals.begin(), audit[0].nominals.end(), id) !=
                  audit[0].nominals.end())
          << id;
    }
  }
  EXPECT_FALSE(audit[0].records.empty());
  for (const json& row : body["summary"]["households"]["rows"]) {
    if (row["suppressed"].get<bool>()) {
      EXPECT_TRUE(row["count"].is_null());
    } else {
      const int64_t count = row["count"].get<int64_t>();
      EXPECT_TRUE(count == 0 || count >= 5) << row.dump();
    }
  }
  EXPECT_EQ(Get(analyst, base + "?gap_days=0", "risk_assessment").status, 400);
  EXPECT_EQ(Get(analyst, base + "?as_of=tomorrow", "risk_assessment").status, 400);
}

TEST_F(ApiTest, SessionsEndAtTheirAbsoluteLifetimeHoweverActive) {
  const std::string token = Login("pc");
  int64_t elapsed = 0;
  int last_ok = 0;
  while (elapsed < 9 * 60 * kMinute) {
    if (Get(token, "/api/v1/session").status != 200) break;
    last_ok = static_cast<int>(elapsed / kMinute);
    clock_->Advance(10 * kMinute);
    elapsed += 10 * kMinute;
  }
  clock_->Set(kNow);
  EXPECT_GE(last_ok, 7 * 60);  // active for seven hours and more...
  EXPECT_LT(last_ok, 8 * 60);  // ...but never past eight
}

// Last: it uses up the address's sign-in attempts for this minute.
TEST_F(ApiTest, SignInAttemptsAreLimitedPerAddress) {
  int limited = 0;
  for (int i = 0; i < 250 && limited == 0; ++i) {
    Reply r = Fetch(server_->port(), http::verb::post, "/api/v1/session",
                    json{{"username", "nobody"}, {"password", "wrong password here"}}.dump(),
                    {{"Content-Type", "application/json"}});
    if (r.status == 429) {
      ++limited;
      EXPECT_FALSE(r.headers["Retry-After"].empty());
    } else {
      EXPECT_EQ(r.status, 401);
    }
  }
  EXPECT_EQ(limited, 1);
  clock_->Advance(61 * 1'000'000);
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/api/v1/session",
                  json{{"username", "sw"}, {"password", kPassword}}.dump(),
                  {{"Content-Type", "application/json"}})
                .status,
            201);
}

// Scores (issue 7): shown only from the approved version, only under risk_assessment, only when
// the caller may see every input dataset and every record behind the score; decisions are
// recorded against the score shown and audited; the kill switch works at once.
TEST_F(ApiTest, RiskScoresAreShownOnlyWhenApprovedAndEntitledAndDecisionsAreAudited) {
  ASSERT_NE(subject_, 0);
  const auto register_version = [](const std::string& version,
                                   const std::vector<std::string>& inputs) {
    auto store = OpenStore();
    store::StoredRiskModel m;
    m.version = version;
    m.outcome = "cp_plan_escalation";
    m.training_data_sha256 = std::string(64, 'a');
    m.metadata =
        json{{"input_datasets", inputs},
             {"outcome_title", "A child-protection plan starts within 12 months"},
             {"base_rate", 0.02},
             {"feature_names", {"age_at_cutoff", "agency.police.36m"}},
             {"feature_labels", {"Age", "Events recorded by police in the last 36 months"}},
             {"metrics", json::object()}}
            .dump();
    auto txn = store->Begin();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(store->PutRiskModel(**txn, m).ok());
    std::vector<store::StoredRiskScore> scores;
    int64_t rank = 0;
    for (model::NominalId n : {subject_, sealed_nominal_}) {
      if (n == 0) continue;
      store::StoredRiskScore s;
      s.version = version;
      s.nominal_id = n;
      s.as_of = CivilDate{2026, 6, 1};
      s.probability = 0.3;
      s.margin = -0.5;
      s.rank = ++rank;
      s.explanation = json{
          {"bias", -1.0},
          {"factors", json::array({json::array({1, 2, 0.5})})},
          {"other", 0.0}}.dump();
      scores.push_back(s);
    }
    ASSERT_TRUE(store->ReplaceRiskScores(**txn, version, scores).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  };
  const std::vector<std::string> shared = {"csc_children", "police_crime", "police_domestic_abuse",
                                           "school_attendance"};
  register_version("v1", shared);
  const std::string risk = "/api/v1/nominals/" + std::to_string(subject_) + "/risk";
  const std::string analyst = Login("analyst");
  const std::string igo = Login("igo");
  const auto post = [](const std::string& token, const std::string& path, const json& body,
                       const std::string& purpose) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    if (!purpose.empty()) {
      headers.emplace_back("X-Purpose", purpose);
      headers.emplace_back("X-Justification", "Supporting Families review 2026/14");
    }
    return Fetch(server_->port(), http::verb::post, path, body.dump(), headers);
  };

  // Pending: not shown.
  Reply r = Get(analyst, risk, "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["state"], "no_approved_model");
  EXPECT_FALSE(r.Json().contains("score"));
  const json decide = {{"decision", "agree"}, {"reason", "known to three agencies"}};
  EXPECT_EQ(post(analyst, risk + "/decisions", decide, "risk_assessment").status, 409);

  // Only an information-governance officer approves, with a reason; audited.
  const json why = {{"reason", "evaluation report and transparency record reviewed"}};
  EXPECT_EQ(post(analyst, "/api/v1/risk/models/v1/approve", why, "").status, 403);
  EXPECT_EQ(post(igo, "/api/v1/risk/models/v1/approve", json::object(), "").status, 400);
  int64_t before = AuditCount();
  Reply approved = post(igo, "/api/v1/risk/models/v1/approve", why, "");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Json()["state"], "approved");
  EXPECT_EQ(approved.Json()["scores"]["count"], sealed_nominal_ ? 2 : 1);
  std::vector<store::AuditEvent> audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "risk.approve");
  EXPECT_EQ(audit[0].justification, why["reason"]);
  EXPECT_EQ(post(igo, "/api/v1/risk/models/v1/approve", why, "").status, 409);

  // Approved: shown under risk_assessment, explained, with the events behind each factor.
  r = Get(analyst, risk, "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["state"], "scored") << r.body;
  EXPECT_DOUBLE_EQ(body["score"]["probability"].get<double>(), 0.3);
  EXPECT_EQ(body["model"]["version"], "v1");
  ASSERT_EQ(body["factors"].size(), 1u);
  EXPECT_EQ(body["factors"][0]["feature"], "agency.police.36m");
  EXPECT_EQ(body["factors"][0]["label"], "Events recorded by police in the last 36 months");
  for (const json& e : body["factors"][0]["events"]) EXPECT_EQ(e["agency"], "police");
  // Not under another purpose, even one the caller holds; the refusal is audited.
  EXPECT_EQ(Get(Login("sw"), risk, "child_safeguarding").status, 403);
  // The household panel judges each shown member the same way.
  if (household_ != 0) {
    Reply h = Get(analyst, "/api/v1/households/" + std::to_string(household_) + "/risk",
                  "risk_assessment");
    ASSERT_EQ(h.status, 200) << h.body;
    const json household_risk = h.Json();  // the range must not dangle
    for (const json& m : household_risk["members"]) {
      const std::string state = m["state"];
      EXPECT_TRUE(state == "scored" || state == "not_scored" || state == "withheld") << state;
      EXPECT_EQ(m.contains("probability"), state == "scored");
      if (m["nominal_id"] == subject_) {
        EXPECT_EQ(state, "scored");
      }
    }
  }

  // A decision is recorded against the score shown, and audited with the nominal.
  EXPECT_EQ(post(analyst, risk + "/decisions", {{"decision", "maybe"}, {"reason", "x"}},
                 "risk_assessment")
                .status,
            400);
  EXPECT_EQ(post(analyst, risk + "/decisions", {{"decision", "agree"}}, "risk_assessment").status,
            400);
  before = AuditCount();
  Reply made = post(analyst, risk + "/decisions", decide, "risk_assessment");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.Json()["decision"]["version"], "v1");
  EXPECT_EQ(made.Json()["decision"]["by"], "user:analyst");
  audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "risk.decide");
  EXPECT_EQ(audit[0].purpose, "risk_assessment");
  EXPECT_EQ(audit[0].nominals, std::vector<int64_t>{subject_});
  r = Get(analyst, risk, "risk_assessment");
  ASSERT_EQ(r.Json()["decisions"].size(), 1u);
  EXPECT_EQ(r.Json()["decisions"][0]["reason"], "known to three agencies");

  // A record behind the score the caller may not see (sealed): the score is not shown.
  if (sealed_nominal_ != 0) {
    Reply sealed = Get(analyst, "/api/v1/nominals/" + std::to_string(sealed_nominal_) + "/risk",
                       "risk_assessment");
    if (sealed.status == 200) {
      EXPECT_EQ(sealed.Json()["state"], "withheld") << sealed.body;
      EXPECT_FALSE(sealed.Json().contains("score"));
    } else {
      EXPECT_EQ(sealed.status, 404);
    }
  }

  // A newer approved version drawing on mental health, which ISA-SF-RISK does not share: its
  // scores are withheld from the analyst, whatever the person.
  std::vector<std::string> wider = shared;
  wider.push_back("mental_health");
  register_version("v2", wider);
  ASSERT_EQ(post(igo, "/api/v1/risk/models/v2/approve", why, "").status, 200);
  r = Get(analyst, risk, "risk_assessment");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["state"], "withheld");
  EXPECT_EQ(r.Json()["model"]["version"], "v2");
  EXPECT_FALSE(r.Json().contains("score"));
  EXPECT_EQ(r.body.find("mental_health\",\"probability"), std::string::npos);

  // The kill switch: disabling v2 shows v1 again at once; disabling v1 shows nothing.
  ASSERT_EQ(post(igo, "/api/v1/risk/models/v2/disable", why, "").status, 200);
  EXPECT_EQ(Get(analyst, risk, "risk_assessment").Json()["model"]["version"], "v1");
  ASSERT_EQ(post(igo, "/api/v1/risk/models/v1/disable", why, "").status, 200);
  EXPECT_EQ(Get(analyst, risk, "risk_assessment").Json()["state"], "no_approved_model");
  EXPECT_EQ(post(analyst, risk + "/decisions", decide, "risk_assessment").status, 409);

  // The registry is open to staff; decisions against outcomes are counted, small ones hidden.
  Reply models = Get(Login("sw"), "/api/v1/risk/models");
  ASSERT_EQ(models.status, 200) << models.body;
  ASSERT_EQ(models.Json()["models"].size(), 2u);
  EXPECT_EQ(models.Json()["models"][0]["version"], "v2");
  Reply one = Get(analyst, "/api/v1/risk/models/v1");
  ASSERT_EQ(one.status, 200) << one.body;
  const json rows = one.Json()["decisions_vs_outcomes"]["rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["decision"], "agree");
  EXPECT_TRUE(rows[0]["count"].is_null());  // one decision: fewer than 5
  EXPECT_EQ(Get(analyst, "/api/v1/risk/models/v9").status, 404);
  // What a cohort condition may name: the hub's indicator rules.
  Reply rules = Get(analyst, "/api/v1/analytics/indicator-rules");
  ASSERT_EQ(rules.status, 200) << rules.body;
  const json rule_set = rules.Json();  // the range must not dangle
  EXPECT_EQ(rule_set["rule_set"], "default");
  std::set<std::string> codes;
  for (const json& rule : rule_set["rules"]) codes.insert(rule["code"].get<std::string>());
  EXPECT_TRUE(codes.contains("tf_household_criterion"));
  EXPECT_TRUE(codes.contains("da_escalation_marac"));
  EXPECT_EQ(Get(analyst, "/api/v1/risk/models/x1").status, 400);
}

// Cohorts (issue 7): defined, previewed (a suppressed count only), run and re-run by an analyst
// under risk_assessment; each run ranks its members with reasons, records who joined and left,
// is shown only in the scope it was made in, and exports as injection-safe CSV; everything is
// audited; other purposes are refused; data the agreement does not share finds nobody.
TEST_F(ApiTest, CohortsAreRunRankedTrackedOverTimeAndExportedWithinTheirScope) {
  clock_->Set(kNow);
  struct ClockBack {
    ~ClockBack() { clock_->Set(kNow); }
  } clock_back;
  const std::string purpose = "risk_assessment";
  const auto call = [](http::verb verb, const std::string& token, const std::string& path,
                       const json& body, const std::string& stated) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    if (!stated.empty()) {
      headers.emplace_back("X-Purpose", stated);
      headers.emplace_back("X-Justification", "Supporting Families cohort review 2026/3");
    }
    return Fetch(server_->port(), verb, path, body.is_null() ? "" : body.dump(), headers);
  };
  const auto preview = [&](const std::string& token, const json& definition) {
    return call(http::verb::post, token, "/api/v1/cohorts/preview", {{"definition", definition}},
                purpose);
  };
  const auto agencies = [](int at_least, int months) {
    return json{{"criteria", {{{"agencies", {{"at_least", at_least}, {"within_months", months}}}}}},
                {"rank_by", "agencies"}};
  };
  {
    // A police analyst: the same agreement, another agency, so another scope.
    auto users = OpenStore();
    govern::Identity identity(*users, *clock_);
    govern::NewUser nu;
    nu.username = "analyst_police";
    nu.display_name = "analyst_police";
    nu.agency = model::Agency::kPolice;
    nu.roles = {govern::UserRole::kAnalyst};
    nu.trained_on = CivilDate{2026, 1, 1};
    nu.training_expires = CivilDate{2027, 1, 1};
    ASSERT_TRUE(identity.AddUser(nu, kPassword).ok());
  }
  std::string analyst = Login("analyst");
  const std::string sw = Login("sw");

  // Another purpose, even one the caller's agreement allows: refused, and audited.
  int64_t before = AuditCount();
  Reply refused = Get(sw, "/api/v1/cohorts", "child_safeguarding");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("risk_assessment"), std::string::npos);
  std::vector<store::AuditEvent> audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "cohorts.list");
  EXPECT_EQ(audit[0].outcome, "denied");
  EXPECT_EQ(call(http::verb::post, sw, "/api/v1/cohorts",
                 {{"name", "x"}, {"definition", agencies(2, 60)}}, "child_safeguarding")
                .status,
            403);
  EXPECT_EQ(call(http::verb::post, analyst, "/api/v1/cohorts/preview",
                 {{"definition", agencies(2, 60)}}, "")
                .status,
            403);

  // Definitions are checked, the error naming the JSON path.
  Reply bad = call(
      http::verb::post, analyst, "/api/v1/cohorts",
      {{"name", "Bad"}, {"definition", json::parse(R"({"criteria": [{"indicator": "repeat_missing"},
                                                   {"score": {"at_least": 1.5}}]})")}},
      purpose);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("criteria[1].score.at_least: must be between 0 and 1"), std::string::npos)
      << bad.body;

  // Preview: a count, no one named; the wide and narrow definitions used below.
  Reply wide_preview = preview(analyst, agencies(2, 60));
  ASSERT_EQ(wide_preview.status, 200) << wide_preview.body;
  EXPECT_EQ(wide_preview.Json()["suppress_below"], 5);
  EXPECT_EQ(wide_preview.body.find("nominal"), std::string::npos);
  const int64_t wide_n = wide_preview.Json()["members"].get<int64_t>();
  ASSERT_GE(wide_n, 5);
  json narrow;
  int64_t narrow_n = 0;
  for (int k = 3; k <= 6 && narrow.is_null(); ++k) {
    Reply p = preview(analyst, agencies(k, 60));
    ASSERT_EQ(p.status, 200) << p.body;
    if (p.Json()["members"].is_number() && p.Json()["members"].get<int64_t>() >= 5 &&
        p.Json()["members"].get<int64_t>() < wide_n) {
      narrow = agencies(k, 60);
      narrow_n = p.Json()["members"].get<int64_t>();
    }
  }
  ASSERT_FALSE(narrow.is_null()) << "no narrower cohort of 5 or more";
  // Small numbers are suppressed: find a definition with 1 to 4 members.
  json small;
  for (int age = 0; age <= 100 && small.is_null(); ++age) {
    json d = {{"criteria",
               {{{"agencies", {{"at_least", 2}, {"within_months", 60}}}},
                {{"age", {{"from", age}, {"to", age}}}}}}};
    Reply p = preview(analyst, d);
    ASSERT_EQ(p.status, 200) << p.body;
    const json body = p.Json();
    if (body["suppressed"].get<bool>()) {
      EXPECT_TRUE(body["members"].is_null()) << body.dump();
      small = d;
    } else {
      const int64_t n = body["members"].get<int64_t>();
      EXPECT_TRUE(n == 0 || n >= 5) << body.dump();
    }
  }
  ASSERT_FALSE(small.is_null()) << "no age with 1 to 4 members";

  // Create; names are unique.
  before = AuditCount();
  Reply created = call(http::verb::post, analyst, "/api/v1/cohorts",
                       {{"name", "Two or more agencies"},
                        {"description", "Families known to several agencies"},
                        {"definition", agencies(2, 60)}},
                       purpose);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(AuditCount() - before, 1);
  const int64_t id = created.Json()["id"].get<int64_t>();
  EXPECT_EQ(created.Json()["owner"], "user:analyst");
  EXPECT_TRUE(created.Json()["last_run"].is_null());
  EXPECT_EQ(created.Json()["definition"], agencies(2, 60));
  EXPECT_EQ(call(http::verb::post, analyst, "/api/v1/cohorts",
                 {{"name", "Two or more agencies"}, {"definition", agencies(3, 60)}}, purpose)
                .status,
            409);
  const std::string base = "/api/v1/cohorts/" + std::to_string(id);

  // Three runs on three days: wide, narrow, wide again.
  const auto run = [&](const json& definition) {
    Reply put = call(http::verb::put, analyst, base, {{"definition", definition}}, purpose);
    EXPECT_EQ(put.status, 200) << put.body;
    const int64_t audited = AuditCount();
    Reply r = call(http::verb::post, analyst, base + "/runs", json::object(), purpose);
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(AuditCount() - audited, 1);
    return r.Json();
  };
  const json run1 = run(agencies(2, 60));
  EXPECT_EQ(run1["members"], wide_n);
  EXPECT_FALSE(run1["suppressed"].get<bool>());
  EXPECT_TRUE(run1["previous_run"].is_null());
  EXPECT_TRUE(run1["joined"].is_null());
  clock_->Advance(kDay);
  analyst = Login("analyst");
  const json run2 = run(narrow);
  EXPECT_EQ(run2["members"], narrow_n);
  EXPECT_EQ(run2["previous_run"], run1["id"]);
  EXPECT_EQ(run2["joined"], 0);
  const int64_t gone = wide_n - narrow_n;
  EXPECT_EQ(run2["left"], gone < 5 ? json(nullptr) : json(gone));
  clock_->Advance(kDay);
  analyst = Login("analyst");
  const json run3 = run(agencies(2, 60));
  EXPECT_EQ(run3["joined"], gone < 5 ? json(nullptr) : json(gone));
  EXPECT_EQ(run3["left"], 0);

  // The cohort shows its runs, newest first.
  Reply got = Get(analyst, base, purpose);
  ASSERT_EQ(got.status, 200) << got.body;
  ASSERT_EQ(got.Json()["runs"].size(), 3u);
  EXPECT_EQ(got.Json()["runs"][0]["id"], run3["id"]);
  EXPECT_EQ(got.Json()["last_run"]["id"], run3["id"]);

  // Members: ranked by agencies, with reasons; membership over time.
  const auto members = [&](const json& summary) {
    const int64_t audited = AuditCount();
    Reply r =
        Get(analyst,
            base + "/runs/" + std::to_string(summary["id"].get<int64_t>()) + "/members?limit=500",
            purpose);
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.Json();
    std::vector<store::AuditEvent> events = AuditAfter(audited);
    EXPECT_EQ(events.size(), 1u);
    if (events.size() == 1) {
      EXPECT_EQ(events[0].action, "cohorts.members");
      EXPECT_EQ(events[0].purpose, "risk_assessment");
      for (const json& m : body["members"]) {
        EXPECT_TRUE(std::find(events[0].nominals.begin(), events[0].nominals.end(),
                              m["nominal_id"].get<int64_t>()) != events[0].nominals.end());
      }
    }
    return body;
  };
  const json page1 = members(run1);
  const json page2 = members(run2);
  const json page3 = members(run3);
  std::set<int64_t> in1, in2;
  for (const json& m : page1["members"]) in1.insert(m["nominal_id"].get<int64_t>());
  for (const json& m : page2["members"]) in2.insert(m["nominal_id"].get<int64_t>());
  EXPECT_EQ(static_cast<int64_t>(in1.size()), wide_n);
  EXPECT_EQ(page3["total"], wide_n);
  std::set<int64_t> left;
  for (const json& n : page2["left"]) left.insert(n.get<int64_t>());
  std::set<int64_t> expected_left;
  for (int64_t n : in1) {
    if (!in2.contains(n)) expected_left.insert(n);
  }
  EXPECT_EQ(left, expected_left);
  EXPECT_TRUE(page3["left"].empty());
  int64_t previous_rank = 0, previous_agencies = 100;
  int named = 0;
  for (const json& m : page3["members"]) {
    EXPECT_EQ(m["rank"].get<int64_t>(), previous_rank + 1);
    previous_rank = m["rank"].get<int64_t>();
    ASSERT_EQ(m["reasons"].size(), 1u) << m.dump();
    const std::string reason = m["reasons"][0].get<std::string>();
    EXPECT_NE(reason.find(" agencies in 60 months: "), std::string::npos) << reason;
    const int n_agencies = std::stoi(reason);
    EXPECT_GE(n_agencies, 2);
    EXPECT_LE(n_agencies, previous_agencies);  // ranked by agencies
    previous_agencies = n_agencies;
    named += m["name"].is_string();
    const int64_t nominal = m["nominal_id"].get<int64_t>();
    if (in2.contains(nominal)) {
      EXPECT_EQ(m["status"], "continuing");
      EXPECT_EQ(m["first_seen"], "2026-06-01");
    } else {
      EXPECT_EQ(m["status"], "new");
      EXPECT_EQ(m["first_seen"], "2026-06-03");
    }
    EXPECT_NE(m.dump().find("agencies in"), std::string::npos);
  }
  EXPECT_GT(named, 0);
  for (const json& m : page2["members"]) EXPECT_EQ(m["status"], "continuing") << m.dump();

  // The CSV: every cell quoted, audited as an export with every nominal in it.
  const std::string run3_path = base + "/runs/" + std::to_string(run3["id"].get<int64_t>());
  before = AuditCount();
  Reply csv = Get(analyst, run3_path + "/export.csv", purpose);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.headers["Content-Type"].find("text/csv"), std::string::npos);
  EXPECT_NE(csv.headers["Content-Disposition"].find("attachment"), std::string::npos);
  std::vector<std::string> lines;
  for (size_t start = 0; start < csv.body.size();) {
    const size_t end = csv.body.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    lines.push_back(csv.body.substr(start, end - start));
    start = end + 2;
  }
  ASSERT_EQ(static_cast<int64_t>(lines.size()), wide_n + 1);
  EXPECT_EQ(lines[0],
            "\"rank\",\"nominal_id\",\"name\",\"age\",\"district\",\"score\",\"reasons\","
            "\"first_seen\",\"status\"");
  for (const std::string& line : lines) EXPECT_EQ(line.front(), '"') << line;
  audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "export");
  EXPECT_EQ(audit[0].outcome, "allowed");
  EXPECT_EQ(static_cast<int64_t>(audit[0].nominals.size()), wide_n);

  // Another scope sees the definition but none of these runs, and may not change it.
  const std::string police = Login("analyst_police");
  Reply other = Get(police, base, purpose);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(other.Json()["runs"].empty());
  EXPECT_TRUE(other.Json()["last_run"].is_null());
  EXPECT_EQ(Get(police, run3_path + "/members", purpose).status, 404);
  EXPECT_EQ(Get(police, run3_path + "/export.csv", purpose).status, 404);
  EXPECT_EQ(call(http::verb::put, police, base, {{"name", "Mine now"}}, purpose).status, 403);

  // A run of fewer than 5 is listed but not exported.
  Reply small_cohort = call(http::verb::post, analyst, "/api/v1/cohorts",
                            {{"name", "One age"}, {"definition", small}}, purpose);
  ASSERT_EQ(small_cohort.status, 201) << small_cohort.body;
  const std::string small_base =
      "/api/v1/cohorts/" + std::to_string(small_cohort.Json()["id"].get<int64_t>());
  Reply small_run = call(http::verb::post, analyst, small_base + "/runs", json::object(), purpose);
  ASSERT_EQ(small_run.status, 201) << small_run.body;
  EXPECT_TRUE(small_run.Json()["members"].is_null());
  EXPECT_TRUE(small_run.Json()["suppressed"].get<bool>());
  const std::string small_path =
      small_base + "/runs/" + std::to_string(small_run.Json()["id"].get<int64_t>());
  Reply refused_csv = Get(analyst, small_path + "/export.csv", purpose);
  EXPECT_EQ(refused_csv.status, 409) << refused_csv.body;
  Reply small_members = Get(analyst, small_path + "/members", purpose);
  ASSERT_EQ(small_members.status, 200);
  EXPECT_GE(small_members.Json()["members"].size(), 1u);
  EXPECT_LE(small_members.Json()["members"].size(), 4u);

  // Mental health, ambulance and fire records are not shared under ISA-SF-RISK: a cohort over
  // them finds people when everything is visible (so this can fail), nobody for the analyst.
  auto store = OpenStore();
  auto rules = analytics::IndicatorSet::Default();
  ASSERT_TRUE(rules.ok());
  govern::Visibility everything;
  everything.ShareAllDatasets();
  view::SourceCatalog catalog;
  view::ViewContext all{*store, everything, catalog, CivilDate{2026, 6, 1}, kNow};
  for (const char* agency : {"mental_health", "ambulance"}) {
    const json unshared = {
        {"criteria",
         {{{"agencies", {{"at_least", 1}, {"within_months", 120}, {"of", {agency}}}}}}}};
    auto definition = analytics::CohortDefinition::Parse(unshared.dump(), *rules);
    ASSERT_TRUE(definition.ok()) << definition.status().ToString();
    auto found = view::RunCohort(all, *rules, *definition, CivilDate{2026, 6, 1});
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_FALSE(found->empty()) << agency;
    Reply p = preview(analyst, unshared);
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(p.Json()["members"], 0) << agency;
  }
}

// "Who viewed this person" lists the newest views first, a page at a time, and counts every
// user over the newest views whatever the page.
TEST_F(ApiTest, ViewersAreNewestFirstAndPaged) {
  ASSERT_NE(subject_, 0);
  const std::string sw = Login("sw");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Get(sw, "/api/v1/nominals/" + std::to_string(subject_), "child_safeguarding").status,
              200);
  }
  const std::string igo = Login("igo");
  const std::string base = "/api/v1/nominals/" + std::to_string(subject_) + "/viewers";
  Reply first = Get(igo, base + "?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  const json page1 = first.Json();
  ASSERT_EQ(page1["events"].size(), 2u);
  EXPECT_GT(page1["events"][0]["seq"].get<int64_t>(), page1["events"][1]["seq"].get<int64_t>());
  EXPECT_EQ(page1["events"][0]["actor"], "user:sw");  // the newest view is the last one made
  ASSERT_TRUE(page1["next_before"].is_number());
  const int64_t next = page1["next_before"].get<int64_t>();
  Reply second = Get(igo, base + "?limit=2&before=" + std::to_string(next));
  ASSERT_EQ(second.status, 200) << second.body;
  const json page2 = second.Json();
  ASSERT_FALSE(page2["events"].empty());
  for (const json& e : page2["events"]) EXPECT_LT(e["seq"].get<int64_t>(), next);
  // The counts cover every view, not just the page.
  int64_t sw_views = 0;
  for (const json& v : page1["viewers"]) {
    if (v["actor"] == "user:sw") sw_views = v["views"].get<int64_t>();
  }
  EXPECT_GE(sw_views, 3);
  EXPECT_GE(page1["viewers_cover"].get<int64_t>(), 3);
  EXPECT_FALSE(page1["viewers_truncated"].get<bool>());
  EXPECT_EQ(Get(igo, base + "?before=abc").status, 400);

  // The audit search: by user (a bare username means that user) and by person.
  const std::string search = "/api/v1/audit?nominal=" + std::to_string(subject_);
  Reply bare = Get(igo, search + "&actor=sw&limit=1000");
  Reply prefixed = Get(igo, search + "&actor=user:sw&limit=1000");
  ASSERT_EQ(bare.status, 200) << bare.body;
  ASSERT_EQ(prefixed.status, 200) << prefixed.body;
  const json by_bare = bare.Json();
  ASSERT_GE(by_bare["events"].size(), 3u);
  EXPECT_EQ(by_bare["events"].size(), prefixed.Json()["events"].size());
  for (const json& e : by_bare["events"]) EXPECT_EQ(e["actor"], "user:sw");
  EXPECT_EQ(Get(sw, search).status, 403);  // auditors only
}

// The late-intervention cost: demand by category priced with the unit costs, derived data under
// risk_assessment only, suppressed counts neither priced nor totalled, assumptions stated.
TEST_F(ApiTest, LateInterventionCostPricesOnlyCountsItMayShow) {
  const std::string path = "/api/v1/analytics/late-intervention-cost?from=2018-01-01&to=2026-06-01";
  EXPECT_EQ(Get(Login("sw"), path, "child_safeguarding").status, 403);
  const std::string analyst = Login("analyst");
  const int64_t before = AuditCount();
  Reply r = Get(analyst, path, "risk_assessment");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<store::AuditEvent> audit = AuditAfter(before);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "analytics.late_intervention_cost");
  const json body = r.Json();
  EXPECT_EQ(body["currency"], "GBP");
  EXPECT_EQ(body["unit_costs_from"], "built-in default");
  EXPECT_FALSE(body["assumptions"].empty());
  double sum = 0;
  int64_t suppressed = 0;
  bool priced = false;
  for (const json& row : body["rows"]) {
    if (row["suppressed"].get<bool>()) {
      ++suppressed;
      EXPECT_TRUE(row["count"].is_null() && row["cost"].is_null()) << row.dump();
      continue;
    }
    const double expected = row["count"].get<double>() * row["unit_cost"].get<double>();
    EXPECT_DOUBLE_EQ(row["cost"].get<double>(), expected) << row.dump();
    sum += expected;
    priced |= row["count"].get<int64_t>() > 0;
  }
  EXPECT_TRUE(priced) << "the world has priced events in the period";
  EXPECT_DOUBLE_EQ(body["total_cost"].get<double>(), sum);
  EXPECT_EQ(body["suppressed_cells"].get<int64_t>(), suppressed);
  // Mental health is not shared for risk assessment: its crisis contacts are not counted.
  for (const json& row : body["rows"]) {
    if (row["category"] == "crisis_contact") {
      EXPECT_EQ(row["count"], 0) << row.dump();
    }
  }
  EXPECT_EQ(
      Get(analyst, "/api/v1/analytics/late-intervention-cost?from=1/1/2024", "risk_assessment")
          .status,
      400);
  EXPECT_EQ(Get(analyst, "/api/v1/analytics/late-intervention-cost?from=2026-06-02&to=2026-06-01",
                "risk_assessment")
                .status,
            400);
}

}  // namespace
}  // namespace tessera
