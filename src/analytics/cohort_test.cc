#include "analytics/cohort.h"

#include <gtest/gtest.h>

namespace tessera::analytics {
namespace {

const IndicatorSet& Rules() {
  static const IndicatorSet* rules = [] {
    auto parsed = IndicatorSet::Default();
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return new IndicatorSet(std::move(*parsed));
  }();
  return *rules;
}

std::string ParseError(std::string_view json) {
  auto d = CohortDefinition::Parse(json, Rules());
  if (d.ok()) return "parsed";
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  return std::string(d.status().message());
}

TEST(CohortDefinition, ParsesEveryConditionAndRoundTrips) {
  auto d = CohortDefinition::Parse(
      R"({"criteria": [{"indicator": "tf_household_criterion"}, {"score": {"at_least": 0.2}},
          {"score": {"top": 100}}, {"area": ["m11", "M12"]},
          {"agencies": {"at_least": 2, "within_months": 6, "of": ["police", "housing"]}},
          {"age": {"from": 0, "to": 17}}], "rank_by": "agencies"})",
      Rules());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->criteria.size(), 6u);
  EXPECT_EQ(d->rank_by, CohortRank::kAgencies);
  EXPECT_EQ(d->criteria[3].areas, (std::vector<std::string>{"M11", "M12"}));
  EXPECT_EQ(d->criteria[4].within_months, 6);
  EXPECT_EQ(d->RankingWindowMonths(), 6);
  EXPECT_TRUE(d->NeedsScore());
  EXPECT_GE(d->WindowMonths(Rules()), 24);  // tf_worklessness looks back 24 months
  auto again = CohortDefinition::Parse(d->ToJson(), Rules());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->ToJson(), d->ToJson());

  auto plain =
      CohortDefinition::Parse(R"({"criteria": [{"indicator": "repeat_missing"}]})", Rules());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->rank_by, CohortRank::kIndicators);
  EXPECT_FALSE(plain->NeedsScore());
}

TEST(CohortDefinition, ErrorsNameTheJsonPath) {
  EXPECT_EQ(ParseError("[1]"), "definition: must be a JSON object");
  EXPECT_EQ(ParseError("{"), "definition: not valid JSON");
  EXPECT_EQ(ParseError(R"({"criteria": []})"), "criteria: must be a list of 1 to 20 conditions");
  EXPECT_EQ(ParseError(R"({})"), "criteria: is required");
  EXPECT_EQ(ParseError(R"({"criteria": [{"indicator": "repeat_missing"}], "colour": 1})"),
            "colour: unknown key");
  EXPECT_EQ(ParseError(R"({"criteria": [{"indicator": "repeat_missing"},
                           {"score": {"at_least": 1.5}}]})"),
            "criteria[1].score.at_least: must be between 0 and 1");
  EXPECT_EQ(ParseError(R"({"criteria": [{"score": {"top": 0}}]})"),
            "criteria[0].score.top: must be between 1 and 1000000");
  EXPECT_EQ(ParseError(R"({"criteria": [{"score": {"at_least": 0.1, "top": 5}}]})"),
            R"(criteria[0].score: must be {"at_least": probability} or {"top": n})");
  EXPECT_NE(ParseError(R"({"criteria": [{"indicator": "nope"}]})")
                .find("criteria[0].indicator: no indicator 'nope'"),
            std::string::npos);
  EXPECT_EQ(ParseError(R"({"criteria": [{"area": ["M11", "not a district"]}]})"),
            "criteria[0].area[1]: must be a postcode district such as \"M11\", not 'NOT A "
            "DISTRICT'");
  EXPECT_EQ(ParseError(R"({"criteria": [{"agencies": {"at_least": 2, "of": ["police",
                           "wizards"]}}]})"),
            "criteria[0].agencies.of[1]: unknown agency 'wizards'");
  EXPECT_EQ(ParseError(R"({"criteria": [{"agencies": {"at_least": 3, "of": ["police"]}}]})"),
            "criteria[0].agencies.at_least: is more than the agencies listed in 'of'");
  EXPECT_EQ(ParseError(R"({"criteria": [{"agencies": {"at_least": 2, "since": 3}}]})"),
            "criteria[0].agencies.since: unknown key");
  EXPECT_EQ(ParseError(R"({"criteria": [{"age": {"from": 18, "to": 17}}]})"),
            "criteria[0].age: from is more than to");
  EXPECT_EQ(ParseError(R"({"criteria": [{"age": {"from": "0"}}]})"),
            "criteria[0].age.from: must be a whole number");
  EXPECT_EQ(ParseError(R"({"criteria": [{"weather": "rain"}]})"),
            "criteria[0].weather: unknown condition: use indicator, score, area, agencies or age");
  EXPECT_EQ(ParseError(R"({"criteria": [{"indicator": "repeat_missing", "age": {"to": 3}}]})"),
            "criteria[0]: must be an object with exactly one of indicator, score, area, "
            "agencies, age");
  EXPECT_EQ(ParseError(R"({"criteria": [{"age": {"to": 3}}], "rank_by": "height"})"),
            "rank_by: must be score, indicators, agencies or events");
}

CohortDefinition Def(std::string_view json) {
  auto d = CohortDefinition::Parse(json, Rules());
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return *d;
}

TEST(EvaluateCohort, EveryConditionMustHoldAndEachGivesItsReason) {
  const CivilDate as_of{2026, 6, 30};
  const CohortDefinition d =
      Def(R"({"criteria": [{"indicator": "repeat_missing"}, {"score": {"at_least": 0.2}},
              {"area": ["M11"]}, {"agencies": {"at_least": 3, "within_months": 12}},
              {"age": {"from": 10, "to": 17}}]})");
  CohortInputs in;
  in.raised = {"repeat_missing", "tf_health"};
  in.probability = 0.314;
  in.rank = 12;
  in.districts = {"M4", "M11"};
  in.events = {{model::Agency::kPolice, {2026, 1, 3}},
               {model::Agency::kHousing, {2025, 9, 1}},
               {model::Agency::kProbation, {2026, 6, 30}},
               {model::Agency::kDwp, {2025, 6, 30}}};  // the day before the window
  in.dob = CivilDate{2011, 7, 1};                      // 14 on 2026-06-30
  CohortVerdict v = EvaluateCohort(d, in, as_of);
  ASSERT_TRUE(v.member);
  EXPECT_EQ(v.reasons, (std::vector<std::string>{
                           "repeat_missing raised", "score 0.31 (rank 12)", "address in M11",
                           "3 agencies in 12 months: police, housing, probation", "age 14"}));
  // raised 2, agencies 3, events 3, probability
  EXPECT_EQ(v.key, (std::vector<double>{2, 2, 3, 3, 0.314}));

  auto without = [&](auto change) {
    CohortInputs copy = in;
    change(copy);
    return EvaluateCohort(d, copy, as_of);
  };
  EXPECT_FALSE(without([](CohortInputs& c) { c.raised = {"tf_health"}; }).member);
  // A score that may not be shown never holds.
  CohortVerdict no_score = without([](CohortInputs& c) {
    c.probability.reset();
    c.rank.reset();
  });
  EXPECT_FALSE(no_score.member);
  EXPECT_TRUE(no_score.reasons.empty());
  EXPECT_FALSE(without([](CohortInputs& c) { c.probability = 0.19; }).member);
  EXPECT_FALSE(without([](CohortInputs& c) { c.districts = {"M4"}; }).member);
  EXPECT_FALSE(without([](CohortInputs& c) { c.events.pop_back(), c.events.pop_back(); }).member);
  EXPECT_FALSE(without([](CohortInputs& c) { c.dob.reset(); }).member);
  EXPECT_FALSE(without([](CohortInputs& c) { c.dob = CivilDate{2008, 6, 30}; }).member);  // 18
  EXPECT_TRUE(without([](CohortInputs& c) { c.dob = CivilDate{2008, 7, 1}; }).member);    // 17
}

TEST(EvaluateCohort, TopAndAgencyListsAndRanking) {
  const CivilDate as_of{2026, 6, 30};
  CohortInputs in;
  in.probability = 0.5;
  in.rank = 101;
  EXPECT_FALSE(EvaluateCohort(Def(R"({"criteria": [{"score": {"top": 100}}]})"), in, as_of).member);
  in.rank = 100;
  CohortVerdict top = EvaluateCohort(
      Def(R"({"criteria": [{"score": {"top": 100}}], "rank_by": "score"})"), in, as_of);
  EXPECT_TRUE(top.member);
  EXPECT_EQ(top.reasons, std::vector<std::string>{"score 0.50 (rank 100)"});
  EXPECT_EQ(top.key.front(), 0.5);

  in.events = {{model::Agency::kPolice, {2026, 1, 3}},
               {model::Agency::kPolice, {2026, 2, 3}},
               {model::Agency::kEducation, {2026, 3, 3}}};
  const CohortDefinition of =
      Def(R"({"criteria": [{"agencies": {"at_least": 2, "of": ["police", "housing"]}}],
              "rank_by": "events"})");
  EXPECT_FALSE(EvaluateCohort(of, in, as_of).member);
  in.events.push_back({model::Agency::kHousing, {2026, 4, 1}});
  CohortVerdict v = EvaluateCohort(of, in, as_of);
  ASSERT_TRUE(v.member);
  EXPECT_EQ(v.reasons, std::vector<std::string>{"2 agencies in 12 months: police, housing"});
  EXPECT_EQ(v.key.front(), 4);  // events in the window
  // Events after the run's day never count.
  in.events = {{model::Agency::kPolice, {2026, 7, 1}}, {model::Agency::kHousing, {2026, 7, 2}}};
  EXPECT_FALSE(EvaluateCohort(of, in, as_of).member);
}

TEST(CsvCell, QuotesEveryCellAndDefusesFormulas) {
  EXPECT_EQ(CsvCell("Smith"), "\"Smith\"");
  EXPECT_EQ(CsvCell(""), "\"\"");
  EXPECT_EQ(CsvCell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvCell("+1"), "\"'+1\"");
  EXPECT_EQ(CsvCell("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(CsvCell("\tx"), "\"'\tx\"");
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("a=b, \"c\"\nd"), "\"a=b, \"\"c\"\"\nd\"");
}

}  // namespace
}  // namespace tessera::analytics
