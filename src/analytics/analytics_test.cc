#include "analytics/analytics.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace tessera::analytics {
namespace {

namespace fs = std::filesystem;
using model::Role;

constexpr CivilDate kAsOf{2024, 12, 31};

// A hand-made event: one person's row.
TimelineEvent Ev(model::EventId id, CivilDate date, std::string source, std::string category,
                 Role role, model::NominalId nominal = 1) {
  TimelineEvent e;
  e.id = id;
  e.source_id = std::move(source);
  e.agency = model::Agency::kPolice;
  e.type = "event";
  e.category = std::move(category);
  e.date = date;
  e.nominals = {nominal};
  e.involvements = {{nominal, role}};
  return e;
}

IndicatorSet MustParse(const std::string& yaml) {
  auto set = IndicatorSet::Parse(yaml, "rules.yaml");
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return set.ok() ? std::move(set).value() : IndicatorSet();
}

const Flag& FlagFor(const std::vector<Flag>& flags, std::string_view code) {
  for (const Flag& f : flags) {
    if (f.rule->code == code) return f;
  }
  ADD_FAILURE() << "no flag " << code;
  static const Flag kNone;
  return kNone;
}

std::string ErrorOf(const std::string& yaml) {
  auto set = IndicatorSet::Parse(yaml, "rules.yaml");
  EXPECT_FALSE(set.ok()) << yaml;
  if (set.ok()) return "";
  EXPECT_EQ(set.status().code(), StatusCode::kInvalidArgument);
  return set.status().message();
}

constexpr std::string_view kMissing = R"(indicators:
  - code: repeat_missing
    title: Repeat missing
    description: Three or more missing episodes in 12 months.
    scope: nominal
    window_months: 12
    match: {sources: [police_missing], categories: [missing, absent], roles: [missing_person]}
    threshold: {min_events: 3}
)";

TEST(WindowStart, CountsWholeCalendarMonthsBackClampingTheDay) {
  EXPECT_EQ(WindowStart({2024, 12, 31}, 12), (CivilDate{2024, 1, 1}));
  EXPECT_EQ(WindowStart({2024, 6, 15}, 12), (CivilDate{2023, 6, 16}));
  EXPECT_EQ(WindowStart({2024, 3, 31}, 1), (CivilDate{2024, 3, 1}));  // Feb 29 + 1 day
  EXPECT_EQ(WindowStart({2023, 3, 31}, 1), (CivilDate{2023, 3, 1}));  // Feb 28 + 1 day
  EXPECT_EQ(WindowStart({2024, 2, 29}, 12), (CivilDate{2023, 3, 1}));
  EXPECT_EQ(WindowStart({2024, 1, 10}, 24), (CivilDate{2022, 1, 11}));
  EXPECT_EQ(WindowStart({1, 2, 28}, 3), (CivilDate{0, 11, 29}));  // the earliest "as of" day
  EXPECT_EQ(WindowStart({1, 1, 1}, 120), (CivilDate{-9, 1, 2}));
}

TEST(Evaluate, WindowIsInclusiveAtBothEndsAndIgnoresEventsAfterAsOf) {
  IndicatorSet set = MustParse(std::string(kMissing));
  const Role mp = Role::kMissingPerson;
  std::vector<TimelineEvent> events = {
      Ev(1, {2023, 12, 31}, "police_missing", "missing", mp),  // the day before the window
      Ev(2, {2024, 1, 1}, "police_missing", "missing", mp),    // its first day
      Ev(3, {2024, 12, 31}, "police_missing", "absent", mp),   // as of
      Ev(4, {2025, 1, 1}, "police_missing", "missing", mp),    // after as of
  };
  std::vector<Flag> flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].count, 2);
  EXPECT_FALSE(flags[0].raised);
  EXPECT_EQ(flags[0].window_from, (CivilDate{2024, 1, 1}));
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{3, 2}));  // newest first

  events.push_back(Ev(5, {2024, 6, 1}, "police_missing", "missing", mp));
  flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  EXPECT_TRUE(flags[0].raised);
  EXPECT_EQ(flags[0].count, 3);
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{3, 5, 2}));

  // A day earlier, the event on 2024-12-31 is in the future and 2023-12-31 is in the window.
  flags = Evaluate(set, Scope::kNominal, events, {2024, 12, 30});
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{5, 2, 1}));
  EXPECT_TRUE(flags[0].raised);
  // Nothing counts before the events.
  flags = Evaluate(set, Scope::kNominal, events, {2020, 1, 1});
  EXPECT_FALSE(flags[0].raised);
  EXPECT_TRUE(flags[0].events.empty());
}

TEST(Evaluate, RoleCategoryAndSourceFiltersMustAllHold) {
  IndicatorSet set = MustParse(std::string(kMissing));
  std::vector<TimelineEvent> events = {
      Ev(1, {2024, 5, 1}, "police_missing", "missing", Role::kMissingPerson),
      Ev(2, {2024, 5, 2}, "police_missing", "missing", Role::kWitness),           // role
      Ev(3, {2024, 5, 3}, "police_missing", "found_safe", Role::kMissingPerson),  // category
      Ev(4, {2024, 5, 4}, "police_crime", "missing", Role::kMissingPerson),       // source
      Ev(5, {2024, 5, 5}, "police_missing", "absent", Role::kMissingPerson),
      Ev(6, {2024, 5, 6}, "police_missing", "missing", Role::kMissingPerson),
  };
  events[5].category.reset();  // a withheld category never matches a category filter
  std::vector<Flag> flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{5, 1}));
  EXPECT_FALSE(flags[0].raised);
  // A withheld date is never in a window.
  events[0].date.reset();
  flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{5}));
}

TEST(Evaluate, AgencyAndTypeFiltersAndAListOfMatchesAnyOfWhichMayHold) {
  IndicatorSet set = MustParse(R"(indicators:
  - code: health
    title: Health
    description: Mental health contact, or an overdose call-out.
    scope: nominal
    window_months: 12
    match:
      - {agencies: [mental_health]}
      - {agencies: [ambulance], types: [ambulance_callout], categories: [overdose_or_poisoning]}
)");
  std::vector<TimelineEvent> events = {
      Ev(1, {2024, 5, 1}, "mental_health", "crisis_contact", Role::kPatient),
      Ev(2, {2024, 5, 2}, "ambulance", "overdose_or_poisoning", Role::kPatient),
      Ev(3, {2024, 5, 3}, "ambulance", "fall", Role::kPatient),
      Ev(4, {2024, 5, 4}, "ambulance", "overdose_or_poisoning", Role::kPatient),
  };
  events[0].agency = model::Agency::kMentalHealth;
  for (int i : {1, 2, 3}) events[i].agency = model::Agency::kAmbulance;
  events[1].type = "ambulance_callout";
  events[2].type = "ambulance_callout";
  events[3].type.reset();  // a withheld type never matches a type filter
  std::vector<Flag> flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  EXPECT_TRUE(flags[0].raised);
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{2, 1}));
}

TEST(Evaluate, ThresholdsCountOccurrencesAndDistinctDays) {
  IndicatorSet set = MustParse(R"(indicators:
  - code: da
    title: DA
    description: Three incidents on at least two days.
    scope: household
    window_months: 12
    match: {sources: [police_domestic_abuse]}
    threshold: {min_events: 3, min_distinct_days: 2}
)");
  // One incident, three rows (victim, perpetrator, child) sharing the reference: once.
  std::vector<TimelineEvent> events = {
      Ev(1, {2024, 5, 1}, "police_domestic_abuse", "da", Role::kVictim, 1),
      Ev(2, {2024, 5, 1}, "police_domestic_abuse", "da", Role::kSuspect, 2),
      Ev(3, {2024, 5, 1}, "police_domestic_abuse", "da", Role::kChild, 3),
  };
  for (TimelineEvent& e : events) e.reference = "DA/1";
  std::vector<Flag> flags = Evaluate(set, Scope::kHousehold, events, kAsOf);
  EXPECT_EQ(flags[0].count, 1);
  EXPECT_EQ(flags[0].events.size(), 3u);  // every row is listed
  // Without the reference (withheld) each row counts: three, but on one day.
  for (TimelineEvent& e : events) e.reference.reset();
  flags = Evaluate(set, Scope::kHousehold, events, kAsOf);
  EXPECT_EQ(flags[0].count, 3);
  EXPECT_EQ(flags[0].distinct_days, 1);
  EXPECT_FALSE(flags[0].raised);
  events.push_back(Ev(4, {2024, 6, 1}, "police_domestic_abuse", "da", Role::kVictim, 1));
  flags = Evaluate(set, Scope::kHousehold, events, kAsOf);
  EXPECT_TRUE(flags[0].raised);
  EXPECT_EQ(flags[0].distinct_days, 2);
}

constexpr std::string_view kHousehold = R"(indicators:
  - code: missing_together
    title: Missing (together)
    description: Members' episodes count together.
    scope: household
    window_months: 12
    match: {sources: [police_missing], roles: [missing_person]}
    threshold: {min_events: 3}
  - code: missing_one_child
    title: Missing (one member)
    description: One member's own episodes must reach the threshold.
    scope: household
    any_member: false
    window_months: 12
    match: {sources: [police_missing], roles: [missing_person]}
    threshold: {min_events: 3}
  - code: children
    title: Children in need
    description: A child in the household was referred.
    scope: household
    window_months: 12
    match: {sources: [csc_children], roles: [child]}
  - code: two_of_three
    title: Two of three
    description: At least two of the above.
    scope: household
    at_least: 2
    of: [missing_together, missing_one_child, children]
  - code: all_three
    title: All three
    description: All of the above.
    scope: household
    all_of: [missing_together, missing_one_child, children]
  - code: nominal_rule
    title: Someone's own
    description: Not evaluated for a household.
    scope: nominal
    window_months: 12
    match: {sources: [police_missing]}
)";

TEST(Evaluate, HouseholdMembersEventsCountTogetherOrEachAlone) {
  IndicatorSet set = MustParse(std::string(kHousehold));
  const Role mp = Role::kMissingPerson;
  std::vector<TimelineEvent> events = {
      Ev(1, {2024, 2, 1}, "police_missing", "missing", mp, 11),
      Ev(2, {2024, 3, 1}, "police_missing", "missing", mp, 11),
      Ev(3, {2024, 4, 1}, "police_missing", "missing", mp, 12),
      // The parent is in the CSC referral, as parent: the role is the parent's.
      Ev(4, {2024, 4, 2}, "csc_children", "referral", Role::kParent, 13),
  };
  std::vector<Flag> flags = Evaluate(set, Scope::kHousehold, events, kAsOf);
  ASSERT_EQ(flags.size(), 5u);  // household rules only, in file order
  EXPECT_EQ(flags[0].rule->code, "missing_together");
  EXPECT_TRUE(FlagFor(flags, "missing_together").raised);
  EXPECT_EQ(FlagFor(flags, "missing_together").count, 3);
  const Flag& each = FlagFor(flags, "missing_one_child");
  EXPECT_FALSE(each.raised);
  EXPECT_EQ(each.count, 2);  // the member with the most
  EXPECT_EQ(each.events, (std::vector<model::EventId>{2, 1}));
  EXPECT_TRUE(each.members.empty());
  EXPECT_FALSE(FlagFor(flags, "children").raised);
  const Flag& two = FlagFor(flags, "two_of_three");
  EXPECT_FALSE(two.raised);
  EXPECT_EQ(two.count, 1);
  ASSERT_EQ(two.components.size(), 3u);
  EXPECT_TRUE(two.components[0].raised);
  EXPECT_FALSE(two.components[1].raised);

  // The child's own third episode, and the same referral naming the child: an event of two
  // members counts each member's role.
  events.push_back(Ev(5, {2024, 5, 1}, "police_missing", "missing", mp, 11));
  events[3].nominals.push_back(12);
  events[3].involvements.push_back({12, Role::kChild});
  flags = Evaluate(set, Scope::kHousehold, events, kAsOf);
  const Flag& each2 = FlagFor(flags, "missing_one_child");
  EXPECT_TRUE(each2.raised);
  EXPECT_EQ(each2.members, (std::vector<model::NominalId>{11}));
  EXPECT_EQ(each2.events, (std::vector<model::EventId>{5, 2, 1}));
  EXPECT_TRUE(FlagFor(flags, "children").raised);
  const Flag& two2 = FlagFor(flags, "two_of_three");
  EXPECT_TRUE(two2.raised);
  EXPECT_EQ(two2.count, 3);
  EXPECT_TRUE(FlagFor(flags, "all_three").raised);
  // A composite lists its raised components' events, newest first.
  EXPECT_EQ(two2.events, (std::vector<model::EventId>{5, 4, 3, 2, 1}));
  EXPECT_EQ(two2.members, (std::vector<model::NominalId>{11}));

  // The nominal scope sees only the nominal rule.
  flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].rule->code, "nominal_rule");
  EXPECT_EQ(flags[0].rule->window_months, 12);
}

TEST(Evaluate, CompositesOfCompositesAreEvaluatedAfterTheirComponents) {
  IndicatorSet set = MustParse(R"(indicators:
  - {code: top, title: T, description: d, scope: nominal, all_of: [middle, leaf_b]}
  - {code: middle, title: M, description: d, scope: nominal, at_least: 1, of: [leaf_a]}
  - code: leaf_a
    title: A
    description: d
    scope: nominal
    window_months: 1
    match: {sources: [a]}
  - code: leaf_b
    title: B
    description: d
    scope: nominal
    window_months: 6
    match: {sources: [b]}
)");
  std::vector<TimelineEvent> events = {Ev(1, {2024, 12, 1}, "a", "x", Role::kSubject),
                                       Ev(2, {2024, 8, 1}, "b", "x", Role::kSubject)};
  std::vector<Flag> flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  ASSERT_EQ(flags.size(), 4u);
  EXPECT_EQ(flags[0].rule->code, "top");
  EXPECT_TRUE(flags[0].raised);
  EXPECT_EQ(flags[0].events, (std::vector<model::EventId>{1, 2}));
  EXPECT_EQ(flags[0].window_from, (CivilDate{2024, 7, 1}));  // leaf_b's six months
  events[0].date = CivilDate{2024, 11, 30};                  // out of leaf_a's month
  flags = Evaluate(set, Scope::kNominal, events, kAsOf);
  EXPECT_FALSE(FlagFor(flags, "middle").raised);
  EXPECT_FALSE(FlagFor(flags, "top").raised);
}

// --- rule files

TEST(IndicatorRules, ParseEveryKey) {
  IndicatorSet set = MustParse(std::string(kHousehold));
  ASSERT_EQ(set.rules().size(), 6u);
  const IndicatorRule* each = set.Find("missing_one_child");
  ASSERT_NE(each, nullptr);
  EXPECT_EQ(each->line, 9);
  EXPECT_FALSE(each->any_member);
  EXPECT_EQ(each->min_events, 3);
  EXPECT_EQ(each->window_months, 12);
  ASSERT_EQ(each->match.size(), 1u);
  EXPECT_EQ(each->match[0].sources, std::vector<std::string>{"police_missing"});
  EXPECT_EQ(each->match[0].roles, std::vector<Role>{Role::kMissingPerson});
  const IndicatorRule* two = set.Find("two_of_three");
  ASSERT_NE(two, nullptr);
  EXPECT_TRUE(two->composite);
  EXPECT_EQ(two->at_least, 2);
  const IndicatorRule* all = set.Find("all_three");
  EXPECT_EQ(all->at_least, 3);
  EXPECT_EQ(set.origin(), "rules.yaml");
  EXPECT_EQ(set.Find("nope"), nullptr);
}

TEST(IndicatorRules, ErrorsNameTheFileLineAndKey) {
  const std::string head =
      "indicators:\n"
      "  - code: r1\n"
      "    title: R\n"
      "    description: d\n"
      "    scope: nominal\n";
  auto with = [&](const std::string& rest) { return head + rest; };
  const std::string ok_match = "    window_months: 12\n    match: {sources: [police_crime]}\n";

  EXPECT_EQ(
      ErrorOf(with(ok_match + "    treshold: {min_events: 2}\n")),
      "rules.yaml:8: indicators[0].treshold: unknown key 'treshold' (expected one of: code, title, "
      "description, scope, window_months, match, threshold, any_member, all_of, at_least, "
      "of)");
  EXPECT_EQ(
      ErrorOf(with("    window_months: 12\n    match: {sources: [x], role: [victim]}\n")),
      "rules.yaml:7: indicators[0].match.role: unknown key 'role' (expected one of: agencies, "
      "sources, categories, types, roles)");
  EXPECT_EQ(ErrorOf(with("    window_months: 12\n    match:\n      roles: [victim, perp]\n")),
            "rules.yaml:8: indicators[0].match.roles[1]: unknown role 'perp' (one of: " +
                model::RoleNames() + ")");
  EXPECT_NE(ErrorOf(with("    window_months: 12\n    match: {agencies: [polis]}\n"))
                .find("rules.yaml:7: indicators[0].match.agencies[0]: unknown agency 'polis'"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(with("    window_months: 0\n    match: {sources: [x]}\n")),
            "rules.yaml:6: indicators[0].window_months: must be 1 to 120, not 0");
  EXPECT_EQ(ErrorOf(with("    window_months: 121\n    match: {sources: [x]}\n")),
            "rules.yaml:6: indicators[0].window_months: must be 1 to 120, not 121");
  EXPECT_EQ(ErrorOf(with("    window_months: twelve\n    match: {sources: [x]}\n")),
            "rules.yaml:6: indicators[0].window_months: expected a whole number, not 'twelve'");
  EXPECT_EQ(ErrorOf(with("    match: {sources: [x]}\n")),
            "rules.yaml:2: indicators[0]: missing required key 'window_months'");
  EXPECT_EQ(ErrorOf(with("    window_months: 12\n    match: {}\n")),
            "rules.yaml:7: indicators[0].match: a match needs at least one of agencies, sources, "
            "categories, types, roles");
  EXPECT_EQ(ErrorOf(with(ok_match + "    threshold: {min_events: 0}\n")),
            "rules.yaml:8: indicators[0].threshold.min_events: must be 1 to 10000, not 0");
  EXPECT_EQ(ErrorOf(with(ok_match + "    any_member: false\n")),
            "rules.yaml:8: indicators[0].any_member: is for household rules only");
  EXPECT_EQ(ErrorOf("indicators:\n  - code: r1\n    title: R\n    description: d\n"
                    "    scope: person\n"),
            "rules.yaml:5: indicators[0].scope: must be nominal or household, not 'person'");
  EXPECT_EQ(ErrorOf("indicators:\n  - code: r1\n    description: d\n    scope: nominal\n"),
            "rules.yaml:2: indicators[0]: missing required key 'title'");
  EXPECT_EQ(ErrorOf("indicators:\n  - code: R 1\n"),
            "rules.yaml:2: indicators[0].code: 'R 1' must be 2 to 64 of a-z, 0-9 and '_'");
  EXPECT_EQ(ErrorOf("rules:\n  - code: r1\n"),
            "rules.yaml:1: rules: unknown key 'rules' (expected one of: indicators)");
  EXPECT_EQ(ErrorOf(with(ok_match) +
                    "  - code: r1\n    title: again\n    description: d\n    scope: nominal\n" +
                    ok_match),
            "rules.yaml:8: indicators[1].code: 'r1' is defined twice (first at line 2)");
  // Broken YAML says where.
  EXPECT_NE(ErrorOf("indicators:\n  - code: [r1\n").find("rules.yaml:3:"), std::string::npos);
}

TEST(IndicatorRules, CompositesNeedKnownSameScopeComponentsAndNoCycles) {
  const std::string leaf =
      "indicators:\n"
      "  - code: leaf\n"
      "    title: Leaf\n"
      "    description: d\n"
      "    scope: household\n"
      "    window_months: 12\n"
      "    match: {sources: [x]}\n";
  auto composite = [&](const std::string& scope, const std::string& rest) {
    return leaf + "  - code: both\n    title: Both\n    description: d\n    scope: " + scope +
           "\n" + rest;
  };
  EXPECT_EQ(ErrorOf(composite("household", "    at_least: 1\n    of: [leaf, missing]\n")),
            "rules.yaml:13: indicators[1].of[1]: no rule has the code 'missing'");
  EXPECT_EQ(ErrorOf(composite("nominal", "    all_of: [leaf]\n")),
            "rules.yaml:12: indicators[1].all_of[0]: 'leaf' is a household rule and this is a "
            "nominal rule: components must have the composite's scope");
  EXPECT_EQ(ErrorOf(composite("household", "    at_least: 3\n    of: [leaf]\n")),
            "rules.yaml:12: indicators[1].at_least: must be 1 to 1, not 3");
  EXPECT_EQ(ErrorOf(composite("household", "    of: [leaf]\n")),
            "rules.yaml:12: indicators[1].of: of needs at_least: how many of these must be raised");
  EXPECT_EQ(ErrorOf(composite("household", "    all_of: [leaf]\n    window_months: 12\n")),
            "rules.yaml:13: indicators[1].window_months: a composite rule (all_of, or at_least "
            "and of) takes no window_months: its components have their own");
  EXPECT_EQ(ErrorOf(composite("household", "    all_of: [leaf, leaf]\n")),
            "rules.yaml:12: indicators[1].all_of[1]: lists 'leaf' twice");
  EXPECT_EQ(ErrorOf(composite("household", "    all_of: [both]\n")),
            "rules.yaml:12: indicators[1].all_of: rules depend on themselves: both -> both");
  const std::string cycle = leaf +
                            "  - {code: ca, title: A, description: d, scope: household, "
                            "at_least: 1, of: [leaf, cb]}\n"
                            "  - {code: cb, title: B, description: d, scope: household, "
                            "all_of: [ca]}\n";
  EXPECT_EQ(ErrorOf(cycle),
            "rules.yaml:8: indicators[1].of: rules depend on themselves: ca -> cb -> ca");
}

// --- the default set

std::string SourceDir() {
  const char* dir = std::getenv("TESSERA_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

TEST(DefaultIndicators, ParseAndHoldTheDocumentedRules) {
  auto set = IndicatorSet::Default();
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->origin(), "built-in default");
  for (const char* code : {"tf_crime_asb", "tf_school_attendance", "tf_children_need_help",
                           "tf_worklessness", "tf_domestic_abuse", "tf_health",
                           "tf_household_criterion", "da_escalation_marac", "repeat_missing"}) {
    EXPECT_NE(set->Find(code), nullptr) << code;
  }
  const IndicatorRule* tf = set->Find("tf_household_criterion");
  EXPECT_EQ(tf->at_least, 2);
  EXPECT_EQ(tf->of.size(), 6u);
  EXPECT_EQ(set->Find("da_escalation_marac")->min_events, 3);
  EXPECT_EQ(set->Find("da_escalation_marac")->scope, Scope::kNominal);
  EXPECT_EQ(set->Find("repeat_missing")->min_events, 3);

  // The compiled-in copy is the example file.
  std::ifstream in(SourceDir() + "/examples/synthetic/indicators.yaml", std::ios::binary);
  ASSERT_TRUE(in.good());
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file, IndicatorSet::DefaultYaml());
}

// The default rules name only sources, categories, types and roles the synthetic world's mapping
// specs give events: a misspelt category would silently never match.
TEST(DefaultIndicators, NameOnlyValuesTheSyntheticMappingsProduce) {
  std::set<std::string> sources, categories, types, roles;
  for (const auto& entry : fs::directory_iterator(SourceDir() + "/examples/synthetic/mappings")) {
    YAML::Node spec = YAML::LoadFile(entry.path().string());
    sources.insert(spec["source"].as<std::string>());
    std::vector<YAML::Node> events, people;
    if (spec["event"]) events.push_back(spec["event"]);
    if (spec["people"]) {
      for (const auto& p : spec["people"]) people.push_back(p);
    }
    if (spec["resources"]) {
      for (const auto& kv : spec["resources"]) {
        if (kv.second["event"]) events.push_back(kv.second["event"]);
        if (kv.second["person"]) people.push_back(kv.second["person"]);
      }
    }
    auto values = [](const YAML::Node& v, std::set<std::string>& out) {
      if (v["value"]) out.insert(v["value"].as<std::string>());
      if (v["map"]) {
        for (const auto& kv : v["map"]) out.insert(kv.second.as<std::string>());
      }
    };
    for (const YAML::Node& e : events) {
      types.insert(e["type"].as<std::string>());
      if (e["category"]) values(e["category"], categories);
    }
    for (const YAML::Node& p : people) values(p["role"], roles);
  }
  ASSERT_GE(sources.size(), 12u);
  auto set = IndicatorSet::Default();
  ASSERT_TRUE(set.ok());
  int matches = 0;
  for (const IndicatorRule& rule : set->rules()) {
    for (const EventMatch& m : rule.match) {
      ++matches;
      for (const std::string& s : m.sources) EXPECT_TRUE(sources.contains(s)) << rule.code << s;
      for (const std::string& c : m.categories) {
        EXPECT_TRUE(categories.contains(c)) << rule.code << " " << c;
      }
      for (const std::string& t : m.types) EXPECT_TRUE(types.contains(t)) << rule.code << t;
      for (Role r : m.roles) {
        EXPECT_TRUE(roles.contains(std::string(model::RoleName(r))))
            << rule.code << " " << model::RoleName(r);
      }
    }
  }
  EXPECT_GE(matches, 10);
}

TEST(DefaultIndicators, AHubFileReplacesTheDefault) {
  const fs::path hub =
      fs::temp_directory_path() / ("tessera-analytics-" + std::to_string(getpid()));
  fs::remove_all(hub);
  fs::create_directories(hub / "analytics");
  auto set = IndicatorSet::ForHub(hub.string());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->origin(), "built-in default");
  { std::ofstream(hub / "analytics/indicators.yaml") << kMissing; }
  set = IndicatorSet::ForHub(hub.string());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->rules().size(), 1u);
  EXPECT_EQ(set->origin(), IndicatorSet::HubRulesPath(hub.string()));
  { std::ofstream(hub / "analytics/indicators.yaml") << "indicators: [{code: x}]\n"; }
  set = IndicatorSet::ForHub(hub.string());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("analytics/indicators.yaml:1: indicators[0].code"),
            std::string::npos)
      << set.status().ToString();
  fs::remove_all(hub);
}

}  // namespace
}  // namespace tessera::analytics
