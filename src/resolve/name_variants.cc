#include "resolve/name_variants.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/ascii.h"
#include "core/check.h"
#include "reference/reference_data.h"

namespace tessera::resolve {
namespace {

constexpr size_t kInlineName = 64;

const NameVariants& BuildEmbedded(std::string_view file_name) {
  Result<NameVariants> built = NameVariants::FromCsv(reference::ReferenceFile(file_name));
  // The files are compiled into the binary: a failure here is a broken build.
  CHECK(built.ok());
  return *new NameVariants(std::move(built).value());
}

}  // namespace

Result<NameVariants> NameVariants::FromCsv(std::string_view csv_text) {
  const size_t header_end = csv_text.find('\n');
  if (csv_text.empty() || header_end == 0) {
    return Status::InvalidArgument("name variants CSV has no header line");
  }
  NameVariants table;
  auto intern = [&table](std::string upper) {
    auto [it, inserted] = table.ids_.try_emplace(upper, static_cast<int32_t>(table.names_.size()));
    if (inserted) table.names_.push_back(std::move(upper));
    return it->second;
  };
  // group (the id of its head name) -> members, head included.
  std::vector<std::vector<int32_t>> groups;
  size_t pos = header_end == std::string_view::npos ? csv_text.size() : header_end + 1;
  while (pos < csv_text.size()) {
    size_t end = csv_text.find('\n', pos);
    if (end == std::string_view::npos) end = csv_text.size();
    const std::vector<std::string> fields =
        reference::SplitCsvLine(csv_text.substr(pos, end - pos));
    pos = end + 1;
    if (fields.size() < 2 || fields[0].empty() || fields[1].empty()) continue;
    const int32_t head = intern(ascii::UpperCase(fields[0]));
    const int32_t variant = intern(ascii::UpperCase(fields[1]));
    if (groups.size() < table.names_.size()) groups.resize(table.names_.size());
    auto& group = groups[static_cast<size_t>(head)];
    if (group.empty()) group.push_back(head);
    group.push_back(variant);
  }
  groups.resize(table.names_.size());

  // Every pair within a group are variants of each other.
  std::vector<std::vector<int32_t>> neighbours(table.names_.size());
  for (auto& group : groups) {
    std::sort(group.begin(), group.end());
    group.erase(std::unique(group.begin(), group.end()), group.end());
    for (int32_t member : group) {
      auto& list = neighbours[static_cast<size_t>(member)];
      list.insert(list.end(), group.begin(), group.end());
    }
  }
  table.offsets_.reserve(table.names_.size() + 1);
  table.offsets_.push_back(0);
  for (size_t id = 0; id < neighbours.size(); ++id) {
    auto& list = neighbours[id];
    list.push_back(static_cast<int32_t>(id));  // a name is its own variant
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    table.variants_.insert(table.variants_.end(), list.begin(), list.end());
    table.offsets_.push_back(static_cast<uint32_t>(table.variants_.size()));
  }
  return table;
}

const NameVariants& NameVariants::FirstNames() {
  static const NameVariants& table = BuildEmbedded("uk_first_name_variants.csv");
  return table;
}

const NameVariants& NameVariants::LastNames() {
  static const NameVariants& table = BuildEmbedded("uk_last_name_variants.csv");
  return table;
}

int32_t NameVariants::Id(std::string_view upper_name) const {
  const auto it = ids_.find(upper_name);
  return it == ids_.end() ? -1 : it->second;
}

bool NameVariants::AreVariantIds(int32_t a, int32_t b) const {
  if (a < 0 || b < 0) return false;
  const size_t size = names_.size();
  if (static_cast<size_t>(a) >= size || static_cast<size_t>(b) >= size) return false;
  const int32_t* first = variants_.data() + offsets_[static_cast<size_t>(a)];
  const int32_t* last = variants_.data() + offsets_[static_cast<size_t>(a) + 1];
  return std::binary_search(first, last, b);
}

bool NameVariants::AreVariants(std::string_view a, std::string_view b) const {
  auto id_of = [this](std::string_view name) {
    if (name.size() > kInlineName) return Id(ascii::UpperCase(name));
    char upper[kInlineName];
    for (size_t i = 0; i < name.size(); ++i) upper[i] = ascii::ToUpper(name[i]);
    return Id(std::string_view(upper, name.size()));
  };
  return AreVariantIds(id_of(a), id_of(b));
}

std::vector<int32_t> NameVariants::VariantIdsOf(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= names_.size()) return {};
  return std::vector<int32_t>(variants_.begin() + offsets_[static_cast<size_t>(id)],
                              variants_.begin() + offsets_[static_cast<size_t>(id) + 1]);
}

}  // namespace tessera::resolve
