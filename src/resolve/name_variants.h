// Nicknames, short forms and spelling variants of names ("Bob" for "Robert", "Adamson" for
// "Adams"), from the ONS-derived tables in data/reference/ (see SOURCES.md).
//
// Each row "name,variant,freq" puts `variant` in the group of `name`, and `name` is in its own
// group. Two names are variants when they share a group: one lists the other, or both are
// listed under a third name (ROB and BOBBY are both variants of BOB, so they are variants of each
// other). Groups are not chained further: two names that each share a group with a third, but
// none with each other, are not variants (MACKENZI ~ MACKENZIE ~ MAKENZI, yet MACKENZI is not
// MAKENZI), because chains would join unrelated names through short forms that serve several
// names. The shipped tables are symmetric, so in practice two names are variants when one lists
// the other or both are listed under a third.
//
// The resolver interns each record's names once (Id) and compares ids per candidate pair
// (AreVariantIds): a binary search in a short sorted list, no hashing and no allocation.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace tessera::resolve {

class NameVariants {
 public:
  // Parses CSV text whose first line is a header and whose first two columns are a name and
  // its variant (further columns, such as a frequency, are ignored). Names are compared
  // case-insensitively and kept upper-case. Rows with fewer than two columns or an empty name
  // are skipped. InvalidArgument if the text has no header line.
  static Result<NameVariants> FromCsv(std::string_view csv_text);

  // Built on first use from the embedded data/reference/uk_first_name_variants.csv and
  // uk_last_name_variants.csv; thread-safe, never destroyed.
  static const NameVariants& FirstNames();
  static const NameVariants& LastNames();

  // The id of an upper-case name, or -1 if the table does not know it. Ids are dense, from 0.
  int32_t Id(std::string_view upper_name) const;

  // Whether the names with these ids share a group. A known name is a variant of itself;
  // -1 (unknown) is a variant of nothing.
  bool AreVariantIds(int32_t a, int32_t b) const;

  // The same for names in any case ("bob", "Robert"). Each name is upper-cased (on the stack
  // for names up to 64 bytes) and looked up.
  bool AreVariants(std::string_view a, std::string_view b) const;

  // How many distinct names the table holds.
  size_t size() const { return names_.size(); }
  // The upper-case name with this id (0 <= id < size()).
  const std::string& Name(int32_t id) const { return names_[static_cast<size_t>(id)]; }
  // The ids of the names that share a group with `id` (itself included), sorted.
  std::vector<int32_t> VariantIdsOf(int32_t id) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  NameVariants() = default;

  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> ids_;
  // Compressed rows: the sorted variant ids of name i are
  // variants_[offsets_[i]] .. variants_[offsets_[i + 1] - 1].
  std::vector<uint32_t> offsets_;
  std::vector<int32_t> variants_;
};

}  // namespace tessera::resolve
