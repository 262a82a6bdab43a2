// Places, streets, addresses, households and people. Sequential and seeded: every later stage
// reads this population but never changes it, so the parallel stages stay deterministic.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "core/ascii.h"
#include "core/identifiers.h"
#include "synth/world.h"

namespace tessera::synth {
namespace {

constexpr double kDaysPerYear = 365.2425;

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

constexpr const char* kStreetStems[] = {
    "Mill",    "Church",   "Station",  "Park",        "Victoria",  "Queen",   "King",   "Albert",
    "Manor",   "Oak",      "Elm",      "Ash",         "Birch",     "Chapel",  "School", "Green",
    "Grange",  "Meadow",   "Orchard",  "Springfield", "Highfield", "Windsor", "York",   "Alexandra",
    "North",   "South",    "West",     "Moss",        "High",      "Bridge",  "Water",  "Brook",
    "Hill",    "Cross",    "Clough",   "Heath",       "Croft",     "Hollins", "Beech",  "Willow",
    "Cedar",   "Rose",     "Hawthorn", "Lime",        "Market",    "New",     "Cotton", "Canal",
    "Railway", "Spinning", "Weavers",  "Lark",        "Heron",     "Kestrel", "Fern",   "Holly",
};
constexpr const char* kStreetSuffixes[] = {
    "Road",  "Street",  "Lane",    "Avenue", "Close", "Drive", "Way",  "Crescent",
    "Grove", "Terrace", "Gardens", "Court",  "Place", "Walk",  "Rise", "View",
};
constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";  // never C, I, K, M, O, V

struct StreetCursor {
  uint32_t street = kNone;
  uint32_t sector = 0;
  std::string postcode;
  int next_number = 1;
  int houses_left = 0;
  int unit_left = 0;
  bool flats = false;
  double lat = 0, lon = 0;
};

class AddressBuilder {
 public:
  AddressBuilder(Population& pop, const ReferenceData& ref, Rng& rng)
      : pop_(pop), ref_(ref), rng_(rng) {
    cursors_.resize(pop_.places.size());
    for (uint32_t p = 0; p < pop_.places.size(); ++p) {
      district_places_[pop_.places[p].district].push_back(p);
    }
  }

  // Creates sectors for each district, sized for `expected_people`.
  void PlanSectors(int64_t expected_people) {
    const double per_district =
        static_cast<double>(expected_people) / std::max<size_t>(1, district_places_.size());
    const int sectors = std::clamp(static_cast<int>(std::ceil(per_district / 2500.0)), 1, 10);
    for (auto& [district, places] : district_places_) {
      const double base = rng_.Between(1, 10);
      auto& list = district_sectors_[district];
      for (int s = 0; s < sectors; ++s) {
        Sector sector;
        sector.code = district + " " + std::to_string((s + 1) % 10);
        sector.deprivation_decile =
            std::clamp(static_cast<int>(std::lround(base + rng_.Normal(0, 1.6))), 1, 10);
        list.push_back(static_cast<uint32_t>(pop_.sectors.size()));
        pop_.sectors.push_back(std::move(sector));
      }
    }
    for (auto& [district, places] : district_places_) {
      districts_.push_back(district);
    }
    for (uint32_t i = 0; i < districts_.size(); ++i) {
      district_weights_.Add(i, static_cast<double>(district_places_[districts_[i]].size()));
    }
  }

  uint32_t NewAddress() {
    const std::string& district = districts_[district_weights_.Pick(rng_)];
    const auto& places = district_places_[district];
    const uint32_t place = places[rng_.Below(places.size())];
    StreetCursor& c = cursors_[place];
    if (c.houses_left <= 0) StartStreet(c, place, district);
    if (c.unit_left <= 0) NewUnit(c, district);
    Address a;
    a.street = c.street;
    a.place = place;
    a.sector = c.sector;
    a.postcode = c.postcode;
    if (c.flats) {
      a.number = static_cast<uint16_t>(c.next_number);
      a.flat = static_cast<uint16_t>(12 - c.houses_left % 12);
      if (c.houses_left % 12 == 1) c.next_number += 2;
    } else {
      a.number = static_cast<uint16_t>(c.next_number);
      c.next_number += 1 + (rng_.Chance(0.1) ? 1 : 0);
    }
    --c.houses_left;
    --c.unit_left;
    a.lat = c.lat + rng_.Normal(0, 0.0004);
    a.lon = c.lon + rng_.Normal(0, 0.0006);
    a.uprn = 100000000000ULL + pop_.addresses.size() * 7 + 3;
    pop_.addresses.push_back(std::move(a));
    return static_cast<uint32_t>(pop_.addresses.size() - 1);
  }

 private:
  void StartStreet(StreetCursor& c, uint32_t place, const std::string& district) {
    std::string stem;
    if (rng_.Chance(0.6)) {
      stem = kStreetStems[rng_.Below(std::size(kStreetStems))];
    } else {
      stem = ref_.surnames[ref_.surname_choice.Pick(rng_)];
    }
    c.street = static_cast<uint32_t>(pop_.streets.size());
    pop_.streets.push_back(stem + " " + kStreetSuffixes[rng_.Below(std::size(kStreetSuffixes))]);
    const auto& sectors = district_sectors_[district];
    c.sector = sectors[rng_.Below(sectors.size())];
    c.next_number = 1;
    c.flats = rng_.Chance(0.15);
    c.houses_left =
        c.flats ? 12 * static_cast<int>(rng_.Between(1, 4)) : static_cast<int>(rng_.Between(8, 80));
    c.unit_left = 0;
    c.lat = pop_.places[place].lat + rng_.Normal(0, 0.008);
    c.lon = pop_.places[place].lon + rng_.Normal(0, 0.012);
  }

  void NewUnit(StreetCursor& c, const std::string& district) {
    (void)district;
    const std::string& sector = pop_.sectors[c.sector].code;
    std::string pc = sector;
    pc += kInwardLetters[rng_.Below(sizeof(kInwardLetters) - 1)];
    pc += kInwardLetters[rng_.Below(sizeof(kInwardLetters) - 1)];
    c.postcode = pc;
    c.unit_left = static_cast<int>(rng_.Between(6, 20));
  }

  Population& pop_;
  const ReferenceData& ref_;
  Rng& rng_;
  std::vector<StreetCursor> cursors_;
  std::map<std::string, std::vector<uint32_t>> district_places_;
  std::map<std::string, std::vector<uint32_t>> district_sectors_;
  std::vector<std::string> districts_;
  WeightedIndex district_weights_;
};

// Allocates valid NHS numbers from the 999 test range, in a scrambled but fixed order.
class NhsAllocator {
 public:
  uint64_t Next() {
    while (true) {
      const uint64_t j = next_++;
      const uint64_t body6 = (j * 387403ULL + 71ULL) % 1000000ULL;  // bijective on [0, 10^6)
      const uint64_t prefix = 999 - (j / 1000000ULL);  // 999 first; 998, 997... past 909k
      const uint64_t body9 = prefix * 1000000ULL + body6;
      const std::string nine = std::to_string(body9);
      const auto check = NhsNumberCheckDigit(nine);
      if (!check) continue;
      return body9 * 10 + static_cast<uint64_t>(*check);
    }
  }

 private:
  uint64_t next_ = 0;
};

struct HouseholdPlan {
  HouseholdKind kind;
  int adults;
  int children;
  bool grandparent;
};

HouseholdPlan PlanHousehold(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.30) return {kSingle, 1, 0, false};
  if (u < 0.56) return {kCouple, 2, 0, false};
  if (u < 0.79) {
    const double v = rng.Uniform();
    return {kCoupleWithChildren, 2, v < 0.38 ? 1 : v < 0.80 ? 2 : v < 0.95 ? 3 : 4, false};
  }
  if (u < 0.90) {
    const double v = rng.Uniform();
    return {kLoneParent, 1, v < 0.5 ? 1 : v < 0.85 ? 2 : 3, false};
  }
  if (u < 0.95) return {kMultiGeneration, 2, static_cast<int>(rng.Between(1, 3)), true};
  return {kShared, static_cast<int>(rng.Between(2, 4)), 0, false};
}

}  // namespace

Result<Population> BuildPopulation(const WorldConfig& config, const ReferenceData& ref,
                                   const WorldClock& clock) {
  Population pop;
  for (const Place& place : ref.places) {
    bool in_area = config.areas.empty();
    for (const auto& area : config.areas) {
      if (ascii::LowerCase(area) == ascii::LowerCase(place.county)) in_area = true;
    }
    if (in_area) pop.places.push_back(place);
  }
  if (pop.places.empty()) {
    return Status::InvalidArgument(
        "no GB places in the area '" + (config.areas.empty() ? std::string() : config.areas[0]) +
        "': give a county from gb_places.csv, e.g. \"Greater Manchester\"");
  }
  if (config.people <= 0 || config.people > 20000000) {
    return Status::InvalidArgument("--people must be between 1 and 20,000,000");
  }

  Rng rng(DeriveSeed(config.seed, 0x9090));
  AddressBuilder addresses(pop, ref, rng);
  addresses.PlanSectors(config.people);
  NhsAllocator nhs;

  const int32_t ref_day = clock.end_day;  // ages are drawn as at the end of the observed period
  auto dob_for_age = [&](double age_years) {
    return ref_day - static_cast<int32_t>(age_years * kDaysPerYear) -
           static_cast<int32_t>(rng.Below(365));
  };
  auto birth_year = [](int32_t dob) { return DayToDate(dob).year; };

  const auto people_target = static_cast<size_t>(config.people);
  pop.people.reserve(people_target + 8);
  pop.households.reserve(people_target / 2 + 8);

  while (pop.people.size() < people_target) {
    HouseholdPlan plan = PlanHousehold(rng);
    const size_t room = people_target - pop.people.size();
    const int wanted = plan.adults + plan.children + (plan.grandparent ? 1 : 0);
    if (static_cast<size_t>(wanted) > room) plan = {kSingle, 1, 0, false};

    Household h;
    h.kind = plan.kind;
    h.first_person = static_cast<uint32_t>(pop.people.size());
    h.address = addresses.NewAddress();
    const auto hid = static_cast<uint32_t>(pop.households.size());

    auto add_person = [&](int32_t dob, uint8_t sex, bool adult) -> Person& {
      Person p;
      p.household = hid;
      p.dob = dob;
      p.sex = sex;
      p.adult = adult;
      p.given = ref.PickGiven(rng, sex, birth_year(dob));
      if (rng.Chance(0.62)) p.middle = ref.PickGiven(rng, sex, birth_year(dob));
      if (p.middle == p.given) p.middle = kNone;
      p.nhs = nhs.Next();
      const double age = (ref_day - dob) / kDaysPerYear;
      if (age >= 13 && rng.Chance(0.85)) {
        const uint64_t index = pop.people.size();
        p.mobile = 7100000000ULL + (index * 48271ULL + 12345ULL) % 100000000ULL;
      }
      if (adult && rng.Chance(0.02)) p.alias_given = ref.PickGiven(rng, sex, birth_year(dob));
      p.accented = rng.Chance(0.5);  // only matters for names with an accented form
      pop.people.push_back(p);
      return pop.people.back();
    };

    // Adults.
    const uint32_t family = ref.surname_choice.Pick(rng);
    uint32_t mother_family = family;
    int32_t first_adult_dob = 0;
    uint8_t first_sex = 0;
    for (int a = 0; a < plan.adults; ++a) {
      double age;
      if (plan.kind == kShared) {
        age = 18 + rng.Uniform() * 22;
      } else if (plan.children > 0) {
        age = a == 0 ? 22 + rng.Uniform() * 30 : 0;
      } else if (plan.kind == kSingle) {
        age = 18 + std::pow(rng.Uniform(), 0.9) * 77;
      } else {
        age = 20 + rng.Uniform() * 70;
      }
      int32_t dob;
      uint8_t sex;
      if (a == 1 && plan.kind != kShared) {
        dob = first_adult_dob + static_cast<int32_t>(rng.Normal(0, 3.5) * kDaysPerYear);
        if (ref_day - dob < static_cast<int32_t>(18 * kDaysPerYear)) {
          dob = ref_day - static_cast<int32_t>(19 * kDaysPerYear);
        }
        sex = rng.Chance(0.02) ? first_sex : static_cast<uint8_t>(1 - first_sex);
      } else {
        dob = dob_for_age(age);
        sex = plan.kind == kLoneParent
                  ? static_cast<uint8_t>(rng.Chance(0.88) ? kFemaleIndex : kMaleIndex)
                  : static_cast<uint8_t>(rng.Below(2));
      }
      if (a == 0) {
        first_adult_dob = dob;
        first_sex = sex;
      }
      Person& p = add_person(dob, sex, true);
      if (plan.kind == kShared || a == 0) {
        p.family = plan.kind == kShared ? ref.surname_choice.Pick(rng) : family;
        p.birth_family = p.family;
      } else {
        // The partner: married and sharing the surname, or not.
        const uint32_t own = ref.surname_choice.Pick(rng);
        if (rng.Chance(0.68)) {
          p.family = family;
          p.birth_family = own;
          if (rng.Chance(0.07)) {  // married during the observed period: records change name
            p.name_change_day =
                clock.start_day + static_cast<int32_t>(rng.Below(
                                      static_cast<uint64_t>(clock.end_day - clock.start_day)));
          }
        } else {
          p.family = own;
          p.birth_family = own;
        }
      }
      if (p.sex == kFemaleIndex) mother_family = p.family;
    }

    // Children.
    const Person& parent = pop.people[h.first_person];
    const double parent_age = (ref_day - parent.dob) / kDaysPerYear;
    const int32_t oldest_child_max_age =
        static_cast<int32_t>(std::max(0.0, std::min(17.9, parent_age - 18)));
    int32_t previous_dob = kNoDay;
    for (int c = 0; c < plan.children; ++c) {
      int32_t dob;
      const bool twin = previous_dob != kNoDay && rng.Chance(0.016);
      if (twin) {
        dob = previous_dob;
      } else {
        dob = dob_for_age(rng.Uniform() * (oldest_child_max_age + 0.99));
      }
      const uint8_t sex = static_cast<uint8_t>(rng.Below(2));
      Person& child = add_person(dob, sex, false);
      child.twin = twin;
      if (twin) pop.people[pop.people.size() - 2].twin = true;
      uint32_t surname = family;
      const double u = rng.Uniform();
      if (plan.kind == kLoneParent) {
        if (u < 0.35) surname = ref.surname_choice.Pick(rng);  // the other parent's name
      } else if (mother_family != family && u < 0.25) {
        surname = mother_family;
      }
      child.family = surname;
      child.birth_family = surname;
      if (rng.Chance(0.03) && mother_family != surname) child.family2 = mother_family;
      previous_dob = dob;
      if (twin) previous_dob = kNoDay;  // no triplets
    }
    if (plan.grandparent) {
      Person& g = add_person(dob_for_age(62 + rng.Uniform() * 30),
                             static_cast<uint8_t>(rng.Below(2)), true);
      g.family = rng.Chance(0.5) ? family : ref.surname_choice.Pick(rng);
      g.birth_family = g.family;
    }

    h.size = static_cast<uint32_t>(pop.people.size() - h.first_person);

    // Latent risk, driven partly by the area's deprivation.
    const int decile = pop.sectors[pop.addresses[h.address].sector].deprivation_decile;
    const double deprivation = (5.5 - decile) / 2.9;  // about N(0,1)-scaled, high = deprived
    h.risk = static_cast<float>(rng.Normal(0, 1) + 0.45 * deprivation);
    const double r = h.risk;
    uint8_t f = 0;
    if (decile <= 2) f |= kFactorDeprivation;
    if (rng.Chance(Sigmoid(-3.0 + 1.1 * r))) f |= kFactorSubstance;
    const bool partnered = plan.adults >= 2 && plan.kind != kShared;
    if ((partnered || plan.kind == kLoneParent) &&
        rng.Chance(Sigmoid(-2.9 + 1.1 * r + ((f & kFactorSubstance) ? 0.6 : 0.0)))) {
      f |= kFactorDomesticAbuse;
    }
    if (rng.Chance(Sigmoid(-2.3 + 0.8 * r))) f |= kFactorMentalHealth;
    if (rng.Chance(Sigmoid(-1.9 + 0.9 * r + ((f & kFactorDeprivation) ? 0.6 : 0.0))))
      f |= kFactorWorkless;
    h.factors = f;
    const int n_factors =
        __builtin_popcount(f & (kFactorSubstance | kFactorDomesticAbuse | kFactorMentalHealth));
    h.escalating = rng.Chance(Sigmoid(-2.4 + 0.7 * r + 0.5 * n_factors));

    pop.households.push_back(h);
  }

  // Moves: about one household in ten moves during the observed period.
  for (auto& h : pop.households) {
    if (!rng.Chance(0.10)) continue;
    h.new_address = addresses.NewAddress();
    h.move_day =
        clock.start_day +
        static_cast<int32_t>(rng.Below(static_cast<uint64_t>(clock.end_day - clock.start_day)));
  }
  return pop;
}

}  // namespace tessera::synth
