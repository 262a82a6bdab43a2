// The feature vector. Every count is of occurrences dated strictly before the cutoff, so that
// nothing on or after it (the period the label is about) can reach a feature: the leakage test
// in risk_test.cc adds and deletes later events and checks that no feature moves.
#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "analytics/analytics.h"
#include "risk/risk.h"

namespace tessera::risk {

namespace {

constexpr std::array<int, 3> kWindows = {3, 12, 36};
constexpr int kAgencies = static_cast<int>(model::Agency::kYouthJustice) + 1;
// Categories with a bearing on harm (docs/formats/risk.md); others count only by agency.
constexpr std::array<std::string_view, 16> kCategories = {"referral",
                                                          "child_in_need",
                                                          "child_protection_plan",
                                                          "domestic_abuse_incident",
                                                          "missing",
                                                          "absent",
                                                          "persistent_absence",
                                                          "severe_absence",
                                                          "crisis_contact",
                                                          "inpatient_admission",
                                                          "overdose_or_poisoning",
                                                          "assault",
                                                          "violence_against_the_person",
                                                          "anti_social_behaviour",
                                                          "main_duty",
                                                          "accidental_dwelling_fire"};
constexpr int kRecencyCapDays = 1825;

// Feature layout.
constexpr int kAgencyBase = 0;
constexpr int kCategoryBase = kAgencyBase + kAgencies * 3;
constexpr int kTotal12 = kCategoryBase + static_cast<int>(kCategories.size()) * 3;
constexpr int kTrend = kTotal12 + 1;
constexpr int kDaysSinceLast = kTrend + 1;
constexpr int kAge = kDaysSinceLast + 1;
constexpr int kDobKnown = kAge + 1;
constexpr int kHouseholdMembers = kDobKnown + 1;
constexpr int kHouseholdEvents12 = kHouseholdMembers + 1;
constexpr int kHouseholdCsc12 = kHouseholdEvents12 + 1;
constexpr int kHouseholdPolice12 = kHouseholdCsc12 + 1;
constexpr int kHouseholdDa12 = kHouseholdPolice12 + 1;
constexpr int kFeatureCount = kHouseholdDa12 + 1;

// The first day counted by a window of `months` months ending the day before `cutoff`.
CivilDate Start(const CivilDate& cutoff, int months) {
  return analytics::WindowStart(CivilDate::FromDays(cutoff.ToDays() - 1), months);
}

}  // namespace

const std::vector<std::string>& FeatureNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out(kFeatureCount);
    for (int a = 0; a < kAgencies; ++a) {
      for (size_t w = 0; w < kWindows.size(); ++w) {
        out[kAgencyBase + a * 3 + w] =
            "agency." + std::string(model::AgencyName(static_cast<model::Agency>(a))) + "." +
            std::to_string(kWindows[w]) + "m";
      }
    }
    for (size_t c = 0; c < kCategories.size(); ++c) {
      for (size_t w = 0; w < kWindows.size(); ++w) {
        out[kCategoryBase + c * 3 + w] =
            "category." + std::string(kCategories[c]) + "." + std::to_string(kWindows[w]) + "m";
      }
    }
    out[kTotal12] = "events.12m";
    out[kTrend] = "trend.12m_minus_previous_12m";
    out[kDaysSinceLast] = "days_since_last_event";
    out[kAge] = "age_at_cutoff";
    out[kDobKnown] = "date_of_birth_known";
    out[kHouseholdMembers] = "household.members";
    out[kHouseholdEvents12] = "household.member_events.12m";
    out[kHouseholdCsc12] = "household.member_childrens_social_care.12m";
    out[kHouseholdPolice12] = "household.member_police.12m";
    out[kHouseholdDa12] = "household.member_domestic_abuse.12m";
    return out;
  }();
  return names;
}

std::vector<float> ComputeFeatures(const HubHistory& hub, const NominalHistory& nominal,
                                   const CivilDate& cutoff) {
  std::vector<float> f(kFeatureCount, 0.0f);
  std::array<CivilDate, 3> starts;
  for (size_t w = 0; w < kWindows.size(); ++w) starts[w] = Start(cutoff, kWindows[w]);
  const CivilDate start24 = Start(cutoff, 24);
  std::optional<CivilDate> last;
  int previous12 = 0;
  for (const HistoryEvent& e : nominal.events) {
    if (!(e.date < cutoff)) continue;
    last = e.date;
    const auto category = std::find(kCategories.begin(), kCategories.end(), e.category);
    for (size_t w = 0; w < kWindows.size(); ++w) {
      if (e.date < starts[w]) continue;
      f[kAgencyBase + static_cast<int>(e.agency) * 3 + w] += 1;
      if (category != kCategories.end()) {
        f[kCategoryBase + (category - kCategories.begin()) * 3 + w] += 1;
      }
    }
    if (!(e.date < starts[1])) {
      f[kTotal12] += 1;
    } else if (!(e.date < start24)) {
      ++previous12;
    }
  }
  f[kTrend] = f[kTotal12] - static_cast<float>(previous12);
  f[kDaysSinceLast] =
      last
          ? static_cast<float>(std::min<int64_t>(cutoff.ToDays() - last->ToDays(), kRecencyCapDays))
          : static_cast<float>(kRecencyCapDays);
  if (nominal.dob && *nominal.dob < cutoff) {
    f[kAge] = static_cast<float>(nominal.dob->AgeOn(cutoff));
    f[kDobKnown] = 1;
  } else {
    f[kAge] = -1;
  }

  std::vector<model::NominalId> members;
  for (const HouseholdTie& tie : nominal.household) {
    if (tie.from && !(*tie.from < cutoff)) continue;  // began on or after the cutoff
    if (tie.to && *tie.to < starts[1]) continue;      // ended over a year before it
    if (std::find(members.begin(), members.end(), tie.member) != members.end()) continue;
    members.push_back(tie.member);
  }
  f[kHouseholdMembers] = static_cast<float>(members.size());
  for (model::NominalId m : members) {
    auto it = hub.nominals.find(m);
    if (it == hub.nominals.end()) continue;
    for (const HistoryEvent& e : it->second.events) {
      if (!(e.date < cutoff) || e.date < starts[1]) continue;
      f[kHouseholdEvents12] += 1;
      if (e.agency == model::Agency::kChildrensSocialCare) f[kHouseholdCsc12] += 1;
      if (e.agency == model::Agency::kPolice) f[kHouseholdPolice12] += 1;
      if (e.category == "domestic_abuse_incident") f[kHouseholdDa12] += 1;
    }
  }
  return f;
}

namespace {

// "child_protection_plan" -> "child protection plan"
std::string Words(std::string_view code) {
  if (code == "childrens_social_care") return "children's social care";
  if (code == "dwp") return "DWP";
  std::string out(code);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// "12m" -> "in the last 12 months"
std::string Window(std::string_view w) {
  return "in the last " + std::string(w.substr(0, w.size() - 1)) + " months";
}

}  // namespace

std::string FeatureLabel(std::string_view feature) {
  const std::string f(feature);
  const size_t first = f.find('.');
  const size_t last = f.rfind('.');
  if (f.starts_with("agency.") && last != first) {
    return "Events recorded by " + Words(f.substr(first + 1, last - first - 1)) + " " +
           Window(f.substr(last + 1));
  }
  if (f.starts_with("category.") && last != first) {
    std::string what = Words(f.substr(first + 1, last - first - 1));
    what[0] = static_cast<char>(what[0] - 'a' + 'A');
    return what + " events " + Window(f.substr(last + 1));
  }
  static const std::map<std::string_view, std::string_view> kFixed = {
      {"events.12m", "All events in the last 12 months"},
      {"trend.12m_minus_previous_12m", "Change in events: last 12 months against the 12 before"},
      {"days_since_last_event", "Days since the last event (capped at 5 years)"},
      {"age_at_cutoff", "Age"},
      {"date_of_birth_known", "Date of birth known"},
      {"household.members", "Household members"},
      {"household.member_events.12m", "Household members' events in the last 12 months"},
      {"household.member_childrens_social_care.12m",
       "Household members' children's social care events in the last 12 months"},
      {"household.member_police.12m", "Household members' police events in the last 12 months"},
      {"household.member_domestic_abuse.12m",
       "Domestic abuse incidents involving household members in the last 12 months"},
  };
  auto it = kFixed.find(feature);
  return it == kFixed.end() ? f : std::string(it->second);
}

std::vector<std::string> FeatureLabels() {
  std::vector<std::string> out;
  for (const std::string& name : FeatureNames()) out.push_back(FeatureLabel(name));
  return out;
}

namespace {

constexpr std::string_view kCpPlanCategories[] = {"child_protection_plan"};
constexpr std::string_view kDaCategories[] = {"domestic_abuse_incident"};
constexpr std::string_view kCrisisCategories[] = {"crisis_contact", "inpatient_admission"};

constexpr OutcomeDefinition kOutcomes[] = {
    {"cp_plan_escalation", "A child-protection plan starts within 12 months",
     "a child with no child-protection plan in the past year becoming the subject of one within "
     "the next year",
     kCpPlanCategories},
    {"repeat_da_victimisation", "Domestic abuse victimisation recurs within 12 months",
     "a victim of domestic abuse being victimised again within the next year", kDaCategories},
    {"mh_crisis", "A mental-health crisis contact or admission within 12 months",
     "a person aged 12 or over having a mental-health crisis contact or admission within the "
     "next year",
     kCrisisCategories},
};

}  // namespace

std::span<const OutcomeDefinition> Outcomes() { return kOutcomes; }

const OutcomeDefinition* FindOutcome(std::string_view id) {
  for (const OutcomeDefinition& o : kOutcomes) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

std::string OutcomeIdList() {
  std::string out;
  for (size_t i = 0; i < std::size(kOutcomes); ++i) {
    if (i > 0) out += i + 1 == std::size(kOutcomes) ? " or " : ", ";
    out += kOutcomes[i].id;
  }
  return out;
}

std::string OutcomeTitle(std::string_view outcome) {
  const OutcomeDefinition* o = FindOutcome(outcome);
  return std::string(o != nullptr ? o->title : outcome);
}

double BaselineScore(std::span<const float> features) {
  const int csc = static_cast<int>(model::Agency::kChildrensSocialCare);
  return features[kAgencyBase + csc * 3 + 1];
}

std::vector<float> FeatureMatrix(const HubHistory& hub, const LabelledSet& set) {
  std::vector<float> matrix;
  matrix.reserve(set.rows.size() * kFeatureCount);
  for (const LabelledRow& row : set.rows) {
    const std::vector<float> f = ComputeFeatures(hub, hub.nominals.at(row.nominal), set.cutoff);
    matrix.insert(matrix.end(), f.begin(), f.end());
  }
  return matrix;
}

}  // namespace tessera::risk
