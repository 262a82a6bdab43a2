// libFuzzer harness for pushed JSON records (OpenJsonRecordsReader). The first byte chooses
// whether fields are member names or JSON paths; the rest is the body. A body is either refused
// whole (InvalidArgument) or read to the end; every record read is a JSON object within the
// depth limit, and the same body read twice gives the same records.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/check.h"
#include "ingest/push_reader.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"

namespace {

using tessera::ingest::BrokenRecord;
using tessera::ingest::JsonOptions;
using tessera::ingest::ReadOutcome;
using tessera::ingest::Record;

// The records' raw text ("!" + reason for a broken one), or nothing when the body is refused.
std::optional<std::vector<std::string>> ReadAll(const std::string& body, bool by_column_name) {
  JsonOptions options;
  options.max_depth = 8;
  options.max_record_bytes = 4096;
  auto reader = tessera::ingest::OpenJsonRecordsReader(body, options, by_column_name);
  if (!reader.ok()) {
    CHECK(reader.status().code() == tessera::StatusCode::kInvalidArgument);
    return std::nullopt;
  }
  std::vector<std::string> out;
  const Record* record = nullptr;
  BrokenRecord broken;
  for (;;) {
    auto outcome = (*reader)->Next(record, broken);
    CHECK(outcome.ok());
    if (*outcome == ReadOutcome::kEnd) break;
    if (*outcome == ReadOutcome::kBroken) {
      out.push_back("!" + broken.reason);
      continue;
    }
    CHECK(tessera::ingest::internal::JsonNestingDepth(record->Raw(), options.max_depth) <=
          options.max_depth);
    CHECK(nlohmann::json::parse(record->Raw(), nullptr, false).is_object());
    (void)record->Get("a");
    (void)record->Get("a.b[0]");
    out.push_back(record->Raw());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool by_column_name = (data[0] & 1) != 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto first = ReadAll(body, by_column_name);
  CHECK(first == ReadAll(body, by_column_name));
  return 0;
}
