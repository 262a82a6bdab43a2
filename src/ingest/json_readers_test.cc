#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/readers_internal.h"
#include "ingest/record.h"

namespace tessera::ingest {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Item {
  bool ok = false;
  int64_t line = 0;
  int64_t offset = 0;
  std::string kind;
  std::string field;
  std::string reason;
  std::string raw;
  std::vector<std::optional<std::string>> values;

  bool operator==(const Item&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Item& item) {
  os << (item.ok ? "record" : "broken") << "@" << item.line << ":" << item.offset << " "
     << item.kind << " [" << item.field << "] " << item.reason;
  for (const auto& v : item.values) os << " " << (v ? *v : "<none>");
  return os;
}

struct ReadRun {
  Status status;
  std::vector<Item> items;
  int64_t bytes_read = 0;

  size_t records() const {
    size_t n = 0;
    for (const auto& i : items) n += i.ok;
    return n;
  }
  std::vector<std::string> Kinds() const {
    std::vector<std::string> kinds;
    for (const auto& i : items) kinds.push_back(i.ok ? i.kind : "BROKEN");
    return kinds;
  }
};

enum class Format { kJsonLines, kFhir };

ReadRun Read(Format format, std::string data, const std::vector<std::string>& paths = {},
             JsonOptions options = {}, size_t chunk = internal::kDefaultReadChunk) {
  ReadRun run;
  auto reader = format == Format::kJsonLines
                    ? internal::OpenJsonLinesReaderFromString(std::move(data), options, chunk)
                    : internal::OpenFhirReaderFromString(std::move(data), options, chunk);
  if (!reader.ok()) {
    run.status = reader.status();
    return run;
  }
  const Record* record = nullptr;
  BrokenRecord broken;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto outcome = (*reader)->Next(record, broken);
    if (!outcome.ok()) {
      run.status = outcome.status();
      break;
    }
    if (*outcome == ReadOutcome::kEnd) break;
    Item item;
    if (*outcome == ReadOutcome::kRecord) {
      item.ok = true;
      item.line = record->Position().line;
      item.offset = record->Position().byte_offset;
      item.kind = std::string(record->Kind());
      item.raw = record->Raw();
      for (const auto& p : paths) item.values.push_back(record->Get(p));
    } else {
      item.line = broken.position.line;
      item.offset = broken.position.byte_offset;
      item.field = broken.field;
      item.reason = broken.reason;
      item.raw = broken.raw;
    }
    run.items.push_back(std::move(item));
  }
  run.bytes_read = (*reader)->BytesRead();
  return run;
}

ReadRun ReadJsonLines(std::string data, const std::vector<std::string>& paths = {},
                      JsonOptions options = {}, size_t chunk = internal::kDefaultReadChunk) {
  return Read(Format::kJsonLines, std::move(data), paths, options, chunk);
}
ReadRun ReadFhir(std::string data, const std::vector<std::string>& paths = {},
                 JsonOptions options = {}, size_t chunk = internal::kDefaultReadChunk) {
  return Read(Format::kFhir, std::move(data), paths, options, chunk);
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ----------------------------------------------------------------------------- JSON Lines

TEST(JsonLinesReader, ReadsOneObjectPerLineWithPositions) {
  const std::string data =
      "{\"episode_id\":\"MP-1\",\"duration_hours\":35,\"person\":{\"surname\":\"Smith\","
      "\"dob\":null,\"flag\":true}}\r\n"
      "\r\n"
      "   \n"
      "{\"episode_id\":\"MP-2\",\"person\":{\"surname\":\"O'Brien\"}}";
  ReadRun run = ReadJsonLines(data, {"episode_id", "duration_hours", "person.surname", "person.dob",
                                     "person.flag", "person", "missing.path"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].line, 1);
  EXPECT_EQ(run.items[0].offset, 0);
  EXPECT_EQ(run.items[0].kind, "");
  EXPECT_EQ(run.items[0].raw, data.substr(0, data.find('\r')));  // the line, without its CRLF
  EXPECT_EQ(run.items[0].values,
            (std::vector<std::optional<std::string>>{"MP-1", "35", "Smith", std::nullopt, "true",
                                                     std::nullopt, std::nullopt}));
  EXPECT_EQ(run.items[1].line, 4);
  EXPECT_EQ(run.items[1].offset, static_cast<int64_t>(data.rfind("{\"episode_id\"")));
  EXPECT_EQ(run.items[1].values[2], "O'Brien");
  EXPECT_EQ(run.bytes_read, static_cast<int64_t>(data.size()));
}

TEST(JsonLinesReader, BrokenLinesAreReportedAndTheRestLoad) {
  const std::string data =
      "{\"a\":1}\n"
      "{\"a\":2,\"b\":\n"  // truncated
      "[1,2,3]\n"
      "\"text\"\n"
      "{\"a\":\"Se\xC3\x28n\"}\n"
      "{\"a\":3} trailing\n"
      "{\"a\":4}\n";
  ReadRun run = ReadJsonLines(data, {"a"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 7u);
  EXPECT_EQ(run.items[0].values[0], "1");
  EXPECT_FALSE(run.items[1].ok);
  EXPECT_EQ(run.items[1].line, 2);
  EXPECT_EQ(run.items[1].offset, 8);
  EXPECT_THAT(run.items[1].reason, HasSubstr("invalid JSON at line 2, column 12"));
  EXPECT_EQ(run.items[1].raw, "{\"a\":2,\"b\":");
  EXPECT_EQ(run.items[2].reason, "line is a JSON array, not an object");
  EXPECT_EQ(run.items[3].reason, "line is a JSON string, not an object");
  EXPECT_THAT(run.items[4].reason, HasSubstr("UTF-8"));
  EXPECT_THAT(run.items[4].reason, Not(HasSubstr("\xC3")));  // messages stay ASCII
  EXPECT_THAT(run.items[5].reason, HasSubstr("invalid JSON at line 6"));
  EXPECT_EQ(run.items[6].values[0], "4");
}

// nlohmann takes a NUL for the end of the input; the readers must not let the rest through.
TEST(JsonLinesReader, NulBytesBreakTheLine) {
  ReadRun run = ReadJsonLines(std::string("{\"a\":4}\0\xFF junk\n{\"a\":5}\n", 23), {"a"});
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].reason, "invalid JSON at line 1, column 8: NUL byte");
  EXPECT_EQ(run.items[1].values[0], "5");
  ReadRun fhir = ReadFhir(std::string("{\"resourceType\":\"Patient\"}\0junk\n", 32));
  ASSERT_FALSE(fhir.items.empty());
  EXPECT_FALSE(fhir.items.back().ok);
}

TEST(JsonLinesReader, DepthIsLimitedBeforeParsing) {
  JsonOptions options;
  options.max_depth = 64;
  const std::string data = "{\"a\":" + Nested(63) + "}\n" +                // 64 deep
                           "{\"a\":" + Nested(64) + "}\n" +                // 65 deep
                           "{\"a\":\"[[[[[[[[[[" + Nested(70) + "\"}\n" +  // brackets in a string
                           "{\"a\":" + Nested(10000) + "}\n" + "{\"z\":1}\n";
  ReadRun run = ReadJsonLines(data, {"z"}, options);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 5u);
  EXPECT_TRUE(run.items[0].ok);
  EXPECT_EQ(run.items[1].reason, "JSON nested deeper than 64 levels");
  EXPECT_TRUE(run.items[2].ok);
  EXPECT_EQ(run.items[3].reason, "JSON nested deeper than 64 levels");
  EXPECT_EQ(run.items[3].line, 4);
  EXPECT_EQ(run.items[4].values[0], "1");
}

TEST(JsonLinesReader, LongLinesAreBrokenWithoutKeepingThem) {
  JsonOptions options;
  options.max_record_bytes = 100;
  const std::string data = "{\"a\":\"" + std::string(1000, 'x') + "\"}\n{\"a\":\"ok\"}\n{\"a\":\"" +
                           std::string(500, 'y') + "\"}";
  for (size_t chunk : {size_t{7}, size_t{64}, internal::kDefaultReadChunk}) {
    ReadRun run = ReadJsonLines(data, {"a"}, options, chunk);
    ASSERT_EQ(run.items.size(), 3u);
    EXPECT_EQ(run.items[0].reason, "line is longer than 100 bytes");
    EXPECT_LE(run.items[0].raw.size(), 102u);
    EXPECT_EQ(run.items[1].values[0], "ok");
    EXPECT_EQ(run.items[1].line, 2);
    EXPECT_EQ(run.items[2].reason, "line is longer than 100 bytes");
    EXPECT_EQ(run.items[2].line, 3);
  }
}

TEST(JsonLinesReader, SkipsAByteOrderMarkAndReadsFiles) {
  ReadRun run = ReadJsonLines("\xEF\xBB\xBF{\"a\":1}\n", {"a"});
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].values[0], "1");
  EXPECT_EQ(run.items[0].offset, 3);
  EXPECT_THAT(ReadJsonLines("").items, IsEmpty());

  EXPECT_EQ(OpenJsonLinesReader("/nonexistent/x.jsonl", {}).status().code(), StatusCode::kIoError);
  const auto path = std::filesystem::temp_directory_path() / "json_readers_test.jsonl";
  { std::ofstream(path, std::ios::binary) << "{\"a\":1}\n{\"a\":2}\n"; }
  auto reader = OpenJsonLinesReader(path.string(), {});
  ASSERT_TRUE(reader.ok());
  const Record* record = nullptr;
  BrokenRecord broken;
  ASSERT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kRecord);
  ASSERT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kRecord);
  EXPECT_EQ(record->Get("a"), "2");
  EXPECT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kEnd);
  std::filesystem::remove(path);
}

TEST(JsonLinesReader, ResultsDoNotDependOnHowTheFileIsCutIntoReads) {
  JsonOptions options;
  options.max_record_bytes = 80;
  const std::string data = "\xEF\xBB\xBF{\"a\":1}\r\n\n{\"a\":\n[1]\n{\"a\":\"" +
                           std::string(120, 'z') + "\"}\n" + "{\"a\":" + Nested(70) +
                           "}\n{\"a\":\"\xE2\x82\xAC\"}";
  const ReadRun whole = ReadJsonLines(data, {"a"}, options);
  ASSERT_EQ(whole.items.size(), 6u);
  for (size_t chunk = 1; chunk < 40; chunk += 3) {
    const ReadRun cut = ReadJsonLines(data, {"a"}, options, chunk);
    EXPECT_EQ(cut.items, whole.items) << "chunk " << chunk;
    EXPECT_EQ(cut.bytes_read, static_cast<int64_t>(data.size()));
  }
}

// ----------------------------------------------------------------------------------- FHIR

const char kPrettyBundle[] = R"({
  "resourceType": "Bundle",
  "id": "ambulance-00001",
  "type": "transaction",
  "entry": [
    {
      "fullUrl": "urn:uuid:patient-1",
      "resource": {
        "resourceType": "Patient",
        "id": "amb-pat-1",
        "identifier": [
          {"system": "https://tessera.example/local", "value": "L1"},
          {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9995221861"}
        ],
        "name": [{"use": "official", "family": "Knight", "given": ["Barbara", "Ann", "Zoë"]}],
        "birthDate": "1933-06-26"
      },
      "request": {"method": "PUT", "url": "Patient/amb-pat-1"}
    },
    {
      "resource": {
        "resourceType": "Encounter",
        "id": "amb-enc-1",
        "subject": {"reference": "Patient/amb-pat-1"},
        "period": {"start": "2019-01-02T09:49:00Z"}
      }
    }
  ]
}
)";

TEST(FhirReader, ReadsABundleEntryByEntry) {
  const std::string data = kPrettyBundle;
  ReadRun run = ReadFhir(data, {"name[0].family", "name[0].given[0]", "name[0].given[1:]",
                                "identifier[system=https://fhir.nhs.uk/Id/nhs-number].value",
                                "subject.reference", "id"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.items.size(), 2u);
  const Item& patient = run.items[0];
  EXPECT_TRUE(patient.ok);
  EXPECT_EQ(patient.kind, "Patient");
  EXPECT_EQ(patient.line, 6);  // the entry's '{'
  EXPECT_EQ(patient.offset, static_cast<int64_t>(data.find("{\n      \"fullUrl\"")));
  EXPECT_EQ(patient.values,
            (std::vector<std::optional<std::string>>{"Knight", "Barbara", "Ann Zoë", "9995221861",
                                                     std::nullopt, "amb-pat-1"}));
  // Raw() is the resource (not the entry), as compact JSON.
  EXPECT_EQ(json::parse(patient.raw), json::parse(data)["entry"][0]["resource"]);
  EXPECT_EQ(patient.raw.find('\n'), std::string::npos);
  const Item& encounter = run.items[1];
  EXPECT_EQ(encounter.kind, "Encounter");
  EXPECT_EQ(encounter.line, 20);
  EXPECT_EQ(encounter.values[4], "Patient/amb-pat-1");
  EXPECT_EQ(encounter.values[5], "amb-enc-1");
  EXPECT_EQ(run.bytes_read, static_cast<int64_t>(data.size()));
}

std::string OneLineBundle(const std::vector<std::string>& entries) {
  std::string out = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

std::string PatientEntry(const std::string& id) {
  return "{\"fullUrl\":\"urn:uuid:" + id +
         "\",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"" + id + "\"}}";
}

TEST(FhirReader, OneLineBundleGivesEachEntryItsOffset) {
  const std::string data = OneLineBundle({PatientEntry("p1"), PatientEntry("p2")}) + "\n";
  ReadRun run = ReadFhir(data, {"id"});
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].line, 1);
  EXPECT_EQ(run.items[0].offset, static_cast<int64_t>(data.find("{\"fullUrl")));
  EXPECT_EQ(run.items[1].offset, static_cast<int64_t>(data.rfind("{\"fullUrl")));
  EXPECT_EQ(run.items[1].values[0], "p2");
}

TEST(FhirReader, BadEntriesAreBrokenAndTheRestLoad) {
  const std::string data = OneLineBundle({
      PatientEntry("p1"),
      R"({"resource":{"id":"no-type","name":[{"family":"X"}]}})",
      R"({"resource":"Patient"})",
      R"({"request":{"method":"DELETE","url":"Patient/p9"}})",
      R"("just a string")",
      R"({"resource":{"resourceType":42}})",
      R"({"resource":{"resourceType":"Patient","id":"p2",}})",
      R"({"resource":{"resourceType":"Patient","id":"p3","name":"SMITH","birthDate":19800101}})",
  });
  ReadRun run = ReadFhir(data, {"id", "name[0].family", "birthDate"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 8u);
  EXPECT_EQ(run.Kinds(), (std::vector<std::string>{"Patient", "BROKEN", "BROKEN", "BROKEN",
                                                   "BROKEN", "BROKEN", "BROKEN", "Patient"}));
  EXPECT_EQ(run.items[1].reason, "entry 2: resource has no resourceType");
  EXPECT_EQ(run.items[1].field, "resourceType");
  EXPECT_EQ(run.items[1].offset, static_cast<int64_t>(data.find("{\"resource\":{\"id\"")));
  EXPECT_EQ(run.items[2].reason, "entry 3: resource is a JSON string, not an object");
  EXPECT_EQ(run.items[3].reason, "entry 4 has no resource (request: DELETE Patient/p9)");
  EXPECT_EQ(run.items[4].reason, "entry 5 is a JSON string, not an object");
  EXPECT_EQ(run.items[5].reason, "entry 6: resourceType is not a non-empty string");
  EXPECT_THAT(run.items[6].reason, HasSubstr("entry 7: invalid JSON at line 1, column"));
  // Wrong types inside a resource are the mapping's business: the record loads, and paths
  // that do not fit find nothing.
  EXPECT_EQ(run.items[7].values,
            (std::vector<std::optional<std::string>>{"p3", std::nullopt, "19800101"}));
}

TEST(FhirReader, EntryThatIsNotAnArrayIsBroken) {
  ReadRun run = ReadFhir(R"({"resourceType":"Bundle","entry":{"resource":{}}})");
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].reason, "Bundle.entry is not an array");
  EXPECT_EQ(run.items[0].field, "entry");
  // Also when resourceType comes last and the Bundle is read whole.
  ReadRun late = ReadFhir(R"({"entry":"none","resourceType":"Bundle"})");
  ASSERT_EQ(late.items.size(), 1u);
  EXPECT_EQ(late.items[0].reason, "Bundle.entry is a JSON string, not an array");
}

TEST(FhirReader, TruncatedBundleYieldsTheEntriesBeforeTheDamage) {
  const std::string whole =
      OneLineBundle({PatientEntry("p1"), PatientEntry("p2"), PatientEntry("p3")});
  const std::string cut = whole.substr(0, whole.rfind("\"id\":\"p3\""));
  ReadRun run = ReadFhir(cut, {"id"});
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_EQ(run.items[0].values[0], "p1");
  EXPECT_EQ(run.items[1].values[0], "p2");
  EXPECT_EQ(run.items[2].reason, "Bundle is truncated: the file ends inside entry 3");
  EXPECT_EQ(run.items[2].offset, static_cast<int64_t>(whole.rfind("{\"fullUrl")));

  const std::string between = whole.substr(0, whole.rfind(",{\"fullUrl") + 1);
  ReadRun run2 = ReadFhir(between, {"id"});
  ASSERT_EQ(run2.items.size(), 3u);
  EXPECT_EQ(run2.items[2].reason, "Bundle is truncated: the file ends before the Bundle is closed");
  EXPECT_EQ(run2.items[2].offset, 0);
}

TEST(FhirReader, SingleResourceAndResourceWithoutType) {
  ReadRun run = ReadFhir("\n  {\n \"resourceType\": \"Patient\",\n \"id\": \"x\"\n}\n", {"id"});
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].kind, "Patient");
  EXPECT_EQ(run.items[0].line, 2);
  EXPECT_EQ(run.items[0].offset, 3);
  EXPECT_EQ(run.items[0].raw, R"({"id":"x","resourceType":"Patient"})");

  ReadRun untyped = ReadFhir(R"({"id":"x","name":[{"family":"Y"}]})");
  ASSERT_EQ(untyped.items.size(), 1u);
  EXPECT_EQ(untyped.items[0].reason, "resource has no resourceType");
  ReadRun bundle_untyped = ReadFhir(R"({"type":"collection","entry":[)" + PatientEntry("p") + "]}");
  ASSERT_EQ(bundle_untyped.items.size(), 1u);
  EXPECT_EQ(bundle_untyped.items[0].reason, "resource has no resourceType");
}

TEST(FhirReader, BundleNamingItsTypeAfterItsEntriesStillGivesEntryPositions) {
  const std::string data = "{\"entry\":[\n" + PatientEntry("p1") + ",\n" + PatientEntry("p2") +
                           "\n],\"resourceType\":\"Bundle\"}";
  ReadRun run = ReadFhir(data, {"id"});
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].line, 2);
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].offset, static_cast<int64_t>(data.rfind("{\"fullUrl")));
  EXPECT_EQ(run.items[1].values[0], "p2");
}

TEST(FhirReader, NdjsonGoesLineByLineSoADamagedLineCostsOneRecord) {
  const std::string data =
      "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n"
      "{\"resourceType\":\"Patient\",\"id\":\n"  // truncated
      "{\"resourceType\":\"Encounter\",\"id\":\"c\"}\n"
      "{\"id\":\"d\"}\n"
      "\n"
      "{\"resourceType\":\"Patient\",\"id\":\"e\"}";
  ReadRun run = ReadFhir(data, {"id"});
  ASSERT_EQ(run.items.size(), 5u);
  EXPECT_EQ(run.Kinds(),
            (std::vector<std::string>{"Patient", "BROKEN", "Encounter", "BROKEN", "Patient"}));
  EXPECT_EQ(run.items[1].line, 2);
  EXPECT_THAT(run.items[1].reason, HasSubstr("invalid JSON at line 2"));
  EXPECT_EQ(run.items[2].line, 3);
  EXPECT_EQ(run.items[3].reason, "resource has no resourceType");
  EXPECT_EQ(run.items[4].line, 6);
  EXPECT_EQ(run.items[4].values[0], "e");
}

TEST(FhirReader, NdjsonWithADamagedFirstLine) {
  const std::string data =
      "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Sm\n"
      "{\"resourceType\":\"Patient\",\"id\":\"b\"}\n"
      "{\"resourceType\":\"Patient\",\"id\":\"c\"}\n";
  ReadRun run = ReadFhir(data, {"id"});
  EXPECT_EQ(run.Kinds(), (std::vector<std::string>{"BROKEN", "Patient", "Patient"}));
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_EQ(run.items[0].line, 1);
  EXPECT_THAT(run.items[0].reason, HasSubstr("line break inside a JSON string"));
  EXPECT_EQ(run.items[1].line, 2);
  EXPECT_EQ(run.items[2].values[0], "c");
}

TEST(FhirReader, DeepEntriesAndOversizedEntriesAreBrokenAlone) {
  const std::string deep =
      "{\"resource\":{\"resourceType\":\"Basic\",\"x\":" + Nested(10000) + "}}";
  const std::string big =
      "{\"resource\":{\"resourceType\":\"Basic\",\"x\":\"" + std::string(1000, 'b') + "\"}}";
  const std::string data = OneLineBundle({PatientEntry("p1"), deep, big, PatientEntry("p2")});
  for (size_t chunk : {size_t{1}, size_t{17}, size_t{100}, internal::kDefaultReadChunk}) {
    ReadRun run = ReadFhir(data, {"id"}, {}, chunk);
    ASSERT_EQ(run.items.size(), 4u) << chunk;
    EXPECT_EQ(run.items[1].reason, "entry 2: JSON nested deeper than 64 levels");
    EXPECT_TRUE(run.items[2].ok);
    EXPECT_EQ(run.items[3].values[0], "p2");

    JsonOptions options;
    options.max_record_bytes = 400;
    ReadRun limited = ReadFhir(data, {"id"}, options, chunk);
    ASSERT_EQ(limited.items.size(), 4u) << chunk;
    EXPECT_EQ(limited.items[1].reason, "entry 2 is larger than 400 bytes");
    EXPECT_EQ(limited.items[1].raw.size(), 400u);
    EXPECT_EQ(limited.items[2].reason, "entry 3 is larger than 400 bytes");
    EXPECT_EQ(limited.items[3].values[0], "p2");
  }
}

TEST(FhirReader, GarbageAndBrokenStructureNeverStopTheReader) {
  for (const std::string& data :
       {std::string("not json at all\n{\"resourceType\":\"Patient\"}\n"), std::string("[1,2]"),
        std::string("{\"resourceType\":\"Bundle\",\"entry\":[{},] }"),
        std::string("{\"resourceType\":\"Bundle\" \"entry\":[]}"), std::string("}}}]]]"),
        std::string("{\"resourceType\":\"Bundle\",\"entry\":[") + std::string(5000, '['),
        std::string("{\"a\":1}{\"b\":2}\x00\xFF", 16), std::string("\xEF\xBB\xBF")}) {
    ReadRun run = ReadFhir(data);
    EXPECT_TRUE(run.status.ok()) << testing::PrintToString(data);
    for (const auto& item : run.items) {
      if (!item.ok) {
        EXPECT_FALSE(item.reason.empty());
      }
    }
  }
  ReadRun garbage = ReadFhir("not json at all\n{\"resourceType\":\"Patient\"}\n");
  EXPECT_EQ(garbage.Kinds(), (std::vector<std::string>{"BROKEN", "Patient"}));
  EXPECT_THAT(garbage.items[0].reason, HasSubstr("unexpected 'n'"));
  ReadRun array = ReadFhir("[{\"resourceType\":\"Patient\"}]");
  EXPECT_EQ(array.Kinds(), (std::vector<std::string>{"BROKEN"}));
  ReadRun empty = ReadFhir("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}");
  EXPECT_THAT(empty.items, IsEmpty());
  ReadRun structure = ReadFhir(OneLineBundle({PatientEntry("p1")}).insert(24, " x"));
  EXPECT_THAT(structure.Kinds(), ElementsAre("BROKEN"));
}

TEST(FhirReader, ResultsDoNotDependOnHowTheFileIsCutIntoReads) {
  JsonOptions options;
  options.max_record_bytes = 300;
  std::vector<std::string> inputs = {
      kPrettyBundle,
      OneLineBundle(
          {PatientEntry("p1"), R"({"resource":{"id":"x"}})",
           "{\"resource\":{\"resourceType\":\"Basic\",\"x\":\"" + std::string(400, 'b') + "\"}}",
           PatientEntry("p2")})
          .substr(0, 600),
      "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\n"
      "{\"resourceType\":\"Patient\",\"id\":\"c\"}\n",
      "{\"entry\":[" + PatientEntry("p1") + "],\"resourceType\":\"Bundle\"}\n",
      // Not a Bundle, so kept whole; larger than the limit, with a syntax error past it.
      "{\"resourceType\":\"Btndle\",\"x\":\"" + std::string(400, 'x') + "\" \"entry\":[]}",
      "{\"resourceType\":\"Patient\",\"x\":\"" + std::string(400, 'x') + "\"}\n" +
          "{\"resourceType\":\"Patient\",\"id\":\"after\"}\n",
  };
  for (const auto& data : inputs) {
    const ReadRun whole = ReadFhir(data, {"id"}, options);
    ASSERT_FALSE(whole.items.empty());
    for (size_t chunk = 1; chunk < 50; chunk += 4) {
      const ReadRun cut = ReadFhir(data, {"id"}, options, chunk);
      EXPECT_EQ(cut.items, whole.items) << "chunk " << chunk << " of " << data.substr(0, 40);
    }
  }
}

TEST(FhirReader, OpensFiles) {
  EXPECT_EQ(OpenFhirReader("/nonexistent/b.json", {}).status().code(), StatusCode::kIoError);
  const auto path = std::filesystem::temp_directory_path() / "json_readers_test_bundle.json";
  { std::ofstream(path, std::ios::binary) << kPrettyBundle; }
  auto reader = OpenFhirReader(path.string(), {});
  ASSERT_TRUE(reader.ok());
  const Record* record = nullptr;
  BrokenRecord broken;
  ASSERT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kRecord);
  EXPECT_EQ(record->Kind(), "Patient");
  ASSERT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kRecord);
  EXPECT_EQ(record->Kind(), "Encounter");
  EXPECT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kEnd);
  std::filesystem::remove(path);
}

// ------------------------------------------------------------------------------ JSON paths

TEST(JsonPath, EvaluatesMembersIndexesFiltersAndJoins) {
  const json patient = json::parse(R"({
    "id": "p1", "active": true, "count": 3, "ratio": 1.5, "gone": null,
    "person": {"surname": "Smith"},
    "name": [{"family": "Knight", "given": ["Barbara", "Ann", 7, "", "Zoë"]}, {"family": "Old"}],
    "identifier": [
      "stray",
      {"system": "https://tessera.example/local", "value": "L1"},
      {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9995221861"},
      {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "second"},
      {"rank": 2, "value": "by-number"}
    ]
  })");
  EXPECT_EQ(EvaluateJsonPath(patient, "id"), "p1");
  EXPECT_EQ(EvaluateJsonPath(patient, "active"), "true");
  EXPECT_EQ(EvaluateJsonPath(patient, "count"), "3");
  EXPECT_EQ(EvaluateJsonPath(patient, "ratio"), "1.5");
  EXPECT_EQ(EvaluateJsonPath(patient, "gone"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "person.surname"), "Smith");
  EXPECT_EQ(EvaluateJsonPath(patient, "person"), std::nullopt);  // an object
  EXPECT_EQ(EvaluateJsonPath(patient, "name"), std::nullopt);    // an array
  EXPECT_EQ(EvaluateJsonPath(patient, "person.missing"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "id.more"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "name[0].family"), "Knight");
  EXPECT_EQ(EvaluateJsonPath(patient, "name[1].family"), "Old");
  EXPECT_EQ(EvaluateJsonPath(patient, "name[2].family"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "name[0].given[1]"), "Ann");
  EXPECT_EQ(EvaluateJsonPath(patient, "person[0]"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "name[0].given[1:]"), "Ann 7 Zoë");
  EXPECT_EQ(EvaluateJsonPath(patient, "name[0].given[0:]"), "Barbara Ann 7 Zoë");
  EXPECT_EQ(EvaluateJsonPath(patient, "name[0].given[5:]"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "name[1].given[1:]"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "identifier[system=https://fhir.nhs.uk/Id/nhs-number].value"),
            "9995221861");
  EXPECT_EQ(EvaluateJsonPath(patient, "identifier[system=https://example.org].value"),
            std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "identifier[rank=2].value"), "by-number");
  EXPECT_EQ(EvaluateJsonPath(patient, "person[system=x].value"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(patient, "name[family=Old].family"), "Old");
  // Invalid paths find nothing rather than throwing.
  for (const char* bad : {"", ".", "a..b", "name[", "name[x]", "[0]", "name[0]x", "name[-1]",
                          "name[0].given[1:].x", "name]"}) {
    EXPECT_EQ(EvaluateJsonPath(patient, bad), std::nullopt) << bad;
  }
  EXPECT_EQ(EvaluateJsonPath(json::array({1, 2}), "a"), std::nullopt);
  EXPECT_EQ(EvaluateJsonPath(json(), "a"), std::nullopt);
}

TEST(JsonPath, ValidatesSyntax) {
  for (const char* good : {"a", "person.surname", "name[0].given[1]", "name[0].given[1:]",
                           "identifier[system=https://fhir.nhs.uk/Id/nhs-number].value", "a[0][1]",
                           "a[k=].b", "with space.x"}) {
    EXPECT_TRUE(ValidateJsonPath(good).ok()) << good << ": " << ValidateJsonPath(good).ToString();
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "the path is empty"},
      {"a.", "empty member name"},
      {"a..b", "empty member name"},
      {".a", "empty member name"},
      {"[0]", "a path starts with a member name"},
      {"a[", "'[' without ']'"},
      {"a[]", "empty []"},
      {"a[x]", "expected [n], [n:] or [key=value]"},
      {"a[1234567890]", "expected [n], [n:] or [key=value]"},
      {"a[=v]", "needs a key"},
      {"a[0]b", "expected '.' or '['"},
      {"a[1:].b", "a [n:] join must be the last step"},
      {"a]", "']' without '['"},
  };
  for (const auto& [path, message] : bad) {
    const Status status = ValidateJsonPath(path);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(status.message(), HasSubstr(message)) << path;
  }
}

}  // namespace
}  // namespace tessera::ingest
