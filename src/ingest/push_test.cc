// Pushed records (Ingestor::LoadBytes): the file pipeline over a request body, with per-record
// outcomes and exactly-once by body and by record.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/ingest.h"
#include "ingest/test_hub.h"

namespace tessera::ingest {
namespace {

using Kind = RecordOutcome::Kind;
using nlohmann::json;

class PushTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    // A CSV source whose columns have spaces: pushed as JSON members of the same names. It is a
    // full-refresh feed, which a push must never treat as the whole source.
    spec_ = Write("mappings/people.yaml", R"(
source: people
agency: housing
format: csv
mode: full_refresh
record_key: Id
people:
  - given: Given
    family: Family
    dob: {field: Date of Birth, formats: [dd/mm/yyyy], required: true}
)");
  }

  Result<FileLoadResult> Push(const std::string& body, const std::string& spec = "",
                              PushFormat format = PushFormat::kJsonRecords,
                              const std::string& source = "") {
    Ingestor ingestor(*store_, clock_);
    IngestOptions options;
    options.record_outcomes = true;
    return ingestor.LoadBytes(source, spec.empty() ? spec_ : spec, body, format, "api", options);
  }

  static std::vector<std::pair<std::string, Kind>> Outcomes(const FileLoadResult& r) {
    std::vector<std::pair<std::string, Kind>> out;
    for (const RecordOutcome& o : r.records) out.emplace_back(o.key, o.outcome);
    return out;
  }

  int64_t Loads() {
    auto loads = store_->ListLoads("people", 100);
    EXPECT_TRUE(loads.ok());
    return loads.ok() ? static_cast<int64_t>(loads->size()) : -1;
  }

  std::string spec_;
};

const json kAnn = {
    {"Id", "1"}, {"Given", "Ann"}, {"Family", "Lee"}, {"Date of Birth", "01/02/1980"}};
const json kBob = {
    {"Id", "2"}, {"Given", "Bob"}, {"Family", "Hill"}, {"Date of Birth", "03/04/1975"}};
const json kNoDob = {{"Id", "3"}, {"Given", "Cat"}, {"Family", "Ray"}};

TEST_F(PushTest, ReportsEachRecordAndQuarantinesWithTheReason) {
  const std::string body = json::array({kAnn, kBob, kNoDob, 42}).dump(2);
  auto r = Push(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->already_loaded);
  EXPECT_EQ(r->counts.read, 4);
  EXPECT_EQ(r->counts.loaded, 2);
  EXPECT_EQ(r->counts.quarantined, 2);
  ASSERT_EQ(r->records.size(), 4u);
  EXPECT_EQ(Outcomes(*r), (std::vector<std::pair<std::string, Kind>>{{"1", Kind::kInserted},
                                                                     {"2", Kind::kInserted},
                                                                     {"3", Kind::kQuarantined},
                                                                     {"", Kind::kQuarantined}}));
  EXPECT_EQ(r->records[2].index, 2);
  EXPECT_EQ(r->records[2].field, "Date of Birth");
  EXPECT_FALSE(r->records[2].reason.empty());
  EXPECT_NE(r->records[3].reason.find("not an object"), std::string::npos) << r->records[3].reason;

  // Provenance says it came over the API; the payload is the record as compact JSON.
  auto ann = store_->GetCurrentSourceRecord("people", "1");
  ASSERT_TRUE(ann.ok() && ann->has_value());
  EXPECT_EQ((*ann)->provenance.file, "api");
  EXPECT_EQ((*ann)->provenance.line, 1);
  EXPECT_EQ((*ann)->payload, kAnn.dump());  // members sorted by nlohmann: sent in this order too
  auto people = store_->ListPersonRecordsForSourceRecord((*ann)->id);
  ASSERT_TRUE(people.ok() && people->size() == 1u);
  EXPECT_TRUE((*people)[0].dob.has_value());
  auto quarantined = store_->ListQuarantined(store::QuarantineQuery{});
  ASSERT_TRUE(quarantined.ok());
  EXPECT_EQ(quarantined->size(), 2u);
}

TEST_F(PushTest, TheSameBytesAgainAreANoOpThatStillReportsEachRecord) {
  const std::string body = json::array({kAnn, kBob, kNoDob}).dump();
  auto first = Push(body);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int64_t loads = Loads();
  auto again = Push(body);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_loaded);
  EXPECT_EQ(again->load_id, first->load_id);
  EXPECT_EQ(Loads(), loads);  // nothing written
  EXPECT_EQ(again->counts.unchanged, 2);
  EXPECT_EQ(again->counts.quarantined, 1);
  EXPECT_EQ(Outcomes(*again),
            (std::vector<std::pair<std::string, Kind>>{
                {"1", Kind::kUnchanged}, {"2", Kind::kUnchanged}, {"3", Kind::kQuarantined}}));
  auto quarantined = store_->ListQuarantined(store::QuarantineQuery{});
  ASSERT_TRUE(quarantined.ok());
  EXPECT_EQ(quarantined->size(), 1u);  // not quarantined twice
}

TEST_F(PushTest, RecordsAreExactlyOnceWhateverTheLayoutOfTheBody) {
  ASSERT_TRUE(Push(json::array({kAnn, kBob}).dump()).ok());
  // The same records as JSON Lines with other whitespace: unchanged, in a new load.
  json bob2 = kBob;
  bob2["Family"] = "Hills";
  auto lines = Push(" " + kAnn.dump() + " \r\n\n" + bob2.dump() + "\n");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_FALSE(lines->already_loaded);
  EXPECT_EQ(Outcomes(*lines), (std::vector<std::pair<std::string, Kind>>{{"1", Kind::kUnchanged},
                                                                         {"2", Kind::kUpdated}}));
  // One object on its own, pretty-printed.
  auto single = Push(kAnn.dump(2));
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(Outcomes(*single),
            (std::vector<std::pair<std::string, Kind>>{{"1", Kind::kUnchanged}}));
  // A push is never a full refresh: Ann and Bob are still there.
  auto ann = store_->GetCurrentSourceRecord("people", "1");
  ASSERT_TRUE(ann.ok() && ann->has_value());
  EXPECT_FALSE((*ann)->deleted);
}

TEST_F(PushTest, PuttingBackAnEarlierVersionIsNotMistakenForARepeat) {
  const std::string original = json::array({kBob}).dump();
  ASSERT_TRUE(Push(original).ok());
  json changed = kBob;
  changed["Family"] = "Hills";
  ASSERT_TRUE(Push(json::array({changed}).dump()).ok());
  auto back = Push(original);  // bytes seen before, but Bob has changed since
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->already_loaded);
  EXPECT_EQ(Outcomes(*back), (std::vector<std::pair<std::string, Kind>>{{"2", Kind::kUpdated}}));
  auto bob = store_->GetCurrentSourceRecord("people", "2");
  ASSERT_TRUE(bob.ok() && bob->has_value());
  EXPECT_NE((*bob)->payload.find("\"Hill\""), std::string::npos);
}

TEST_F(PushTest, JsonSourcesReadPathsAndFhirSourcesTakeBundles) {
  const std::string jsonl = Write("mappings/missing.yaml", R"(
source: missing
agency: police
format: jsonl
record_key: episode_id
people:
  - given: person.forenames
    family: person.surname
)");
  auto pushed =
      Push(R"([{"episode_id": "E1", "person": {"forenames": "Dee", "surname": "Moss"}}])", jsonl);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(Outcomes(*pushed),
            (std::vector<std::pair<std::string, Kind>>{{"E1", Kind::kInserted}}));
  EXPECT_EQ(Push("{}", jsonl, PushFormat::kFhir).status().code(), StatusCode::kInvalidArgument);

  const std::string fhir = Write("mappings/ambulance.yaml", R"(
source: ambulance
agency: ambulance
format: fhir
resources:
  Patient:
    person:
      given: name[0].given[0]
      family: name[0].family
)");
  const std::string bundle = R"({"resourceType": "Bundle", "type": "transaction", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p1", "name": [{"family": "Ng", "given": ["Eve"]}]}},
    {"resource": {"resourceType": "Observation", "id": "o1"}}]})";
  auto bundled = Push(bundle, fhir, PushFormat::kFhir);
  ASSERT_TRUE(bundled.ok()) << bundled.status().ToString();
  EXPECT_EQ(Outcomes(*bundled), (std::vector<std::pair<std::string, Kind>>{{"p1", Kind::kInserted},
                                                                           {"", Kind::kSkipped}}));
  EXPECT_EQ(Push(bundle, fhir).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PushTest, ABodyThatCannotBeReadAtAllIsRefusedWhole) {
  EXPECT_EQ(Push("[{\"Id\": \"1\"}, ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Push(std::string("[{\"Id\": \"1\"}]\0", 14)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Push(std::string(500, '[') + std::string(500, ']')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Loads(), 0);
  // A bad line of JSON Lines is one quarantined record, not a refused push.
  auto lines = Push(kAnn.dump() + "\n{\"Id\": \n");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(Outcomes(*lines), (std::vector<std::pair<std::string, Kind>>{
                                  {"1", Kind::kInserted}, {"", Kind::kQuarantined}}));
  // Under another source id than the spec's, as a bound service account pushes.
  auto as = Push(json::array({kAnn}).dump(), "", PushFormat::kJsonRecords, "people_north");
  ASSERT_TRUE(as.ok()) << as.status().ToString();
  EXPECT_EQ(as->source_id, "people_north");
  EXPECT_EQ(Push("[]", "", PushFormat::kJsonRecords, "Bad Id").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::ingest
