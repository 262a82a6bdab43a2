// libFuzzer harness for the linkage-model file reader: any bytes give a model or an error
// naming the file, never a crash, hang or escaping exception; a model that reads writes back to
// JSON that reads to the same model.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "resolve/linkage_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto model = tessera::resolve::LinkageModel::FromJson(text, "fuzz.json");
  if (!model.ok()) {
    CHECK(model.status().message().rfind("fuzz.json", 0) == 0);
    return 0;
  }
  const std::string written = model->ToJson();
  auto again = tessera::resolve::LinkageModel::FromJson(written, "fuzz.json");
  CHECK(again.ok() && again->ToJson() == written);
  return 0;
}
