#include "risk/risk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/store_test_support.h"

namespace tessera::risk {
namespace {

// ---------------------------------------------------------------------------------------------
// Metrics against hand-worked values

TEST(Metrics, RocAucCountsTiesAsHalf) {
  // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: three of four pairs ordered.
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<int>{0, 0, 1, 1}),
                   0.75);
  // Positives 0.5, 0.9; negatives 0.5, 0.2: pairs 0.5 (tie), 1, 1, 1.
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.5, 0.5, 0.2, 0.9}, std::vector<int>{1, 0, 0, 1}),
                   0.875);
  EXPECT_TRUE(std::isnan(RocAuc(std::vector<double>{0.1, 0.2}, std::vector<int>{1, 1})));
}

TEST(Metrics, AveragePrecisionTreatsTiesAsOneThreshold) {
  // 0.8 (+): P 1, R .5; 0.4 (-); 0.35 (+): P 2/3, R 1. AP = .5 * 1 + .5 * 2/3.
  EXPECT_NEAR(
      AveragePrecision(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<int>{0, 0, 1, 1}),
      0.5 + 1.0 / 3.0, 1e-12);
  // Tied 0.5 (+ and -): P .5 at R .5; then 0.2 (+): P 2/3 at R 1.
  EXPECT_NEAR(AveragePrecision(std::vector<double>{0.5, 0.5, 0.2}, std::vector<int>{1, 0, 1}),
              0.25 + 1.0 / 3.0, 1e-12);
}

TEST(Metrics, ExpectedCalibrationErrorAndReliability) {
  const std::vector<double> p = {0.05, 0.15, 0.15, 0.95};
  const std::vector<int> y = {0, 1, 0, 1};
  // Bins: [0,.1) 1 row |.05 - 0|; [.1,.2) 2 rows |.15 - .5|; [.9,1] 1 row |.95 - 1|.
  EXPECT_NEAR(ExpectedCalibrationError(p, y), 0.25 * 0.05 + 0.5 * 0.35 + 0.25 * 0.05, 1e-12);
  const std::vector<ReliabilityBin> table = ReliabilityTable(p, y);
  ASSERT_EQ(table.size(), 10u);
  EXPECT_EQ(table[1].n, 2);
  EXPECT_DOUBLE_EQ(table[1].observed_rate, 0.5);
  EXPECT_EQ(table[9].n, 1);
  // A probability of exactly 1 falls in the last bin.
  EXPECT_EQ(ReliabilityTable(std::vector<double>{1.0}, std::vector<int>{1})[9].n, 1);
}

TEST(Metrics, BootstrapIntervalIsSeededAndOrdered) {
  std::vector<double> p;
  std::vector<int> y;
  for (int i = 0; i < 200; ++i) {
    p.push_back((i % 10) / 10.0 + 0.05);
    y.push_back(i % 3 == 0);
  }
  const Interval a = BootstrapEceInterval(p, y, 200, 7);
  const Interval b = BootstrapEceInterval(p, y, 200, 7);
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_LE(a.lo, a.hi);
  const double ece = ExpectedCalibrationError(p, y);
  EXPECT_LE(a.lo, ece + 0.05);
  EXPECT_GE(a.hi, ece - 0.05);
}

TEST(Metrics, PrecisionAndRecallAtK) {
  const std::vector<double> s = {0.9, 0.8, 0.7, 0.1};
  const std::vector<int> y = {1, 0, 1, 1};
  TopKMetrics m = PrecisionRecallAtK(s, y, 2);
  EXPECT_EQ(m.true_positives, 1);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3.0);
  m = PrecisionRecallAtK(s, y, 10);  // k beyond the rows: every row
  EXPECT_EQ(m.k, 4);
  EXPECT_DOUBLE_EQ(m.precision, 0.75);
  // Ties are broken by position: the first of equal scores is flagged.
  EXPECT_EQ(TopK(std::vector<double>{0.5, 0.5, 0.5}, 1), (std::vector<bool>{true, false, false}));
}

TEST(Metrics, PlattRecoversAKnownSigmoid) {
  std::vector<double> margins;
  std::vector<int> labels;
  for (int g = -12; g <= 12; ++g) {
    const double m = g / 4.0;
    const int positives =
        static_cast<int>(std::lround(1000.0 / (1.0 + std::exp(-(2.0 * m + 0.5)))));
    for (int i = 0; i < 1000; ++i) {
      margins.push_back(m);
      labels.push_back(i < positives);
    }
  }
  const PlattCalibration c = FitPlatt(margins, labels);
  EXPECT_NEAR(c.a, 2.0, 0.02);
  EXPECT_NEAR(c.b, 0.5, 0.02);
}

// ---------------------------------------------------------------------------------------------
// The model: deterministic, and its SHAP contributions add up to the margin

struct Synthetic {
  std::vector<float> x;
  std::vector<int> y;
};

Synthetic MakeSynthetic(int rows) {
  Synthetic s;
  const size_t columns = FeatureNames().size();
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  for (int r = 0; r < rows; ++r) {
    double signal = 0;
    for (size_t c = 0; c < columns; ++c) {
      const float v = static_cast<float>(std::floor(next() * 4));
      s.x.push_back(v);
      if (c < 3) signal += v;
    }
    s.y.push_back(signal + next() * 3 > 6);
  }
  return s;
}

TEST(RiskModel, SameSeedSameDataSamePredictions) {
  const Synthetic s = MakeSynthetic(600);
  const size_t columns = FeatureNames().size();
  TrainParams params;
  params.rounds = 30;
  auto a = RiskModel::Train(s.x, columns, s.y, params);
  auto b = RiskModel::Train(s.x, columns, s.y, params);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto ma = a->Margins(s.x, columns);
  auto mb = b->Margins(s.x, columns);
  ASSERT_TRUE(ma.ok() && mb.ok());
  EXPECT_EQ(*ma, *mb);
  // The signal is learnt.
  EXPECT_GT(RocAuc(*ma, s.y), 0.8);

  // A saved and reloaded model predicts the same.
  store::testing::TempDir tmp;
  ASSERT_TRUE(a->SaveJson(tmp.Sub("model.json")).ok());
  auto loaded = RiskModel::LoadJson(tmp.Sub("model.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto ml = loaded->Margins(s.x, columns);
  ASSERT_TRUE(ml.ok());
  for (size_t i = 0; i < ml->size(); ++i) EXPECT_NEAR((*ml)[i], (*ma)[i], 1e-5);
}

TEST(RiskModel, ContributionsAddUpToTheMarginForEveryRow) {
  const Synthetic s = MakeSynthetic(400);
  const size_t columns = FeatureNames().size();
  TrainParams params;
  params.rounds = 40;
  auto model = RiskModel::Train(s.x, columns, s.y, params);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto margins = model->Margins(s.x, columns);
  auto contributions = model->Contributions(s.x, columns);
  ASSERT_TRUE(margins.ok() && contributions.ok());
  ASSERT_EQ(contributions->size(), margins->size() * (columns + 1));
  for (size_t r = 0; r < margins->size(); ++r) {
    double sum = 0;
    for (size_t c = 0; c <= columns; ++c) sum += (*contributions)[r * (columns + 1) + c];
    EXPECT_NEAR(sum, (*margins)[r], 1e-4) << "row " << r;
  }
  // An explanation names its features and adds up too.
  auto e = Explain(*model, PlattCalibration{}, std::span<const float>(s.x).subspan(0, columns));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  double sum = e->bias;
  for (const Factor& f : e->factors) sum += f.contribution;
  EXPECT_NEAR(sum, e->margin, 1e-4);
  ASSERT_FALSE(e->factors.empty());
  EXPECT_TRUE(e->factors[0].feature.starts_with("agency.police") ||
              e->factors[0].feature.starts_with("agency.fire_rescue"))
      << e->factors[0].feature;
}

// ---------------------------------------------------------------------------------------------
// Features: only events before the cutoff

class FeatureHubTest : public store::testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    load_ =
        *store_->BeginLoad(*txn, "csc_children", "csc.csv", "h1", store::LoadMode::kIncremental);
    child_records_.push_back(Write(*txn, "C1", {2023, 6, 1}, model::Agency::kChildrensSocialCare,
                                   "referral", CivilDate{2015, 3, 3}));
    child_records_.push_back(Write(*txn, "C2", {2023, 11, 20}, model::Agency::kChildrensSocialCare,
                                   "child_in_need", CivilDate{2015, 3, 3}));
    child_records_.push_back(
        Write(*txn, "C3", {2021, 2, 1}, model::Agency::kPolice, "missing", CivilDate{2015, 3, 3}));
    parent_records_.push_back(Write(*txn, "P1", {2023, 12, 31}, model::Agency::kPolice,
                                    "domestic_abuse_incident", CivilDate{1985, 1, 1}));
    ASSERT_TRUE(store_->FinishLoad(*txn, load_, {}).ok());
    ASSERT_TRUE(txn->Commit().ok());
    auto t2 = Begin();
    child_ = *store_->CreateNominal(*t2, model::Nominal{});
    parent_ = *store_->CreateNominal(*t2, model::Nominal{});
    ASSERT_TRUE(store_->AttachPersonRecords(*t2, child_, child_records_).ok());
    ASSERT_TRUE(store_->AttachPersonRecords(*t2, parent_, parent_records_).ok());
    model::Location home;
    home.address_text = "1 HIGH STREET";
    home.postcode = "AB1 2CD";
    model::Household h;
    h.location_id = *store_->UpsertLocation(*t2, home);
    h.from = CivilDate{2020, 1, 1};
    for (model::NominalId n : {child_, parent_}) {
      model::HouseholdMembership m;
      m.nominal_id = n;
      m.from = CivilDate{2020, 1, 1};
      h.members.push_back(m);
    }
    ASSERT_TRUE(store_->ReplaceHouseholds(*t2, {h}).ok());
    ASSERT_TRUE(t2->Commit().ok());
  }

  model::PersonRecordId Write(store::Transaction& txn, const std::string& key, CivilDate date,
                              model::Agency agency, const std::string& category, CivilDate dob) {
    model::SourceRecord sr;
    sr.source_id = "csc_children";
    sr.record_key = key;
    sr.provenance.source_id = sr.source_id;
    sr.provenance.load_id = load_;
    sr.provenance.file = "csc.csv";
    sr.provenance.content_hash = "hash-" + key;
    sr.payload = key;
    auto put = store_->PutSourceRecord(txn, sr);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    model::PersonRecord pr;
    pr.source_record_id = put->id;
    pr.mention_key = key;
    pr.name.given = "ALEX";
    pr.name.family = "SMITH";
    pr.dob = dob;
    auto person = store_->PutPersonRecord(txn, pr);
    EXPECT_TRUE(person.ok()) << person.status().ToString();
    model::Event e;
    e.source_record_id = put->id;
    e.source_id = sr.source_id;
    e.event_ref = "REF-" + key;
    e.type = "childrens_social_care";
    e.category = category;
    e.agency = agency;
    e.date = date;
    e.involvements.push_back({*person, model::Role::kSubject});
    EXPECT_TRUE(store_->PutEvent(txn, e).ok());
    return *person;
  }

  // Adds an event for `nominal` dated `date` in a new source record.
  void AddEvent(model::NominalId nominal, const std::string& key, CivilDate date,
                model::Agency agency, const std::string& category) {
    auto txn = Begin();
    load_ = *store_->BeginLoad(*txn, "csc_children", "more.csv", "h-" + key,
                               store::LoadMode::kIncremental);
    const model::PersonRecordId p = Write(*txn, key, date, agency, category, {2015, 3, 3});
    ASSERT_TRUE(store_->FinishLoad(*txn, load_, {}).ok());
    ASSERT_TRUE(store_->AttachPersonRecord(*txn, nominal, p).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::vector<float> Features(model::NominalId nominal, CivilDate cutoff) {
    auto hub = LoadHubHistory(*store_);
    EXPECT_TRUE(hub.ok()) << hub.status().ToString();
    return ComputeFeatures(*hub, hub->nominals.at(nominal), cutoff);
  }

  float Named(const std::vector<float>& f, const std::string& name) {
    const auto& names = FeatureNames();
    auto it = std::find(names.begin(), names.end(), name);
    EXPECT_NE(it, names.end()) << name;
    return f[it - names.begin()];
  }

  model::LoadId load_ = 0;
  std::vector<model::PersonRecordId> child_records_, parent_records_;
  model::NominalId child_ = 0, parent_ = 0;
  const CivilDate cutoff_{2024, 1, 1};
};

TEST_F(FeatureHubTest, CountsRecencyTrendAgeAndHousehold) {
  const std::vector<float> f = Features(child_, cutoff_);
  ASSERT_EQ(f.size(), FeatureNames().size());
  EXPECT_EQ(Named(f, "agency.childrens_social_care.3m"), 1);   // 2023-11-20
  EXPECT_EQ(Named(f, "agency.childrens_social_care.12m"), 2);  // and 2023-06-01
  EXPECT_EQ(Named(f, "agency.police.12m"), 0);
  EXPECT_EQ(Named(f, "agency.police.36m"), 1);  // 2021-02-01
  EXPECT_EQ(Named(f, "category.referral.12m"), 1);
  EXPECT_EQ(Named(f, "category.missing.36m"), 1);
  EXPECT_EQ(Named(f, "events.12m"), 2);
  EXPECT_EQ(Named(f, "trend.12m_minus_previous_12m"), 2);
  EXPECT_EQ(Named(f, "days_since_last_event"), 42);  // 2023-11-20 to 2024-01-01
  EXPECT_EQ(Named(f, "age_at_cutoff"), 8);
  EXPECT_EQ(Named(f, "household.members"), 1);
  EXPECT_EQ(Named(f, "household.member_domestic_abuse.12m"), 1);
  EXPECT_EQ(Named(f, "household.member_police.12m"), 1);
  EXPECT_EQ(BaselineScore(f), 2);
}

TEST_F(FeatureHubTest, EventsOnOrAfterTheCutoffChangeNoFeature) {
  const std::vector<float> before_child = Features(child_, cutoff_);
  const std::vector<float> before_parent = Features(parent_, cutoff_);
  // Later events for the child and the household member, on the cutoff day and after.
  AddEvent(child_, "LATER1", cutoff_, model::Agency::kChildrensSocialCare, "child_protection_plan");
  AddEvent(child_, "LATER2", {2024, 6, 1}, model::Agency::kPolice, "missing");
  AddEvent(parent_, "LATER3", {2024, 2, 1}, model::Agency::kPolice, "domestic_abuse_incident");
  EXPECT_EQ(Features(child_, cutoff_), before_child);
  EXPECT_EQ(Features(parent_, cutoff_), before_parent);
  // And deleting them again changes nothing either.
  auto txn = Begin();
  for (const char* key : {"LATER1", "LATER2", "LATER3"}) {
    ASSERT_TRUE(store_->DeleteSourceRecord(*txn, "csc_children", key, load_).ok());
  }
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Features(child_, cutoff_), before_child);
  EXPECT_EQ(Features(parent_, cutoff_), before_parent);
  // The check has teeth: an event the day before the cutoff does change the features.
  AddEvent(child_, "EARLIER", {2023, 12, 31}, model::Agency::kPolice, "missing");
  EXPECT_NE(Features(child_, cutoff_), before_child);
}

// ---------------------------------------------------------------------------------------------
// The registry: pending until approved, and a kill switch

class RegistryTest : public store::testing::HubFixture {};

TEST_F(RegistryTest, VersionsArePendingUntilApprovedAndCanBeDisabled) {
  store::StoredRiskModel m;
  m.version = "v1";
  m.outcome = "cp_plan_escalation";
  m.training_data_sha256 = std::string(64, 'a');
  m.metadata = "{}";
  m.state = "approved";  // ignored: a new version is always pending
  {
    auto txn = Begin();
    ASSERT_TRUE(store_->PutRiskModel(*txn, m).ok());
    EXPECT_EQ(store_->PutRiskModel(*txn, m).code(), StatusCode::kAlreadyExists);
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto listed = store_->ListRiskModels();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, "pending");
  EXPECT_EQ((*listed)[0].created_at_micros, store::testing::kTestEpochMicros);

  auto txn = Begin();
  EXPECT_EQ(store_->SetRiskModelState(*txn, "v9", "approved", "user:igo", "ok").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->SetRiskModelState(*txn, "v1", "pending", "user:igo", "ok").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetRiskModelState(*txn, "v1", "approved", "user:igo", "").code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->SetRiskModelState(*txn, "v1", "approved", "user:igo", "reviewed").ok());
  EXPECT_EQ(store_->SetRiskModelState(*txn, "v1", "approved", "user:igo", "again").code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->SetRiskModelState(*txn, "v1", "disabled", "user:igo", "drift").ok());
  ASSERT_TRUE(txn->Commit().ok());
  listed = store_->ListRiskModels();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].state, "disabled");
  EXPECT_EQ((*listed)[0].decided_by, "user:igo");
  EXPECT_EQ((*listed)[0].reason, "drift");
}

TEST_F(RegistryTest, ScoresAreRankedExplainedAndStoredPerVersion) {
  const Synthetic s = MakeSynthetic(400);
  const size_t columns = FeatureNames().size();
  TrainParams params;
  params.rounds = 20;
  auto trained = RiskModel::Train(s.x, columns, s.y, params);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  SavedVersion saved;
  saved.version = "v1";
  saved.model.emplace(std::move(*trained));
  saved.calibration = {0.9, -0.2};
  // A hub of nominals with a few police and social-care events each.
  HubHistory hub;
  for (model::NominalId n = 1; n <= 30; ++n) {
    NominalHistory& h = hub.nominals[n];
    h.id = n;
    h.dob = CivilDate{static_cast<int>(1980 + n % 30), 3, 1};
    for (int e = 0; e < static_cast<int>(n % 7); ++e) {
      h.events.push_back({CivilDate{2025, 1 + e, 10},
                          e % 2 ? model::Agency::kPolice : model::Agency::kChildrensSocialCare,
                          "src", e % 3 ? "referral" : "assault"});
    }
  }
  const CivilDate as_of{2026, 1, 1};
  auto scores = ScoreAll(hub, saved, as_of);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 30u);
  std::vector<int64_t> ranks;
  for (const store::StoredRiskScore& score : *scores) {
    ranks.push_back(score.rank);
    EXPECT_EQ(score.as_of, as_of);
    EXPECT_NEAR(score.probability, saved.calibration.Apply(score.margin), 1e-12);
    // The stored explanation adds up to the margin.
    const nlohmann::json e = nlohmann::json::parse(score.explanation);
    double sum = e["bias"].get<double>() + e["other"].get<double>();
    EXPECT_LE(e["factors"].size(), 10u);
    for (const nlohmann::json& f : e["factors"]) {
      ASSERT_EQ(f.size(), 3u);
      EXPECT_LT(f[0].get<size_t>(), columns);
      sum += f[2].get<double>();
    }
    EXPECT_NEAR(sum, score.margin, 1e-4);
  }
  std::sort(ranks.begin(), ranks.end());
  for (size_t i = 0; i < ranks.size(); ++i) EXPECT_EQ(ranks[i], static_cast<int64_t>(i) + 1);
  for (const store::StoredRiskScore& a : *scores) {
    for (const store::StoredRiskScore& b : *scores) {
      if (a.rank < b.rank) {
        EXPECT_GE(a.probability, b.probability);
      }
    }
  }

  // Stored per version, replacing the version's earlier batch; not for an unknown version.
  store::StoredRiskModel m;
  m.version = "v1";
  m.outcome = "cp_plan_escalation";
  m.training_data_sha256 = std::string(64, 'b');
  m.metadata = "{}";
  auto txn = Begin();
  ASSERT_TRUE(store_->PutRiskModel(*txn, m).ok());
  EXPECT_EQ(store_->ReplaceRiskScores(*txn, "v2", {}).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->ReplaceRiskScores(*txn, "v1", *scores).ok());
  ASSERT_TRUE(store_->ReplaceRiskScores(*txn, "v1", *scores).ok());
  ASSERT_TRUE(txn->Commit().ok());
  auto batch = store_->GetRiskScoreBatch("v1");
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->count, 30);
  EXPECT_EQ(batch->as_of, as_of);
  auto none = store_->GetRiskScoreBatch("v7");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->count, 0);
  EXPECT_FALSE(none->as_of.has_value());
  auto listed = store_->ListRiskScores("v1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 30u);
  EXPECT_EQ((*listed)[0].rank, 1);
  EXPECT_TRUE((*listed)[0].explanation.empty());
  auto one = store_->GetRiskScore("v1", (*listed)[0].nominal_id);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_FALSE((*one)->explanation.empty());
  EXPECT_DOUBLE_EQ((*one)->probability, (*listed)[0].probability);
}

TEST(Features, LabelsSayWhatEachFeatureCountsInPlainWords) {
  EXPECT_EQ(FeatureLabel("agency.childrens_social_care.12m"),
            "Events recorded by children's social care in the last 12 months");
  EXPECT_EQ(FeatureLabel("category.child_protection_plan.3m"),
            "Child protection plan events in the last 3 months");
  EXPECT_EQ(FeatureLabel("household.member_police.12m"),
            "Household members' police events in the last 12 months");
  EXPECT_EQ(FeatureLabels().size(), FeatureNames().size());
  for (const std::string& label : FeatureLabels()) {
    EXPECT_EQ(label.find('_'), std::string::npos) << label;  // every feature has words
  }
  EXPECT_EQ(OutcomeTitle("cp_plan_escalation"), "A child-protection plan starts within 12 months");
}

TEST(ModelMetadataFile, IsReadOnceWithWhatIsDamagedLeftEmpty) {
  auto good = ParseModelMetadata(
      R"({"outcome": "mh_crisis", "input_datasets": ["ambulance", 7, "mental_health"],
          "base_rate": 0.04, "feature_names": ["a", "b"], "feature_labels": ["A", null],
          "calibration": {"a": 1.5, "b": -0.25}})",
      "v3/metadata.json");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->outcome, "mh_crisis");
  EXPECT_EQ(good->outcome_title, OutcomeTitle("mh_crisis")) << "the catalogue's, when absent";
  EXPECT_EQ(good->input_datasets, (std::vector<std::string>{"ambulance", "mental_health"}));
  EXPECT_DOUBLE_EQ(good->base_rate, 0.04);
  EXPECT_EQ(good->feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(good->feature_labels, (std::vector<std::string>{"A", ""})) << "kept in step";
  ASSERT_TRUE(good->calibration.has_value());
  EXPECT_DOUBLE_EQ(good->calibration->a, 1.5);
  EXPECT_DOUBLE_EQ(good->calibration->b, -0.25);

  auto damaged = ParseModelMetadata(
      R"({"outcome_title": "Own words", "input_datasets": "ambulance", "base_rate": "high",
          "calibration": {"a": 1}})",
      "v4/metadata.json");
  ASSERT_TRUE(damaged.ok());
  EXPECT_EQ(damaged->outcome_title, "Own words");
  EXPECT_TRUE(damaged->input_datasets.empty());
  EXPECT_DOUBLE_EQ(damaged->base_rate, 0);
  EXPECT_FALSE(damaged->calibration.has_value());

  EXPECT_FALSE(damaged->summary.roc_auc.has_value());
  EXPECT_TRUE(damaged->summary.fairness_flags.empty());

  // The evaluation's headline figures, as the model pages list them.
  auto evaluated = ParseModelMetadata(
      R"({"metrics": {"rows": 2166, "positives": 71.5,
          "model": {"roc_auc": 0.822, "ece": "n/a", "top_k": {"k": 100, "precision": 0.23},
                    "fairness": [{"axis": "sex", "flagged": true, "fnr_gap": 0.114},
                                 {"axis": "age_band", "flagged": false, "fnr_gap": 0.2},
                                 {"axis": "decile", "flagged": "yes"}, 7]},
          "baseline": {"roc_auc": 0.61}}})",
      "v6/metadata.json");
  ASSERT_TRUE(evaluated.ok()) << evaluated.status().ToString();
  const ModelMetadata::Summary& s = evaluated->summary;
  EXPECT_DOUBLE_EQ(s.roc_auc.value_or(0), 0.822);
  EXPECT_FALSE(s.ece.has_value()) << "not a number";
  EXPECT_FALSE(s.pr_auc.has_value()) << "absent";
  EXPECT_DOUBLE_EQ(s.baseline_roc_auc.value_or(0), 0.61);
  EXPECT_EQ(s.k, 100);
  EXPECT_DOUBLE_EQ(s.precision_at_k.value_or(0), 0.23);
  EXPECT_EQ(s.rows, 2166);
  EXPECT_FALSE(s.positives.has_value()) << "a count that is not a whole number";
  ASSERT_EQ(s.fairness_flags.size(), 1u) << "only axes flagged true";
  EXPECT_EQ(s.fairness_flags[0].axis, "sex");
  EXPECT_DOUBLE_EQ(s.fairness_flags[0].fnr_gap.value_or(0), 0.114);
  EXPECT_FALSE(s.fairness_flags[0].fpr_gap.has_value());

  auto broken = ParseModelMetadata("[1, 2", "v5/metadata.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_NE(broken.status().message().find("v5/metadata.json"), std::string::npos);
}

TEST(Outcomes, EachIsDefinedOnceWithWordsAndTheCategoriesThatMarkIt) {
  EXPECT_EQ(OutcomeIdList(), "cp_plan_escalation, repeat_da_victimisation or mh_crisis");
  const std::vector<std::string>& features = FeatureNames();
  for (const OutcomeDefinition& o : Outcomes()) {
    SCOPED_TRACE(std::string(o.id));
    EXPECT_EQ(FindOutcome(o.id), &o);
    EXPECT_EQ(OutcomeTitle(o.id), o.title);
    EXPECT_FALSE(o.words.empty());
    ASSERT_FALSE(o.categories.empty());
    for (std::string_view c : o.categories) {
      // A category the features count, so one the hub's sources record.
      const std::string feature = "category." + std::string(c) + ".12m";
      EXPECT_NE(std::find(features.begin(), features.end(), feature), features.end()) << c;
    }
  }
  EXPECT_EQ(FindOutcome("nope"), nullptr);
  EXPECT_EQ(OutcomeTitle("nope"), "nope");
}

TEST_F(RegistryTest, DecisionsAreKeptNewestFirstWithWhoAndWhy) {
  store::StoredRiskDecision d;
  d.nominal_id = 7;
  d.version = "v1";
  d.probability = 0.25;
  d.decision = "agree";
  d.reason = "three agencies, rising";
  d.actor = "user:sw";
  d.agency = "childrens_social_care";
  d.purpose = "risk_assessment";
  auto txn = Begin();
  ASSERT_TRUE(store_->AddRiskDecision(*txn, d).ok());
  store::StoredRiskDecision bad = d;
  bad.decision = "maybe";
  EXPECT_EQ(store_->AddRiskDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  bad = d;
  bad.reason = "";
  EXPECT_EQ(store_->AddRiskDecision(*txn, bad).status().code(), StatusCode::kInvalidArgument);
  d.decision = "action";
  d.reason = "referred to early help";
  auto second = store_->AddRiskDecision(*txn, d);
  ASSERT_TRUE(second.ok());
  d.nominal_id = 8;
  ASSERT_TRUE(store_->AddRiskDecision(*txn, d).ok());
  ASSERT_TRUE(txn->Commit().ok());
  auto of7 = store_->ListRiskDecisions(7, 10);
  ASSERT_TRUE(of7.ok());
  ASSERT_EQ(of7->size(), 2u);
  EXPECT_EQ((*of7)[0].id, *second);
  EXPECT_EQ((*of7)[0].decision, "action");
  EXPECT_EQ((*of7)[1].reason, "three agencies, rising");
  EXPECT_EQ((*of7)[1].decided_at_micros, store::testing::kTestEpochMicros);
  auto all = store_->ListRiskDecisions(0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(store_->ListRiskDecisions(0, 0).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Labels through the truth

TEST(Labels, NominalsOfSeveralPeopleOrNoneAreExcludedAndCounted) {
  HubHistory hub;
  for (model::NominalId n : {1, 2, 3, 4}) hub.nominals[n].id = n;
  hub.record_nominals[{"s", "r1"}] = {1};
  hub.record_nominals[{"s", "r2"}] = {2};
  hub.record_nominals[{"s", "r3"}] = {2};
  hub.record_nominals[{"s", "r9"}] = {3};  // a record the truth does not know
  hub.record_nominals[{"s", "r4"}] = {4};
  Truth truth;
  truth.record_person[{"s", "r1"}] = "P1";
  truth.record_person[{"s", "r2"}] = "P2";
  truth.record_person[{"s", "r3"}] = "P3";
  truth.record_person[{"s", "r4"}] = "P4";
  truth.labels["cp_plan_escalation"]["future"] = {{"P1", 1}, {"P2", 0}, {"P5", 1}};
  truth.window_start["future"] = CivilDate{2025, 1, 1};
  auto set = BuildLabelledSet(hub, truth, "cp_plan_escalation", "future");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->rows.size(), 1u);
  EXPECT_EQ(set->rows[0].nominal, 1);
  EXPECT_EQ(set->rows[0].label, 1);
  EXPECT_EQ(set->cutoff, (CivilDate{2025, 1, 1}));
  EXPECT_EQ(set->nominals_several_people, 1);  // nominal 2: P2 and P3
  EXPECT_EQ(set->nominals_no_person, 1);       // nominal 3
  EXPECT_EQ(set->nominals_not_eligible, 1);    // nominal 4: P4 has no label
  EXPECT_EQ(set->people_not_in_hub, 2);        // P2 (excluded with P3) and P5
  EXPECT_FALSE(BuildLabelledSet(hub, truth, "mh_crisis", "future").ok());
}

}  // namespace
}  // namespace tessera::risk

namespace tessera::risk {
namespace {

// The transparency record says what the metadata says: approval state, figures beside the
// rule's, the calibration goal, and every flagged fairness axis; and refuses non-model JSON.
TEST(TransparencyRecord, ReportsStateFiguresAndFlaggedGapsFromTheMetadata) {
  const std::string metadata = R"({
    "version": "v2", "outcome": "cp_plan_escalation", "training_data_sha256": "abc123",
    "feature_names": ["agency.police.3m", "age_at_cutoff"],
    "parameters": {"objective": "binary:logistic", "rounds": 200, "max_depth": 4, "eta": 0.05,
                   "seed": 1, "calibration_percent": 20},
    "rows": {"train": 1797, "calibration": 492, "excluded_nominals_several_people": 49},
    "training_window": {"cutoff": "2024-01-01"}, "test_window": {"cutoff": "2025-01-01"},
    "metrics": {"rows": 2166, "positives": 71,
      "model": {"roc_auc": 0.8669, "pr_auc": 0.2339, "ece": 0.0066, "ece_ci95": [0.0031, 0.0135],
                "top_k": {"k": 100, "precision": 0.29, "recall": 0.41},
                "fairness": [{"axis": "sex", "flagged": true, "fpr_gap": 0.01, "fnr_gap": 0.163},
                             {"axis": "age band", "flagged": false, "fpr_gap": 0.02,
                              "fnr_gap": null}]},
      "baseline": {"roc_auc": 0.666, "pr_auc": 0.114, "ece": 0.004, "ece_ci95": [0.002, 0.012],
                   "top_k": {"k": 100, "precision": 0.22, "recall": 0.31}, "fairness": []}}})";
  store::StoredRiskModel entry;
  entry.version = "v2";
  entry.state = "pending";
  auto pending = TransparencyRecord(metadata, &entry);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  const std::string& md = *pending;
  EXPECT_NE(md.find("risk model v2 (cp_plan_escalation)"), std::string::npos);
  EXPECT_NE(md.find("**Approval state:** pending (scores from this version are not shown"),
            std::string::npos);
  EXPECT_NE(md.find("| model | 0.867 | 0.234 | 0.0066 [0.0031, 0.0135] | 0.29 | 0.41 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| baseline rule | 0.666 | 0.114 |"), std::string::npos);
  EXPECT_NE(md.find("ECE of 0.02 or less: met"), std::string::npos);
  EXPECT_NE(md.find("| sex | 1.0 pp | 16.3 pp | **yes** |"), std::string::npos) << md;
  EXPECT_NE(md.find("| age band | 2.0 pp | not assessed | no |"), std::string::npos) << md;
  EXPECT_NE(md.find("by sex"), std::string::npos);
  EXPECT_NE(md.find("Fewer than 100 positive cases"), std::string::npos);
  EXPECT_NE(md.find("`abc123`"), std::string::npos);

  entry.state = "approved";
  entry.decided_by = "user:igo.wright";
  entry.reason = "reviewed the fairness gaps with the MASH manager";
  auto approved = TransparencyRecord(metadata, &entry);
  ASSERT_TRUE(approved.ok());
  EXPECT_NE(approved->find("**Approval state:** approved."), std::string::npos);
  EXPECT_NE(approved->find("by user:igo.wright: \"reviewed the fairness gaps"), std::string::npos);

  EXPECT_EQ(TransparencyRecord("{\"not\": \"a model\"}", nullptr).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(TransparencyRecord("not json", nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::risk
