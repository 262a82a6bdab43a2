// The resolver over a real hub: ids stay put, merges redirect, deletions split, decisions stand.
#include "resolve/resolver.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/store_test_support.h"

namespace tessera::resolve {
namespace {

using store::NominalStatus;

struct Mention {
  std::string key;
  std::string given;
  std::string family;
  std::optional<CivilDate> dob;
  std::string nhs;
  std::string phone;
};

class ResolverTest : public store::testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    model_ = LinkageModel::Defaults();
    model_.lambda = 1e-4;
    model_.term_frequency_floor = 1e-3;  // exact names count, but not overwhelmingly
  }

  // Loads the mentions as one load of source "s" and returns their person record ids.
  std::vector<model::PersonRecordId> Load(const std::vector<Mention>& mentions) {
    auto txn = Begin();
    const int n = ++loads_;
    auto load = store_->BeginLoad(*txn, "s", "f" + std::to_string(n) + ".csv",
                                  "hash" + std::to_string(n), store::LoadMode::kIncremental);
    EXPECT_TRUE(load.ok());
    std::vector<model::PersonRecordId> ids;
    for (const Mention& m : mentions) {
      model::SourceRecord record;
      record.source_id = "s";
      record.record_key = m.key;
      record.payload = m.key + m.given + m.family;
      record.provenance.load_id = *load;
      record.provenance.file = "f.csv";
      record.provenance.content_hash = record.payload;
      auto put = store_->PutSourceRecord(*txn, record);
      EXPECT_TRUE(put.ok()) << put.status().ToString();
      model::PersonRecord p;
      p.source_record_id = put->id;
      p.mention_key = m.key;
      p.name.given = m.given;
      p.name.family = m.family;
      p.dob = m.dob;
      if (!m.nhs.empty()) p.identifiers.push_back({model::IdentifierKind::kNhsNumber, m.nhs, true});
      if (!m.phone.empty()) p.phones.push_back(m.phone);
      auto id = store_->PutPersonRecord(*txn, p);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      ids.push_back(*id);
    }
    store::LoadCounts counts;
    counts.read = counts.loaded = static_cast<int64_t>(mentions.size());
    EXPECT_TRUE(store_->FinishLoad(*txn, *load, counts).ok());
    EXPECT_TRUE(txn->Commit().ok());
    return ids;
  }

  void Delete(const std::string& key) {
    auto txn = Begin();
    auto load = store_->BeginLoad(*txn, "s", "delete-" + key, "hash-delete-" + key,
                                  store::LoadMode::kIncremental);
    ASSERT_TRUE(load.ok());
    ASSERT_TRUE(store_->DeleteSourceRecord(*txn, "s", key, *load).ok());
    store::LoadCounts counts;
    counts.deleted = 1;
    ASSERT_TRUE(store_->FinishLoad(*txn, *load, counts).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  ResolveSummary Run() {
    auto resolver = Resolver::Open(tmp_.path(), *store_, model_);
    EXPECT_TRUE(resolver.ok()) << resolver.status().ToString();
    auto summary = (*resolver)->Run();
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.value_or(ResolveSummary{});
  }

  model::NominalId NominalOf(model::PersonRecordId id) {
    auto n = store_->FindNominalForPersonRecord(id);
    EXPECT_TRUE(n.ok() && n->has_value());
    return n.ok() && n->has_value() ? **n : 0;
  }

  LinkageModel model_;
  int loads_ = 0;
};

const CivilDate kDob{1980, 1, 1};

TEST_F(ResolverTest, MergeKeepsTheOlderIdAndSplitGivesNewIdsWithReasons) {
  // r1 and r2 share only a family name: two nominals.
  auto first = Load({{"r1", "ANN", "LEE", kDob, "", "+447700900001"},
                     {"r2", "", "LEE", std::nullopt, "9434765919", "+447700900002"}});
  ResolveSummary s = Run();
  EXPECT_TRUE(s.batch);
  EXPECT_EQ(s.nominals_created, 2);
  model::NominalId a = NominalOf(first[0]);
  model::NominalId b = NominalOf(first[1]);
  ASSERT_NE(a, b);

  // r3 links to both (name and date of birth with r1; NHS number and phone with r2).
  auto third = Load({{"r3", "ANN", "LEE", kDob, "9434765919", "+447700900002"}});
  s = Run();
  EXPECT_FALSE(s.batch);
  EXPECT_EQ(s.new_records, 1);
  EXPECT_EQ(s.nominals_merged, 1);
  EXPECT_EQ(s.nominals_created, 0);
  model::NominalId merged = NominalOf(first[0]);
  EXPECT_EQ(merged, std::min(a, b)) << "the surviving id is the older one";
  EXPECT_EQ(NominalOf(first[1]), merged);
  EXPECT_EQ(NominalOf(third[0]), merged);
  model::NominalId absorbed = std::max(a, b);
  EXPECT_EQ(*store_->ResolveNominalId(absorbed), merged);
  EXPECT_EQ(*store_->GetNominalStatus(absorbed), NominalStatus::kMerged);
  auto lineage = store_->ListNominalLineage(absorbed);
  ASSERT_TRUE(lineage.ok());
  ASSERT_FALSE(lineage->empty());
  EXPECT_EQ(lineage->back().kind, "merged");
  EXPECT_NE(lineage->back().reason.find("merged by resolution"), std::string::npos);

  // Deleting r3 takes away the evidence that held them together: the nominal splits, the
  // larger part (ties: the older record) keeps the id, the other gets a new one, with why.
  Delete("r3");
  s = Run();
  EXPECT_EQ(s.retired_records, 1);
  EXPECT_EQ(s.nominals_split, 1);
  EXPECT_EQ(NominalOf(first[0]), merged);
  model::NominalId split_off = NominalOf(first[1]);
  EXPECT_NE(split_off, merged);
  EXPECT_NE(split_off, absorbed) << "a split creates a new id, it does not revive a merged one";
  lineage = store_->ListNominalLineage(merged);
  ASSERT_TRUE(lineage.ok());
  EXPECT_EQ(lineage->back().kind, "split");
  EXPECT_EQ(lineage->back().to, split_off);
  EXPECT_NE(lineage->back().reason.find("no longer link"), std::string::npos);

  // Deleting r2 leaves its nominal empty: retired.
  Delete("r2");
  s = Run();
  EXPECT_EQ(s.nominals_retired, 1);
  EXPECT_EQ(*store_->GetNominalStatus(split_off), NominalStatus::kRetired);
  EXPECT_EQ(*store_->GetNominalStatus(merged), NominalStatus::kLive);
}

TEST_F(ResolverTest, HumanDecisionsStandAgainstTheModel) {
  auto ids = Load({{"r1", "ANN", "LEE", kDob, "", ""},
                   {"r2", "ANN", "LEE", kDob, "", ""},
                   {"r3", "BOB", "KAY", CivilDate{1970, 2, 2}, "", ""}});
  Run();
  ASSERT_EQ(NominalOf(ids[0]), NominalOf(ids[1]));
  ASSERT_NE(NominalOf(ids[0]), NominalOf(ids[2]));
  {
    auto txn = Begin();
    store::LinkDecision apart{0,        ids[0],
                              ids[1],   store::LinkDecisionKind::kCannotLink,
                              "cli:ig", "different people: checked with the school",
                              0,        std::nullopt};
    store::LinkDecision together{0,        ids[0],
                                 ids[2],   store::LinkDecisionKind::kMustLink,
                                 "cli:ig", "known alias, confirmed by the social worker",
                                 0,        std::nullopt};
    ASSERT_TRUE(store_->AddLinkDecision(*txn, apart).ok());
    ASSERT_TRUE(store_->AddLinkDecision(*txn, together).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  Run();
  EXPECT_NE(NominalOf(ids[0]), NominalOf(ids[1]));
  EXPECT_EQ(NominalOf(ids[0]), NominalOf(ids[2]));
  // Automation never undoes them: another record like r1 and r2 arrives and is resolved.
  auto more = Load({{"r4", "ANN", "LEE", kDob, "", ""}});
  Run();
  EXPECT_NE(NominalOf(ids[0]), NominalOf(ids[1]));
  EXPECT_EQ(NominalOf(ids[0]), NominalOf(ids[2]));
  // The pair the model would link but a person kept apart is queued for review.
  auto pairs = store_->ListReviewPairs({});
  ASSERT_TRUE(pairs.ok());
  bool queued = std::any_of(pairs->begin(), pairs->end(), [&](const store::ReviewPair& p) {
    return (p.a == ids[0] && p.b == ids[1]) || (p.a == ids[1] && p.b == ids[0]);
  });
  EXPECT_TRUE(queued);
  (void)more;
}

TEST_F(ResolverTest, ExplainsAPairAsAWaterfallThatAddsUp) {
  auto ids = Load({{"r1", "ANN", "LEE", kDob, "9434765919", ""},
                   {"r2", "ANN", "LEE", CivilDate{1980, 1, 2}, "9434765919", ""}});
  auto w = ExplainPair(*store_, model_, ids[0], ids[1]);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  double sum = w->prior_weight;
  for (const WaterfallStep& step : w->steps) sum += step.weight;
  EXPECT_NEAR(sum, w->match_weight, 1e-9);
  EXPECT_EQ(w->decision, "link");
  auto dob = std::find_if(w->steps.begin(), w->steps.end(),
                          [](const WaterfallStep& s) { return s.comparison == "date_of_birth"; });
  ASSERT_NE(dob, w->steps.end());
  EXPECT_EQ(dob->level, "typo");
  EXPECT_EQ(dob->value_a, "1980-01-01");
  EXPECT_EQ(dob->value_b, "1980-01-02");
}

}  // namespace
}  // namespace tessera::resolve
