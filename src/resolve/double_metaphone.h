// Double Metaphone (Lawrence Philips, C/C++ Users Journal, June 2000): a phonetic key for
// names that tolerates the spellings of English, Germanic, Slavic, Romance, Greek and Chinese
// origin, giving an alternate key where a name has two plausible pronunciations
// ("Smith" SM0/XMT, "Schmidt" XMT/SMT: both can be XMT). "0" stands for "th", "X" for "sh"/"ch".
// Written here from the published rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tessera::resolve {

struct MetaphoneCodes {
  std::string primary;
  // Always filled: equal to `primary` when the name has only one pronunciation (Philips' code
  // leaves it empty then), so that "primary or alternate agree" needs no special case.
  std::string alternate;

  friend bool operator==(const MetaphoneCodes&, const MetaphoneCodes&) = default;
};

// The primary and alternate keys of `name`, each cut to `max_length` characters (Philips
// used 4; pass a large value for the whole key). ASCII letters in any case are encoded; a
// run of spaces, tabs or hyphens separates words ("San Jacinto", "Van Dyke", the rules look
// at word boundaries) and every other byte is ignored ("O'Brien" = "OBrien"). A name without
// letters gives two empty keys.
MetaphoneCodes DoubleMetaphone(std::string_view name, size_t max_length = 4);

}  // namespace tessera::resolve
