#include "core/ascii.h"

#include <algorithm>

namespace tessera::ascii {

std::string QuotedForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 48;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(std::min(text.size(), kMaxShown) + 8);
  out += '\'';
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '\'';
  return out;
}

}  // namespace tessera::ascii
