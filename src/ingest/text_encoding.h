// Turning a partner file's bytes into UTF-8. Internal to ingest.
//
// Partners declare an encoding per source (docs/formats/mapping.md): UTF-8, Windows-1252 or
// ISO-8859-1. Both single-byte charsets come from ICU: at Create() a converter is opened and
// asked for each of the 256 bytes once, so decoding a field afterwards is a table lookup per
// non-ASCII byte rather than an ICU call per field (the readers decode every cell of every row).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tessera::ingest {

// Where and why a text could not be decoded.
struct DecodeError {
  size_t index = 0;    // of the offending byte in the input
  std::string reason;  // "byte 0x81 is not defined in windows-1252", "invalid UTF-8 (0xC3 0x28)"
};

class TextDecoder {
 public:
  // "utf-8" / "utf8", "windows-1252" / "cp1252", "iso-8859-1" / "latin1" / "latin-1", any case.
  static Result<TextDecoder> Create(std::string_view encoding);
  static TextDecoder Utf8();

  bool is_utf8() const { return utf8_; }
  // The canonical name: "utf-8", "windows-1252" or "iso-8859-1".
  const std::string& name() const { return name_; }

  // Appends `in` as UTF-8 to `out`. For UTF-8 input that is a validated copy. Returns false at
  // the first byte that is invalid in the encoding, with `error` saying which; `out` then holds
  // a partial result.
  bool Decode(std::string_view in, std::string& out, DecodeError& error) const;

 private:
  TextDecoder() = default;

  bool utf8_ = true;
  std::string name_ = "utf-8";
  // Single-byte charsets: the UTF-8 bytes of each byte value (length in [0]; 0 = undefined).
  std::array<std::array<char, 4>, 256> table_{};
};

// Index of the first byte of `text` that starts an ill-formed UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF are ill-formed), or npos when all of it is well-formed.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace tessera::ingest
