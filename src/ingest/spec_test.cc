#include "ingest/spec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace tessera::ingest {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("TESSERA_SOURCE_DIR");
  return dir ? dir : ".";
}

TEST(MappingSpec, EveryShippedSpecParses) {
  int parsed = 0;
  for (const char* folder : {"examples/synthetic/mappings", "examples/febrl"}) {
    for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/" + folder)) {
      if (e.path().extension() != ".yaml") continue;
      auto spec = LoadMappingSpec(e.path().string());
      EXPECT_TRUE(spec.ok()) << spec.status().ToString();
      ++parsed;
    }
  }
  EXPECT_EQ(parsed, 13) << "12 synthetic sources and FEBRL";
}

TEST(MappingSpec, ParsesEveryPart) {
  auto spec = ParseMappingSpec(R"(
source: police_crime
agency: police
format: csv
encoding: windows-1252
delimiter: ";"
record_key: Id
event:
  type: crime
  ref: Ref
  date: {field: When, formats: [dd/mm/yyyy, yyyy-mm-dd], required: true}
  category: {field: Code, map: {vap: violence}, unmapped: default, default: other}
people:
  - key: victim
    role: {value: victim}
    name: {field: VictimName, split: surname_first}
    dob: {field: VictimDob, formats: [dd/mm/yyyy]}
    identifiers: {pnc_id: VictimPnc}
  - key: suspect
    role: {value: suspect}
    given: SuspectForename
    family: SuspectSurname
    present_if_any: [SuspectSurname]
validate:
  - {field: Count, min: 0, max: 10}
)",
                               "spec.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->source_id, "police_crime");
  EXPECT_EQ(spec->encoding, "windows-1252");
  EXPECT_EQ(spec->delimiter, ';');
  ASSERT_TRUE(spec->event.has_value());
  EXPECT_EQ(spec->event->date.formats.size(), 2u);
  EXPECT_EQ(spec->event->category.map.at("VAP"), "violence") << "map keys compare in upper case";
  ASSERT_EQ(spec->people.size(), 2u);
  EXPECT_EQ(spec->people[0].key_suffix, "victim");
  EXPECT_EQ(spec->people[0].name.split, NameSplit::kSurnameFirst);
  EXPECT_EQ(spec->people[1].present_if_any, std::vector<std::string>{"SuspectSurname"});
  ASSERT_EQ(spec->validate.size(), 1u);
  EXPECT_EQ(*spec->validate[0].max, 10);
}

struct BadSpec {
  const char* name;
  const char* yaml;
  const char* expected;  // a substring of the error, which always starts "bad.yaml:LINE: "
};

class BadSpecTest : public testing::TestWithParam<BadSpec> {};

TEST_P(BadSpecTest, NamesFileLineAndKey) {
  auto spec = ParseMappingSpec(GetParam().yaml, "bad.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.status().message().find(GetParam().expected), std::string::npos)
      << spec.status().message();
  EXPECT_EQ(spec.status().message().rfind("bad.yaml:", 0), 0u) << spec.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadSpecTest,
    testing::Values(
        BadSpec{"unknown_key",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - givn: X\n",
                "bad.yaml:6: people[0].givn: unknown key 'givn'"},
        BadSpec{"bad_date_pattern",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - dob: "
                "{field: D, formats: [dd/mm/yy yy]}\n",
                "people[0].dob.formats[0]: unknown date pattern 'dd/mm/yy yy'"},
        BadSpec{"unknown_role",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - role: "
                "{value: bystander}\n",
                "'bystander' is not a role"},
        BadSpec{"missing_source", "agency: police\nformat: csv\nrecord_key: k\n",
                "bad.yaml:1: missing required key 'source'"},
        BadSpec{"unknown_agency", "source: s\nagency: mi5\nformat: csv\nrecord_key: k\n",
                "bad.yaml:2: agency: unknown agency 'mi5'"},
        BadSpec{"bad_format", "source: s\nagency: police\nformat: xml\nrecord_key: k\n",
                "format must be csv, jsonl or fhir"},
        BadSpec{"yaml_syntax", "source: s\nagency: [police\nformat: csv\n", "bad.yaml:"},
        BadSpec{"several_people_without_keys",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - role: "
                "{field: R, map: {V: victim}}\n  - given: G\n",
                "needs 'key' for each"},
        BadSpec{"bad_identifier",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - "
                "identifiers: {passport: P}\n",
                "unknown identifier 'passport'"},
        BadSpec{"nothing_to_map", "source: s\nagency: police\nformat: csv\nrecord_key: k\n",
                "needs 'people', an 'event', or both"},
        BadSpec{"fhir_without_resources", "source: s\nagency: health\nformat: fhir\n",
                "missing required key 'resources'"},
        BadSpec{"date_without_formats",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\nevent:\n  type: t\n  "
                "date: When\n",
                "a date needs 'formats'"},
        BadSpec{"bad_json_path",
                "source: s\nagency: police\nformat: jsonl\nrecord_key: \"person[0\"\npeople:\n  - "
                "given: g\n",
                "bad.yaml:4: record_key: 'person[0' is not a valid JSON path"},
        BadSpec{"bad_case",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - given: "
                "{field: G, case: title}\n",
                "bad.yaml:6: people[0].given.case: case must be upper, lower or keep, not 'title'"},
        BadSpec{"bad_unmapped",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - sex: "
                "{field: S, map: {M: male}, unmapped: drop}\n",
                "people[0].sex.unmapped: unmapped must be invalid, keep or default, not 'drop'"},
        BadSpec{"empty_list",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - given: G\n"
                "validate: []\n",
                "bad.yaml:7: validate: is an empty list"},
        BadSpec{"infinite_range",
                "source: s\nagency: police\nformat: csv\nrecord_key: k\npeople:\n  - given: G\n"
                "validate:\n  - {field: A, max: .inf}\n",
                "validate[0].max: expected a number, not '.inf'"},
        BadSpec{"bad_schedule_unit",
                "source: s\nagency: police\nformat: csv\nexpected_every: 2w\nrecord_key: k\n",
                "bad.yaml:4: expected_every: expected_every is a whole number of hours or days"},
        BadSpec{"zero_schedule",
                "source: s\nagency: police\nformat: csv\nexpected_every: 0d\nrecord_key: k\n",
                "such as 24h or 7d, not '0d'"},
        BadSpec{"bad_source_id",
                "source: Police Crime\nagency: police\nformat: csv\nrecord_key: k\n",
                "source ids are lower case"}),
    [](const testing::TestParamInfo<BadSpec>& param) { return std::string(param.param.name); });

TEST(MappingSpec, ExpectedScheduleInHoursOrDays) {
  const std::string base = "source: s\nagency: police\nformat: csv\nrecord_key: k\n";
  auto none = ParseMappingSpec(base + "people:\n  - given: G\n", "s.yaml");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->expected_every_hours.has_value()) << "the key is optional";
  auto daily = ParseMappingSpec(base + "expected_every: 24h\npeople:\n  - given: G\n", "s.yaml");
  ASSERT_TRUE(daily.ok()) << daily.status().ToString();
  EXPECT_EQ(daily->expected_every_hours, 24);
  auto weekly = ParseMappingSpec(base + "expected_every: 7d\npeople:\n  - given: G\n", "s.yaml");
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  EXPECT_EQ(weekly->expected_every_hours, 7 * 24);
}

TEST(MappingSpec, MissingFileIsNotFound) {
  auto spec = LoadMappingSpec("/nonexistent/spec.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera::ingest
