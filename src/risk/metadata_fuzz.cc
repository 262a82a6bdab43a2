// libFuzzer harness for a risk model's metadata.json as the hub reads it back: any bytes give
// either the metadata or a Corruption naming the file (ParseModelMetadata), and either a
// transparency record or an InvalidArgument (TransparencyRecord); never a crash, a hang or an
// escaping exception. The file is the hub's own, but a file can be damaged or edited.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "risk/risk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;  // NOLINT(google-build-using-namespace): a fuzz harness
  if (size > 256 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto metadata = risk::ParseModelMetadata(text, "v9/metadata.json");
  if (!metadata.ok()) {
    CHECK(metadata.status().code() == StatusCode::kCorruption);
    CHECK(metadata.status().message().find("v9/metadata.json") != std::string::npos);
  } else {
    // Every outcome has a title: the file's, the catalogue's, or the outcome's own id.
    CHECK(!metadata->outcome_title.empty() || metadata->outcome.empty());
  }
  auto record = risk::TransparencyRecord(text, nullptr);
  if (!record.ok()) {
    CHECK(record.status().code() == StatusCode::kInvalidArgument);
  } else {
    CHECK(!record->empty());
  }
  return 0;
}
