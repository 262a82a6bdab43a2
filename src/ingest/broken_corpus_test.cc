// Reads every file of tests/data/ingest/broken/ and checks it against its NAME.expect (format in
// that directory's README.md), then does the same for the large cases written at run time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/record.h"
#include "ingest/text_encoding.h"

namespace tessera::ingest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path CorpusDir() {
  if (const char* root = std::getenv("TESSERA_SOURCE_DIR")) {
    return fs::path(root) / "tests/data/ingest/broken";
  }
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "tests/data/ingest/broken";
}

struct Expectation {
  std::string format;
  CsvOptions csv;
  JsonOptions json;
  bool file_error = false;
  std::string error_contains;
  std::optional<size_t> records;
  std::optional<size_t> broken;
  std::optional<std::vector<int64_t>> broken_lines;
  std::optional<std::vector<int64_t>> record_lines;
  std::vector<std::string> reasons;
  std::vector<std::string> warnings;
  std::optional<std::vector<std::string>> kinds;
  struct Value {
    size_t record;  // from 1
    std::string field;
    std::optional<std::string> value;
  };
  std::vector<Value> values;
};

std::vector<int64_t> Numbers(const std::string& text) {
  std::vector<int64_t> out;
  std::istringstream in(text);
  int64_t n;
  while (in >> n) out.push_back(n);
  return out;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Parses a .expect file; failures are test failures naming the file and line.
Expectation ParseExpectation(const fs::path& path) {
  Expectation e;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      ADD_FAILURE() << path << ":" << number << ": expected 'key: value'";
      continue;
    }
    const std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (key == "format") {
      e.format = value;
    } else if (key == "encoding") {
      e.csv.encoding = value;
    } else if (key == "delimiter") {
      e.csv.delimiter = value == "tab" ? '\t' : value.empty() ? ',' : value[0];
    } else if (key == "header") {
      e.csv.header = value != "false";
    } else if (key == "max-record-bytes") {
      e.csv.max_record_bytes = e.json.max_record_bytes = std::stoul(value);
    } else if (key == "max-field-bytes") {
      e.csv.max_field_bytes = std::stoul(value);
    } else if (key == "max-columns") {
      e.csv.max_columns = std::stoul(value);
    } else if (key == "max-depth") {
      e.json.max_depth = std::stoi(value);
    } else if (key == "file-error") {
      e.file_error = value == "true";
    } else if (key == "error-contains") {
      e.error_contains = value;
    } else if (key == "records") {
      e.records = std::stoul(value);
    } else if (key == "broken") {
      e.broken = std::stoul(value);
    } else if (key == "broken-lines") {
      e.broken_lines = Numbers(value);
    } else if (key == "record-lines") {
      e.record_lines = Numbers(value);
    } else if (key == "reason-contains") {
      e.reasons.push_back(value);
    } else if (key == "warning-contains") {
      e.warnings.push_back(value);
    } else if (key == "kinds") {
      e.kinds = Words(value);
    } else if (key == "value") {
      std::istringstream parts(value);
      Expectation::Value v;
      parts >> v.record >> v.field;
      std::string rest;
      std::getline(parts, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (rest != "<none>") v.value = rest;
      e.values.push_back(v);
    } else {
      ADD_FAILURE() << path << ":" << number << ": unknown key '" << key << "'";
    }
  }
  if (e.format != "csv" && e.format != "jsonl" && e.format != "fhir") {
    ADD_FAILURE() << path << ": format must be csv, jsonl or fhir";
  }
  if (!e.file_error && (!e.records || !e.broken)) {
    ADD_FAILURE() << path << ": 'records' and 'broken' are required unless file-error: true";
  }
  return e;
}

// What a reader made of a file.
struct Outcome {
  Status status;
  std::vector<int64_t> record_lines;
  std::vector<int64_t> broken_lines;
  std::vector<std::string> kinds;
  std::vector<std::string> reasons;
  std::vector<std::string> warnings;
  std::vector<std::map<std::string, std::optional<std::string>>> values;  // requested fields
  std::string log;  // everything, for failure messages
};

Outcome ReadFile(const fs::path& path, const Expectation& e) {
  Outcome out;
  Result<std::unique_ptr<RecordReader>> reader = Status::Internal("no reader");
  if (e.format == "csv") reader = OpenCsvReader(path.string(), e.csv);
  if (e.format == "jsonl") reader = OpenJsonLinesReader(path.string(), e.json);
  if (e.format == "fhir") reader = OpenFhirReader(path.string(), e.json);
  if (!reader.ok()) {
    out.status = reader.status();
    out.log = "open: " + out.status.ToString();
    return out;
  }
  const Record* record = nullptr;
  BrokenRecord broken;
  for (;;) {
    auto next = (*reader)->Next(record, broken);
    if (!next.ok()) {
      out.status = next.status();
      out.log += "error: " + out.status.ToString() + "\n";
      break;
    }
    if (*next == ReadOutcome::kEnd) break;
    if (*next == ReadOutcome::kRecord) {
      const RecordPosition at = record->Position();
      EXPECT_GE(at.line, 1);
      EXPECT_GE(at.byte_offset, 0);
      EXPECT_EQ(FindInvalidUtf8(record->Raw()), std::string::npos) << path;
      out.record_lines.push_back(at.line);
      out.kinds.emplace_back(record->Kind());
      std::map<std::string, std::optional<std::string>> values;
      for (const auto& v : e.values) {
        if (v.record == out.record_lines.size()) values[v.field] = record->Get(v.field);
      }
      out.values.push_back(std::move(values));
      out.log += "record line " + std::to_string(at.line) + " " + std::string(record->Kind()) +
                 ": " + record->Raw().substr(0, 80) + "\n";
    } else {
      EXPECT_GE(broken.position.line, 1) << path;
      EXPECT_FALSE(broken.reason.empty()) << path;
      out.broken_lines.push_back(broken.position.line);
      out.reasons.push_back(broken.reason);
      out.log += "broken line " + std::to_string(broken.position.line) + " [" + broken.field +
                 "]: " + broken.reason + "\n";
    }
  }
  for (const auto& w : (*reader)->Warnings()) {
    out.warnings.push_back(w.message);
    out.log += "warning line " + std::to_string(w.position.line) + ": " + w.message + "\n";
  }
  return out;
}

bool AnyContains(const std::vector<std::string>& texts, const std::string& needle) {
  for (const auto& t : texts) {
    if (t.find(needle) != std::string::npos) return true;
  }
  return false;
}

void Check(const fs::path& path, const Expectation& e) {
  SCOPED_TRACE(path.filename().string());
  const Outcome out = ReadFile(path, e);
  SCOPED_TRACE("the reader gave:\n" + out.log);
  if (e.file_error) {
    EXPECT_FALSE(out.status.ok());
    EXPECT_THAT(out.status.message(), HasSubstr(e.error_contains));
    return;
  }
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  if (e.records) {
    EXPECT_EQ(out.record_lines.size(), *e.records);
  }
  if (e.broken) {
    EXPECT_EQ(out.broken_lines.size(), *e.broken);
  }
  if (e.broken_lines) {
    EXPECT_EQ(out.broken_lines, *e.broken_lines);
  }
  if (e.record_lines) {
    EXPECT_EQ(out.record_lines, *e.record_lines);
  }
  for (const auto& r : e.reasons) {
    EXPECT_TRUE(AnyContains(out.reasons, r)) << "no reason has: " << r;
  }
  for (const auto& w : e.warnings) {
    EXPECT_TRUE(AnyContains(out.warnings, w)) << "no warning has: " << w;
  }
  if (e.kinds) {
    EXPECT_EQ(out.kinds, *e.kinds);
  }
  for (const auto& v : e.values) {
    ASSERT_LE(v.record, out.values.size()) << "record " << v.record;
    ASSERT_GE(v.record, 1u);
    const auto& got = out.values[v.record - 1];
    const auto it = got.find(v.field);
    ASSERT_NE(it, got.end());
    EXPECT_EQ(it->second, v.value) << "record " << v.record << " " << v.field;
  }
}

TEST(BrokenCorpus, EveryFileMeetsItsExpectation) {
  const fs::path dir = CorpusDir();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path p = entry.path();
    if (!entry.is_regular_file() || p.filename() == "README.md") continue;
    if (p.extension() == ".expect") {
      fs::path data = p;
      data.replace_extension();
      EXPECT_TRUE(fs::exists(data)) << p << " has no file beside it";
      continue;
    }
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 30u);
  for (const auto& file : files) {
    const fs::path expect = fs::path(file.string() + ".expect");
    if (!fs::exists(expect)) {
      ADD_FAILURE() << file << " has no " << expect.filename();
      continue;
    }
    Check(file, ParseExpectation(expect));
  }
}

// Cases too big to commit, written into a temporary directory.
class GeneratedCases : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tessera_broken_corpus_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& data) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  fs::path dir_;
};

Expectation Expect(std::string format, size_t records, size_t broken) {
  Expectation e;
  e.format = std::move(format);
  e.records = records;
  e.broken = broken;
  return e;
}

TEST_F(GeneratedCases, OneMegabyteFields) {
  // A field of exactly max_field_bytes (1 MiB) loads; one byte more, quoted or not, is a
  // broken record.
  const std::string data = "Id,Notes\n1," + std::string(1 << 20, 'a') + "\n2," +
                           std::string((1 << 20) + 1, 'b') + "\n3,\"" +
                           std::string((1 << 20) + 1, 'c') + "\"\n4,ok\n";
  Expectation e = Expect("csv", 2, 2);
  e.broken_lines = std::vector<int64_t>{3, 4};
  e.reasons = {"field is 1048577 bytes, over the limit of 1048576"};
  e.values = {{1, "Notes", std::string(1 << 20, 'a')}, {2, "Notes", "ok"}};
  Check(Write("one_megabyte_field.csv", data), e);
}

TEST_F(GeneratedCases, TenThousandColumns) {
  std::string header;
  std::string row;
  for (int i = 0; i < 10000; ++i) {
    header += (i ? ",c" : "c") + std::to_string(i);
    row += (i ? ",v" : "v") + std::to_string(i);
  }
  const fs::path wide = Write("ten_thousand_columns.csv", header + "\n" + row + "\n");
  Expectation over_limit;
  over_limit.format = "csv";
  over_limit.file_error = true;
  over_limit.error_contains = "10000 columns, over the limit of 4096";
  Check(wide, over_limit);

  Expectation raised = Expect("csv", 1, 0);
  raised.csv.max_columns = 10000;
  raised.values = {{1, "c9999", "v9999"}};
  Check(wide, raised);

  // 10,000 fields in a row of a 3-column file: that row is broken, the others load.
  Expectation ragged = Expect("csv", 2, 1);
  ragged.broken_lines = std::vector<int64_t>{3};
  ragged.reasons = {"row has 10000 fields, header has 3"};
  std::string fields(9999, ',');
  Check(Write("ten_thousand_fields.csv", "a,b,c\n1,2,3\n" + fields + "\n4,5,6\n"), ragged);
}

TEST_F(GeneratedCases, JsonNestedTenThousandDeep) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  Expectation lines = Expect("jsonl", 2, 1);
  lines.broken_lines = std::vector<int64_t>{2};
  lines.reasons = {"JSON nested deeper than 64 levels"};
  Check(Write("deep.jsonl", "{\"a\":1}\n{\"a\":" + deep + "}\n{\"a\":3}\n"), lines);

  Expectation bundle = Expect("fhir", 2, 1);
  bundle.reasons = {"entry 2: JSON nested deeper than 64 levels"};
  bundle.kinds = std::vector<std::string>{"Patient", "Patient"};
  Check(Write("deep_bundle.json",
              "{\"resourceType\":\"Bundle\",\"entry\":["
              "{\"resource\":{\"resourceType\":\"Patient\"}},"
              "{\"resource\":{\"resourceType\":\"Basic\",\"x\":" +
                  deep +
                  "}},"
                  "{\"resource\":{\"resourceType\":\"Patient\"}}]}"),
        bundle);

  Expectation single = Expect("fhir", 0, 1);
  single.reasons = {"JSON nested deeper than 64 levels"};
  Check(Write("deep_resource.json", "{\"resourceType\":\"Basic\",\"x\":" + deep + "}"), single);
}

TEST_F(GeneratedCases, RecordsPastMaxRecordBytes) {
  const std::string five_mb(5 << 20, 'x');
  Expectation csv = Expect("csv", 2, 1);
  csv.broken_lines = std::vector<int64_t>{3};
  csv.reasons = {"record is longer than 4194304 bytes"};
  Check(Write("long_record.csv", "a,b\n1,2\n3," + five_mb + "\n5,6\n"), csv);

  // The runaway quote is cut off at the limit; reading resumes at the line after it started.
  Expectation quote = Expect("csv", 3, 1);
  quote.broken_lines = std::vector<int64_t>{3};
  quote.record_lines = std::vector<int64_t>{2, 4, 5};
  quote.reasons = {"unterminated quote: the quoted field runs past 4194304 bytes"};
  Check(Write("long_quote.csv", "a,b\n1,2\n3,\"" + five_mb + "\n5,6\n7,8\n"), quote);

  Expectation jsonl = Expect("jsonl", 2, 1);
  jsonl.broken_lines = std::vector<int64_t>{2};
  jsonl.reasons = {"line is longer than 4194304 bytes"};
  Check(Write("long_line.jsonl", "{\"a\":1}\n{\"a\":\"" + five_mb + "\"}\n{\"a\":3}\n"), jsonl);
}

TEST_F(GeneratedCases, UnterminatedQuoteSwallowsAtMostAThousandLines) {
  std::string data = "Id,Note\n1,\"opened and never closed\n";
  for (int i = 0; i < 5000; ++i) data += std::to_string(i) + ",row\n";
  Expectation e = Expect("csv", 5000, 1);
  e.broken_lines = std::vector<int64_t>{2};
  e.reasons = {"unterminated quote: the quoted field runs past 1000 lines"};
  Check(Write("runaway_quote.csv", data), e);
}

TEST_F(GeneratedCases, LargeBundleStreamsEveryEntry) {
  std::string data = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[";
  for (int i = 0; i < 20000; ++i) {
    data += (i ? "," : "") + std::string("{\"resource\":{\"resourceType\":\"") +
            (i % 2 ? "Encounter" : "Patient") + "\",\"id\":\"r" + std::to_string(i) + "\"}}";
  }
  data += "]}";
  Expectation e = Expect("fhir", 20000, 0);
  e.values = {{20000, "id", "r19999"}};
  Check(Write("large_bundle.json", data), e);
}

}  // namespace
}  // namespace tessera::ingest
