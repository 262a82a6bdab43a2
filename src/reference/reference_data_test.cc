#include "reference/reference_data.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::reference {
namespace {

TEST(ReferenceFile, EveryListedFileIsEmbeddedWithItsHeader) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"uk_first_name_variants.csv", "\"forename\",\"forename2\",\"freq\""},
      {"uk_last_name_variants.csv", "\"lastname1\",\"lastname2\",\"freq\""},
      {"uk_first_names_by_year.csv", ""},
      {"ew_top_first_names_by_decade_1904_1994.csv", ""},
      {"uk_last_names.csv", ""},
      {"gb_places.csv", ""},
      {"uk_postcodes_sample.csv", ""},
  };
  for (const auto& [name, header] : expected) {
    const std::string_view text = ReferenceFile(name);
    ASSERT_GT(text.size(), 1000u) << name;
    EXPECT_EQ(text.back(), '\n') << name;
    if (!header.empty()) {
      EXPECT_EQ(text.substr(0, header.size()), header) << name;
    }
  }
}

TEST(ReferenceFile, UnknownNameIsEmpty) {
  EXPECT_TRUE(ReferenceFile("no_such_file.csv").empty());
  EXPECT_TRUE(ReferenceFile("").empty());
}

TEST(SplitCsvLine, QuotesCommasAndCarriageReturns) {
  EXPECT_EQ(SplitCsvLine("\"bob\",\"robert\",0.125\r"),
            (std::vector<std::string>{"bob", "robert", "0.125"}));
  EXPECT_EQ(SplitCsvLine("\"a,b\",\"say \"\"hi\"\"\",,x"),
            (std::vector<std::string>{"a,b", "say \"hi\"", "", "x"}));
  EXPECT_EQ(SplitCsvLine(""), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace tessera::reference
