#include "resolve/name_variants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace tessera::resolve {
namespace {

TEST(NameVariants, FirstNamesFromTheEmbeddedTable) {
  const NameVariants& first = NameVariants::FirstNames();
  // Rows of uk_first_name_variants.csv: "bob","robert"; "bob","rob"; "bob","bobby".
  EXPECT_TRUE(first.AreVariants("ROBERT", "BOB"));
  EXPECT_TRUE(first.AreVariants("BOB", "ROBERT"));
  EXPECT_TRUE(first.AreVariants("ROB", "BOBBY"));
  // "ted","edward"; "edw","ned"; "carl","karl"; "peggy" is under "margaret".
  EXPECT_TRUE(first.AreVariants("EDWARD", "TED"));
  EXPECT_TRUE(first.AreVariants("EDW", "NED"));
  EXPECT_TRUE(first.AreVariants("KARL", "CARL"));
  EXPECT_TRUE(first.AreVariants("MARGARET", "PEGGY"));
  EXPECT_TRUE(first.AreVariants("WILLIAM", "BILL"));
  EXPECT_TRUE(first.AreVariants("ELIZABETH", "BETTY"));
  // Unrelated names, and names the table does not hold.
  EXPECT_FALSE(first.AreVariants("ROBERT", "WILLIAM"));
  EXPECT_FALSE(first.AreVariants("BOB", "BILL"));
  EXPECT_FALSE(first.AreVariants("ROBERT", "ZEBEDIAHX"));
  EXPECT_FALSE(first.AreVariants("ZEBEDIAHX", "ZEBEDIAHX"));
  EXPECT_FALSE(first.AreVariants("", ""));
  // A name in the table is its own variant.
  EXPECT_TRUE(first.AreVariants("ROBERT", "ROBERT"));
  // A name with a space, as in the file ("christina","krystin kri").
  EXPECT_TRUE(first.AreVariants("CHRISTINA", "KRYSTIN KRI"));
}

TEST(NameVariants, SharingAGroupCountsButChainsDoNot) {
  const NameVariants& first = NameVariants::FirstNames();
  // "bailey","bailee" and "bailey","bailley": neither lists the other, both are under BAILEY.
  EXPECT_TRUE(first.AreVariants("BAILEE", "BAILLEY"));
  // "mackenzi","mackenzie" and "makenzi","makenzie": MACKENZIE and MAKENZIE are in each
  // other's groups, but MACKENZI and MAKENZI share none, and chaining is not followed.
  EXPECT_TRUE(first.AreVariants("MACKENZI", "MACKENZIE"));
  EXPECT_TRUE(first.AreVariants("MACKENZIE", "MAKENZI"));
  EXPECT_FALSE(first.AreVariants("MACKENZI", "MAKENZI"));
}

TEST(NameVariants, CaseInsensitiveAndSymmetric) {
  const NameVariants& first = NameVariants::FirstNames();
  EXPECT_TRUE(first.AreVariants("bob", "Robert"));
  EXPECT_TRUE(first.AreVariants("Robert", "bob"));
  EXPECT_EQ(first.Id("bob"), -1);  // Id wants upper case, as the engine passes
  EXPECT_GE(first.Id("BOB"), 0);
  const std::vector<std::string> names = {"BOB",     "ROBERT",   "EDWARD",  "TED",   "BAILEE",
                                          "BAILLEY", "MACKENZI", "MAKENZI", "PEGGY", "WILLIAM"};
  for (const auto& a : names) {
    for (const auto& b : names) {
      EXPECT_EQ(first.AreVariants(a, b), first.AreVariants(b, a)) << a << " " << b;
    }
  }
}

TEST(NameVariants, IdsAreDenseAndRoundTrip) {
  const NameVariants& first = NameVariants::FirstNames();
  EXPECT_EQ(first.size(), 1942u);  // distinct names in uk_first_name_variants.csv
  const int32_t bob = first.Id("BOB");
  const int32_t robert = first.Id("ROBERT");
  ASSERT_GE(bob, 0);
  ASSERT_GE(robert, 0);
  EXPECT_EQ(first.Name(bob), "BOB");
  EXPECT_TRUE(first.AreVariantIds(bob, robert));
  EXPECT_FALSE(first.AreVariantIds(bob, first.Id("WILLIAM")));
  EXPECT_FALSE(first.AreVariantIds(-1, robert));
  EXPECT_FALSE(first.AreVariantIds(robert, -1));
  EXPECT_FALSE(first.AreVariantIds(robert, 1 << 30));
  std::vector<std::string> bobs;
  for (int32_t id : first.VariantIdsOf(bob)) bobs.push_back(first.Name(id));
  std::sort(bobs.begin(), bobs.end());
  EXPECT_EQ(bobs, (std::vector<std::string>{"BOB", "BOBBY", "ROB", "ROBB", "ROBBIE", "ROBBY",
                                            "ROBERT", "ROBERTO", "ROBT"}));
  for (size_t id = 0; id < first.size(); ++id) {
    ASSERT_EQ(first.Id(first.Name(static_cast<int32_t>(id))), static_cast<int32_t>(id));
  }
}

TEST(NameVariants, LastNamesFromTheEmbeddedTable) {
  const NameVariants& last = NameVariants::LastNames();
  // Rows of uk_last_name_variants.csv.
  EXPECT_TRUE(last.AreVariants("SMITH", "SMYTH"));
  EXPECT_TRUE(last.AreVariants("SMITHSON", "SMYTHSON"));
  EXPECT_TRUE(last.AreVariants("ADAMS", "ADAMSON"));
  EXPECT_TRUE(last.AreVariants("BROWN", "BROWNE"));
  EXPECT_TRUE(last.AreVariants("DE MORGAN", "MORGAN"));
  EXPECT_FALSE(last.AreVariants("SMITH", "BROWN"));
  EXPECT_FALSE(last.AreVariants("ROBERT", "BOB"));  // first names are a different table
  EXPECT_EQ(last.size(), 332u);
}

TEST(NameVariants, FromCsvText) {
  Result<NameVariants> table = NameVariants::FromCsv(
      "\"name\",\"variant\",\"freq\"\r\n"
      "\"alexander\",\"alex\",0.5\r\n"
      "\"alexander\",\"sandy\",0.5\r\n"
      "\"alexandra\",\"alex\",1\r\n"
      "\"short\"\r\n"
      ",\"empty\",1\r\n"
      "\r\n"
      "\"Jo\",\"JOSEPHINE\",1");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_TRUE(table->AreVariants("ALEX", "SANDY"));        // both under ALEXANDER
  EXPECT_TRUE(table->AreVariants("alexandra", "ALEX"));    // listed
  EXPECT_FALSE(table->AreVariants("ALEXANDRA", "SANDY"));  // only through ALEX: no chain
  EXPECT_FALSE(table->AreVariants("ALEXANDER", "ALEXANDRA"));
  EXPECT_TRUE(table->AreVariants("JOSEPHINE", "jo"));  // last line without a newline
  EXPECT_EQ(table->Id("SHORT"), -1);
  EXPECT_EQ(table->Id("EMPTY"), -1);
  EXPECT_EQ(table->size(), 6u);

  EXPECT_FALSE(NameVariants::FromCsv("").ok());
  EXPECT_FALSE(NameVariants::FromCsv("\nbob,robert\n").ok());
  Result<NameVariants> header_only = NameVariants::FromCsv("a,b,freq");
  ASSERT_TRUE(header_only.ok());
  EXPECT_EQ(header_only->size(), 0u);
  EXPECT_FALSE(header_only->AreVariants("A", "A"));
}

TEST(NameVariants, BuiltOnceAcrossThreads) {
  std::vector<const NameVariants*> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] { seen[t] = &NameVariants::LastNames(); });
  }
  for (auto& thread : threads) thread.join();
  for (const NameVariants* table : seen) EXPECT_EQ(table, &NameVariants::LastNames());
}

}  // namespace
}  // namespace tessera::resolve
