// Unit tests of the engine: comparisons, blocking, the model file, EM and clustering.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/identifiers.h"
#include "core/random.h"
#include "resolve/blocking.h"
#include "resolve/cluster.h"
#include "resolve/comparisons.h"
#include "resolve/linkage_model.h"
#include "resolve/train.h"

namespace tessera::resolve {
namespace {

struct Person {
  std::string given;
  std::string family;
  std::string dob;  // ISO
  std::string postcode;
  std::string nhs;
  std::string middle = "";
  model::Sex sex = model::Sex::kUnknown;
};

model::PersonRecord Record(model::PersonRecordId id, const Person& p) {
  model::PersonRecord r;
  r.id = id;
  r.name.given = p.given;
  r.name.middle = p.middle;
  r.name.family = p.family;
  if (!p.dob.empty()) r.dob = *ParseDate(p.dob, "yyyy-mm-dd");
  r.sex = p.sex;
  if (!p.nhs.empty()) r.identifiers.push_back({model::IdentifierKind::kNhsNumber, p.nhs, true});
  return r;
}

model::Location Postcode(const std::string& postcode) {
  model::Location l;
  l.postcode = postcode;
  l.postcode_district = postcode.substr(0, postcode.find(' '));
  l.small_area = postcode.substr(0, postcode.find(' ') + 2);
  return l;
}

class Records {
 public:
  uint32_t Add(const Person& p, std::string_view source = "s") {
    model::Location l = Postcode(p.postcode.empty() ? "" : p.postcode);
    return table.Add(Record(next_++, p), p.postcode.empty() ? nullptr : &l, source);
  }
  LevelVector Compare(uint32_t a, uint32_t b, ComparisonSettings s = {}) {
    return Comparer(table, s).Compare(table.at(a), table.at(b));
  }
  RecordTable table;

 private:
  model::PersonRecordId next_ = 1;
};

std::string LevelName(ComparisonKind kind, const LevelVector& v) {
  uint8_t l = v.level[static_cast<int>(kind)];
  if (l == kNullLevel) return "null";
  return std::string(ComparisonLevels(kind)[l].name);
}

// ---------------------------------------------------------------------------------------------
// Comparisons

TEST(Comparisons, GradedNameLevels) {
  Records r;
  uint32_t robert = r.Add({"ROBERT", "SMITH", "1980-03-14", "M1 1AA", ""});
  uint32_t bob = r.Add({"BOB", "SMITH", "1980-03-14", "M1 1AB", ""});
  uint32_t robbert = r.Add({"ROBBERT", "SMYTH", "1980-03-14", "", ""});
  uint32_t swapped = r.Add({"SMITH", "ROBERT", "", "", ""});
  uint32_t initial = r.Add({"R", "SMITH-JONES", "", "", ""});
  uint32_t other = r.Add({"ZARA", "OKAFOR", "1931-01-01", "SW1A 1AA", ""});
  uint32_t shuffled = r.Add({"SMITH", "DIXON", "", "", ""});  // ROBERT SMITH's surname as given
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, robert)), "exact");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, bob)), "variant");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, robbert)), "typo");
  EXPECT_EQ(LevelName(ComparisonKind::kFamilyName, r.Compare(robert, robbert)), "similar");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, swapped)), "swapped");
  // The swap is weighed once, by the given-name comparison.
  EXPECT_EQ(LevelName(ComparisonKind::kFamilyName, r.Compare(robert, swapped)), "null");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, initial)), "initial");
  EXPECT_EQ(LevelName(ComparisonKind::kFamilyName, r.Compare(robert, initial)), "part");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, other)), "else");
  EXPECT_EQ(LevelName(ComparisonKind::kFamilyName, r.Compare(robert, other)), "else");
  EXPECT_EQ(LevelName(ComparisonKind::kGivenName, r.Compare(robert, shuffled)), "partly_swapped");
  EXPECT_EQ(LevelName(ComparisonKind::kFamilyName, r.Compare(robert, shuffled)), "null");
}

TEST(Comparisons, DatesPostcodesAndMissingValues) {
  Records r;
  uint32_t a = r.Add({"ANN", "LEE", "1980-03-04", "M1 1AA", "9434765919"});
  uint32_t b = r.Add({"ANN", "LEE", "1980-04-03", "M1 1AB", "9434765919"});
  uint32_t c = r.Add({"ANN", "LEE", "1980-03-05", "M1 2AA", "4010232137"});
  uint32_t d = r.Add({"ANN", "LEE", "", "M2 1AA", ""});
  uint32_t e = r.Add({"ANN", "LEE", "1955-07-21", "SW1A 1AA", ""});
  EXPECT_EQ(LevelName(ComparisonKind::kDateOfBirth, r.Compare(a, b)), "day_month_swapped");
  EXPECT_EQ(LevelName(ComparisonKind::kDateOfBirth, r.Compare(a, c)), "typo");
  EXPECT_EQ(LevelName(ComparisonKind::kDateOfBirth, r.Compare(a, d)), "null");
  EXPECT_EQ(LevelName(ComparisonKind::kDateOfBirth, r.Compare(a, e)), "else");
  EXPECT_EQ(LevelName(ComparisonKind::kLocation, r.Compare(a, b)), "sector");
  EXPECT_EQ(LevelName(ComparisonKind::kLocation, r.Compare(a, c)), "district");
  EXPECT_EQ(LevelName(ComparisonKind::kLocation, r.Compare(a, d)), "area");
  EXPECT_EQ(LevelName(ComparisonKind::kLocation, r.Compare(a, e)), "else");
  EXPECT_EQ(LevelName(ComparisonKind::kNhsNumber, r.Compare(a, b)), "agree");
  EXPECT_EQ(LevelName(ComparisonKind::kNhsNumber, r.Compare(a, c)), "else");
  EXPECT_EQ(LevelName(ComparisonKind::kNhsNumber, r.Compare(a, d)), "null");
  EXPECT_EQ(LevelName(ComparisonKind::kSex, r.Compare(a, b)), "null");
}

TEST(Comparisons, LocalIdsCountOnlyWithinTheirSource) {
  RecordTable table;
  model::PersonRecord x = Record(1, {"A", "B", "", "", ""});
  x.identifiers.push_back({model::IdentifierKind::kLocalId, "C123", true});
  model::PersonRecord y = x;
  y.id = 2;
  uint32_t a = table.Add(x, nullptr, "police");
  uint32_t b = table.Add(y, nullptr, "police");
  y.id = 3;
  uint32_t c = table.Add(y, nullptr, "housing");
  Comparer comparer(table, {});
  EXPECT_EQ(LevelName(ComparisonKind::kIdentifiers, comparer.Compare(table.at(a), table.at(b))),
            "agree");
  EXPECT_EQ(LevelName(ComparisonKind::kIdentifiers, comparer.Compare(table.at(a), table.at(c))),
            "null");
}

// ---------------------------------------------------------------------------------------------
// Blocking

TEST(Blocking, RulesAreUnionedAndEachPairComesOnce) {
  Records r;
  // Same DOB and initial, and same name: found by two rules, emitted once.
  r.Add({"JOHN", "SMITH", "1980-01-01", "", ""});
  r.Add({"JOHN", "SMITH", "1980-01-01", "", ""});
  r.Add({"JANE", "DOE", "1980-01-01", "", ""});   // dob + initial J with both
  r.Add({"PETE", "WONG", "1990-02-02", "", ""});  // alone
  BlockingIndex index(DefaultBlockingRules(), 100);
  for (uint32_t i = 0; i < r.table.size(); ++i) index.Add(r.table, i);
  std::multiset<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<RuleStats> stats = index.ForEachPair(1, [&](int, size_t, uint32_t a, uint32_t b) {
    pairs.insert({a, b});
  });
  EXPECT_EQ(pairs, (std::multiset<std::pair<uint32_t, uint32_t>>{{0, 1}, {0, 2}, {1, 2}}));
  int64_t total = 0;
  for (const RuleStats& s : stats) total += s.pairs;
  EXPECT_EQ(total, 3);
  std::vector<uint32_t> candidates;
  index.Candidates(0, &candidates);
  EXPECT_EQ(candidates, (std::vector<uint32_t>{1, 2}));
  index.Candidates(3, &candidates);
  EXPECT_TRUE(candidates.empty());
}

TEST(Blocking, OversizedBlocksAreSkippedAndReported) {
  Records r;
  for (int i = 0; i < 6; ++i)
    r.Add({"J" + std::string(1, static_cast<char>('A' + i)), "X" + std::to_string(i), "1900-01-02",
           "", ""});
  BlockingIndex index({{"dob_given_initial", {KeyPart::kDob, KeyPart::kGivenInitial}}}, 5);
  for (uint32_t i = 0; i < r.table.size(); ++i) index.Add(r.table, i);
  int64_t pairs = 0;
  std::vector<RuleStats> stats =
      index.ForEachPair(2, [&](int, size_t, uint32_t, uint32_t) { ++pairs; });
  EXPECT_EQ(pairs, 0);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].oversized_blocks, 1);
  EXPECT_EQ(stats[0].oversized_records, 6);
  EXPECT_NE(stats[0].largest_oversized_key.find("dob=1900-01-02 given_initial=J"),
            std::string::npos)
      << stats[0].largest_oversized_key;
}

TEST(Blocking, ParallelEnumerationFindsTheSamePairs) {
  Records r;
  Rng rng(7);
  const char* given[] = {"AMY", "ALI", "BEN", "BETH", "CARL"};
  const char* family[] = {"SMITH", "SMYTH", "JONES", "BROWN"};
  for (int i = 0; i < 400; ++i) {
    r.Add({given[rng.Below(5)], family[rng.Below(4)],
           "19" + std::to_string(70 + rng.Below(3)) + "-01-0" + std::to_string(1 + rng.Below(3)),
           "", ""});
  }
  BlockingIndex index(DefaultBlockingRules(), 1000);
  for (uint32_t i = 0; i < r.table.size(); ++i) index.Add(r.table, i);
  auto collect = [&](int threads) {
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> per(threads);
    index.ForEachPair(threads, [&](int t, size_t, uint32_t a, uint32_t b) {
      per[t].push_back({a, b});
    });
    std::vector<std::pair<uint32_t, uint32_t>> all;
    for (auto& p : per) all.insert(all.end(), p.begin(), p.end());
    std::sort(all.begin(), all.end());
    return all;
  };
  auto one = collect(1);
  auto two = collect(2);
  EXPECT_EQ(one, two);
  EXPECT_TRUE(std::adjacent_find(one.begin(), one.end()) == one.end()) << "a pair came twice";
  // Candidates agree with the pair enumeration.
  std::set<std::pair<uint32_t, uint32_t>> from_candidates;
  std::vector<uint32_t> c;
  for (uint32_t i = 0; i < r.table.size(); ++i) {
    index.Candidates(i, &c);
    for (uint32_t j : c) from_candidates.insert({std::min(i, j), std::max(i, j)});
  }
  std::vector<std::pair<uint32_t, uint32_t>> listed(from_candidates.begin(), from_candidates.end());
  EXPECT_EQ(listed, one);
}

// ---------------------------------------------------------------------------------------------
// The model file

TEST(LinkageModelFile, RoundTripsAndRejectsBadFiles) {
  LinkageModel m = LinkageModel::Defaults();
  m.lambda = 1.5e-5;
  m.given_frequencies["JOHN"] = 0.03;
  m.comparisons[0].levels[0].m = 0.77;
  auto back = LinkageModel::FromJson(m.ToJson(), "model.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), m.ToJson());
  EXPECT_EQ(back->Fingerprint(), m.Fingerprint());

  auto bad = LinkageModel::FromJson("{\"format\": \"tessera-linkage-model\"}", "x/linkage.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("x/linkage.json"), std::string::npos);
  std::string text = m.ToJson();
  size_t at = text.find("\"dob\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, "\"dab\"");
  auto bad_key = LinkageModel::FromJson(text, "linkage.json");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("unknown blocking key part 'dab'"), std::string::npos)
      << bad_key.status().message();
}

TEST(Scoring, TermFrequencyMakesCommonNamesCountForLess) {
  Records r;
  uint32_t a = r.Add({"JOHN", "SMITH", "", "", ""});
  uint32_t b = r.Add({"JOHN", "SMITH", "", "", ""});
  uint32_t c = r.Add({"ZBIGNIEW", "BRZEZINSKI", "", "", ""});
  uint32_t d = r.Add({"ZBIGNIEW", "BRZEZINSKI", "", "", ""});
  LinkageModel m = LinkageModel::Defaults();
  m.given_frequencies["JOHN"] = 0.02;
  m.family_frequencies["SMITH"] = 0.01;
  m.term_frequency_floor = 1e-5;
  Scorer scorer(r.table, m);
  double common = scorer.Weight(r.table.at(a), r.table.at(b));
  double rare = scorer.Weight(r.table.at(c), r.table.at(d));
  EXPECT_GT(rare, common + 10);
  Waterfall w = scorer.Explain(r.table.at(a), r.table.at(b));
  ASSERT_EQ(w.steps.size(), static_cast<size_t>(kComparisonCount));
  EXPECT_TRUE(w.steps[0].term_frequency);
  EXPECT_NEAR(w.steps[0].u, 0.02, 1e-6);
  EXPECT_NEAR(w.steps[0].weight, std::log2(m.comparisons[0].levels[0].m / 0.02), 1e-5);
  EXPECT_NEAR(w.match_weight, common, 1e-9);
  EXPECT_NEAR(w.steps.back().cumulative, w.match_weight, 1e-9);
  EXPECT_NEAR(w.probability, WeightToProbability(common), 1e-12);
}

// ---------------------------------------------------------------------------------------------
// EM recovers known parameters

TEST(Training, EmRecoversParametersOfASimulatedModel) {
  // Three comparisons with known m and u; the rest always null.
  std::array<ComparisonParameters, kComparisonCount> truth = LinkageModel::Defaults().comparisons;
  truth[0].levels = {{0.85, 0.02}, {0.05, 0.03}, {0.03, 0.05}, {0.02, 0.05},
                     {0.02, 0.05}, {0.01, 0.1},  {0.01, 0.02}, {0.01, 0.68}};
  truth[1].levels = {{0.8, 0.01}, {0.05, 0.01}, {0.05, 0.03}, {0.05, 0.05}, {0.05, 0.90}};
  truth[2].levels = {{0.7, 0.001}, {0.05, 0.005}, {0.1, 0.01},
                     {0.05, 0.1},  {0.05, 0.3},   {0.05, 0.584}};
  const double lambda = 0.3;
  Rng rng(11);
  auto draw = [&](const std::vector<LevelParameters>& levels, bool match) {
    double x = rng.Uniform();
    for (size_t l = 0; l < levels.size(); ++l) {
      x -= match ? levels[l].m : levels[l].u;
      if (x < 0) return static_cast<uint8_t>(l);
    }
    return static_cast<uint8_t>(levels.size() - 1);
  };
  std::map<uint64_t, double> counts;
  for (int i = 0; i < 200000; ++i) {
    bool match = rng.Uniform() < lambda;
    LevelVector v;
    v.level.fill(kNullLevel);
    for (int c = 0; c < 3; ++c) v.level[c] = draw(truth[c].levels, match);
    counts[v.Pattern()] += 1;
  }
  std::vector<PatternCount> patterns;
  for (const auto& [p, c] : counts) patterns.push_back({p, c, -1});
  // Start from the defaults' m, with the true u (u comes from random pairs in training).
  std::array<ComparisonParameters, kComparisonCount> start = LinkageModel::Defaults().comparisons;
  for (int c = 0; c < 3; ++c) {
    for (size_t l = 0; l < start[c].levels.size(); ++l) start[c].levels[l].u = truth[c].levels[l].u;
  }
  EmResult em = RunEm(patterns, start, 0.5, {}, 500, 1e-8);
  EXPECT_TRUE(em.converged);
  EXPECT_NEAR(em.lambda, lambda, 0.01);
  for (int c = 0; c < 3; ++c) {
    for (size_t l = 0; l < truth[c].levels.size(); ++l) {
      EXPECT_NEAR(em.m[c][l], truth[c].levels[l].m, 0.01) << "comparison " << c << " level " << l;
    }
  }
}

// A valid NHS number from nine digits, or "" when none exists.
std::string NhsNumber(int nine_digits) {
  std::string d = std::to_string(nine_digits);
  d.insert(0, 9 - d.size(), '0');
  std::optional<int> check = NhsNumberCheckDigit(d);
  return check ? d + static_cast<char>('0' + *check) : "";
}

TEST(Training, UIsEstimatedFromTheRandomPairsThatAreNotMatches) {
  // 400 people, each recorded twice with the same NHS number: about 1 random pair in 800 is a
  // match, and every one of them agrees on the NHS number. Chance agreement between different
  // people never happens here, so u for "agree" must come out near the sampling floor, not near
  // the share of matches among random pairs.
  static const char* kGiven[] = {"AMY", "BEN", "CARL", "DINA", "ERIC", "FAYE", "GUS", "HANA"};
  static const char* kFamily[] = {"ABBOT", "BAKER", "COLE", "DAVIS", "EVANS",
                                  "FOX",   "GRANT", "HILL", "IRWIN", "JONES"};
  Records r;
  int people = 0;
  for (int seed = 100000001; people < 400; ++seed) {
    std::string nhs = NhsNumber(seed);
    if (nhs.empty()) continue;
    ASSERT_TRUE(IsValidNhsNumber(nhs)) << nhs;
    std::string dob = std::to_string(1950 + people % 50) + "-0" + std::to_string(1 + people % 9) +
                      "-1" + std::to_string(people % 10);
    Person p{kGiven[people % 8], kFamily[(people / 8) % 10], dob, "", nhs};
    r.Add(p);
    r.Add(p);
    ++people;
  }
  BlockingIndex index(DefaultBlockingRules(), 2000);
  for (uint32_t i = 0; i < r.table.size(); ++i) index.Add(r.table, i);
  TrainingOptions options;
  options.random_pairs = 400000;
  auto trained = TrainModel(r.table, index, LinkageModel::Defaults(), options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  const LevelParameters& agree =
      trained->comparisons[static_cast<int>(ComparisonKind::kNhsNumber)].levels[0];
  // Matches are ~1/800 of random pairs; the pseudo-count floor is ~0.5 / 400,000.
  EXPECT_LT(agree.u, 1e-5);
  EXPECT_GT(agree.u, 0.0);
}

// ---------------------------------------------------------------------------------------------
// Clustering

TEST(Clustering, NeverJoinsTwoNhsNumbersEvenThroughAChain) {
  Records r;
  uint32_t a = r.Add({"SAM", "KAY", "1990-01-01", "", "9434765919"});
  uint32_t b = r.Add({"SAM", "KAY", "1990-01-01", "", ""});
  uint32_t c = r.Add({"SAM", "KAY", "1990-01-01", "", "4010232137"});
  std::vector<uint32_t> all = {a, b, c};
  Clustering out =
      ClusterRecords(Comparer(r.table, {}), all, {{a, b, 30}, {b, c, 25}, {a, c, 20}}, {}, {}, 0);
  EXPECT_EQ(out.group[0], out.group[1]);  // the strongest link wins
  EXPECT_NE(out.group[1], out.group[2]);
  ASSERT_EQ(out.refused.size(), 2u);
  EXPECT_NE(out.refused[0].reason.find("different NHS numbers"), std::string::npos);
}

TEST(Clustering, RefusesDistantDatesOfBirthAndHonoursDecisions) {
  Records r;
  uint32_t a = r.Add({"LEE", "PARK", "1950-06-01", "", ""});
  uint32_t b = r.Add({"LEE", "PARK", "", "", ""});
  uint32_t c = r.Add({"LEE", "PARK", "1985-06-01", "", ""});
  uint32_t d = r.Add({"LEE", "PARK", "1950-06-01", "", ""});
  std::vector<uint32_t> all = {a, b, c, d};
  std::vector<std::pair<uint32_t, uint32_t>> cannot = {{a, d}};
  std::vector<std::pair<uint32_t, uint32_t>> must = {{b, c}};
  Clustering out =
      ClusterRecords(Comparer(r.table, {}), all, {{a, b, 20}, {a, d, 30}}, must, cannot, 0);
  EXPECT_NE(out.group[0], out.group[3]);  // a person said a and d differ
  EXPECT_EQ(out.group[1], out.group[2]);  // must-link first
  EXPECT_NE(out.group[0], out.group[1]);  // then a-b would join 1950 with 1985
  ASSERT_EQ(out.refused.size(), 2u);
}

TEST(Clustering, AGivenNameConflictNeedsAStrongLinkOrASharedIdentifier) {
  // Plainly different given names on directly linked records: a link barely over the threshold
  // (weight 5, strong at 10) does not vouch for the conflict, unless the two records share a
  // person-level identifier, which brothers and sisters never do (FEBRL's corrupted copies do).
  Records r;
  uint32_t a = r.Add({"TARA", "RADULESCU", "1996-07-01", "", "9434765919"});
  uint32_t b = r.Add({"LACHAN", "RADULESCU", "1996-07-01", "", "9434765919"});
  uint32_t c = r.Add({"TARA", "KEMP", "1990-02-03", "", ""});
  uint32_t d = r.Add({"HOLLY", "KEMP", "1990-02-03", "", ""});
  std::vector<uint32_t> all = {a, b, c, d};
  Clustering out =
      ClusterRecords(Comparer(r.table, {}), all, {{a, b, 5}, {c, d, 5}}, {}, {}, /*strong=*/10);
  EXPECT_EQ(out.group[0], out.group[1]);  // the same NHS number vouches
  EXPECT_NE(out.group[2], out.group[3]);  // nothing vouches: refused, to review
  ASSERT_EQ(out.refused.size(), 1u);
  EXPECT_NE(out.refused[0].reason.find("given names"), std::string::npos);
  // The same link when strong is its own voucher.
  Clustering strong =
      ClusterRecords(Comparer(r.table, {}), all, {{c, d, 12}}, {}, {}, /*strong=*/10);
  EXPECT_EQ(strong.group[2], strong.group[3]);
}

TEST(Clustering, SameRecordsSameGroupsWhateverTheOrder) {
  Records r;
  for (int i = 0; i < 30; ++i)
    r.Add({"A" + std::to_string(i % 7), "B", "1990-01-0" + std::to_string(1 + i % 3), "",
           i % 5 == 0 ? "9434765919" : (i % 5 == 1 ? "4010232137" : "")});
  std::vector<ScoredEdge> edges;
  Rng rng(3);
  for (uint32_t i = 0; i < 30; ++i) {
    for (uint32_t j = i + 1; j < 30; ++j) {
      if (rng.Uniform() < 0.2) edges.push_back({i, j, static_cast<double>(rng.Below(20))});
    }
  }
  std::vector<uint32_t> all(30);
  for (uint32_t i = 0; i < 30; ++i) all[i] = i;
  Clustering x = ClusterRecords(Comparer(r.table, {}), all, edges, {}, {}, 0);
  std::reverse(edges.begin(), edges.end());
  std::vector<uint32_t> reversed(all.rbegin(), all.rend());
  Clustering y = ClusterRecords(Comparer(r.table, {}), reversed, edges, {}, {}, 0);
  for (uint32_t i = 0; i < 30; ++i) EXPECT_EQ(x.group[i], y.group[29 - i]);
  // And no group holds two NHS numbers.
  std::map<uint32_t, std::set<uint32_t>> nhs;
  for (uint32_t i = 0; i < 30; ++i) {
    if (r.table.at(i).nhs != 0) nhs[x.group[i]].insert(r.table.at(i).nhs);
  }
  for (const auto& [g, set] : nhs) EXPECT_EQ(set.size(), 1u);
}

}  // namespace
}  // namespace tessera::resolve

namespace tessera::resolve {
namespace {

TEST(RecordTable, FindsRecordsByIdWhateverOrderTheyCameIn) {
  RecordTable table;
  for (model::PersonRecordId id : {10, 20, 30, 5, 40, 25}) {
    model::PersonRecord r;
    r.id = id;
    table.Add(r, nullptr, "s");
  }
  EXPECT_EQ(table.IndexOf(10), 0);
  EXPECT_EQ(table.IndexOf(30), 2);
  EXPECT_EQ(table.IndexOf(5), 3);
  EXPECT_EQ(table.IndexOf(40), 4);
  EXPECT_EQ(table.IndexOf(25), 5);
  EXPECT_EQ(table.IndexOf(15), -1);
  EXPECT_EQ(table.IndexOf(99), -1);
}

}  // namespace
}  // namespace tessera::resolve
