#include "ingest/mapper.h"

#include <gtest/gtest.h>

#include <map>

namespace tessera::ingest {
namespace {

// A record from a map of field names to values.
class FakeRecord final : public Record {
 public:
  explicit FakeRecord(std::map<std::string, std::string> fields, std::string kind = "")
      : fields_(std::move(fields)), kind_(std::move(kind)) {}
  std::optional<std::string> Get(std::string_view field) const override {
    auto it = fields_.find(std::string(field));
    if (it == fields_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& Raw() const override { return raw_; }
  RecordPosition Position() const override { return {7, 100}; }
  std::string_view Kind() const override { return kind_; }

 private:
  std::map<std::string, std::string> fields_;
  std::string kind_;
  std::string raw_ = "raw";
};

const char* kCrimeSpec = R"(
source: police_crime
agency: police
format: csv
record_key: Id
event:
  type: crime
  ref: Ref
  date: {field: When, formats: [dd/mm/yyyy]}
  category: {field: Code, map: {VAP: violence, ASB: asb}}
people:
  - role: {field: Role, map: {VICTIM: victim, SUSPECT: suspect}}
    name: {field: Name, split: surname_first}
    dob: {field: Dob, formats: [dd/mm/yyyy]}
    sex: {field: Sex, map: {M: male, F: female}}
    identifiers:
      nhs_number: Nhs
      pnc_id: Pnc
    address: {text: Address, postcode: Postcode}
    phone: Phone
validate:
  - {field: Count, required: true, min: 0, max: 100}
)";

class MapperTest : public testing::Test {
 protected:
  void SetUp() override {
    auto spec = ParseMappingSpec(kCrimeSpec, "crime.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = std::move(*spec);
    auto mapper = Mapper::Create(spec_, clock_);
    ASSERT_TRUE(mapper.ok());
    mapper_ = std::move(*mapper);
  }

  std::map<std::string, std::string> Good() {
    return {{"Id", "INV1"},
            {"Ref", "CR/1"},
            {"When", "03/04/2021"},
            {"Code", "vap"},
            {"Role", "VICTIM"},
            {"Name", "O'BRIEN, Zoë Anne"},
            {"Dob", "19/05/1984"},
            {"Sex", "F"},
            {"Nhs", "943 476 5919"},
            {"Pnc", ""},
            {"Address", "4 Mill Lane, Bury"},
            {"Postcode", "bl9 0aa"},
            {"Phone", "07700 900123"},
            {"Count", "3"}};
  }

  Mapper::Outcome Map(std::map<std::string, std::string> fields) {
    return mapper_->Map(FakeRecord(std::move(fields)), out_, failure_);
  }

  ManualClock clock_{1735689600LL * 1000000};  // 2025-01-01
  MappingSpec spec_;
  std::unique_ptr<Mapper> mapper_;
  MappedRecord out_;
  MapFailure failure_;
};

TEST_F(MapperTest, MapsACleanRow) {
  ASSERT_EQ(Map(Good()), Mapper::Outcome::kMapped) << failure_.reason;
  EXPECT_EQ(out_.key, "INV1");
  ASSERT_TRUE(out_.event.has_value());
  EXPECT_EQ(out_.event->type, "crime");
  EXPECT_EQ(out_.event->category, "violence");
  EXPECT_EQ(out_.event->event_ref, "CR/1");
  EXPECT_EQ(out_.event->date, (CivilDate{2021, 4, 3}));
  ASSERT_EQ(out_.people.size(), 1u);
  const model::PersonRecord& p = out_.people[0].person;
  EXPECT_EQ(p.mention_key, "INV1");
  EXPECT_EQ(p.role, model::Role::kVictim);
  EXPECT_EQ(p.name.family, "O'BRIEN");
  EXPECT_EQ(p.name.given, "ZOE");
  EXPECT_EQ(p.name.middle, "ANNE");
  EXPECT_EQ(p.dob, (CivilDate{1984, 5, 19}));
  EXPECT_EQ(p.sex, model::Sex::kFemale);
  ASSERT_EQ(p.identifiers.size(), 1u) << "an empty PNC is absent, not invalid";
  EXPECT_EQ(p.identifiers[0].value, "9434765919");
  ASSERT_TRUE(out_.people[0].location.has_value());
  EXPECT_EQ(out_.people[0].location->postcode, "BL9 0AA");
  EXPECT_EQ(out_.people[0].location->postcode_district, "BL9");
  EXPECT_EQ(out_.people[0].location->address_text, "4 MILL LANE, BURY");
  EXPECT_TRUE(p.flags.empty());
  EXPECT_FALSE(out_.Flagged());
  // Raw values are kept beside the standardised ones.
  bool raw_name = false;
  for (const auto& r : p.raw)
    raw_name = raw_name || (r.field == "Name" && r.value == "O'BRIEN, Zoë Anne");
  EXPECT_TRUE(raw_name);
}

TEST_F(MapperTest, BadOptionalFieldsLoadFlaggedWithRawKept) {
  auto row = Good();
  row["Dob"] = "30/02/1985";
  row["Nhs"] = "9434765918";
  row["Postcode"] = "QX1 1ZZ";
  ASSERT_EQ(Map(row), Mapper::Outcome::kMapped);
  const model::PersonRecord& p = out_.people[0].person;
  EXPECT_FALSE(p.dob.has_value());
  EXPECT_TRUE(p.identifiers.empty());
  EXPECT_TRUE(out_.people[0].location->postcode.empty());
  ASSERT_EQ(p.flags.size(), 3u);
  EXPECT_EQ(p.flags[0].field, "Dob");
  EXPECT_TRUE(out_.Flagged());
  bool raw_dob = false;
  for (const auto& r : p.raw) raw_dob = raw_dob || (r.field == "Dob" && r.value == "30/02/1985");
  EXPECT_TRUE(raw_dob);
}

TEST_F(MapperTest, PlaceholdersBecomeMissingWithoutAFlag) {
  auto row = Good();
  row["Name"] = "SMITH, UNKNOWN";
  row["Dob"] = "01/01/1900";
  row["Nhs"] = "0000000000";
  row["Phone"] = "07000 000000";
  row["Postcode"] = "ZZ99 3VZ";
  ASSERT_EQ(Map(row), Mapper::Outcome::kMapped);
  const model::PersonRecord& p = out_.people[0].person;
  EXPECT_EQ(p.name.family, "SMITH");
  EXPECT_EQ(p.name.given, "");
  EXPECT_FALSE(p.dob.has_value());
  EXPECT_TRUE(p.identifiers.empty());
  EXPECT_TRUE(p.phones.empty());
  EXPECT_TRUE(out_.people[0].location->no_fixed_abode);
  EXPECT_TRUE(p.flags.empty());
}

TEST_F(MapperTest, DateOfBirthAfterTheEventIsImplausible) {
  auto row = Good();
  row["Dob"] = "01/05/2021";
  ASSERT_EQ(Map(row), Mapper::Outcome::kMapped);
  EXPECT_FALSE(out_.people[0].person.dob.has_value());
  ASSERT_EQ(out_.people[0].person.flags.size(), 1u);
  EXPECT_NE(out_.people[0].person.flags[0].reason.find("implausible"), std::string::npos);
}

TEST_F(MapperTest, InvalidEventDateQuarantinesNamingTheField) {
  auto row = Good();
  row["When"] = "31/02/2021";
  ASSERT_EQ(Map(row), Mapper::Outcome::kFailed);
  EXPECT_EQ(failure_.field, "When");
  EXPECT_NE(failure_.reason.find("event date"), std::string::npos);
}

TEST_F(MapperTest, MissingKeyOrRequiredFieldQuarantines) {
  auto row = Good();
  row["Id"] = "  ";
  ASSERT_EQ(Map(row), Mapper::Outcome::kFailed);
  EXPECT_EQ(failure_.field, "Id");
  row = Good();
  row["Count"] = "lots";
  ASSERT_EQ(Map(row), Mapper::Outcome::kFailed);
  EXPECT_EQ(failure_.field, "Count");
  row = Good();
  row.erase("Count");
  ASSERT_EQ(Map(row), Mapper::Outcome::kFailed);
}

TEST_F(MapperTest, UnknownCodesAreFlaggedNotGuessed) {
  auto row = Good();
  row["Code"] = "XYZ";
  row["Role"] = "BYSTANDER";
  ASSERT_EQ(Map(row), Mapper::Outcome::kMapped);
  EXPECT_EQ(out_.event->category, "unknown");
  EXPECT_EQ(out_.people[0].person.role, model::Role::kSubject);
  EXPECT_TRUE(out_.Flagged());
}

TEST(MapperSeveralPeople, KeysEachMentionAndSkipsAbsentOnes) {
  auto spec = ParseMappingSpec(R"(
source: joint
agency: housing
format: csv
record_key: Case
people:
  - key: applicant
    role: {value: client}
    given: AppGiven
    family: AppFamily
  - key: partner
    role: {value: client}
    given: PartnerGiven
    family: PartnerFamily
    present_if_any: [PartnerGiven, PartnerFamily]
)",
                               "joint.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ManualClock clock(0);
  auto mapper = Mapper::Create(*spec, clock);
  ASSERT_TRUE(mapper.ok());
  MappedRecord out;
  MapFailure failure;
  ASSERT_EQ((*mapper)->Map(FakeRecord({{"Case", "H1"},
                                       {"AppGiven", "Ann"},
                                       {"AppFamily", "Lee"},
                                       {"PartnerGiven", "Bob"},
                                       {"PartnerFamily", "Lee"}}),
                           out, failure),
            Mapper::Outcome::kMapped);
  ASSERT_EQ(out.people.size(), 2u);
  EXPECT_EQ(out.people[0].person.mention_key, "H1#applicant");
  EXPECT_EQ(out.people[1].person.mention_key, "H1#partner");
  ASSERT_EQ((*mapper)->Map(FakeRecord({{"Case", "H2"},
                                       {"AppGiven", "Ann"},
                                       {"AppFamily", "Lee"},
                                       {"PartnerGiven", ""},
                                       {"PartnerFamily", ""}}),
                           out, failure),
            Mapper::Outcome::kMapped);
  EXPECT_EQ(out.people.size(), 1u);
}

TEST(MapperFhir, MapsResourcesByTypeAndSkipsOthers) {
  auto spec = ParseMappingSpec(R"(
source: ambulance
agency: ambulance
format: fhir
resources:
  Patient:
    person:
      role: {value: patient}
      family: family
  Encounter:
    event:
      type: callout
      date: {field: start, formats: ["yyyy-mm-ddThh:mm:ss"]}
      subject: subject
)",
                               "fhir.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ManualClock clock(0);
  auto mapper = Mapper::Create(*spec, clock);
  ASSERT_TRUE(mapper.ok());
  MappedRecord out;
  MapFailure failure;
  ASSERT_EQ(
      (*mapper)->Map(FakeRecord({{"id", "p1"}, {"family", "Jones"}}, "Patient"), out, failure),
      Mapper::Outcome::kMapped);
  EXPECT_EQ(out.key, "p1");
  EXPECT_EQ(out.people.size(), 1u);
  ASSERT_EQ(
      (*mapper)->Map(
          FakeRecord({{"id", "e1"}, {"start", "2021-01-02T10:00:00Z"}, {"subject", "Patient/p1"}},
                     "Encounter"),
          out, failure),
      Mapper::Outcome::kMapped)
      << failure.reason;
  EXPECT_EQ(out.subject_key, "p1");
  EXPECT_TRUE(out.people.empty());
  EXPECT_EQ((*mapper)->Map(FakeRecord({{"id", "o1"}}, "Observation"), out, failure),
            Mapper::Outcome::kSkipped);
}

}  // namespace
}  // namespace tessera::ingest
