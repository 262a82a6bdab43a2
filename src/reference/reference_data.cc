#include "reference/reference_data.h"

#include <cstddef>
#include <utility>

namespace tessera::reference {

// Symbols defined by the generated assembler file reference_blobs.S (.incbin of each file).
#define TESSERA_REFERENCE_FILE(symbol, file_name)       \
  extern "C" const char tessera_ref_##symbol##_begin[]; \
  extern "C" const char tessera_ref_##symbol##_end[];
#include "reference_files.inc"
#undef TESSERA_REFERENCE_FILE

std::string_view ReferenceFile(std::string_view name) {
#define TESSERA_REFERENCE_FILE(symbol, file_name)                                        \
  if (name == file_name) {                                                               \
    return std::string_view(                                                             \
        tessera_ref_##symbol##_begin,                                                    \
        static_cast<size_t>(tessera_ref_##symbol##_end - tessera_ref_##symbol##_begin)); \
  }
#include "reference_files.inc"
#undef TESSERA_REFERENCE_FILE
  return {};
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

}  // namespace tessera::reference
