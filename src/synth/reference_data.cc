#include "synth/reference_data.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/ascii.h"
#include "reference/reference_data.h"

namespace tessera::synth {

void WeightedIndex::Add(uint32_t value, double weight) {
  if (weight <= 0) return;
  values_.push_back(value);
  cumulative_.push_back((cumulative_.empty() ? 0.0 : cumulative_.back()) + weight);
}

uint32_t WeightedIndex::Pick(Rng& rng) const {
  const double target = rng.Uniform() * cumulative_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
  const size_t i = std::min(static_cast<size_t>(it - cumulative_.begin()), values_.size() - 1);
  return values_[i];
}

std::string DisplayCase(std::string_view name) {
  std::string out(name);
  bool start = true;
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (std::isalpha(c)) {
      out[i] = static_cast<char>(start ? std::toupper(c) : std::tolower(c));
      start = false;
    } else {
      start = (c == '\'' || c == '-' || c == ' ');
    }
  }
  // Mc prefixes: McDonald. (Mac is left alone: Mackenzie, Macey.)
  if (out.size() > 3 && out[0] == 'M' && out[1] == 'c') {
    out[2] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[2])));
  }
  return out;
}

namespace {

double ToDouble(const std::string& s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

int ToInt(const std::string& s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Calls fn(fields) for each data line (the header is skipped).
template <typename Fn>
Status ForEachRow(std::string_view file_name, size_t min_fields, Fn fn) {
  const std::string_view text = reference::ReferenceFile(file_name);
  if (text.empty()) {
    return Status::Internal("reference file " + std::string(file_name) + " is not embedded");
  }
  size_t pos = 0;
  bool header = true;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (header) {
      header = false;
      continue;
    }
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = reference::SplitCsvLine(line);
    if (fields.size() < min_fields) continue;
    fn(fields);
  }
  return Status::Ok();
}

uint32_t InternGiven(ReferenceData& data, std::string_view raw) {
  std::string upper = ascii::UpperCase(raw);
  auto it = data.given_by_upper.find(upper);
  if (it != data.given_by_upper.end()) return it->second;
  const auto index = static_cast<uint32_t>(data.given_names.size());
  data.given_names.push_back(DisplayCase(raw));
  data.given_by_upper.emplace(std::move(upper), index);
  return index;
}

}  // namespace

uint32_t ReferenceData::PickGiven(Rng& rng, int sex, int year) const {
  if (year >= 1996) {
    const int i = std::min(year, 2018) - 1996;
    return given_by_year[sex][i].Pick(rng);
  }
  const int decade = std::clamp((year - 1904) / 10, 0, 9);
  return given_by_decade[sex][decade].Pick(rng);
}

Result<ReferenceData> LoadReferenceData() {
  ReferenceData data;
  for (int sex = 0; sex < 2; ++sex) {
    data.given_by_year[sex].resize(2018 - 1996 + 1);
    data.given_by_decade[sex].resize(10);
  }

  TRY(ForEachRow("uk_first_names_by_year.csv", 4, [&](const std::vector<std::string>& f) {
    const int year = ToInt(f[3]);
    if (year < 1996 || year > 2018) return;
    const int sex = f[2] == "male" ? kMaleIndex : kFemaleIndex;
    data.given_by_year[sex][year - 1996].Add(InternGiven(data, f[0]), ToDouble(f[1]));
  }));
  TRY(ForEachRow("ew_top_first_names_by_decade_1904_1994.csv", 4,
                 [&](const std::vector<std::string>& f) {
                   const int year = ToInt(f[0]);
                   const int rank = ToInt(f[3]);
                   if (year < 1904 || year > 1994 || rank <= 0) return;
                   const int sex = f[1] == "M" ? kMaleIndex : kFemaleIndex;
                   // The file gives ranks only: a Zipf-like weight 1/rank^0.9 is close to the
                   // published shares of the top 100.
                   data.given_by_decade[sex][(year - 1904) / 10].Add(InternGiven(data, f[2]),
                                                                     1.0 / std::pow(rank, 0.9));
                 }));
  TRY(ForEachRow("uk_first_name_variants.csv", 3, [&](const std::vector<std::string>& f) {
    auto it = data.given_by_upper.find(ascii::UpperCase(f[0]));
    if (it == data.given_by_upper.end() || f[1].size() < 2) return;
    const uint32_t from = it->second;
    const uint32_t to = InternGiven(data, f[1]);
    if (from != to) data.given_variants[from].Add(to, ToDouble(f[2]));
  }));

  std::unordered_map<std::string, uint32_t> surname_by_upper;
  TRY(ForEachRow("uk_last_names.csv", 2, [&](const std::vector<std::string>& f) {
    const auto index = static_cast<uint32_t>(data.surnames.size());
    data.surnames.push_back(DisplayCase(f[0]));
    surname_by_upper.emplace(ascii::UpperCase(f[0]), index);
    data.surname_choice.Add(index, ToDouble(f[1]));
  }));
  TRY(ForEachRow("uk_last_name_variants.csv", 3, [&](const std::vector<std::string>& f) {
    auto from = surname_by_upper.find(ascii::UpperCase(f[0]));
    if (from == surname_by_upper.end()) return;
    auto to = surname_by_upper.find(ascii::UpperCase(f[1]));
    uint32_t to_index;
    if (to == surname_by_upper.end()) {
      to_index = static_cast<uint32_t>(data.surnames.size());
      data.surnames.push_back(DisplayCase(f[1]));
      surname_by_upper.emplace(ascii::UpperCase(f[1]), to_index);
    } else {
      to_index = to->second;
    }
    if (to_index != from->second) data.surname_variants[from->second].push_back(to_index);
  }));

  TRY(ForEachRow("gb_places.csv", 7, [&](const std::vector<std::string>& f) {
    if (f[4].empty()) return;
    data.places.push_back(
        Place{f[1], f[3], ascii::UpperCase(f[4]), ToDouble(f[5]), ToDouble(f[6])});
  }));

  for (int sex = 0; sex < 2; ++sex) {
    for (const auto& w : data.given_by_year[sex]) {
      if (w.empty()) return Status::Internal("reference names missing a birth year");
    }
    for (const auto& w : data.given_by_decade[sex]) {
      if (w.empty()) return Status::Internal("reference names missing a decade");
    }
  }
  if (data.surname_choice.empty() || data.places.empty()) {
    return Status::Internal("reference surnames or places are empty");
  }
  return data;
}

}  // namespace tessera::synth
