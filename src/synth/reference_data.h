// The generator's view of the reference data (names by year and sex, surnames, name variants,
// GB places), parsed from the files that tessera_reference (reference/reference_data.h) embeds.
// Origins and licences: data/reference/SOURCES.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/random.h"
#include "core/status.h"

namespace tessera::synth {

// Picks an index with probability proportional to its weight.
class WeightedIndex {
 public:
  void Add(uint32_t value, double weight);
  bool empty() const { return values_.empty(); }
  uint32_t Pick(Rng& rng) const;

 private:
  std::vector<uint32_t> values_;
  std::vector<double> cumulative_;
};

enum SexIndex : int { kMaleIndex = 0, kFemaleIndex = 1 };

struct Place {
  std::string county;
  std::string name;
  std::string district;  // postcode outcode
  double lat = 0;
  double lon = 0;
};

struct ReferenceData {
  // Given names in display case ("Oscar", "Alfie-Jay"); indexes are stable for a binary.
  std::vector<std::string> given_names;
  std::unordered_map<std::string, uint32_t> given_by_upper;
  std::array<std::vector<WeightedIndex>, 2> given_by_year;     // [sex][year - 1996], 1996..2018
  std::array<std::vector<WeightedIndex>, 2> given_by_decade;   // [sex][(year - 1904) / 10]
  std::unordered_map<uint32_t, WeightedIndex> given_variants;  // nicknames, short forms

  std::vector<std::string> surnames;  // display case ("O'Brien", "Smith")
  WeightedIndex surname_choice;
  std::unordered_map<uint32_t, std::vector<uint32_t>> surname_variants;

  std::vector<Place> places;

  // A given name for someone of `sex` born in `year`.
  uint32_t PickGiven(Rng& rng, int sex, int year) const;
};

// Parses the embedded files. Fails only if the binary was built without them.
Result<ReferenceData> LoadReferenceData();

// "o'brien" -> "O'Brien", "alfie-jay" -> "Alfie-Jay", "mcdonald" -> "McDonald".
std::string DisplayCase(std::string_view name);

}  // namespace tessera::synth
