#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/readers_internal.h"
#include "ingest/record.h"

namespace tessera::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// What a reader produced, flattened so that tests can compare whole runs.
struct Item {
  bool ok = false;
  int64_t line = 0;
  int64_t offset = 0;
  std::string field;                               // broken: the field at fault
  std::string reason;                              // broken
  std::string raw;                                 // record: Raw(); broken: raw bytes
  std::vector<std::optional<std::string>> values;  // record: Get() of the requested columns

  bool operator==(const Item&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Item& item) {
  os << (item.ok ? "record" : "broken") << "@" << item.line << ":" << item.offset << " ["
     << item.field << "] " << item.reason << " raw=" << testing::PrintToString(item.raw);
  for (const auto& v : item.values) os << " " << (v ? *v : "<none>");
  return os;
}

struct ReadRun {
  Status status;  // of opening, or of the first failed Next()
  std::vector<Item> items;
  std::vector<FileWarning> warnings;
  int64_t bytes_read = 0;

  size_t records() const {
    size_t n = 0;
    for (const auto& i : items) n += i.ok;
    return n;
  }
};

ReadRun ReadCsv(std::string data, CsvOptions options = {},
                const std::vector<std::string>& columns = {},
                size_t chunk = internal::kDefaultReadChunk) {
  ReadRun run;
  auto reader = internal::OpenCsvReaderFromString(std::move(data), options, chunk);
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
      item.raw = record->Raw();
      for (const auto& c : columns) item.values.push_back(record->Get(c));
    } else {
      item.line = broken.position.line;
      item.offset = broken.position.byte_offset;
      item.field = broken.field;
      item.reason = broken.reason;
      item.raw = broken.raw;
    }
    run.items.push_back(std::move(item));
  }
  run.warnings = (*reader)->Warnings();
  run.bytes_read = (*reader)->BytesRead();
  return run;
}

Item Rec(int64_t line, int64_t offset, std::string raw, std::vector<std::optional<std::string>> v) {
  Item i;
  i.ok = true;
  i.line = line;
  i.offset = offset;
  i.raw = std::move(raw);
  i.values = std::move(v);
  return i;
}

TEST(CsvReader, ReadsRowsByHeaderNameWithLinesAndOffsets) {
  const std::string data = "Id,Surname,Forename\n1,Smith,John\n2,Jones,\n";
  ReadRun run = ReadCsv(data, {}, {"Id", "Surname", "Forename", "Missing"});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0], Rec(2, 20, "1,Smith,John", {"1", "Smith", "John", std::nullopt}));
  // An empty cell is present and empty; an unknown column is absent.
  EXPECT_EQ(run.items[1], Rec(3, 33, "2,Jones,", {"2", "Jones", "", std::nullopt}));
  EXPECT_EQ(run.bytes_read, static_cast<int64_t>(data.size()));
  EXPECT_THAT(run.warnings, IsEmpty());
}

TEST(CsvReader, QuotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks) {
  const std::string data =
      "Id,Name,Note\r\n"
      "1,\"SMITH, John Paul\",\"said \"\"hello\"\"\"\r\n"
      "2,\"O'BRIEN, Seán\",\"two\nlines\"\r\n"
      "3,\"\",\"cr\ronly and crlf\r\nhere\"\r\n"
      "4,x,y\r\n";
  ReadRun run = ReadCsv(data, {}, {"Id", "Name", "Note"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 4u);
  EXPECT_EQ(run.items[0].values,
            (std::vector<std::optional<std::string>>{"1", "SMITH, John Paul", "said \"hello\""}));
  EXPECT_EQ(run.items[0].line, 2);
  EXPECT_EQ(run.items[1].values,
            (std::vector<std::optional<std::string>>{"2", "O'BRIEN, Seán", "two\nlines"}));
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].raw, "2,\"O'BRIEN, Seán\",\"two\nlines\"");
  // Line 4 holds a quoted LF, so record 3 starts on line 5; its CR and CRLF count a line each.
  EXPECT_EQ(run.items[2].values,
            (std::vector<std::optional<std::string>>{"3", "", "cr\ronly and crlf\r\nhere"}));
  EXPECT_EQ(run.items[2].line, 5);
  EXPECT_EQ(run.items[3].line, 8);
  EXPECT_EQ(run.items[3].offset, static_cast<int64_t>(data.find("4,x,y")));
}

TEST(CsvReader, AcceptsLfCrlfCrAndMixedLineEndingsAndSkipsEmptyLines) {
  const std::string data = "a,b\n1,2\r\n3,4\r5,6\n\n\r\n7,8";
  ReadRun run = ReadCsv(data, {}, {"a", "b"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 4u);
  EXPECT_EQ(run.items[0], Rec(2, 4, "1,2", {"1", "2"}));
  EXPECT_EQ(run.items[1], Rec(3, 9, "3,4", {"3", "4"}));
  EXPECT_EQ(run.items[2], Rec(4, 13, "5,6", {"5", "6"}));
  EXPECT_EQ(run.items[3], Rec(7, 20, "7,8", {"7", "8"}));  // no final line break
}

TEST(CsvReader, Utf8ByteOrderMarkIsDroppedAndCountedInOffsets) {
  ReadRun run = ReadCsv("\xEF\xBB\xBFRecordID,Name\r\nCSC1,Zoë\r\n", {}, {"RecordID", "Name"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0], Rec(2, 18, "CSC1,Zoë", {"CSC1", "Zoë"}));
  EXPECT_THAT(run.warnings, IsEmpty());  // UTF-8 was declared: nothing to say
}

TEST(CsvReader, ByteOrderMarkOverridesDeclaredEncodingWithAWarning) {
  CsvOptions options;
  options.encoding = "windows-1252";
  ReadRun run = ReadCsv("\xEF\xBB\xBFName\nZo\xC3\xAB\n", options, {"Name"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].values[0], "Zoë");  // not "ZoÃ«"
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].position.line, 1);
  EXPECT_THAT(run.warnings[0].message, HasSubstr("byte-order mark"));
  EXPECT_THAT(run.warnings[0].message, HasSubstr("windows-1252"));
}

TEST(CsvReader, DecodesWindows1252ToUtf8) {
  CsvOptions options;
  options.encoding = "cp1252";
  ReadRun run = ReadCsv("Forename,Note\r\nZo\xEB,\x80 5 \x93quoted\x94 it\x92s\r\n", options,
                        {"Forename", "Note"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].values[0], "Zo\xC3\xAB");  // ë
  EXPECT_EQ(run.items[0].values[1], "€ 5 “quoted” it’s");
  EXPECT_EQ(run.items[0].raw, "Zoë,€ 5 “quoted” it’s");
}

TEST(CsvReader, DecodesLatin1ToUtf8) {
  CsvOptions options;
  options.encoding = "ISO-8859-1";
  ReadRun run = ReadCsv("Name\nJos\xE9\nx\x80y\n", options, {"Name"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].values[0], "José");
  EXPECT_EQ(run.items[1].values[0], "x\xC2\x80y");  // every Latin-1 byte is defined
}

TEST(CsvReader, BytesUndefinedInWindows1252BreakTheirRecordOnly) {
  CsvOptions options;
  options.encoding = "windows-1252";
  for (const char bad : {'\x81', '\x8D', '\x8F', '\x90', '\x9D'}) {
    const std::string data = std::string("Id,Ref\r\n1,A\r\n2,X") + bad + "Y\r\n3,B\r\n";
    ReadRun run = ReadCsv(data, options, {"Ref"});
    ASSERT_TRUE(run.status.ok());
    ASSERT_EQ(run.items.size(), 3u);
    EXPECT_TRUE(run.items[0].ok);
    EXPECT_FALSE(run.items[1].ok);
    EXPECT_EQ(run.items[1].line, 3);
    EXPECT_EQ(run.items[1].field, "Ref");
    char expected[64];
    std::snprintf(expected, sizeof(expected), "byte 0x%02X is not defined in windows-1252",
                  static_cast<unsigned char>(bad));
    EXPECT_THAT(run.items[1].reason, HasSubstr(expected));
    EXPECT_THAT(run.items[1].reason, HasSubstr("at byte offset " + std::to_string(data.find(bad))));
    EXPECT_EQ(run.items[1].raw, std::string("2,X") + bad + "Y");  // the bytes as they were
    EXPECT_EQ(run.items[2].values[0], "B");
  }
}

TEST(CsvReader, InvalidUtf8BreaksTheRecordWithTheByteOffset) {
  const std::string data = "Id,Name\n1,Ann\n2,Se\xC3\x28n\n3,Bob\n";
  ReadRun run = ReadCsv(data, {}, {"Name"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_FALSE(run.items[1].ok);
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].offset, 14);
  EXPECT_EQ(run.items[1].field, "Name");
  EXPECT_THAT(run.items[1].reason, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(run.items[1].reason, HasSubstr("at byte offset 18"));  // the 0xC3
  EXPECT_EQ(run.items[2].values[0], "Bob");
}

TEST(CsvReader, RejectsOverlongSurrogateAndOutOfRangeUtf8) {
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\x80"}) {
    ReadRun run = ReadCsv("Name\nok\n" + bad + "\nfine\n", {}, {"Name"});
    ASSERT_EQ(run.items.size(), 3u) << testing::PrintToString(bad);
    EXPECT_TRUE(run.items[0].ok);
    EXPECT_FALSE(run.items[1].ok) << testing::PrintToString(bad);
    EXPECT_TRUE(run.items[2].ok);
  }
  // Four-byte characters are fine.
  ReadRun run = ReadCsv("Name\n\xF0\x9F\x98\x80\n", {}, {"Name"});
  ASSERT_EQ(run.records(), 1u);
}

TEST(CsvReader, EncodingErrorOffsetCountsDoubledQuotes) {
  CsvOptions options;
  options.encoding = "windows-1252";
  const std::string data = "A,B\n1,\"x\"\"y\x81\"\n";
  ReadRun run = ReadCsv(data, options);
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_THAT(run.items[0].reason,
              HasSubstr("at byte offset " + std::to_string(data.find('\x81'))));
}

TEST(CsvReader, StrictQuotingBreaksTheRecordAndResumesAtItsEnd) {
  const std::string data =
      "Id,Name,Town\n"
      "1,\"O\"Brien\"\",Leeds\n"        // the generator's broken quote
      "2,O\"Brien,Leeds\n"              // a quote inside an unquoted field
      "3,\"Smith\" ,Leeds\n"            // a space after the closing quote
      "4,\"Multi\nline\"x,\"and\n\"\n"  // broken, but its quoted line breaks still count
      "5,Jones,Bury\n";
  ReadRun run = ReadCsv(data, {}, {"Id"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 5u);
  EXPECT_EQ(run.items[0].line, 2);
  EXPECT_EQ(run.items[0].field, "Name");
  EXPECT_EQ(run.items[0].reason, "unexpected character after closing quote");
  EXPECT_EQ(run.items[0].raw, "1,\"O\"Brien\"\",Leeds");
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].reason, "quote inside an unquoted field");
  EXPECT_EQ(run.items[2].line, 4);
  EXPECT_EQ(run.items[2].reason, "unexpected character after closing quote");
  EXPECT_EQ(run.items[3].line, 5);
  EXPECT_FALSE(run.items[3].ok);
  EXPECT_EQ(run.items[4], Rec(8, static_cast<int64_t>(data.find("5,")), "5,Jones,Bury", {"5"}));
}

TEST(CsvReader, UnterminatedQuoteAtEndOfFileBreaksThatRecordOnly) {
  const std::string data = "Id,Note\n1,fine\n2,\"never closed\n3,after\n";
  ReadRun run = ReadCsv(data, {}, {"Id", "Note"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_TRUE(run.items[0].ok);
  EXPECT_FALSE(run.items[1].ok);
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].field, "Note");
  EXPECT_EQ(run.items[1].reason,
            "unterminated quote: the quoted field runs to the end of the file");
  // Reading resumed at the line after the one where the broken record started.
  EXPECT_EQ(run.items[2], Rec(4, static_cast<int64_t>(data.find("3,")), "3,after", {"3", "after"}));

  ReadRun last = ReadCsv("Id,Note\n1,\"open", {}, {"Id"});
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_FALSE(last.items[0].ok);
  EXPECT_EQ(last.items[0].line, 2);
}

TEST(CsvReader, UnterminatedQuoteMidFileIsCutOffAfterAThousandLines) {
  std::string data = "Id,Note\n1,\"runaway\n";
  for (int i = 0; i < 1500; ++i) data += std::to_string(i + 100) + ",row\n";
  ReadRun run = ReadCsv(data, {}, {"Id"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 1501u);
  EXPECT_FALSE(run.items[0].ok);
  EXPECT_EQ(run.items[0].line, 2);
  EXPECT_EQ(run.items[0].reason, "unterminated quote: the quoted field runs past 1000 lines");
  // Every line after it is read again, as records.
  EXPECT_EQ(run.items[1], Rec(3, 19, "100,row", {"100"}));
  EXPECT_EQ(run.items[1500].line, 1502);
  EXPECT_EQ(run.records(), 1500u);
}

TEST(CsvReader, UnterminatedQuotePastMaxRecordBytesIsCutOff) {
  CsvOptions options;
  options.max_record_bytes = 64;
  std::string data = "Id,Note\n1,\"open\n";
  for (int i = 0; i < 20; ++i) data += "2,x\n";
  ReadRun run = ReadCsv(data, options, {"Id"});
  ASSERT_EQ(run.items.size(), 21u);
  EXPECT_FALSE(run.items[0].ok);
  EXPECT_EQ(run.items[0].reason, "unterminated quote: the quoted field runs past 64 bytes");
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.records(), 20u);
}

TEST(CsvReader, RecordLongerThanTheLimitIsBrokenWithoutKeepingIt) {
  CsvOptions options;
  options.max_record_bytes = 100;
  const std::string data = "A,B\n1," + std::string(500, 'x') + "\n2,y\n";
  ReadRun run = ReadCsv(data, options, {"A"}, 16);
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_FALSE(run.items[0].ok);
  EXPECT_EQ(run.items[0].reason, "record is longer than 100 bytes");
  EXPECT_LE(run.items[0].raw.size(), 103u);
  EXPECT_EQ(run.items[1], Rec(3, 4 + 503, "2,y", {"2"}));
}

TEST(CsvReader, FieldOverMaxFieldBytesIsBroken) {
  CsvOptions options;
  options.max_field_bytes = 10;
  ReadRun run = ReadCsv("A,B\n1,0123456789\n2,0123456789X\n", options, {"B"});
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_TRUE(run.items[0].ok);
  EXPECT_FALSE(run.items[1].ok);
  EXPECT_EQ(run.items[1].field, "B");
  EXPECT_EQ(run.items[1].reason, "field is 11 bytes, over the limit of 10");
}

TEST(CsvReader, RaggedRowsAreBroken) {
  ReadRun run = ReadCsv("a,b,c\n1,2,3\n1,2\n1,2,3,4\n,,\n", {}, {"c"});
  ASSERT_EQ(run.items.size(), 4u);
  EXPECT_EQ(run.items[1].reason, "row has 2 fields, header has 3");
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].field, "");
  EXPECT_EQ(run.items[2].reason, "row has 4 fields, header has 3");
  EXPECT_EQ(run.items[3], Rec(5, 24, ",,", {""}));
}

TEST(CsvReader, NulByteBreaksTheRecord) {
  ReadRun run = ReadCsv(std::string("a,b\n1,x\0y\n2,z\n", 14), {}, {"b"});
  ASSERT_EQ(run.items.size(), 2u);
  EXPECT_EQ(run.items[0].reason, "NUL byte in field");
  EXPECT_EQ(run.items[0].field, "b");
  EXPECT_EQ(run.items[1].values[0], "z");
}

TEST(CsvReader, DuplicateOrEmptyHeaderNamesAreAFileError) {
  ReadRun dup = ReadCsv("Id,Name,Name\n1,a,b\n");
  EXPECT_EQ(dup.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.status.message(), HasSubstr("'Name' appears more than once (columns 2 and 3)"));
  ReadRun empty = ReadCsv("Id,,Town\n1,a,b\n");
  EXPECT_EQ(empty.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status.message(), HasSubstr("column 2 has no name"));
  ReadRun broken = ReadCsv("Id,\"Na\"me\n1,2\n");
  EXPECT_EQ(broken.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.status.message(), HasSubstr("header (line 1)"));
}

TEST(CsvReader, TrimHeadersFindsSpacedColumnNames) {
  CsvOptions options;
  options.trim_headers = true;
  ReadRun run = ReadCsv("rec_id, given_name, surname\nrec-1, anna, smith\n", options,
                        {"rec_id", "given_name", "surname"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 1u);
  EXPECT_EQ(run.items[0].values,
            (std::vector<std::optional<std::string>>{"rec-1", " anna", " smith"}));
  ReadRun untrimmed = ReadCsv("a, b\n1,2\n", {}, {"b", " b"});
  EXPECT_EQ(untrimmed.items[0].values,
            (std::vector<std::optional<std::string>>{std::nullopt, "2"}));
  ReadRun dup = ReadCsv("a, a\n1,2\n", options);
  EXPECT_EQ(dup.status.code(), StatusCode::kInvalidArgument);
}

TEST(CsvReader, EmptyAndHeaderOnlyFilesHaveNoRecords) {
  for (const std::string data : {"", "\n\n", "\xEF\xBB\xBF", "a,b", "a,b\n", "a,b\r\n\r\n"}) {
    ReadRun run = ReadCsv(data);
    EXPECT_TRUE(run.status.ok()) << testing::PrintToString(data);
    EXPECT_THAT(run.items, IsEmpty()) << testing::PrintToString(data);
  }
}

TEST(CsvReader, TooManyColumns) {
  CsvOptions options;
  options.max_columns = 5;
  ReadRun header = ReadCsv("a,b,c,d,e,f\n", options);
  EXPECT_EQ(header.status.code(), StatusCode::kResourceExhausted);
  ReadRun row = ReadCsv("a,b\n1,2,3,4,5,6,7,8,9\n3,4\n", options, {"a"});
  ASSERT_EQ(row.items.size(), 2u);
  EXPECT_EQ(row.items[0].reason, "row has 9 fields, header has 2");
  EXPECT_EQ(row.items[1].values[0], "3");
}

TEST(CsvReader, WithoutHeaderColumnsAreNumbered) {
  CsvOptions options;
  options.header = false;
  options.delimiter = '\t';
  ReadRun run = ReadCsv("x\ty\tz\n1\t2\t3\n4\t5\n", options, {"1", "3", "4"});
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_EQ(run.items[0], Rec(1, 0, "x\ty\tz", {"x", "z", std::nullopt}));
  EXPECT_EQ(run.items[1].values, (std::vector<std::optional<std::string>>{"1", "3", std::nullopt}));
  EXPECT_EQ(run.items[2].reason, "row has 2 fields, first row has 3");
}

TEST(CsvReader, ByteOrderMarkMidFileIsDroppedWithAWarningAndRepeatedHeaderIsBroken) {
  const std::string data = "Id,Name\n1,a\n\xEF\xBB\xBFId,Name\n2,b\n";
  ReadRun run = ReadCsv(data, {}, {"Id"});
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.items.size(), 3u);
  EXPECT_TRUE(run.items[0].ok);
  EXPECT_FALSE(run.items[1].ok);
  EXPECT_EQ(run.items[1].line, 3);
  EXPECT_EQ(run.items[1].reason, "row repeats the header (were two files joined?)");
  EXPECT_EQ(run.items[2].values[0], "2");
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].position.line, 3);
  EXPECT_THAT(run.warnings[0].message, HasSubstr("byte-order mark"));
}

TEST(CsvReader, WarnsWhenTheHeaderLooksLikeTheWrongDelimiter) {
  ReadRun run = ReadCsv("Id;Name\n1;a\n", {}, {"Id;Name"});
  ASSERT_EQ(run.records(), 1u);
  EXPECT_EQ(run.items[0].values[0], "1;a");
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].message,
            "the header is one column holding ';': is the delimiter right?");
  EXPECT_THAT(ReadCsv("Id\n1\n").warnings, IsEmpty());
}

TEST(CsvReader, RejectsUtf16AndUnknownEncodingsAndBadOptions) {
  EXPECT_EQ(ReadCsv("\xFF\xFEI\0d\0").status.code(), StatusCode::kInvalidArgument);
  CsvOptions unknown;
  unknown.encoding = "ebcdic";
  EXPECT_THAT(ReadCsv("a\n1\n", unknown).status.message(), HasSubstr("unknown encoding"));
  CsvOptions same;
  same.delimiter = '"';
  EXPECT_EQ(ReadCsv("a\n", same).status.code(), StatusCode::kInvalidArgument);
}

TEST(CsvReader, OpensFilesAndReportsMissingOnes) {
  auto missing = OpenCsvReader("/nonexistent/tessera.csv", {});
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  const auto path = std::filesystem::temp_directory_path() /
                    ("csv_reader_test_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".csv");
  {
    std::ofstream out(path, std::ios::binary);
    out << "PersonLinkID,Forename\r\nDAP1,Zo\xEB\r\n";
  }
  CsvOptions options;
  options.encoding = "windows-1252";
  auto reader = OpenCsvReader(path.string(), options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Record* record = nullptr;
  BrokenRecord broken;
  auto outcome = (*reader)->Next(record, broken);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(*outcome, ReadOutcome::kRecord);
  EXPECT_EQ(record->Get("Forename"), "Zoë");
  EXPECT_EQ(record->Position().line, 2);
  EXPECT_EQ(record->Kind(), "");
  EXPECT_EQ(*(*reader)->Next(record, broken), ReadOutcome::kEnd);
  std::filesystem::remove(path);
}

// Every way of cutting the file into reads gives the same records, broken records and lines.
TEST(CsvReader, ResultsDoNotDependOnHowTheFileIsCutIntoReads) {
  std::string data =
      "\xEF\xBB\xBFId,Name,Note\r\n"
      "1,\"SMITH, John\",\"a\r\nb\"\r\n"
      "2,O\"Brien,x\n"
      "3,\"ok\"\"\",\r"
      "\n"
      "4,Se\xC3\x28n,y\r\n"
      "5,a,\"" +
      std::string(300, 'q') +
      "\"\n"
      "6,b\n"
      "7,\"open\n"
      "8,c,d\r\n"
      "\xEF\xBB\xBF"
      "9,e,f\r\n";
  CsvOptions options;
  options.max_record_bytes = 200;
  const std::vector<std::string> columns = {"Id", "Name", "Note"};
  const ReadRun whole = ReadCsv(data, options, columns);
  ASSERT_TRUE(whole.status.ok());
  ASSERT_GE(whole.items.size(), 8u);
  for (size_t chunk : {1, 2, 3, 4, 5, 7, 13, 64, 199, 256}) {
    const ReadRun cut = ReadCsv(data, options, columns, chunk);
    ASSERT_TRUE(cut.status.ok());
    EXPECT_EQ(cut.items, whole.items) << "chunk " << chunk;
    EXPECT_EQ(cut.warnings.size(), whole.warnings.size());
    EXPECT_EQ(cut.bytes_read, static_cast<int64_t>(data.size()));
  }
}

}  // namespace
}  // namespace tessera::ingest
