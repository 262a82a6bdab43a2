// Small ASCII helpers shared by core's parsers. Locale-free on purpose: partner data is bytes,
// and <cctype> depends on the locale and is undefined for negative chars.
#pragma once

#include <string>
#include <string_view>

namespace tessera::ascii {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsLetter(char c) { return IsUpper(c) || IsLower(c); }
inline char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
inline char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Whole strings, ASCII letters only: other bytes (UTF-8 included) are left as they are.
inline std::string UpperCase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ToUpper(c);
  return out;
}
inline std::string LowerCase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ToLower(c);
  return out;
}

inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Quotes an offending value for an error message. Partners send arbitrary bytes, so the quote
// is cut short and non-printable bytes are escaped, keeping every message one safe ASCII line.
std::string QuotedForMessage(std::string_view text);

// Partner bytes made safe to print on a terminal, in full: printable ASCII and well-formed UTF-8
// letters ("Zoë") are kept; every other byte (control characters such as ESC, CR and LF,
// backslash, bytes that are not UTF-8, and UTF-8 that encodes C1 controls or invisible and
// bidirectional formatting characters) is written as \xNN. So a hostile row cannot move the
// cursor, retitle the window or reorder what is shown, and the output maps back to the bytes.
std::string EscapedForTerminal(std::string_view bytes);

}  // namespace tessera::ascii
