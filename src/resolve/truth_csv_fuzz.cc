// libFuzzer harness for the truth-file reader of `tessera evaluate`: any bytes give the truth
// or an error naming the file, never a crash, hang or escaping exception; a file that reads
// reads again to the same records.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "resolve/evaluate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto truth = tessera::resolve::ParseTruthCsv(text, "fuzz.csv");
  if (!truth.ok()) {
    CHECK(truth.status().message().rfind("fuzz.csv", 0) == 0);
    return 0;
  }
  auto again = tessera::resolve::ParseTruthCsv(text, "fuzz.csv");
  CHECK(again.ok() && again->records.size() == truth->records.size());
  return 0;
}
