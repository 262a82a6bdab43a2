#include "resolve/evaluate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace tessera::resolve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Truth and predictions from one compact spec: "record entity cluster" per item, source "s".
struct Case {
  GroundTruth truth;
  std::vector<EvaluatedRecord> predictions;
};

Case Make(std::initializer_list<std::tuple<const char*, const char*, int64_t>> rows) {
  Case c;
  c.truth.path = "truth.csv";
  c.truth.entity_column = "person_id";
  for (const auto& [id, entity, cluster] : rows) {
    c.truth.records.push_back({"s", id, entity, 0});
    c.predictions.push_back({"s", id, cluster});
  }
  return c;
}

EvaluationReport EvaluateOk(const Case& c, const EvaluationOptions& options = {}) {
  auto r = Evaluate(c.truth, c.predictions, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : EvaluationReport{};
}

// --- figures, checked by hand ----------------------------------------------------------------

// Entities E1={a,b,c}, E2={d,e}, E3={f}; clusters 1={a,b}, 2={c,d,e}, 3={f}.
//   Pairs: true positives ab, de = 2; predicted 1 + 3 + 0 = 4, so 2 false positives (cd, ce);
//   true 3 + 1 = 4, so 2 false negatives (ac, bc). Precision = recall = F1 = 1/2.
//   B-cubed precision per record: a 1, b 1, c 1/3, d 2/3, e 2/3, f 1 -> (14/3)/6 = 7/9.
//   B-cubed recall per record:    a 2/3, b 2/3, c 1/3, d 1, e 1, f 1 -> (14/3)/6 = 7/9.
TEST(EvaluateTest, MixedMergeAndSplitByHand) {
  const Case c = Make({{"a", "E1", 1},
                       {"b", "E1", 1},
                       {"c", "E1", 2},
                       {"d", "E2", 2},
                       {"e", "E2", 2},
                       {"f", "E3", 3}});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.evaluated_records, 6);
  EXPECT_EQ(r.pairs.true_positives, 2);
  EXPECT_EQ(r.pairs.false_positives, 2);
  EXPECT_EQ(r.pairs.false_negatives, 2);
  EXPECT_DOUBLE_EQ(r.pairwise.precision, 0.5);
  EXPECT_DOUBLE_EQ(r.pairwise.recall, 0.5);
  EXPECT_DOUBLE_EQ(r.pairwise.f1, 0.5);
  EXPECT_DOUBLE_EQ(r.b_cubed.precision, 7.0 / 9);
  EXPECT_DOUBLE_EQ(r.b_cubed.recall, 7.0 / 9);
  EXPECT_DOUBLE_EQ(r.b_cubed.f1, 7.0 / 9);
  EXPECT_EQ(r.predicted_clusters, 3);
  EXPECT_EQ(r.predicted_singletons, 1);
  EXPECT_EQ(r.true_entities, 3);
  EXPECT_EQ(r.true_singletons, 1);

  // Cluster 2 merges E2 (d, e) with c of E1: 2 false pairs.
  ASSERT_EQ(r.clusters_with_false_merges, 1);
  ASSERT_EQ(r.worst_false_merges.size(), 1u);
  const FalseMerge& m = r.worst_false_merges[0];
  EXPECT_EQ(m.cluster, 2);
  EXPECT_EQ(m.size, 3);
  EXPECT_EQ(m.false_pairs, 2);
  ASSERT_EQ(m.entities.size(), 2u);
  EXPECT_EQ(m.entities[0].entity, "E2");
  EXPECT_EQ(m.entities[0].size, 2);
  ASSERT_EQ(m.entities[0].records.size(), 2u);
  EXPECT_EQ(m.entities[0].records[0].record_id, "d");
  EXPECT_EQ(m.entities[0].records[1].record_id, "e");
  EXPECT_EQ(m.entities[1].entity, "E1");
  EXPECT_EQ(m.representative_pair.first.index, 3u);   // d
  EXPECT_EQ(m.representative_pair.second.index, 2u);  // c

  // E1 is split over clusters 1 (a, b) and 2 (c): 2 missed pairs.
  ASSERT_EQ(r.entities_with_false_splits, 1);
  ASSERT_EQ(r.worst_false_splits.size(), 1u);
  const FalseSplit& s = r.worst_false_splits[0];
  EXPECT_EQ(s.entity, "E1");
  EXPECT_EQ(s.size, 3);
  EXPECT_EQ(s.missed_pairs, 2);
  ASSERT_EQ(s.clusters.size(), 2u);
  EXPECT_EQ(s.clusters[0].cluster, 1);
  EXPECT_EQ(s.clusters[0].size, 2);
  EXPECT_EQ(s.clusters[1].cluster, 2);
  EXPECT_EQ(s.representative_pair.first.record_id, "a");
  EXPECT_EQ(s.representative_pair.second.record_id, "c");
}

// Entities E1={a,b,c,d}, E2={e}, all in one cluster.
//   Pairs: 10 predicted, 6 true, all 6 found: precision 6/10, recall 1, F1 2*0.6/1.6 = 0.75.
//   B-cubed precision: a..d 4/5 each, e 1/5 -> (17/5)/5 = 17/25; recall 1 for everyone;
//   F1 = 2 * (17/25) / (42/25) = 34/42.
TEST(EvaluateTest, OneBigClusterByHand) {
  const Case c =
      Make({{"a", "E1", 7}, {"b", "E1", 7}, {"c", "E1", 7}, {"d", "E1", 7}, {"e", "E2", 7}});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.pairs.true_positives, 6);
  EXPECT_EQ(r.pairs.false_positives, 4);
  EXPECT_EQ(r.pairs.false_negatives, 0);
  EXPECT_DOUBLE_EQ(r.pairwise.precision, 0.6);
  EXPECT_DOUBLE_EQ(r.pairwise.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.pairwise.f1, 0.75);
  EXPECT_DOUBLE_EQ(r.b_cubed.precision, 17.0 / 25);
  EXPECT_DOUBLE_EQ(r.b_cubed.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.b_cubed.f1, 34.0 / 42);
  EXPECT_EQ(r.predicted_clusters, 1);
  EXPECT_EQ(r.true_entities, 2);
  ASSERT_EQ(r.worst_false_merges.size(), 1u);
  EXPECT_EQ(r.worst_false_merges[0].false_pairs, 4);
  EXPECT_EQ(r.worst_false_merges[0].representative_pair.first.record_id, "a");
  EXPECT_EQ(r.worst_false_merges[0].representative_pair.second.record_id, "e");
  EXPECT_TRUE(r.worst_false_splits.empty());
}

// Entities E1={a,b}, E2={c}; every record its own cluster.
//   No predicted pair: precision 1 by convention; the one true pair is missed: recall 0, F1 0.
//   B-cubed precision 1; recall a 1/2, b 1/2, c 1 -> 2/3; F1 2*(2/3)/(5/3) = 4/5.
TEST(EvaluateTest, AllSingletonsByHand) {
  const Case c = Make({{"a", "E1", 1}, {"b", "E1", 2}, {"c", "E2", 3}});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.pairs.true_positives, 0);
  EXPECT_EQ(r.pairs.false_positives, 0);
  EXPECT_EQ(r.pairs.false_negatives, 1);
  EXPECT_DOUBLE_EQ(r.pairwise.precision, 1.0);
  EXPECT_DOUBLE_EQ(r.pairwise.recall, 0.0);
  EXPECT_DOUBLE_EQ(r.pairwise.f1, 0.0);
  EXPECT_DOUBLE_EQ(r.b_cubed.precision, 1.0);
  EXPECT_DOUBLE_EQ(r.b_cubed.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.b_cubed.f1, 0.8);
  EXPECT_EQ(r.predicted_singletons, 3);
  EXPECT_EQ(r.true_singletons, 1);
  ASSERT_EQ(r.worst_false_splits.size(), 1u);
  EXPECT_EQ(r.worst_false_splits[0].missed_pairs, 1);
}

// Truth of singletons only, predicted as singletons: nothing to link, nothing linked.
TEST(EvaluateTest, PerfectSingletonsScoreOne) {
  const Case c = Make({{"a", "E1", 1}, {"b", "E2", 2}});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.pairwise.precision, 1.0);
  EXPECT_EQ(r.pairwise.recall, 1.0);
  EXPECT_EQ(r.pairwise.f1, 1.0);
  EXPECT_EQ(r.b_cubed.f1, 1.0);
  EXPECT_TRUE(r.worst_false_merges.empty());
  EXPECT_TRUE(r.worst_false_splits.empty());
}

// Cluster ids and entity names are labels only: renaming them changes nothing.
TEST(EvaluateTest, PerfectClusteringUnderOtherLabels) {
  const Case c = Make({{"a", "x", 900}, {"b", "x", 900}, {"c", "y", -5}, {"d", "y", -5}});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.pairs.true_positives, 2);
  EXPECT_EQ(r.pairwise.f1, 1.0);
  EXPECT_EQ(r.b_cubed.f1, 1.0);
  EXPECT_EQ(r.predicted_clusters, 2);
  EXPECT_EQ(r.true_entities, 2);
}

TEST(EvaluateTest, NothingToEvaluate) {
  const EvaluationReport r = EvaluateOk(Case{});
  EXPECT_EQ(r.evaluated_records, 0);
  EXPECT_EQ(r.pairwise.f1, 1.0);
  EXPECT_EQ(r.b_cubed.f1, 1.0);
  EXPECT_THAT(FormatEvaluationReport(r), HasSubstr("0 evaluated"));
}

// Records only in the truth (quarantined) or only predicted are left out and counted; the figures
// are over the rest.
TEST(EvaluateTest, UnmatchedRecordsAreLeftOutAndCounted) {
  Case c = Make({{"a", "E1", 1}, {"b", "E1", 1}});
  c.truth.records.push_back({"s", "quarantined", "E1", 0});
  c.truth.records.push_back({"other", "a", "E9", 0});  // same id, other source: a different record
  c.predictions.push_back({"s", "unknown", 1});
  const EvaluationReport r = EvaluateOk(c);
  EXPECT_EQ(r.truth_records, 4);
  EXPECT_EQ(r.predicted_records, 3);
  EXPECT_EQ(r.evaluated_records, 2);
  EXPECT_EQ(r.truth_without_prediction, 2);
  ASSERT_EQ(r.truth_without_prediction_examples.size(), 2u);
  EXPECT_EQ(r.truth_without_prediction_examples[0].record_id, "quarantined");
  EXPECT_EQ(r.truth_without_prediction_examples[1].source, "other");
  EXPECT_EQ(r.predictions_without_truth, 1);
  ASSERT_EQ(r.predictions_without_truth_examples.size(), 1u);
  EXPECT_EQ(r.predictions_without_truth_examples[0].index, 2u);
  // E1 has two evaluated records, both in cluster 1: perfect over what is evaluated.
  EXPECT_EQ(r.pairs.true_positives, 1);
  EXPECT_EQ(r.pairs.false_positives, 0);
  EXPECT_EQ(r.pairs.false_negatives, 0);
  EXPECT_EQ(r.true_entities, 1);
}

TEST(EvaluateTest, RepeatedPredictionsCountOnceOrConflict) {
  Case c = Make({{"a", "E1", 1}, {"b", "E1", 1}});
  c.predictions.push_back({"s", "a", 1});
  EXPECT_EQ(EvaluateOk(c).evaluated_records, 2);
  c.predictions.push_back({"s", "b", 2});
  auto r = Evaluate(c.truth, c.predictions);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("predicted twice, in clusters 1 and 2"));
}

// Ranked by false (or missed) pairs, then size, then cluster id (or entity name); only the top N.
TEST(EvaluateTest, WorstItemsAreRankedAndCut) {
  const Case c = Make({
      // cluster 10: 3 + 1 records of E1, E2 -> 3 false pairs
      {"a1", "E1", 10},
      {"a2", "E1", 10},
      {"a3", "E1", 10},
      {"b1", "E2", 10},
      // cluster 20: 2 + 2 -> 4 false pairs
      {"c1", "E3", 20},
      {"c2", "E3", 20},
      {"d1", "E4", 20},
      {"d2", "E4", 20},
      // cluster 5: 1 + 1 + 1 -> 3 false pairs, smaller than cluster 10
      {"e1", "E5", 5},
      {"f1", "E6", 5},
      {"g1", "E7", 5},
      // E8 over clusters 30, 31, 32, 33: 6 missed pairs; E9 over 40 (2) and 41 (1): 2 missed
      {"h1", "E8", 30},
      {"h2", "E8", 31},
      {"h3", "E8", 32},
      {"h4", "E8", 33},
      {"i1", "E9", 40},
      {"i2", "E9", 40},
      {"i3", "E9", 41},
  });
  EvaluationOptions options;
  options.worst = 2;
  options.listed_groups = 2;
  options.listed_records = 1;
  const EvaluationReport r = EvaluateOk(c, options);
  EXPECT_EQ(r.clusters_with_false_merges, 3);
  ASSERT_EQ(r.worst_false_merges.size(), 2u);
  EXPECT_EQ(r.worst_false_merges[0].cluster, 20);
  EXPECT_EQ(r.worst_false_merges[0].false_pairs, 4);
  EXPECT_EQ(r.worst_false_merges[1].cluster, 10);
  EXPECT_EQ(r.worst_false_merges[1].false_pairs, 3);
  // Records listed are capped; sizes are not.
  EXPECT_EQ(r.worst_false_merges[1].entities[0].size, 3);
  EXPECT_EQ(r.worst_false_merges[1].entities[0].records.size(), 1u);

  EXPECT_EQ(r.entities_with_false_splits, 2);
  ASSERT_EQ(r.worst_false_splits.size(), 2u);
  EXPECT_EQ(r.worst_false_splits[0].entity, "E8");
  EXPECT_EQ(r.worst_false_splits[0].missed_pairs, 6);
  EXPECT_EQ(r.worst_false_splits[0].cluster_count, 4);
  EXPECT_EQ(r.worst_false_splits[0].clusters.size(), 2u);  // listed_groups
  // Equal-sized clusters: the smaller cluster id first.
  EXPECT_EQ(r.worst_false_splits[0].representative_pair.first.record_id, "h1");
  EXPECT_EQ(r.worst_false_splits[0].representative_pair.second.record_id, "h2");
  EXPECT_EQ(r.worst_false_splits[1].entity, "E9");
  EXPECT_EQ(r.worst_false_splits[1].missed_pairs, 2);
  EXPECT_EQ(r.worst_false_splits[1].representative_pair.first.record_id, "i1");
  EXPECT_EQ(r.worst_false_splits[1].representative_pair.second.record_id, "i3");
}

// Big clusters are counted, not enumerated: 200,000 records, 100 entities of 2,000 records, two
// entities per predicted cluster of 4,000.
TEST(EvaluateTest, LargeClustersFromCounts) {
  Case c;
  c.truth.path = "big.csv";
  constexpr int64_t kRecords = 200000;
  c.truth.records.reserve(kRecords);
  c.predictions.reserve(kRecords);
  for (int64_t i = 0; i < kRecords; ++i) {
    const std::string id = "r" + std::to_string(i);
    c.truth.records.push_back({"s", id, "e" + std::to_string(i / 2000), 0});
    c.predictions.push_back({"s", id, i / 4000});
  }
  EvaluationOptions options;
  options.worst = 3;
  const EvaluationReport r = EvaluateOk(c, options);
  const int64_t tp = 100 * (2000LL * 1999 / 2);
  const int64_t predicted = 50 * (4000LL * 3999 / 2);
  EXPECT_EQ(r.pairs.true_positives, tp);
  EXPECT_EQ(r.pairs.false_positives, predicted - tp);
  EXPECT_EQ(r.pairs.false_negatives, 0);
  EXPECT_DOUBLE_EQ(r.pairwise.precision, static_cast<double>(tp) / predicted);
  EXPECT_DOUBLE_EQ(r.b_cubed.precision, 0.5);
  EXPECT_DOUBLE_EQ(r.b_cubed.recall, 1.0);
  EXPECT_EQ(r.clusters_with_false_merges, 50);
  ASSERT_EQ(r.worst_false_merges.size(), 3u);
  EXPECT_EQ(r.worst_false_merges[0].cluster, 0);  // all tie: the smallest cluster id first
  EXPECT_EQ(r.worst_false_merges[0].false_pairs, 2000LL * 2000);
  EXPECT_EQ(r.worst_false_merges[0].entity_count, 2);
  EXPECT_EQ(r.worst_false_merges[0].entities[0].records.size(), 20u);
}

// --- rendering -------------------------------------------------------------------------------

TEST(EvaluateTest, TextReport) {
  Case c = Make({{"a", "E1", 1},
                 {"b", "E1", 1},
                 {"c", "E1", 2},
                 {"d", "E2", 2},
                 {"e", "E2", 2},
                 {"f", "E3", 3}});
  c.truth.records.push_back({"s", "gone", "E4", 0});
  auto r = EvaluateOk(c);
  r.worst_false_merges[0].explanation = "prior -3.1\nfamily name: exact +8.2";
  const std::string text = FormatEvaluationReport(r);
  EXPECT_THAT(text, HasSubstr("truth.csv (entity column person_id): 7 records"));
  EXPECT_THAT(text, HasSubstr("6 evaluated, of 6 predicted"));
  EXPECT_THAT(text, HasSubstr("1 in the truth without a prediction"));
  EXPECT_THAT(text, HasSubstr("e.g. s/gone"));
  EXPECT_THAT(text, HasSubstr("3 predicted (1 singletons) against 3 true entities"));
  EXPECT_THAT(text, HasSubstr("pairwise       0.5000     0.5000     0.5000"));
  EXPECT_THAT(text, HasSubstr("B-cubed        0.7778     0.7778     0.7778"));
  EXPECT_THAT(text, HasSubstr("2 true positive, 2 false positive, 2 false negative"));
  EXPECT_THAT(text, HasSubstr("1. cluster 2: 3 records of 2 entities, 2 false pairs"));
  EXPECT_THAT(text, HasSubstr("entity E2 (2): s/d, s/e"));
  EXPECT_THAT(text, HasSubstr("explained pair: s/d and s/c\n         prior -3.1\n"
                              "         family name: exact +8.2\n"));
  EXPECT_THAT(text, HasSubstr("1. entity E1: 3 records in 2 clusters, 2 missed pairs"));
  EXPECT_THAT(text, HasSubstr("cluster 1 (2): s/a, s/b"));
}

TEST(EvaluateTest, TextReportEscapesPartnerBytesAndElidesLongLists) {
  const Case c = Make({{"a\x1b[2J", "E1", 1},
                       {"b", "E1", 1},
                       {"c", "E1", 1},
                       {"d", "E2", 1},
                       {"e", "E3", 1},
                       {"f", "E4", 1}});
  EvaluationOptions options;
  options.listed_groups = 2;
  options.listed_records = 2;
  const std::string text = FormatEvaluationReport(EvaluateOk(c, options));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("6 records of 4 entities"));
  EXPECT_THAT(text, HasSubstr("entity E1 (3): s/a\\x1B[2J, s/b, ... and 1 more\n"
                              "       entity E2 (1): s/d\n"
                              "       ... and 2 smaller entities\n"));
}

TEST(EvaluateTest, JsonReport) {
  Case c = Make({{"a", "E1", 1}, {"b", "E1", 1}, {"c", "E1", 2}, {"d", "E2", 2}});
  auto r = EvaluateOk(c);
  r.worst_false_merges[0].explanation_json = R"({"prior": -3.1})";
  r.worst_false_splits[0].explanation = "not JSON, kept as text";
  const nlohmann::json j = nlohmann::json::parse(EvaluationReportJson(r));
  EXPECT_EQ(j["truth"]["entity_column"], "person_id");
  EXPECT_EQ(j["records"]["evaluated"], 4);
  EXPECT_EQ(j["clusters"]["predicted"], 2);
  EXPECT_EQ(j["clusters"]["true_entities"], 2);
  EXPECT_EQ(j["pairwise"]["true_positives"], 1);
  EXPECT_EQ(j["pairwise"]["false_positives"], 1);
  EXPECT_EQ(j["pairwise"]["false_negatives"], 2);
  EXPECT_DOUBLE_EQ(j["pairwise"]["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["pairwise"]["recall"].get<double>(), 1.0 / 3);
  EXPECT_TRUE(j["b_cubed"].contains("f1"));
  EXPECT_EQ(j["false_merges"]["clusters"], 1);
  const auto& merge = j["false_merges"]["worst"][0];
  EXPECT_EQ(merge["cluster"], 2);
  EXPECT_EQ(merge["false_pairs"], 1);
  EXPECT_EQ(merge["representative_pair"][0]["record_id"], "c");
  EXPECT_EQ(merge["representative_pair"][1]["record_id"], "d");
  EXPECT_EQ(merge["explanation"]["prior"], -3.1);
  const auto& split = j["false_splits"]["worst"][0];
  EXPECT_EQ(split["entity"], "E1");
  EXPECT_EQ(split["missed_pairs"], 2);
  EXPECT_EQ(split["clusters"][0]["records"][1]["record_id"], "b");
  EXPECT_EQ(split["explanation"], "not JSON, kept as text");
}

TEST(EvaluateTest, JsonReportSurvivesBytesThatAreNotUtf8) {
  Case c = Make({{"\xff", "E1", 1}, {"b", "E2", 1}});
  EXPECT_NO_THROW(nlohmann::json::parse(EvaluationReportJson(EvaluateOk(c))));
}

// --- the truth CSV ---------------------------------------------------------------------------

Result<GroundTruth> Parse(std::string_view text, std::string_view column = "person_id") {
  return ParseTruthCsv(text, "truth.csv", column);
}

void ExpectError(std::string_view text, const std::string& message,
                 std::string_view column = "person_id") {
  auto r = Parse(text, column);
  ASSERT_FALSE(r.ok()) << "parsed: " << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(message)) << r.status().message();
}

TEST(TruthCsvTest, ReadsColumnsInAnyOrder) {
  auto r = Parse("person_id,extra,record_id,source\n1,x,rec-1-org,febrl\n2,y,rec-2-org,febrl\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].source, "febrl");
  EXPECT_EQ(r->records[0].record_id, "rec-1-org");
  EXPECT_EQ(r->records[0].entity, "1");
  EXPECT_EQ(r->records[0].line, 2);
  EXPECT_EQ(r->records[1].line, 3);
  EXPECT_EQ(r->path, "truth.csv");
  EXPECT_EQ(r->entity_column, "person_id");
}

TEST(TruthCsvTest, QuotedFieldsBomCrlfBlanksAndBlankLines) {
  auto r = Parse(
      "\xEF\xBB\xBFsource, record_id ,person_id\r\n"
      "\"police, north\",\"say \"\"hi\"\"\",\"multi\nline\"\r\n"
      "\r\n"
      "  council ,  k2 , \"p 2\" \n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].source, "police, north");
  EXPECT_EQ(r->records[0].record_id, "say \"hi\"");
  EXPECT_EQ(r->records[0].entity, "multi\nline");
  EXPECT_EQ(r->records[0].line, 2);
  EXPECT_EQ(r->records[1].source, "council");
  EXPECT_EQ(r->records[1].record_id, "k2");
  EXPECT_EQ(r->records[1].entity, "p 2");
  EXPECT_EQ(r->records[1].line, 5);  // the quoted line break counts
}

TEST(TruthCsvTest, NoFinalLineBreak) {
  auto r = Parse("source,record_id,person_id\ns,1,a");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].entity, "a");
}

TEST(TruthCsvTest, ConfigurableEntityColumn) {
  auto r = Parse("source,record_id,household\ns,1,h9\n", "household");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records[0].entity, "h9");
  EXPECT_EQ(r->entity_column, "household");
  ExpectError("source,record_id,household\ns,1,h9\n", "truth.csv:1: no column 'person_id'");
}

TEST(TruthCsvTest, RepeatedRowWithTheSameEntityCountsOnce) {
  auto r = Parse("source,record_id,person_id\ns,1,a\ns,2,a\ns,1,a\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->repeated_rows, 1);
}

TEST(TruthCsvTest, Errors) {
  ExpectError("", "truth.csv:1: the truth file is empty");
  ExpectError("\n\n", "the truth file is empty");
  ExpectError("source,record_id\ns,1\n", "truth.csv:1: no column 'person_id' in the header");
  ExpectError("source,person_id\n", "no column 'record_id'");
  ExpectError("source,record_id,person_id,source\n", "column 'source' appears twice");
  ExpectError("source,record_id,person_id\ns,1,a\ns,2\n",
              "truth.csv:3: 2 fields, but the header has 3");
  ExpectError("source,record_id,person_id\ns,1,a,x\n", "truth.csv:2: 4 fields");
  ExpectError("source,record_id,person_id\ns,1,a\ns,2,\n", "truth.csv:3: person_id: empty value");
  ExpectError("source,record_id,person_id\n,2,a\n", "truth.csv:2: source: empty value");
  ExpectError("source,record_id,person_id\ns, ,a\n", "truth.csv:2: record_id: empty value");
  ExpectError("source,record_id,person_id\ns,1,\"a\n",
              "truth.csv:2: a quoted field is never closed");
  ExpectError("source,record_id,person_id\ns,\"1\"x,a\n",
              "truth.csv:2: text after the closing quote");
  ExpectError("source,record_id,person_id\ns,1\"x,a\n", "truth.csv:2: a quote inside an unquoted");
  ExpectError("source,record_id,person_id\ns,1,a\ns,2,b\ns,1,c\n",
              "truth.csv:4: person_id: 's'/'1' is entity 'c' here but entity 'a' at line 2");
}

TEST(TruthCsvTest, ReadsFiles) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("evaluate_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "truth.csv").string();
  std::ofstream(path) << "source,record_id,person_id\ns,1,a\ns,2,a\n";
  auto r = ReadTruthCsv(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->path, path);

  auto missing = ReadTruthCsv((dir / "missing.csv").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.csv"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::resolve
