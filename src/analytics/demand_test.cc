#include "analytics/demand.h"

#include <gtest/gtest.h>

#include <map>

#include "analytics/costs.h"

namespace tessera::analytics {
namespace {

CountCell Cell(std::vector<std::string> key, int64_t count) { return CountCell{key, count, false}; }

bool SuppressedOf(const CountTable& t, const std::vector<std::string>& key) {
  for (const CountCell& c : t.cells) {
    if (c.key == key) return c.suppressed;
  }
  ADD_FAILURE() << "no cell";
  return false;
}

TEST(Suppress, CellsBelowFiveAreSuppressedAndALoneOneIsProtected) {
  // One dimension with a total: 3 alone would be total - 20 - 7 - 9, so 7 (the next smallest)
  // is suppressed too.
  CountTable t{
      {Cell({"police"}, 20), Cell({"housing"}, 3), Cell({"health"}, 7), Cell({"education"}, 9)}};
  Suppress(t);
  EXPECT_TRUE(SuppressedOf(t, {"housing"}));
  EXPECT_TRUE(SuppressedOf(t, {"health"}));
  EXPECT_FALSE(SuppressedOf(t, {"police"}));
  EXPECT_FALSE(SuppressedOf(t, {"education"}));
  EXPECT_EQ(t.total, 39);
  EXPECT_FALSE(t.total_suppressed);
  // Nothing shown lets 3 be worked out: the two suppressed cells are only known together.
  int64_t shown = 0, hidden = 0;
  for (const CountCell& c : t.cells) (c.suppressed ? hidden : shown) += 1;
  EXPECT_EQ(hidden, 2);
}

TEST(Suppress, NoSmallCellsNothingSuppressed) {
  CountTable t{{Cell({"a"}, 5), Cell({"b"}, 12)}};
  Suppress(t);
  EXPECT_FALSE(t.cells[0].suppressed);
  EXPECT_FALSE(t.cells[1].suppressed);
  EXPECT_FALSE(t.total_suppressed);
}

TEST(Suppress, SmallTotalIsSuppressed) {
  CountTable t{{Cell({"a"}, 2), Cell({"b"}, 1)}};
  Suppress(t);
  EXPECT_TRUE(t.cells[0].suppressed);
  EXPECT_TRUE(t.cells[1].suppressed);
  EXPECT_TRUE(t.total_suppressed);
}

TEST(Suppress, TwoDimensionsEveryLineHoldsNoneOrTwoSuppressed) {
  // agency x month:      jan  feb  mar
  //   police              2   30   40
  //   housing            10   11   12
  //   health             50   60    8
  CountTable t{
      {Cell({"police", "jan"}, 2), Cell({"police", "feb"}, 30), Cell({"police", "mar"}, 40),
       Cell({"housing", "jan"}, 10), Cell({"housing", "feb"}, 11), Cell({"housing", "mar"}, 12),
       Cell({"health", "jan"}, 50), Cell({"health", "feb"}, 60), Cell({"health", "mar"}, 8)}};
  Suppress(t);
  EXPECT_TRUE(SuppressedOf(t, {"police", "jan"}));
  for (size_t d = 0; d < 2; ++d) {
    std::map<std::string, int> per_line;
    for (const CountCell& c : t.cells) {
      if (c.suppressed) ++per_line[c.key[1 - d]];
    }
    for (const auto& [line, n] : per_line) EXPECT_NE(n, 1) << "line " << line;
  }
  EXPECT_FALSE(t.total_suppressed);
}

TEST(Suppress, ALoneCellInEveryLineSuppressesTheTotal) {
  CountTable t{{Cell({"police", "jan"}, 3), Cell({"housing", "feb"}, 40)}};
  Suppress(t);
  EXPECT_TRUE(t.cells[0].suppressed);
  EXPECT_FALSE(t.cells[1].suppressed);
  EXPECT_TRUE(t.total_suppressed);
}

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

TEST(Episodes, EventsWithinTheGapJoinOneEpisode) {
  std::vector<CivilDate> dates = {D(2024, 1, 1), D(2024, 3, 1), D(2024, 5, 20), D(2024, 12, 1),
                                  D(2025, 6, 1)};
  std::vector<Episode> e = Episodes(dates, D(2025, 1, 1), 90);
  ASSERT_EQ(e.size(), 2u);  // 2024-05-20 is 80 days after 2024-03-01; 2024-12-01 is not
  EXPECT_EQ(e[0].start, D(2024, 1, 1));
  EXPECT_EQ(e[0].latest, D(2024, 5, 20));
  EXPECT_EQ(e[0].open_until, D(2024, 8, 18));
  EXPECT_EQ(e[0].events, 3);
  EXPECT_EQ(e[1].start, D(2024, 12, 1));  // the 2025 event is after as_of: not used
  EXPECT_EQ(e[1].events, 1);
}

TEST(Episodes, OpenAtAsOfUntilGapDaysAfterTheLatestEvent) {
  std::vector<CivilDate> dates = {D(2024, 1, 10), D(2024, 2, 1)};
  auto open = OpenEpisode(dates, D(2024, 5, 1), 90);  // 2024-02-01 + 90 = 2024-05-01
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->start, D(2024, 1, 10));
  EXPECT_EQ(open->latest, D(2024, 2, 1));
  EXPECT_EQ(open->events, 2);
  EXPECT_FALSE(OpenEpisode(dates, D(2024, 5, 2), 90).has_value());
  EXPECT_TRUE(OpenEpisode(dates, D(2024, 5, 2), 120).has_value());  // a longer gap
  EXPECT_FALSE(OpenEpisode(dates, D(2024, 1, 9), 90).has_value());  // before any event
  EXPECT_FALSE(OpenEpisode({}, D(2024, 1, 9), 90).has_value());
  // The gap is inclusive: 90 days apart joins, 91 does not.
  std::vector<CivilDate> apart = {D(2024, 1, 1), D(2024, 3, 31)};  // 90 days
  EXPECT_EQ(Episodes(apart, D(2024, 12, 31), 90).size(), 1u);
  std::vector<CivilDate> further = {D(2024, 1, 1), D(2024, 4, 1)};  // 91 days
  EXPECT_EQ(Episodes(further, D(2024, 12, 31), 90).size(), 2u);
}

}  // namespace
TEST(UnitCosts, DefaultParsesAndPricesOnlyWhatIsShown) {
  auto costs = UnitCosts::Default();
  ASSERT_TRUE(costs.ok()) << costs.status().ToString();
  EXPECT_EQ(costs->currency, "GBP");
  EXPECT_FALSE(costs->assumptions.empty());
  const UnitCost* plan = costs->Find("child_protection_plan");
  ASSERT_NE(plan, nullptr);
  const CostEstimate e = EstimateCost(
      *costs, {{"child_protection_plan", 10}, {"referral", std::nullopt}, {"burglary", 7}});
  // Priced lines in the file's order; a suppressed count is neither priced nor totalled.
  double expected = 10 * plan->unit_cost;
  for (const CostLine& line : e.priced) {
    if (line.category == "referral") {
      EXPECT_FALSE(line.count.has_value());
      EXPECT_FALSE(line.cost.has_value());
    } else if (line.category != "child_protection_plan") {
      EXPECT_EQ(line.count, 0);  // none in the period
    }
  }
  EXPECT_DOUBLE_EQ(e.total, expected);
  EXPECT_EQ(e.suppressed_lines, 1);
  ASSERT_EQ(e.unpriced.size(), 1u);
  EXPECT_EQ(e.unpriced[0].category, "burglary");
  EXPECT_EQ(e.unpriced[0].count, 7);
}

TEST(UnitCosts, BadFilesNameTheLineAndKey) {
  const std::string head = "currency: GBP\nprice_year: '2024'\nsource: test\n";
  auto negative = UnitCosts::Parse(
      head + "costs:\n  - {category: a, label: A, unit: each, unit_cost: -3}\n", "u.yaml");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("u.yaml:5: costs[0].unit_cost"), std::string::npos)
      << negative.status().ToString();
  auto twice =
      UnitCosts::Parse(head +
                           "costs:\n  - {category: a, label: A, unit: each, unit_cost: 1}\n"
                           "  - {category: a, label: B, unit: each, unit_cost: 2}\n",
                       "u.yaml");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("priced twice"), std::string::npos);
  auto unknown = UnitCosts::Parse(head + "colour: red\ncosts: []\n", "u.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("u.yaml:4: colour: unknown key"), std::string::npos)
      << unknown.status().ToString();
  auto text = UnitCosts::Parse(
      head + "costs:\n  - {category: a, label: A, unit: each, unit_cost: lots}\n", "u.yaml");
  EXPECT_FALSE(text.ok());
}

}  // namespace tessera::analytics
