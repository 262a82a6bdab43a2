// libFuzzer harness for the JSON Lines reader and JSON paths. The first bytes choose the depth
// and size limits and a read-chunk size; the rest is the file. The file is read in chunks and
// in one go and the runs must agree. Records must be JSON objects in valid UTF-8, within the
// depth limit; a path that validates must evaluate without trouble on every record, and one
// that does not must find nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"
#include "ingest/text_encoding.h"

namespace {

using tessera::ingest::BrokenRecord;
using tessera::ingest::JsonOptions;
using tessera::ingest::ReadOutcome;
using tessera::ingest::Record;

struct Outcome {
  bool ok;
  int64_t line;
  int64_t offset;
  std::string text;

  bool operator==(const Outcome&) const = default;
};

std::vector<Outcome> ReadAll(std::string_view file, const JsonOptions& options, size_t chunk,
                             std::string_view path) {
  auto reader =
      tessera::ingest::internal::OpenJsonLinesReaderFromString(std::string(file), options, chunk);
  CHECK(reader.ok());
  const bool path_ok = tessera::ingest::ValidateJsonPath(path).ok();
  std::vector<Outcome> outcomes;
  const Record* record = nullptr;
  BrokenRecord broken;
  int64_t last_line = 0;
  for (;;) {
    auto outcome = (*reader)->Next(record, broken);
    CHECK(outcome.ok());
    if (*outcome == ReadOutcome::kEnd) break;
    Outcome o;
    if (*outcome == ReadOutcome::kRecord) {
      o.ok = true;
      o.line = record->Position().line;
      o.offset = record->Position().byte_offset;
      o.text = record->Raw();
      CHECK(tessera::ingest::FindInvalidUtf8(o.text) == std::string_view::npos);
      CHECK(o.text.size() <= options.max_record_bytes);
      CHECK(tessera::ingest::internal::JsonNestingDepth(o.text, options.max_depth) <=
            options.max_depth);
      const auto parsed = nlohmann::json::parse(o.text, nullptr, false);
      CHECK(parsed.is_object());
      const auto value = record->Get(path);
      if (!path_ok) CHECK(!value.has_value());
      if (value) {
        CHECK(tessera::ingest::FindInvalidUtf8(*value) == std::string_view::npos);
        o.text += "|" + *value;
      }
    } else {
      o.ok = false;
      o.line = broken.position.line;
      o.offset = broken.position.byte_offset;
      o.text = broken.reason + "|" + broken.raw;
      CHECK(!broken.reason.empty());
      CHECK(broken.raw.size() <= tessera::ingest::internal::kMaxBrokenRawBytes);
      for (char ch : broken.reason) CHECK(ch >= 0x20 && ch < 0x7F);  // one safe ASCII line
    }
    CHECK(o.line > last_line);
    CHECK(o.offset >= 0 && o.offset < static_cast<int64_t>(file.size()));
    last_line = o.line;
    outcomes.push_back(std::move(o));
  }
  CHECK((*reader)->BytesRead() == static_cast<int64_t>(file.size()));
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t a = data[0];
  const uint8_t b = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  // A JSON path to try on every record: the input up to the first NUL, if there is one.
  std::string_view path = "person.surname";
  const size_t nul = rest.find('\0');
  if (nul != std::string_view::npos && nul < 200) {
    path = rest.substr(0, nul);
    rest.remove_prefix(nul + 1);
  }
  JsonOptions options;
  options.max_depth = 1 + (a & 0x3F);
  if (a & 0x80) options.max_record_bytes = 4 + b;
  const size_t chunk = 1 + (b & 0x1F);
  CHECK(ReadAll(rest, options, chunk, path) ==
        ReadAll(rest, options, tessera::ingest::internal::kDefaultReadChunk, path));
  return 0;
}
