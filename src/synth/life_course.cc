// A household's life course: its latent risk factors drive events across the partner
// agencies, year by year, rising for escalating households. One household at a time, with a
// random stream of its own, so households can be simulated in parallel and in any order.
#include <algorithm>
#include <cmath>

#include "synth/world.h"

namespace tessera::synth {
namespace {

constexpr double kDaysPerYear = 365.2425;

const std::vector<Category> kCategories[kSourceCount] = {
    /* police_crime */ {{"VAP", "Violence against the person"},
                        {"SXO", "Sexual offences"},
                        {"ROB", "Robbery"},
                        {"BUR", "Burglary"},
                        {"THF", "Theft"},
                        {"CDA", "Criminal damage and arson"},
                        {"DRG", "Drug offences"},
                        {"PUB", "Public order offences"},
                        {"WPN", "Possession of weapons"},
                        {"ASB", "Anti-social behaviour"}},
    /* police_domestic_abuse */ {{"S", "Standard"}, {"M", "Medium"}, {"H", "High"}},
    /* police_missing */ {{"MISSING", "Missing"}, {"ABSENT", "Absent"}},
    /* csc_children */
    {{"REF", "Referral"}, {"CIN", "Child in need"}, {"CPP", "Child protection plan"}},
    /* school_attendance */ {{"PA", "Persistent absence"}, {"SA", "Severe absence"}},
    /* substance_misuse */
    {{"OPI", "Opiates"},
     {"CRK", "Crack cocaine"},
     {"ALC", "Alcohol"},
     {"CAN", "Cannabis"},
     {"OTH", "Other drugs"}},
    /* housing */ {{"PREV", "Prevention duty"}, {"REL", "Relief duty"}, {"MAIN", "Main duty"}},
    /* fire_safe_well */ {{"SAW", "Safe and Well visit"}, {"DWF", "Accidental dwelling fire"}},
    /* ambulance */
    {{"FALL", "Fall"},
     {"BREATH", "Breathing problems"},
     {"CHEST", "Chest pain"},
     {"OD", "Overdose or poisoning"},
     {"ASSAULT", "Assault"},
     {"MH", "Mental health crisis"},
     {"OTHER", "Other illness"}},
    /* mental_health */
    {{"ROUTINE", "Community mental health contact"},
     {"CRISIS", "Crisis team contact"},
     {"ADMIT", "Inpatient admission"}},
    /* probation */
    {{"CO", "Community order"}, {"SSO", "Suspended sentence order"}, {"LIC", "Licence"}},
    /* dwp */
    {{"UCNWR", "Universal Credit - no work requirements"},
     {"ESA", "Employment and Support Allowance"},
     {"JSA", "Jobseeker's Allowance"},
     {"IS", "Income Support"}},
};

// Category indexes used below.
constexpr uint8_t kCrimeViolence = 0, kCrimeDrugs = 6, kCrimeAsb = 9;
constexpr uint8_t kCscReferral = 0, kCscCin = 1, kCscPlan = 2;
constexpr uint8_t kMhRoutine = 0, kMhCrisis = 1, kMhAdmit = 2;
constexpr uint8_t kAmbOverdose = 3, kAmbAssault = 4, kAmbMentalHealth = 5;

class HouseholdSim {
 public:
  HouseholdSim(uint32_t index, const Population& pop, const WorldClock& clock, uint64_t seed,
               std::vector<Mention>& out)
      : index_(index),
        h_(pop.households[index]),
        pop_(pop),
        clock_(clock),
        rng_(DeriveSeed(seed, 0x11fe, index)),
        out_(out) {
    // Households differ in how often abuse reaches the police: a long-tailed intensity.
    da_intensity_ = 0.3 * std::exp(rng_.Normal(0, 0.8) - 0.32);
  }

  void Run() {
    for (int y = 0; y <= clock_.years; ++y) {
      const auto year_start = static_cast<int32_t>(CivilDate{clock_.first_year + y, 1, 1}.ToDays());
      const auto year_end =
          static_cast<int32_t>(CivilDate{clock_.first_year + y + 1, 1, 1}.ToDays());
      Year(y, year_start, year_end);
    }
  }

 private:
  double Age(uint32_t person, int32_t day) const {
    return (day - pop_.people[person].dob) / kDaysPerYear;
  }
  bool Alive(uint32_t person, int32_t day) const { return day >= pop_.people[person].dob; }

  int32_t DayIn(int32_t start, int32_t end) {
    return start +
           static_cast<int32_t>(rng_.Below(static_cast<uint64_t>(std::max(1, end - start))));
  }

  // The address a record names: usually the current one, sometimes a stale one after a move.
  uint32_t AddressFor(uint32_t person, int32_t day) {
    const Household& h = pop_.households[pop_.people[person].household];
    const uint32_t now = pop_.AddressOn(h, day);
    if (h.new_address != kNone && now == h.new_address && day < h.move_day + 400 &&
        rng_.Chance(0.3)) {
      return h.address;
    }
    return now;
  }

  void Emit(Source source, uint32_t person, int32_t day, Role role, uint8_t category,
            uint64_t event, uint8_t severity = 0, uint16_t detail = 0) {
    if (!Alive(person, day)) return;
    Mention m;
    m.day = day;
    m.person = person;
    m.address = AddressFor(person, day);
    m.event = event;
    m.source = source;
    m.role = role;
    m.category = category;
    m.severity = severity;
    m.detail = detail;
    const double reuse = InfoOf(source).reuse;
    m.system_record = rng_.Chance(reuse) ? 0 : static_cast<uint8_t>(1 + rng_.Below(3));
    out_.push_back(m);
  }

  uint64_t NewEvent() { return (static_cast<uint64_t>(index_) << 20) | next_event_++; }

  // A random adult from anywhere in the area (for the other party of a crime).
  uint32_t RandomAdult(int32_t day, uint32_t not_household) {
    for (int tries = 0; tries < 8; ++tries) {
      const auto p = static_cast<uint32_t>(rng_.Below(pop_.people.size()));
      if (pop_.people[p].household == not_household) continue;
      const double age = Age(p, day);
      if (age >= 16 && age < 70) return p;
    }
    return kNone;
  }

  void Year(int y, int32_t start, int32_t end) {
    const uint8_t f = h_.factors;
    const bool sub = f & kFactorSubstance, da = f & kFactorDomesticAbuse,
               mh = f & kFactorMentalHealth;
    const bool depr = f & kFactorDeprivation, workless = f & kFactorWorkless;
    const int n_factors = int(sub) + int(da) + int(mh);
    const double trend = h_.escalating ? std::exp(0.28 * y) : 1.0;
    const double r = h_.risk;
    const int32_t mid = (start + end) / 2;
    const uint32_t first = h_.first_person, last = h_.first_person + h_.size;

    std::vector<uint32_t> adults, children;
    for (uint32_t p = first; p < last; ++p) {
      if (!Alive(p, mid)) continue;
      (Age(p, mid) >= 18 ? adults : children).push_back(p);
    }

    // Domestic abuse: incidents between partners, children present.
    int da_incidents = 0;
    if (da && !adults.empty()) {
      da_incidents = rng_.Poisson(da_intensity_ * trend * std::exp(0.25 * r));
      for (int i = 0; i < da_incidents; ++i) {
        const int32_t day = DayIn(start, end);
        uint32_t victim = adults[0], perpetrator = adults.size() > 1 ? adults[1] : kNone;
        if (perpetrator != kNone && pop_.people[perpetrator].sex == kFemaleIndex &&
            pop_.people[victim].sex == kMaleIndex && rng_.Chance(0.85)) {
          std::swap(victim, perpetrator);
        }
        if (perpetrator == kNone) perpetrator = RandomAdult(day, index_);  // an ex-partner
        const uint8_t level = static_cast<uint8_t>(std::clamp<int>(
            static_cast<int>(rng_.Uniform() * 2.2 + 0.25 * y * h_.escalating), 0, 2));
        const uint64_t ev = NewEvent();
        Emit(kPoliceDomesticAbuse, victim, day, kRoleVictim, level, ev, level);
        if (perpetrator != kNone)
          Emit(kPoliceDomesticAbuse, perpetrator, day, kRoleSuspect, level, ev, level);
        for (uint32_t c : children) {
          if (rng_.Chance(0.6)) Emit(kPoliceDomesticAbuse, c, day, kRoleChild, level, ev, level);
        }
        if (rng_.Chance(0.12)) {
          Emit(kAmbulance, victim, day, kRolePatient, kAmbAssault, NewEvent(), 3);
        }
      }
    }

    // Children's social care, missing episodes, school attendance.
    for (uint32_t c : children) {
      const double age = Age(c, mid);
      const double referral_rate =
          0.012 +
          (0.07 * n_factors + (da_incidents > 0 ? 0.15 : 0.0) + (depr ? 0.02 : 0.0)) * trend;
      const int referrals = rng_.Poisson(referral_rate);
      for (int i = 0; i < referrals; ++i) {
        const int32_t day = DayIn(start, end);
        const uint64_t ev = NewEvent();
        const double escalate = 0.12 + 0.08 * n_factors + (h_.escalating ? 0.12 : 0.0);
        uint8_t category = rng_.Chance(0.55) ? kCscCin : kCscReferral;
        uint8_t need = static_cast<uint8_t>(rng_.Below(9));
        Emit(kCscChildren, c, day, kRoleChild, category, ev, 1, need);
        if (!adults.empty()) Emit(kCscChildren, adults[0], day, kRoleParent, category, ev, 1, need);
        if (adults.size() > 1 && rng_.Chance(0.6)) {
          Emit(kCscChildren, adults[1], day, kRoleParent, category, ev, 1, need);
        }
        if (rng_.Chance(escalate)) {
          const int32_t plan_day = day + static_cast<int32_t>(rng_.Between(20, 75));
          const uint64_t plan = NewEvent();
          const uint16_t cp_category = static_cast<uint16_t>(rng_.Below(4));
          Emit(kCscChildren, c, plan_day, kRoleChild, kCscPlan, plan, 3, cp_category);
          if (!adults.empty())
            Emit(kCscChildren, adults[0], plan_day, kRoleParent, kCscPlan, plan, 3, cp_category);
        }
      }
      if (age >= 11 && age < 18) {
        const int episodes =
            rng_.Poisson(0.01 + (0.18 * n_factors + (referrals > 0 ? 0.2 : 0.0)) * trend);
        for (int i = 0; i < episodes; ++i) {
          const uint8_t risk = static_cast<uint8_t>(rng_.Below(3));
          Emit(kPoliceMissing, c, DayIn(start, end), kRoleMissing, rng_.Chance(0.25) ? 1 : 0,
               NewEvent(), risk, static_cast<uint16_t>(rng_.Between(2, 72)));
        }
      }
      // The academic year that ends in this calendar year.
      const int32_t census = start + static_cast<int32_t>(200 + rng_.Below(10));  // late July
      const double school_age = Age(c, census);
      if (school_age >= 5.5 && school_age < 16 && census < end) {
        double absence = 0.035 + 0.03 * n_factors + (depr ? 0.015 : 0.0) + rng_.Normal(0, 0.035);
        absence *= (h_.escalating ? 1.0 + 0.15 * y : 1.0);
        if (absence >= 0.10) {
          const uint16_t pct =
              static_cast<uint16_t>(std::min(100.0, absence * 100 * 10));  // per mille
          Emit(kSchoolAttendance, c, census, kRolePupil, absence >= 0.5 ? 1 : 0, NewEvent(), 1,
               pct);
        }
      }
    }

    for (uint32_t p = first; p < last; ++p) {
      if (!Alive(p, mid)) continue;
      const double age = Age(p, mid);
      const bool male = pop_.people[p].sex == kMaleIndex;
      const bool is_user = sub && !adults.empty() && p == adults[0];
      const bool is_mh = mh && ((!adults.empty() && p == adults.back()) ||
                                (age >= 14 && age < 18 && rng_.Chance(0.2)));

      // Crime: as a suspect.
      if (age >= 12 && age < 65) {
        double rate = 0.003 * (male ? 2.5 : 1.0) * (1 + 3.0 * is_user) * std::exp(0.5 * r) * trend;
        if (age < 25) rate *= 1.8;
        const int offences = rng_.Poisson(rate);
        for (int i = 0; i < offences; ++i) {
          const int32_t day = DayIn(start, end);
          const uint64_t ev = NewEvent();
          uint8_t category = static_cast<uint8_t>(rng_.Below(9));
          if (is_user && rng_.Chance(0.4)) category = kCrimeDrugs;
          Emit(kPoliceCrime, p, day, kRoleSuspect, category, ev,
               static_cast<uint8_t>(1 + rng_.Below(4)));
          if (category != kCrimeDrugs && rng_.Chance(0.7)) {
            const uint32_t victim = RandomAdult(day, index_);
            if (victim != kNone) Emit(kPoliceCrime, victim, day, kRoleVictim, category, ev);
          }
          if (rng_.Chance(0.08)) {
            const uint32_t witness = RandomAdult(day, index_);
            if (witness != kNone) Emit(kPoliceCrime, witness, day, kRoleWitness, category, ev);
          }
          if (rng_.Chance(0.28)) {  // convicted: a probation case follows
            const int32_t sentence = day + static_cast<int32_t>(rng_.Between(60, 270));
            Emit(kProbation, p, sentence, kRoleOffender, static_cast<uint8_t>(rng_.Below(3)),
                 NewEvent(), static_cast<uint8_t>(1 + rng_.Below(4)), category);
          }
        }
        // Anti-social behaviour.
        const int asb =
            rng_.Poisson(0.004 * (age < 25 ? 3.0 : 1.0) * (1 + 1.5 * n_factors) * trend);
        for (int i = 0; i < asb; ++i) {
          Emit(kPoliceCrime, p, DayIn(start, end), kRoleSubject, kCrimeAsb, NewEvent(), 1);
        }
      }
      // Crime: as a victim of someone unknown or not recorded.
      if (age >= 10) {
        const int victimisations =
            rng_.Poisson(0.025 + (depr ? 0.015 : 0.0) + 0.015 * std::max(0.0, r));
        for (int i = 0; i < victimisations; ++i) {
          const uint8_t category = static_cast<uint8_t>(rng_.Below(9));
          Emit(kPoliceCrime, p, DayIn(start, end), kRoleVictim,
               category == kCrimeDrugs ? kCrimeViolence : category, NewEvent(),
               static_cast<uint8_t>(1 + rng_.Below(3)));
        }
      }
      // Substance misuse treatment.
      if (is_user) {
        const int referrals = rng_.Poisson(0.35 * trend);
        for (int i = 0; i < referrals; ++i) {
          Emit(kSubstanceMisuse, p, DayIn(start, end), kRoleClient,
               static_cast<uint8_t>(rng_.Below(5)), NewEvent(), 2);
        }
      }
      // Mental health.
      if (is_mh || age >= 12) {
        const int routine = is_mh ? rng_.Poisson(1.2) : rng_.Poisson(0.004);
        for (int i = 0; i < routine; ++i) {
          Emit(kMentalHealth, p, DayIn(start, end), kRolePatient, kMhRoutine, NewEvent(), 1);
        }
        const double crisis_rate = is_mh ? 0.10 * trend * (1 + 0.8 * is_user) : 0.0015;
        const int crises = rng_.Poisson(crisis_rate);
        for (int i = 0; i < crises; ++i) {
          const int32_t day = DayIn(start, end);
          Emit(kMentalHealth, p, day, kRolePatient, rng_.Chance(0.2) ? kMhAdmit : kMhCrisis,
               NewEvent(), 4);
          if (rng_.Chance(0.3))
            Emit(kAmbulance, p, day, kRolePatient, kAmbMentalHealth, NewEvent(), 3);
        }
      }
      // Ambulance call-outs.
      {
        const double rate = 0.025 + 0.006 * std::max(0.0, age - 60) + 0.25 * is_user + 0.08 * is_mh;
        const int calls = rng_.Poisson(rate);
        for (int i = 0; i < calls; ++i) {
          uint8_t category = static_cast<uint8_t>(rng_.Below(7));
          if (is_user && rng_.Chance(0.4)) category = kAmbOverdose;
          Emit(kAmbulance, p, DayIn(start, end), kRolePatient, category, NewEvent(), 2);
        }
      }
      // DWP: claims in workless households.
      if (workless && age >= 18 && age < 66) {
        const int claims = rng_.Poisson(y == 0 ? 0.7 : 0.2);
        for (int i = 0; i < claims; ++i) {
          Emit(kDwp, p, DayIn(start, end), kRoleClient, static_cast<uint8_t>(rng_.Below(4)),
               NewEvent());
        }
      }
    }

    // Housing: homelessness approaches by the household.
    if (!adults.empty()) {
      const double rate = 0.006 + (0.07 * da + 0.03 * workless + 0.03 * sub) * trend;
      const int approaches = rng_.Poisson(rate);
      for (int i = 0; i < approaches; ++i) {
        const int32_t day = DayIn(start, end);
        const uint64_t ev = NewEvent();
        const uint8_t duty = static_cast<uint8_t>(rng_.Below(3));
        const uint16_t no_fixed_abode = rng_.Chance(0.15) ? 1 : 0;
        const uint16_t reason =
            static_cast<uint16_t>(da && rng_.Chance(0.5) ? 0 : 1 + rng_.Below(4));
        const uint16_t detail = static_cast<uint16_t>(no_fixed_abode | (reason << 1));
        Emit(kHousing, adults[0], day, kRoleApplicant, duty, ev, 2, detail);
        for (uint32_t p = first; p < last; ++p) {
          if (p == adults[0] || !Alive(p, day)) continue;
          const bool is_adult = Age(p, day) >= 18;
          Emit(kHousing, p, day, is_adult ? kRolePartner : kRoleChild, duty, ev, 2, detail);
        }
      }
    }

    // Fire: Safe and Well visits for older or vulnerable households, and dwelling fires.
    if (!adults.empty()) {
      bool older = false;
      for (uint32_t a : adults) older = older || Age(a, mid) >= 65;
      const double visit_rate = (older ? 0.07 : 0.0) + 0.05 * sub + 0.04 * mh;
      const double fire_rate = 0.002 + 0.006 * sub;
      for (uint8_t kind = 0; kind < 2; ++kind) {
        const int n = rng_.Poisson(kind == 0 ? visit_rate : fire_rate);
        for (int i = 0; i < n; ++i) {
          const int32_t day = DayIn(start, end);
          const uint64_t ev = NewEvent();
          Emit(kFireSafeWell, adults[0], day, kRoleOccupant, kind, ev, kind == 1 ? 3 : 1);
          if (adults.size() > 1 && rng_.Chance(0.5)) {
            Emit(kFireSafeWell, adults[1], day, kRoleOccupant, kind, ev, kind == 1 ? 3 : 1);
          }
        }
      }
    }
  }

  uint32_t index_;
  const Household& h_;
  const Population& pop_;
  const WorldClock& clock_;
  Rng rng_;
  std::vector<Mention>& out_;
  uint32_t next_event_ = 0;
  double da_intensity_ = 0;
};

void FillOutcomes(const Population& pop, const WorldClock& clock, const Household& h,
                  const std::vector<Mention>& mine, std::vector<Outcomes>& outcomes) {
  const int last_year = clock.first_year + clock.years - 1;
  const int32_t bounds[3] = {static_cast<int32_t>(CivilDate{last_year, 1, 1}.ToDays()),
                             clock.end_day, clock.outcome_end};
  for (uint32_t p = h.first_person; p < h.first_person + h.size; ++p) {
    Outcomes& o = outcomes[p];
    const Person& person = pop.people[p];
    for (int w = 0; w < 2; ++w) {
      const int32_t ws = bounds[w], we = bounds[w + 1];
      bool plan_before = false, plan_in = false, da_before = false, da_in = false,
           crisis_in = false;
      for (const Mention& m : mine) {
        if (m.person != p) continue;
        if (m.source == kCscChildren && m.role == kRoleChild && m.category == kCscPlan) {
          plan_before |= (m.day >= ws - 365 && m.day < ws);
          plan_in |= (m.day >= ws && m.day < we);
        }
        if (m.source == kPoliceDomesticAbuse && m.role == kRoleVictim) {
          da_before |= (m.day >= ws - 365 && m.day < ws);
          da_in |= (m.day >= ws && m.day < we);
        }
        if (m.source == kMentalHealth && (m.category == kMhCrisis || m.category == kMhAdmit)) {
          crisis_in |= (m.day >= ws && m.day < we);
        }
      }
      const double age = (ws - person.dob) / kDaysPerYear;
      if (age >= 0 && age < 17 && !plan_before) o.cp_plan[w] = plan_in ? 1 : 0;
      if (da_before) o.repeat_da[w] = da_in ? 1 : 0;
      if (age >= 12) o.mh_crisis[w] = crisis_in ? 1 : 0;
    }
  }
}

}  // namespace

const std::vector<Category>& CategoriesOf(Source s) { return kCategories[s]; }

void SimulateHousehold(uint32_t household_index, const Population& pop, const WorldClock& clock,
                       uint64_t seed, std::vector<Mention>& mentions,
                       std::vector<Outcomes>& outcomes) {
  std::vector<Mention> mine;
  HouseholdSim(household_index, pop, clock, seed, mine).Run();
  FillOutcomes(pop, clock, pop.households[household_index], mine, outcomes);
  mentions.insert(mentions.end(), mine.begin(), mine.end());
}

}  // namespace tessera::synth
