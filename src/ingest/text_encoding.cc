#include "ingest/text_encoding.h"

#include <unicode/ucnv.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cstring>
#include <memory>

#include "core/ascii.h"

namespace tessera::ingest {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::string HexByte(unsigned char b) {
  std::string s = "0x";
  s += kHex[b >> 4];
  s += kHex[b & 0xf];
  return s;
}

// True when the 8 bytes at `p` are all ASCII.
inline bool AllAscii8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return (word & 0x8080808080808080ULL) == 0;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// Canonical names of the encodings partners may declare.
std::string_view CanonicalName(std::string_view declared) {
  std::string lower;
  for (char c : ascii::TrimBlanks(declared)) lower += ascii::ToLower(c);
  if (lower == "utf-8" || lower == "utf8") return "utf-8";
  if (lower == "windows-1252" || lower == "cp1252" || lower == "windows1252") {
    return "windows-1252";
  }
  if (lower == "iso-8859-1" || lower == "iso8859-1" || lower == "latin1" || lower == "latin-1") {
    return "iso-8859-1";
  }
  return {};
}

void AppendUtf8(uint32_t cp, std::array<char, 4>& entry) {
  // entry[0] holds the length; the UTF-8 bytes follow (at most three for a BMP code point).
  if (cp < 0x80) {
    entry = {1, static_cast<char>(cp), 0, 0};
  } else if (cp < 0x800) {
    entry = {2, static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F)), 0};
  } else {
    entry = {3, static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
             static_cast<char>(0x80 | (cp & 0x3F))};
  }
}

}  // namespace

TextDecoder TextDecoder::Utf8() { return TextDecoder(); }

Result<TextDecoder> TextDecoder::Create(std::string_view encoding) {
  const std::string_view canonical = CanonicalName(encoding);
  if (canonical.empty()) {
    return Status::InvalidArgument("unknown encoding " + ascii::QuotedForMessage(encoding) +
                                   " (expected utf-8, windows-1252 or iso-8859-1)");
  }
  TextDecoder decoder;
  decoder.name_ = std::string(canonical);
  if (canonical == "utf-8") return decoder;
  decoder.utf8_ = false;

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> converter(ucnv_open(decoder.name_.c_str(), &status));
  if (U_FAILURE(status) || !converter) {
    return Status::Internal("ICU cannot open a converter for " + decoder.name_ + ": " +
                            u_errorName(status));
  }
  // Unmapped bytes must stop the conversion rather than become U+FFFD silently.
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status) || ucnv_getMaxCharSize(converter.get()) != 1) {
    return Status::Internal("ICU converter for " + decoder.name_ + " is not a single-byte charset");
  }
  for (int b = 0; b < 256; ++b) {
    const char in = static_cast<char>(b);
    UChar out[4];
    UErrorCode byte_status = U_ZERO_ERROR;
    ucnv_reset(converter.get());
    const int32_t n = ucnv_toUChars(converter.get(), out, 4, &in, 1, &byte_status);
    if (U_FAILURE(byte_status) || n != 1 || U16_IS_SURROGATE(out[0])) continue;  // undefined
    AppendUtf8(out[0], decoder.table_[static_cast<size_t>(b)]);
  }
  if (decoder.name_ == "windows-1252") {
    // ICU's windows-1252 (ibm-5348) maps these five to the C1 controls U+0081.. so that any byte
    // round-trips; Microsoft's and Unicode's tables leave them undefined, and a Windows system
    // cannot have produced them as text. A record holding one is damaged, so say so.
    for (int b : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) decoder.table_[static_cast<size_t>(b)] = {};
  }
  return decoder;
}

bool TextDecoder::Decode(std::string_view in, std::string& out, DecodeError& error) const {
  if (utf8_) {
    const size_t bad = FindInvalidUtf8(in);
    if (bad == std::string_view::npos) {
      out.append(in);
      return true;
    }
    out.append(in.substr(0, bad));
    error.index = bad;
    error.reason = "invalid UTF-8 (byte " + HexByte(static_cast<unsigned char>(in[bad])) + ")";
    return false;
  }
  const size_t start = out.size();
  out.resize(start + in.size() * 3);  // at most three UTF-8 bytes per input byte
  char* dst = out.data() + start;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) {
      *dst++ = static_cast<char>(b);
      continue;
    }
    const std::array<char, 4>& entry = table_[b];
    if (entry[0] == 0) {
      out.resize(static_cast<size_t>(dst - out.data()));
      error.index = i;
      error.reason = "byte " + HexByte(b) + " is not defined in " + name_;
      return false;
    }
    for (int k = 1; k <= entry[0]; ++k) *dst++ = entry[static_cast<size_t>(k)];
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return true;
}

size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && AllAscii8(text.data() + i)) {
      i += 8;
      continue;
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    // ICU's U8_NEXT rejects overlong forms, surrogates and values past U+10FFFF. It counts in
    // int32_t, so it is shown a window that starts at this sequence and is never cut short of
    // four bytes except by the end of the text.
    const size_t window = n - i < (size_t{1} << 30) ? n - i : (size_t{1} << 30);
    int32_t k = 0;
    UChar32 c = 0;
    U8_NEXT(s + i, k, static_cast<int32_t>(window), c);
    if (c < 0) return i;
    i += static_cast<size_t>(k);
  }
  return std::string_view::npos;
}

}  // namespace tessera::ingest
